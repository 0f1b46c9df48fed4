//! The SVC row of the original comparison, done so that it trains in seconds in a browser tab:
//! an RBF-kernel SVM approximated with random Fourier features (Rahimi & Recht 2007) and
//! one-vs-rest linear SVMs trained by averaged stochastic sub-gradient descent on the hinge
//! loss. Exact kernel SVC (libsvm) is O(n²) in memory and time; this is its usual stand-in
//! at scale. Probabilities are a softmax of the decision values (uncalibrated).

use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::fitting::{classes_of, fit_through_linfa, rows_of, Run};
use crate::params::{linfa_params, require, Value, SVC_C, SVC_COMPONENTS, SVC_EPOCHS};
use crate::rng::Rng;

impl Default for SvcParams {
    fn default() -> Self {
        SvcParams(SvcValidParams {
            components: 1000,
            gamma: None,
            c: 100.0,
            epochs: 8,
            seed: 42,
        })
    }
}

linfa_params! {
    /// Checked SVC settings; only these can fit.
    valid SvcValidParams;
    /// Unchecked SVC settings (a builder); [`linfa::ParamGuard::check`] turns them into
    /// [`SvcValidParams`].
    params SvcParams;
    check check_svc;
    fields {
        /// Number of random Fourier features.
        components: usize,
        /// RBF kernel width; `None` = scikit-learn's `gamma="scale"` (1 / p on scaled data).
        gamma: Option<f64>,
        /// Regularisation C (as in scikit-learn: larger = less regularisation).
        c: f64,
        epochs: usize,
        seed: u64,
    }
}

