//! k-nearest neighbours on standard-scaled features (the original comparison's KNN, k = 5).

use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::fitting::{classes_of, fit_through_linfa};
use crate::params::{linfa_params, Value, KNN_K};

/// The original comparison's k = 5.
impl Default for KnnParams {
    fn default() -> Self {
        KnnParams(KnnValidParams { k: 5 })
    }
}

linfa_params! {
    /// Checked KNN settings; only these can fit.
    valid KnnValidParams;
    /// Unchecked KNN settings (a builder); [`linfa::ParamGuard::check`] turns them into
    /// [`KnnValidParams`].
    params KnnParams;
    check check_knn;
    fields {
        /// Neighbours that vote.
        k: usize,
    }
}

fn check_knn(p: &KnnValidParams) -> Result<(), TrainError> {
    KNN_K.check(Value::Count(p.k))
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KnnModel {
    pub k: usize,
    pub n_features: usize,
    pub n_classes: usize,
    /// Row-major training points (already scaled), f32 to halve the model size.
    pub points: Vec<f32>,
    pub labels: Vec<u16>,
}

// linfa's `Fit`: KNN keeps the (scaled) training rows. No progress: there is one step.
fit_through_linfa!(KnnValidParams => KnnModel, |training, dataset| {
    let k = training.params.k;
    let records = dataset.records();
    if records.nrows() < k {
        return Err(TrainError::TooFewRows {
            rows: records.nrows(),
            needed: k,
        });
    }
    Ok(KnnModel {
        k,
        n_features: records.ncols(),
        n_classes: training.run.n_classes(),
        points: records.iter().map(|&v| v as f32).collect(),
        labels: classes_of(dataset).into_iter().map(|c| c as u16).collect(),
    })
});

impl KnnModel {
    /// Uniform vote of the k nearest points (ties in distance: the earlier training row).
    pub fn predict_proba_into(&self, x: &[f64], out: &mut [f32]) {
        let p = self.n_features;
        let q: Vec<f32> = x.iter().map(|&v| v as f32).collect();
        let mut best: Vec<(f32, u32)> = vec![(f32::INFINITY, u32::MAX); self.k];
        for (i, row) in self.points.chunks_exact(p).enumerate() {
            let mut d = 0.0f32;
            for (a, b) in row.iter().zip(&q) {
                let t = a - b;
                d += t * t;
            }
            if d < best[self.k - 1].0 {
                let mut j = self.k - 1;
                while j > 0 && best[j - 1].0 > d {
                    best[j] = best[j - 1];
                    j -= 1;
                }
                best[j] = (d, i as u32);
            }
        }
        out.fill(0.0);
        let found = best.iter().filter(|b| b.1 != u32::MAX).count().max(1);
        for &(_, i) in best.iter().filter(|b| b.1 != u32::MAX) {
            out[self.labels[i as usize] as usize] += 1.0 / found as f32;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitting::{dataset_of, quietly};
    use linfa::prelude::*;
    use linfa::ParamGuard;

    #[test]
    fn votes_of_the_nearest_points() {
        let x = vec![vec![0.0], vec![0.1], vec![0.2], vec![5.0], vec![5.1]];
        let y = vec![0, 0, 1, 1, 1];
        let params = KnnParams::default().k(3).check().unwrap();
        let m = quietly(&params, 2, |t| t.fit(&dataset_of(&x, &y))).unwrap();
        let mut p = [0.0f32; 2];
        m.predict_proba_into(&[0.05], &mut p);
        assert_eq!(p, [2.0 / 3.0, 1.0 / 3.0]);
        m.predict_proba_into(&[4.0], &mut p);
        assert_eq!(p, [0.0, 1.0]);
        assert!(KnnParams::default().k(0).check().is_err());
    }
}
