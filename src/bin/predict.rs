//! Entry point of the `predict` binary, what a first visit loads: the Predict page, or the
//! widget on widget.html (see `first_load`). The rest of the site is the `app` binary.

use wasm_bindgen::prelude::wasm_bindgen;

fn main() {
    // The wasm is compiled and instantiated: the first phase of the first answer.
    genre_lens::perf::FirstAnswer::Started.reached();
    // Turn Rust panics into readable console errors instead of "unreachable executed".
    console_error_panic_hook::set_once();
    // widget.html (data-view="widget") is the embeddable predictor, with no site chrome.
    if genre_lens::widget::is_widget_page() {
        leptos::mount::mount_to_body(genre_lens::widget::WidgetApp);
    } else {
        genre_lens::first_load::mount();
    }
    genre_lens::perf::FirstAnswer::FrameRendered.reached();
}

/// Benchmark hook for `./x measure` (`window.wasmBindings.bench_predict(n, batch)`):
/// milliseconds to predict `n` generated rows with the active model, or undefined before it has
/// loaded. Exported from the binary because exports of a dependency crate are not kept in
/// trunk's bin build.
#[wasm_bindgen]
pub fn bench_predict(n: u32, batch: bool) -> Option<f64> {
    genre_lens::perf::bench_predict(n as usize, batch)
}
