//! How every model is trained and asked: through linfa's `Fit` on a `DatasetBase` of
//! preprocessed rows (`Array2<f64>`, or a view) and class indices (`Array1<usize>`), and
//! linfa's `Predict` for classes. linfa's `Fit::fit(&self, &dataset)` has no place for what a
//! training run here also needs, so a model's checked parameters are wrapped in a
//! [`Training`] that carries it (a [`Run`]): the number of classes, per-row class weights,
//! progress and cancellation. The pipeline, the CLI and the browser's workers all train
//! through these `Fit` impls (via `train::fit_estimator`).

use std::cell::RefCell;
use std::sync::atomic::{AtomicBool, Ordering};

use linfa::dataset::{AsSingleTargets, DatasetBase, Records};
use ndarray::{ArrayBase, Data, Ix2};
use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::tree::binning::BinnedColumns;

/// Progress of one model's training: `done` of `total` work units (trees, rounds, epochs).
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub struct Progress {
    pub done: usize,
    pub total: usize,
    /// With early stopping (the boosted trees): the unit at which the run ends unless its
    /// validation score improves again, `done` itself when it ends now. `total` is then only
    /// the most it can take, so an estimate of the time left from `total` alone overshoots.
    pub stops_by: Option<usize>,
}

/// linfa's `Fit` for a model's [`Training`], written once: every model fits a `DatasetBase` of
/// preprocessed rows (any `ArrayBase` of `f64`: an `Array2` or a view) and class indices, and
/// fails with a [`TrainError`]. The body sees the `Training` and the dataset under the names
/// given: `fit_through_linfa!(KnnValidParams => KnnModel, |training, dataset| { ... });`.
macro_rules! fit_through_linfa {
    ($params:ty => $model:ty, |$training:ident, $dataset:ident| $body:block) => {
        impl<D, T>
            linfa::traits::Fit<ndarray::ArrayBase<D, ndarray::Ix2>, T, $crate::error::TrainError>
            for $crate::fitting::Training<'_, $params>
        where
            D: ndarray::Data<Elem = f64>,
            T: linfa::dataset::AsSingleTargets<Elem = usize>,
        {
            type Object = $model;

            fn fit(
                &self,
                $dataset: &linfa::DatasetBase<ndarray::ArrayBase<D, ndarray::Ix2>, T>,
            ) -> Result<$model, $crate::error::TrainError> {
                let $training = self;
                $body
            }
        }
    };
}
pub(crate) use fit_through_linfa;

/// What one training run needs besides the data and the hyper-parameters.
pub struct Run<'a> {
    /// Classes are `0..n_classes`: the model's outputs, even for a class without a training row.
    n_classes: usize,
    /// Per-row weights (class balancing). Not linfa's dataset weights: those are `f32`, these
    /// `f64`, and rounding them would change the trees.
    weights: Option<&'a [f64]>,
    /// The training set's columns binned already (see [`BinnedColumns`]), for the forests.
    binned: Option<&'a BinnedColumns>,
    /// A `RefCell` because `Fit::fit` takes `&self`.
    progress: RefCell<&'a mut dyn FnMut(Progress)>,
    cancel: &'a AtomicBool,
}

impl Run<'_> {
    pub fn n_classes(&self) -> usize {
        self.n_classes
    }

    pub fn weights(&self) -> Option<&[f64]> {
        self.weights
    }

    pub fn binned(&self) -> Option<&BinnedColumns> {
        self.binned
    }

    /// After each work unit.
    pub(crate) fn report(&self, done: usize, total: usize) {
        self.report_stopping(done, total, None);
    }

    /// After each work unit of a run that early stopping can end at `stops_by`.
    pub(crate) fn report_stopping(&self, done: usize, total: usize, stops_by: Option<usize>) {
        (self.progress.borrow_mut())(Progress {
            done,
            total,
            stops_by,
        });
    }

    /// Between work units: a set cancel flag stops the run.
    pub(crate) fn check_cancel(&self) -> Result<(), TrainError> {
        if self.cancel.load(Ordering::Relaxed) {
            Err(TrainError::Cancelled)
        } else {
            Ok(())
        }
    }
}

/// A model's checked parameters and a [`Run`]: what implements linfa's `Fit` for each model.
pub struct Training<'a, P> {
    pub params: &'a P,
    pub run: Run<'a>,
}

impl<'a, P> Training<'a, P> {
    /// `progress` is called after each tree, round or epoch; `cancel` is read between them.
    pub fn new(
        params: &'a P,
        n_classes: usize,
        progress: &'a mut dyn FnMut(Progress),
        cancel: &'a AtomicBool,
    ) -> Self {
        Training {
            params,
            run: Run {
                n_classes,
                weights: None,
                binned: None,
                progress: RefCell::new(progress),
                cancel,
            },
        }
    }

    /// Per-row weights, one for each row of the dataset.
    pub fn weights(mut self, weights: Option<&'a [f64]>) -> Self {
        self.run.weights = weights;
        self
    }

    /// The dataset's columns binned already: a forest then does not bin them again.
    pub fn binned(mut self, binned: Option<&'a BinnedColumns>) -> Self {
        self.run.binned = binned;
        self
    }
}

/// The rows of a dataset's records, as the models' inner loops read them.
pub(crate) fn rows_of<D: Data<Elem = f64>, T>(
    dataset: &DatasetBase<ArrayBase<D, Ix2>, T>,
) -> Vec<Vec<f64>> {
    dataset
        .records()
        .rows()
        .into_iter()
        .map(|r| r.to_vec())
        .collect()
}

/// The class index of each row of a dataset.
pub(crate) fn classes_of<R: Records, T: AsSingleTargets<Elem = usize>>(
    dataset: &DatasetBase<R, T>,
) -> Vec<usize> {
    dataset.as_single_targets().to_vec()
}

/// Rows of `p` values as a matrix.
#[cfg(test)]
pub(crate) fn matrix_of(rows: &[Vec<f64>], p: usize) -> ndarray::Array2<f64> {
    ndarray::Array2::from_shape_fn((rows.len(), p), |(i, j)| rows[i][j])
}

/// A dataset of rows and classes, for the models' unit tests.
#[cfg(test)]
pub(crate) fn dataset_of(
    x: &[Vec<f64>],
    y: &[usize],
) -> DatasetBase<ndarray::Array2<f64>, ndarray::Array1<usize>> {
    let p = x.first().map_or(0, Vec::len);
    DatasetBase::new(matrix_of(x, p), ndarray::Array1::from(y.to_vec()))
}

/// Training that reports nowhere and is never cancelled, for the models' unit tests.
#[cfg(test)]
pub(crate) fn quietly<P, O>(
    params: &P,
    n_classes: usize,
    fit: impl FnOnce(&Training<P>) -> Result<O, TrainError>,
) -> Result<O, TrainError> {
    let never = AtomicBool::new(false);
    fit(&Training::new(params, n_classes, &mut |_| {}, &never))
}