/// The form's settings (limits and field ids of `params`), then the kernel width.
fn check_svc(p: &SvcValidParams) -> Result<(), TrainError> {
    SVC_COMPONENTS.check(Value::Count(p.components))?;
    SVC_C.check(Value::Real(p.c))?;
    SVC_EPOCHS.check(Value::Count(p.epochs))?;
    let gamma = p.gamma.unwrap_or(1.0);
    require(
        gamma > 0.0 && gamma.is_finite(),
        "gamma",
        gamma,
        "a finite value above 0",
    )
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SvcModel {
    pub n_features: usize,
    pub n_classes: usize,
    /// `components × n_features` projection and `components` phases.
    pub projection: Vec<f32>,
    pub phase: Vec<f32>,
    /// `n_classes × (components + 1)` weights; the last of each row is the bias.
    pub weights: Vec<f32>,
}

// linfa's `Fit`: records are standard-scaled rows, targets class indices. Reports
// `(epoch, epochs)` after each epoch.
fit_through_linfa!(SvcValidParams => SvcModel, |training, dataset| {
    SvcModel::fit_rows(
        training.params,
        &rows_of(dataset),
        &classes_of(dataset),
        &training.run,
    )
});

impl SvcModel {
    fn fit_rows(
        params: &SvcValidParams,
        x: &[Vec<f64>],
        y: &[usize],
        run: &Run,
    ) -> Result<SvcModel, TrainError> {
        let n_classes = run.n_classes();
        let p = x.first().map_or(0, Vec::len);
        let d = params.components;
        let gamma = params.gamma.unwrap_or(1.0 / p.max(1) as f64);
        let mut rng = Rng::new(params.seed);
        let scale = (2.0 * gamma).sqrt();
        let projection: Vec<f32> = (0..d * p).map(|_| (rng.normal() * scale) as f32).collect();
        let phase: Vec<f32> = (0..d)
            .map(|_| (rng.unit() * std::f64::consts::TAU) as f32)
            .collect();
        let mut model = SvcModel {
            n_features: p,
            n_classes,
            projection,
            phase,
            weights: vec![0.0; n_classes * (d + 1)],
        };
        let n = x.len();
        let lambda = 1.0 / (params.c * n as f64);
        let z: Vec<Vec<f32>> = x.iter().map(|r| model.features(r)).collect();
        let mut w = vec![0.0f64; n_classes * (d + 1)];
        let mut avg = vec![0.0f64; n_classes * (d + 1)];
        let mut order: Vec<usize> = (0..n).collect();
        let mut t = 0u64;
        let mut averaged = 0u64;
        for epoch in 0..params.epochs {
            run.check_cancel()?;
            rng.shuffle(&mut order);
            for &i in &order {
                t += 1;
                let eta = 1.0 / (lambda * (t as f64 + 1e4));
                let shrink = 1.0 - eta * lambda;
                for c in 0..n_classes {
                    let row = &mut w[c * (d + 1)..(c + 1) * (d + 1)];
                    let mut s = row[d];
                    for (wj, &zj) in row[..d].iter().zip(&z[i]) {
                        s += wj * zj as f64;
                    }
                    let target = if y[i] == c { 1.0 } else { -1.0 };
                    for wj in row[..d].iter_mut() {
                        *wj *= shrink;
                    }
                    if target * s < 1.0 {
                        let step = eta * target / n_classes.max(1) as f64;
                        for (wj, &zj) in row[..d].iter_mut().zip(&z[i]) {
                            *wj += step * zj as f64;
                        }
                        row[d] += step;
                    }
                }
                // Average the iterates of the second half: smoother than the last iterate.
                if epoch >= params.epochs / 2 {
                    averaged += 1;
                    let a = 1.0 / averaged as f64;
                    for (av, &wv) in avg.iter_mut().zip(&w) {
                        *av += (wv - *av) * a;
                    }
                }
            }
            run.report(epoch + 1, params.epochs);
        }
        let final_w = if averaged > 0 { &avg } else { &w };
        model.weights = final_w.iter().map(|&v| v as f32).collect();
        Ok(model)
    }

    fn features(&self, x: &[f64]) -> Vec<f32> {
        let p = self.n_features;
        let d = self.phase.len();
        let norm = (2.0 / d as f32).sqrt();
        (0..d)
            .map(|j| {
                let mut s = self.phase[j];
                for (w, &v) in self.projection[j * p..(j + 1) * p].iter().zip(x) {
                    s += w * v as f32;
                }
                norm * libm::cosf(s)
            })
            .collect()
    }

    pub fn decision_values(&self, x: &[f64], out: &mut [f32]) {
        let d = self.phase.len();
        let z = self.features(x);
        for (c, o) in out.iter_mut().enumerate() {
            let row = &self.weights[c * (d + 1)..(c + 1) * (d + 1)];
            *o = row[d] + row[..d].iter().zip(&z).map(|(a, b)| a * b).sum::<f32>();
        }
    }

    pub fn predict_proba_into(&self, x: &[f64], out: &mut [f32]) {
        self.decision_values(x, out);
        // Decision values live on a ±1 margin scale; sharpen before the softmax.
        out.iter_mut().for_each(|v| *v *= 4.0);
        crate::tree::flat::softmax_in_place(out);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitting::{dataset_of, quietly};
    use linfa::prelude::*;
    use linfa::ParamGuard;

    #[test]
    fn separates_rings_a_linear_model_cannot() {
        let mut rng = Rng::new(5);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..800 {
            let (a, b) = (rng.normal(), rng.normal());
            let r = (a * a + b * b).sqrt();
            x.push(vec![a, b]);
            y.push(usize::from(r > 1.2));
        }
        let params = SvcParams::default()
            .components(200)
            .gamma(Some(0.5))
            .c(10.0)
            .epochs(10)
            .seed(1)
            .check()
            .unwrap();
        let m = quietly(&params, 2, |t| t.fit(&dataset_of(&x, &y))).unwrap();
        let mut p = [0.0f32; 2];
        let correct = x
            .iter()
            .zip(&y)
            .filter(|(r, &c)| {
                m.predict_proba_into(r, &mut p);
                usize::from(p[1] > p[0]) == c
            })
            .count();
        assert!(correct > 700, "{correct} of 800");
    }
}
