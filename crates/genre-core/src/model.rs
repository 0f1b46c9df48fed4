//! A trained model: what it is, the features it reads, the fitted preprocessing, the
//! estimator, and how it did on its holdout. This is what the model file stores.

use linfa::traits::{Predict, PredictInplace};
use ndarray::{Array1, Array2, ArrayBase, Data, Ix2};
use serde::{Deserialize, Serialize};

use crate::feature::{Feature, FeatureSet};
use crate::ingest::Track;
use crate::knn::KnnModel;
pub use crate::model_kind::ModelKind;
use crate::preprocess::Preprocessor;
use crate::svc::SvcModel;
use crate::tree::flat::{Explanation, TreeEnsemble};
use crate::tree::imported::ImportedTrees;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Estimator {
    Trees(TreeEnsemble),
    Knn(KnnModel),
    Svc(SvcModel),
    /// A LightGBM or XGBoost model, predicted with its library's rules (`crate::interop`). It
    /// reads raw rows: missing values stay NaN, nothing is imputed or capped.
    Imported(ImportedTrees),
}

impl Estimator {
    pub fn n_classes(&self) -> usize {
        match self {
            Estimator::Imported(t) => t.n_classes,
            Estimator::Trees(t) => t.n_classes,
            Estimator::Knn(k) => k.n_classes,
            Estimator::Svc(s) => s.n_classes,
        }
    }

    /// Class probabilities (`rows × classes`) of preprocessed rows. A method of our own: linfa
    /// has no trait for probabilities (its `Predict` gives the classes, below).
    pub fn predict_probabilities<D: Data<Elem = f64>>(&self, x: &ArrayBase<D, Ix2>) -> Array2<f32> {
        let k = self.n_classes();
        let x = x.as_standard_layout();
        let rows: Vec<&[f64]> = match x.as_slice() {
            Some(values) if x.ncols() > 0 => values.chunks_exact(x.ncols()).collect(),
            _ => vec![&[]; x.nrows()],
        };
        let mut probs = Array2::zeros((rows.len(), k));
        let out = probs.as_slice_mut().expect("a new array is contiguous");
        match self {
            // Several times faster than row by row, with the same results.
            Estimator::Trees(t) => t.predict_proba_batch(&rows, out),
            Estimator::Imported(t) => t.predict_proba_batch(&rows, out),
            _ => {
                for (r, o) in rows.iter().zip(out.chunks_exact_mut(k)) {
                    self.predict_row(r, o);
                }
            }
        }
        probs
    }

    /// One preprocessed row's probabilities into `out`.
    fn predict_row(&self, x: &[f64], out: &mut [f32]) {
        match self {
            Estimator::Trees(t) => t.predict_proba_into(x, out),
            Estimator::Knn(k) => k.predict_proba_into(x, out),
            Estimator::Svc(s) => s.predict_proba_into(x, out),
            Estimator::Imported(t) => t.predict_proba_into(x, out),
        }
    }
}

/// linfa's `Predict` (through `PredictInplace`): the most probable class of each preprocessed
/// row (ties: the lower class index).
impl<D: Data<Elem = f64>> PredictInplace<ArrayBase<D, Ix2>, Array1<usize>> for Estimator {
    fn predict_inplace(&self, x: &ArrayBase<D, Ix2>, y: &mut Array1<usize>) {
        let probs = self.predict_probabilities(x);
        for (class, row) in y.iter_mut().zip(probs.rows()) {
            *class = argmax(row.as_slice().expect("a new array is contiguous"));
        }
    }

    fn default_target(&self, x: &ArrayBase<D, Ix2>) -> Array1<usize> {
        Array1::zeros(x.nrows())
    }
}

/// Holdout figures stored with the model, for the "about this model" panel.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Holdout {
    pub accuracy: f64,
    pub macro_f1: f64,
    pub weighted_f1: f64,
    pub rows: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelMeta {
    pub kind: ModelKind,
    /// A user-facing name ("Bundled model", or what the user typed).
    pub name: String,
    /// ISO-8601 date given by the caller (the core has no clock, so files are reproducible).
    pub trained_at: String,
    pub data_file: String,
    pub train_rows: u64,
    pub seed: u64,
    /// The training options and hyper-parameters, as a short human-readable line.
    pub settings: String,
    pub holdout: Option<Holdout>,
}

impl ModelMeta {
    /// A model trained elsewhere and imported (LightGBM, XGBoost): its file records no training
    /// rows, as we never saw them (`interop`).
    pub fn imported(&self) -> bool {
        self.train_rows == 0
    }

    /// Where the model comes from, as "About this model" says it: "Trained 2026-12-07 on
    /// genres.csv (33,844 rows, seed 42)", or "Imported 2026-12-07 from model.txt".
    pub fn origin(&self) -> String {
        let phrase = origin_phrase(self.imported(), &self.trained_at, &self.data_file);
        let mut origin = phrase[..1].to_uppercase() + &phrase[1..];
        if !self.imported() {
            let rows = crate::text::count(self.train_rows);
            origin.push_str(&format!(" ({rows} rows, seed {})", self.seed));
        }
        origin
    }
}

