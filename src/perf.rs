//! Performance marks read by the measurement script, and an in-page benchmark hook.
//!
//! The one place that sets `performance.mark`s. A mark is an entry in the page's own timeline:
//! nothing reads it unless a measurement does (`./x measure`, `tests/e2e/src/bin/measure.rs`).

use std::cell::{Cell, RefCell};
use std::sync::Arc;

use genre_core::model::TrainedModel;

thread_local! {
    /// The [`FirstAnswer`] phases already marked on this page, one bit each.
    static FIRST_ANSWER_MARKED: Cell<u16> = const { Cell::new(0) };
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

/// Sets `performance.mark(name)` (Batch's "batch-start" and "batch-shown", the first answer's
/// phases). Natively, and in a browser without the Performance API, nothing happens.
pub fn mark(name: &str) {
    if let Some(p) = performance() {
        let _ = p.mark(name);
    }
}

/// The phases of a page's first answer (the Predict page or the widget), in the order they
/// happen; each is marked once per page, the first time it is reached. `./x measure` reads
/// them, with the Resource Timing of the wasm and of `model.bin`, as the first answer's
/// breakdown; their names are the marks it looks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FirstAnswer {
    /// The wasm is compiled and instantiated: the first line of the `predict` binary's `main`.
    Started,
    /// The page's first render (its frame, "Loading the model…") is in the document.
    FrameRendered,
    /// The first model's bytes are in the app (downloaded, or read from the browser's
    /// storage): decoding starts.
    ModelBytes,
    /// The first model's file is decoded.
    ModelDecoded,
    /// The form is in the document.
    FormRendered,
    /// The first prediction is in the document. `bench/`'s "navigation to first prediction"
    /// figure is this mark's `startTime`.
    Prediction,
    /// The frame that shows the form and the first prediction has been painted.
    Painted,
    /// The first explanation ("Why …?") is in the document (the Predict page; the widget has
    /// none).
    Explanation,
}

impl FirstAnswer {
    /// The mark's name.
    pub fn name(self) -> &'static str {
        match self {
            FirstAnswer::Started => "app-started",
            FirstAnswer::FrameRendered => "frame-rendered",
            FirstAnswer::ModelBytes => "model-bytes",
            FirstAnswer::ModelDecoded => "model-decoded",
            FirstAnswer::FormRendered => "form-rendered",
            FirstAnswer::Prediction => "first-prediction",
            FirstAnswer::Painted => "first-answer-painted",
            FirstAnswer::Explanation => "explanation-shown",
        }
    }

    /// Marks this phase, unless it was marked before on this page. Reaching the first
    /// prediction also marks, after the next paint, [`FirstAnswer::Painted`].
    pub fn reached(self) {
        let bit = 1u16 << self as u16;
        if FIRST_ANSWER_MARKED.with(|m| m.replace(m.get() | bit)) & bit != 0 {
            return;
        }
        mark(self.name());
        if self == FirstAnswer::Prediction {
            crate::browser::after_next_paint(|| FirstAnswer::Painted.reached());
        }
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
