//! Entry point of the `app` binary that trunk builds: mount the app on <body>.

fn main() {
    // Turn Rust panics into readable console errors instead of "unreachable executed".
    console_error_panic_hook::set_once();
    leptos::mount::mount_to_body(genre_lens::app::App);
}