/// The one wording of where a model comes from, in a sentence: "trained 2026-12-07 on
/// genres.csv", or "imported 2026-12-07 from model.txt" ([`ModelMeta::origin`], and the Train
/// page's list of kept models, which knows only these three).
pub fn origin_phrase(imported: bool, at: &str, file: &str) -> String {
    match imported {
        true => format!("imported {at} from {file}"),
        false => format!("trained {at} on {file}"),
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedModel {
    pub meta: ModelMeta,
    pub classes: Vec<String>,
    pub preprocessor: Preprocessor,
    pub estimator: Estimator,
}

/// One row's answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prediction {
    pub class: usize,
    pub probabilities: Vec<f32>,
}

impl Prediction {
    pub fn confidence(&self) -> f32 {
        self.probabilities[self.class]
    }

    /// The `n` most probable classes, most probable first (ties: lower class index first).
    pub fn top(&self, n: usize) -> Vec<(usize, f32)> {
        let mut order: Vec<usize> = (0..self.probabilities.len()).collect();
        order.sort_by(|&a, &b| {
            self.probabilities[b]
                .total_cmp(&self.probabilities[a])
                .then(a.cmp(&b))
        });
        order
            .into_iter()
            .take(n)
            .map(|c| (c, self.probabilities[c]))
            .collect()
    }
}

impl TrainedModel {
    pub fn features(&self) -> &FeatureSet {
        &self.preprocessor.features
    }

    pub fn n_classes(&self) -> usize {
        self.classes.len()
    }

    /// The row the estimator reads: the preprocessor's steps for our models; the raw values
    /// themselves (NaN = missing) for an imported model, whose trees handle missing values the
    /// way their library does.
    pub fn estimator_row(&self, raw: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.features().len()];
        self.estimator_row_into(raw, &mut out);
        out
    }

    fn estimator_row_into(&self, raw: &[f64], out: &mut [f64]) {
        match &self.estimator {
            Estimator::Imported(_) => out.copy_from_slice(&raw[..out.len()]),
            _ => self.preprocessor.transform_into(raw, out),
        }
    }

    /// Probabilities for one row of raw values in the model's feature order (NaN = missing).
    pub fn predict_raw(&self, raw: &[f64]) -> Prediction {
        let x = self.estimator_row(raw);
        let mut probabilities = vec![0.0f32; self.n_classes()];
        self.estimator.predict_row(&x, &mut probabilities);
        let class = argmax(&probabilities);
        Prediction {
            class,
            probabilities,
        }
    }

    /// Predictions for many raw rows; identical to calling [`predict_raw`](Self::predict_raw)
    /// on each, and several times faster for tree models.
    pub fn predict_batch(&self, raw_rows: &[Vec<f64>]) -> Vec<Prediction> {
        let probs = self
            .estimator
            .predict_probabilities(&self.preprocess_batch(raw_rows.iter().map(Vec::as_slice)));
        probs
            .rows()
            .into_iter()
            .map(|pr| {
                let probabilities = pr.to_vec();
                Prediction {
                    class: argmax(&probabilities),
                    probabilities,
                }
            })
            .collect()
    }

    /// The predicted class of each raw row, through linfa's `Predict`.
    pub fn predict_classes<'a>(
        &self,
        raw_rows: impl ExactSizeIterator<Item = &'a [f64]>,
    ) -> Array1<usize> {
        self.estimator.predict(&self.preprocess_batch(raw_rows))
    }

    /// Raw rows (model feature order, NaN = missing) as the estimator reads them.
    fn preprocess_batch<'a>(
        &self,
        raw_rows: impl ExactSizeIterator<Item = &'a [f64]>,
    ) -> Array2<f64> {
        let p = self.features().len();
        let mut x = Array2::zeros((raw_rows.len(), p));
        for (r, mut out) in raw_rows.zip(x.rows_mut()) {
            self.estimator_row_into(r, out.as_slice_mut().expect("a new array is contiguous"));
        }
        x
    }

    /// Each track's raw row: its values of this model's features, in their order.
    pub fn raw_rows(&self, tracks: &[Track]) -> Vec<Vec<f64>> {
        tracks
            .iter()
            .map(|t| self.features().select(&t.values))
            .collect()
    }

    /// Same, from all 13 features of a track (the model picks its own).
    pub fn predict_track(&self, values: &[f64; 13]) -> Prediction {
        self.predict_raw(&self.features().select(values))
    }

    /// Per-feature contributions to `class` for a raw row, for tree models.
    pub fn explain_raw(&self, raw: &[f64], class: usize) -> Option<Explanation> {
        match &self.estimator {
            Estimator::Trees(t) => Some(t.explain(&self.preprocessor.transform(raw), class)),
            Estimator::Imported(t) => Some(t.explain(raw, class)),
            _ => None,
        }
    }

    /// Global feature importance (sums to 1) where the model has one.
    pub fn importance(&self) -> Option<&[f32]> {
        match &self.estimator {
            Estimator::Trees(t) => Some(&t.importance),
            Estimator::Imported(t) => Some(&t.importance),
            _ => None,
        }
    }

    /// Model features whose raw value lies outside the training range.
    pub fn out_of_range(&self, raw: &[f64]) -> Vec<(Feature, f64)> {
        self.preprocessor
            .out_of_range(raw)
            .into_iter()
            .map(|(j, d)| (self.features().as_slice()[j], d))
            .collect()
    }
}

pub fn argmax(v: &[f32]) -> usize {
    let mut best = 0;
    for (i, &x) in v.iter().enumerate() {
        if x > v[best] {
            best = i;
        }
    }
    best
}
