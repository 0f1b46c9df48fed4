//! Step 3's state: the options form's values as typed (features, outlier capping, class
//! balancing, test fraction, seed, models and their fields) and [`Options::build`], which turns
//! them into what a training run needs or puts each problem at its field. Fields are text so a
//! half-typed value is kept; they are checked when training starts, the core's own check
//! (`ModelSpec::check`, which names the field) included.

use std::collections::HashMap;

use genre_core::feature::{Feature, FeatureSet};
use genre_core::model::ModelKind;
use genre_core::split::{DEFAULT_SEED, DEFAULT_TEST_FRACTION, TEST_FRACTION_BOUNDS};
use genre_core::train::{Balance, ModelSpec, TrainOptions};
use leptos::prelude::*;

use super::model_fields::{default_fields, spec_from_fields, MODELS, WORKERS, WORKERS_MAX};
use super::option_fields::{parse_between, parse_count, parse_seed, OptionError};

/// The test fraction typed, within the split's own bounds.
fn parse_test_fraction(text: &str) -> Result<f64, OptionError> {
    parse_between(text, TEST_FRACTION_BOUNDS.0, TEST_FRACTION_BOUNDS.1)
}
use crate::worker::pool::default_workers;

#[derive(Clone, Copy)]
pub struct Options {
    pub features: RwSignal<Vec<Feature>>,
    pub cap: RwSignal<bool>,
    pub balance: RwSignal<Balance>,
    pub test_fraction: RwSignal<String>,
    pub seed: RwSignal<String>,
    pub models: RwSignal<Vec<ModelKind>>,
    /// Hyper-parameter fields by id (`rf-trees`, `knn-k`, ...).
    pub fields: RwSignal<HashMap<&'static str, String>>,
    /// Problems found when training was asked for, by field id.
    pub errors: RwSignal<HashMap<&'static str, String>>,
}

impl Options {
    pub fn new() -> Options {
        let mut fields = default_fields();
        fields.insert(WORKERS.0, default_workers().to_string());
        // The form starts at the pipeline's own defaults.
        let start = TrainOptions::default();
        Options {
            features: RwSignal::new(start.features.as_slice().to_vec()),
            cap: RwSignal::new(start.cap_outliers),
            balance: RwSignal::new(start.balance),
            test_fraction: RwSignal::new(start.test_fraction.to_string()),
            seed: RwSignal::new(start.seed.to_string()),
            models: RwSignal::new(MODELS.to_vec()),
            fields: RwSignal::new(fields),
            errors: RwSignal::new(HashMap::new()),
        }
    }

    /// After a file is read: the original nine where the file has them, else what it has.
    pub fn select_features(&self, present: &[Feature]) {
        let nine: Vec<Feature> = FeatureSet::original_nine()
            .as_slice()
            .iter()
            .copied()
            .filter(|f| present.contains(f))
            .collect();
        self.features.set(if nine.is_empty() {
            present.to_vec()
        } else {
            nine
        });
    }

    pub fn field(&self, id: &str) -> String {
        self.fields
            .with_untracked(|f| f.get(id).cloned())
            .unwrap_or_default()
    }

    /// The test fraction if it parses (for the live blocking checks).
    pub fn test_fraction_value(&self) -> f64 {
        parse_test_fraction(&self.test_fraction.get()).unwrap_or(DEFAULT_TEST_FRACTION)
    }

    /// Everything needed to train, or `None` when a field needs fixing (its problem is put at
    /// the field).
    pub fn build(&self) -> Option<(TrainOptions, Vec<ModelSpec>, usize)> {
        let mut errors: HashMap<&'static str, String> = HashMap::new();
        let mut check = |id: &'static str, problem: Option<String>| {
            if let Some(e) = problem {
                errors.insert(id, e);
            }
        };
        let features = FeatureSet::new(
            Feature::ALL
                .iter()
                .copied()
                .filter(|f| self.features.with_untracked(|v| v.contains(f)))
                .collect(),
        );
        check(
            "features",
            features
                .is_err()
                .then(|| "Choose at least one feature.".to_string()),
        );
        let test_fraction = parse_test_fraction(&self.test_fraction.get_untracked());
        check(
            "test-fraction",
            test_fraction.as_ref().err().map(ToString::to_string),
        );
        let seed = parse_seed(&self.seed.get_untracked());
        check("seed", seed.as_ref().err().map(ToString::to_string));
        let seed_v = *seed.as_ref().unwrap_or(&DEFAULT_SEED);

        let mut specs = Vec::new();
        let models = self.models.get_untracked();
        if models.is_empty() {
            errors.insert("models", "Choose at least one model.".into());
        }
        let workers = parse_count(&self.field(WORKERS.0), 1, WORKERS_MAX)
            .map_err(|e| {
                errors.insert(WORKERS.0, e.to_string());
            })
            .unwrap_or(1);
        for kind in MODELS.into_iter().filter(|k| models.contains(k)) {
            match spec_from_fields(kind, seed_v, |id| self.field(id)) {
                Ok(spec) => specs.push(spec),
                Err(problems) => {
                    for (id, e) in problems {
                        errors.entry(id).or_insert(e);
                    }
                }
            }
        }
        let ok = errors.is_empty();
        self.errors.set(errors);
        match (ok, features, test_fraction, seed) {
            (true, Ok(features), Ok(test_fraction), Ok(seed)) => Some((
                TrainOptions {
                    features,
                    cap_outliers: self.cap.get_untracked(),
                    balance: self.balance.get_untracked(),
                    test_fraction,
                    seed,
                },
                specs,
                workers,
            )),
            _ => None,
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}
