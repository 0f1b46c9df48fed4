//! Entry point of the `app` binary: the whole site, every page. `public/boot.js` loads it the
//! first time a visitor leaves the Predict page (the `predict` binary, `first_load`), and it
//! takes over the page from there.

fn main() {
    // Turn Rust panics into readable console errors instead of "unreachable executed".
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(genre_lens::app::App);
}
