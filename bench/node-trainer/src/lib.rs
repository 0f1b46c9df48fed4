//! The core's trainer for Node: the CLI's `eval --train --test` pipeline (13 features, outlier
//! capping, each model's defaults) compiled to wasm32, so `bench/ydf_peer.mjs` can time it in
//! the same engine as YDF's JavaScript trainer. Measurement only: the site does not use it.
//!
//! Training and scoring are separate calls so that the script times training alone:
//! `new TestFile(csv)`, then `testFile.train(trainCsv, "gbt", 42n)` (timed: reading the training
//! CSV, preprocessing, fitting), then `trained.score()`.

use std::sync::atomic::AtomicBool;

use genre_core::feature::FeatureSet;
use genre_core::ingest::{read_csv, IngestOptions, Ingested};
use genre_core::model::{Estimator, ModelKind};
use genre_core::train::{build_training_set, finish, fit_estimator, prepare_two, ModelSpec};
use genre_core::train::{Prepared, TrainOptions, TrainingSet};
use wasm_bindgen::prelude::*;

/// The held-back file, read once.
#[wasm_bindgen]
pub struct TestFile(Ingested);

#[wasm_bindgen]
impl TestFile {
    /// Reads the held-back file (the layout `genre-lens split` writes).
    #[wasm_bindgen(constructor)]
    pub fn new(csv: &str) -> Result<TestFile, JsError> {
        read_csv(csv.as_bytes(), &IngestOptions::for_training())
            .map(TestFile)
            .map_err(|e| JsError::new(&format!("test file: {e}")))
    }

    /// Reads `train_csv` and trains the model `kind` (`gbt`, `rf`: the CLI's codes) on it with
    /// the model's defaults and `seed`, on the 13 features with outlier capping.
    pub fn train(&self, train_csv: &str, kind: &str, seed: u64) -> Result<Trained, JsError> {
        let kind = ModelKind::from_code(kind).ok_or_else(|| {
            JsError::new(&format!(
                "model `{kind}`: expected one of {}",
                ModelKind::ALL.map(ModelKind::code).join(", ")
            ))
        })?;
        let options = TrainOptions {
            features: FeatureSet::all(),
            seed,
            ..TrainOptions::default()
        };
        let train = read_csv(train_csv.as_bytes(), &IngestOptions::for_training())
            .map_err(|e| JsError::new(&format!("training file: {e}")))?;
        let (prep, _unknown) = prepare_two(&train, &self.0, &options, "train.csv")
            .map_err(|e| JsError::new(&format!("training file: {e}")))?;
        let spec = ModelSpec::default_for(kind, seed);
        let stage = build_training_set(&prep, kind).map_err(|e| JsError::new(&e.to_string()))?;
        let estimator = fit_estimator(
            &stage,
            prep.classes.len(),
            &spec,
            None,
            &mut |_| {},
            &AtomicBool::new(false),
        )
        .map_err(|e| JsError::new(&e.to_string()))?;
        Ok(Trained {
            prep,
            stage,
            spec,
            estimator,
        })
    }
}

/// A trained model with what scoring it on the held-back rows needs.
#[wasm_bindgen]
pub struct Trained {
    prep: Prepared,
    stage: TrainingSet,
    spec: ModelSpec,
    estimator: Estimator,
}

/// A trained model scored on the held-back file.
#[wasm_bindgen(getter_with_clone)]
pub struct Scored {
    /// Share of the held-back rows whose genre is predicted right.
    pub accuracy: f64,
    /// The model file (what `genre-lens train` writes), for its size raw and gzipped.
    pub model: Vec<u8>,
    /// Trees in the model (0 for models without trees).
    pub trees: u32,
    /// The settings in words (the model file's settings line).
    pub settings: String,
}

#[wasm_bindgen]
impl Trained {
    /// Scores the model on the held-back file's rows and encodes it.
    pub fn score(self) -> Scored {
        let trees = match &self.estimator {
            Estimator::Trees(t) => t.trees.len(),
            _ => 0,
        };
        let (model, metrics) = finish(
            &self.prep,
            &self.stage,
            &self.spec,
            self.estimator,
            "node bench",
            "",
        );
        Scored {
            accuracy: metrics.accuracy,
            model: model.to_bytes(),
            trees: trees as u32,
            settings: self.spec.settings(),
        }
    }
}
