//! A fresh worker's first fit of a tree ensemble runs mostly in the engine's baseline code: the
//! browser compiles wasm quickly first (Liftoff in Chromium) and only swaps in optimised code
//! for a function at a later call, never in the middle of one, and growing a whole forest or
//! boosting a whole model is a few long calls. So a worker first fits the same model, cut short,
//! on a few hundred rows of the same data, which makes the engine optimise the code the real fit
//! runs, once per kind of model and worker life.
//!
//! Measured in Node (the same wasm, `bench/node-trainer`): the forest's defaults on the bundled
//! split took 1.85 s of CPU in a fresh process and 0.95 s once warm; after a 0.16 s warm-up the
//! first fit took 0.94 s. Boosting: 12.1 s cold, 8.2 s after a 0.5 s warm-up.

use std::cell::RefCell;
use std::sync::atomic::AtomicBool;

use genre_core::model::ModelKind;
use genre_core::train::{self, ModelSpec, TrainingSet};

/// Below this many training rows a fit is short anyway: no warm-up.
const FROM_ROWS: usize = 5_000;
/// Rows the warm-up fits on, taken evenly through the training rows (so every genre of a file
/// sorted by genre is there).
const SAMPLE_ROWS: usize = 600;
/// The warm-up's trees (forest, bagging) or rounds (boosting): enough calls of every function
/// of the real fit for the engine to optimise them.
const TREES: usize = 10;
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
