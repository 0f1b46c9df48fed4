//! Performance marks read by the measurement script, and an in-page benchmark hook.

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use genre_core::model::TrainedModel;

thread_local! {
    static FIRST_PREDICTION_MARKED: Cell<bool> = const { Cell::new(false) };
    static BENCH_MODEL: RefCell<Option<Arc<TrainedModel>>> = const { RefCell::new(None) };
}

fn performance() -> Option<web_sys::Performance> {
    web_sys::window()?.performance()
}

/// The page's clock in milliseconds (`performance.now()`, or `Date.now()` without it): what
/// the pages and the scheduler time runs, budgets and progress with.
/// Natively (the app's native tests) it is always 0: a time-sliced loop then never yields.
pub fn now() -> f64 {
    #[cfg(target_arch = "wasm32")]
    {
        performance().map_or_else(js_sys::Date::now, |p| p.now())
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0.0
    }
}

/// Sets `performance.mark("first-prediction")` once, when the first prediction is on screen.
/// `bench/`'s "navigation to first prediction" figure is this mark's `startTime`.
pub fn mark_first_prediction() {
    if FIRST_PREDICTION_MARKED.with(|m| m.replace(true)) {
        return;
    }
    if let Some(p) = performance() {
        let _ = p.mark("first-prediction");
    }
}

/// Remembers the active model for [`bench_predict`].
pub fn set_bench_model(model: Arc<TrainedModel>) {
    BENCH_MODEL.with(|m| *m.borrow_mut() = Some(model));
}

/// `n` deterministic rows spread over the model's training ranges (raw values, model order).
pub fn bench_rows(model: &TrainedModel, n: usize) -> Vec<Vec<f64>> {
    let ranges = &model.preprocessor.ranges;
    let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
    (0..n)
        .map(|_| {
            ranges
                .iter()
                .map(|&(lo, hi)| {
                    // xorshift64*: cheap, deterministic, good enough to vary the tree paths.
                    state ^= state >> 12;
                    state ^= state << 25;
                    state ^= state >> 27;
                    let u = (state.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) as f64
                        / (1u64 << 53) as f64;
                    lo + u * (hi - lo)
                })
                .collect()
        })
        .collect()
}

/// Predicts `n` generated rows with the active model and returns the elapsed milliseconds
/// (`performance.now()`), or `None` while no model is loaded. Row generation is not timed.
/// `batch`: one `predict_batch` call (how Batch predicts a file) instead of `n` `predict_raw`
/// calls (how the form predicts).
pub fn bench_predict(n: usize, batch: bool) -> Option<f64> {
    let model = BENCH_MODEL.with(|m| m.borrow().clone())?;
    let rows = bench_rows(&model, n);
    let perf = performance()?;
    let start = perf.now();
    let mut checksum = 0usize;
    if batch {
        for p in model.predict_batch(&rows) {
            checksum = checksum.wrapping_add(p.class);
        }
    } else {
        for row in &rows {
            checksum = checksum.wrapping_add(model.predict_raw(row).class);
        }
    }
    let elapsed = perf.now() - start;
    // Keep the optimiser from dropping the loop.
    std::hint::black_box(checksum);
    Some(elapsed)
}
