//! A fresh worker's first fit of a tree ensemble is slow: the browser compiles wasm quickly
//! first (baseline code, Liftoff in Chromium) and swaps in optimised code for a function only
//! after it has run enough, and only for its later calls, while growing a forest or boosting a
//! model is a few long calls. So before its first fit of a kind of model, a worker fits the same
//! model cut short on a few thousand rows of the same data: the real fit then runs optimised
//! code.
//!
//! Measured in Chromium (`measure_forest_workers_and_big_csv`, the bundled split, 100 trees in
//! two shares): a fresh worker's share took 2.4–3.2 s, and 0.85–1.2 s once the worker had
//! trained before; after this warm-up (0.26 s) the first share took 0.94–1.15 s, so the first
//! forest is ready in 1.6 s instead of 3.4 s. A warm-up on 600 rows did not help in Chromium
//! (it did in Node).

use std::cell::RefCell;
use std::sync::atomic::AtomicBool;

use genre_core::model::ModelKind;
use genre_core::train::{self, ModelSpec, TrainingSet};

/// Below this many training rows a fit is short anyway, and the warm-up would be a large part
/// of it: no warm-up.
const FROM_ROWS: usize = 12_000;
/// Rows the warm-up fits on, taken evenly through the training rows (so every genre of a file
/// sorted by genre is there).
const SAMPLE_ROWS: usize = 4_000;
/// The warm-up's trees (forest, bagging) or rounds (boosting): enough calls of every function
/// of the real fit for the engine to optimise them.
const TREES: usize = 20;
const ROUNDS: usize = 30;

thread_local! {
    /// The kinds of model this worker life has fitted (or warmed up for) already.
    static WARM: RefCell<Vec<ModelKind>> = const { RefCell::new(Vec::new()) };
}

/// Fits a small version of `spec` on a sample of `stage`, the first time this worker fits a
/// tree ensemble of its kind on a large enough set. The result is dropped; a failure is too
/// (the real fit then says what is wrong).
pub(super) fn warm_up(stage: &TrainingSet, n_classes: usize, spec: &ModelSpec) {
    let small = match spec {
        ModelSpec::Forest(p) => ModelSpec::Forest(p.clone().n_trees(TREES)),
        ModelSpec::Bagging(p) => ModelSpec::Bagging(p.clone().n_trees(TREES)),
        ModelSpec::Boost(p) => ModelSpec::Boost(p.clone().max_rounds(ROUNDS)),
        _ => return,
    };
    let kind = spec.kind();
    if WARM.with_borrow(|w| w.contains(&kind)) {
        return;
    }
    WARM.with_borrow_mut(|w| w.push(kind));
    let rows = stage.y.len();
    if rows < FROM_ROWS {
        return;
    }
    let sample = stage.every_nth(rows / SAMPLE_ROWS);
    let never = AtomicBool::new(false);
    let _ = train::fit_estimator(&sample, n_classes, &small, None, &mut |_| {}, &never);
}
