//! Gradient-boosted trees for multi-class classification (softmax), histogram-based and grown
//! leaf-wise as LightGBM does, with early stopping on a validation slice of the training part.

use super::binning::BinMapper;
use super::flat::{EnsembleKind, FlatTree, TreeEnsemble, LEAF};
use super::forest::normalize;
use crate::error::TrainError;
use crate::fitting::{classes_of, fit_through_linfa, rows_of, Run};
use crate::params::{linfa_params, require, Value, GBT_LEAVES, GBT_LR, GBT_ROUNDS};
use crate::rng::Rng;
use crate::split::stratified_split;

impl Default for BoostParams {
    fn default() -> Self {
        BoostParams(BoostValidParams {
            max_rounds: 600,
            learning_rate: 0.05,
            max_leaves: 31,
            min_data_in_leaf: 20,
            min_hessian_in_leaf: 1e-3,
            lambda: 1.0,
            feature_fraction: 0.8,
            row_fraction: 0.8,
            early_stopping_rounds: 40,
            validation_fraction: 0.1,
            seed: 42,
        })
    }
}

linfa_params! {
    /// Checked booster hyper-parameters; only these can fit.
    valid BoostValidParams;
    /// Unchecked booster hyper-parameters (a builder); [`ParamGuard::check`] turns them into
    /// [`BoostValidParams`].
    params BoostParams;
    check check_boost;
    fields {
        /// Upper bound on boosting rounds (one tree per class per round).
        max_rounds: usize,
        learning_rate: f64,
        max_leaves: usize,
        min_data_in_leaf: usize,
        min_hessian_in_leaf: f64,
        /// L2 regularisation of leaf values.
        lambda: f64,
        /// Fraction of features each tree may use.
        feature_fraction: f64,
        /// Fraction of rows each round uses (without replacement).
        row_fraction: f64,
        /// Stop after this many rounds without a better validation log-loss (0: no early stopping).
        early_stopping_rounds: usize,
        /// Share of the training rows held out for early stopping.
        validation_fraction: f64,
        seed: u64,
    }
}

/// The form's settings (limits and field ids of `params`), then the others.
fn check_boost(p: &BoostValidParams) -> Result<(), TrainError> {
    GBT_ROUNDS.check(Value::Count(p.max_rounds))?;
    GBT_LR.check(Value::Real(p.learning_rate))?;
    GBT_LEAVES.check(Value::Count(p.max_leaves))?;
    let fraction = |x: f64| x > 0.0 && x <= 1.0;
    require(
        fraction(p.feature_fraction),
        "feature_fraction",
        p.feature_fraction,
        "a value in (0, 1]",
    )?;
    require(
        fraction(p.row_fraction),
        "row_fraction",
        p.row_fraction,
        "a value in (0, 1]",
    )?;
    require(
        p.lambda >= 0.0 && p.lambda.is_finite(),
        "lambda",
        p.lambda,
        "a finite value >= 0",
    )?;
    require(
        p.early_stopping_rounds == 0
            || (p.validation_fraction > 0.0 && p.validation_fraction < 0.5),
        "validation_fraction",
        p.validation_fraction,
        "a value in (0, 0.5) when early stopping is on",
    )
}

const BINS: usize = 256;

/// One leaf waiting to be split, with its gradient histogram.
struct Candidate {
    slot: usize,
    start: usize,
    end: usize,
    g: f64,
    h: f64,
    /// `[f * BINS + b]` = (sum g, sum h, count)
    hist: Vec<(f64, f64, u32)>,
    best: Option<(f64, usize, u8)>,
}

// linfa's `Fit`: records are preprocessed rows, targets class indices; the run's weights, when
// set, are per-row sample weights (class balancing). Reports `(round, max_rounds)` after each
// round.
fit_through_linfa!(BoostValidParams => TreeEnsemble, |training, dataset| {
    training.params
        .fit_rows(&rows_of(dataset), &classes_of(dataset), &training.run)
});

impl BoostValidParams {
    fn fit_rows(&self, x: &[Vec<f64>], y: &[usize], run: &Run) -> Result<TreeEnsemble, TrainError> {
        let weight = run.weights();
        let p = x.first().map_or(0, Vec::len);
        let k = run.n_classes();
        // Early-stopping slice, stratified, from the training rows only.
        let (fit_rows, val_rows) = if self.early_stopping_rounds > 0 {
            let names: Vec<String> = (0..k).map(|c| c.to_string()).collect();
            let s = stratified_split(y, &names, self.validation_fraction, self.seed ^ 0xB005)?;
            (s.train, s.test)
        } else {
            ((0..y.len()).collect(), Vec::new())
        };
        let fx: Vec<Vec<f64>> = fit_rows.iter().map(|&i| x[i].clone()).collect();
        let fy: Vec<usize> = fit_rows.iter().map(|&i| y[i]).collect();
        let fw: Vec<f64> = fit_rows
            .iter()
            .map(|&i| weight.map_or(1.0, |w| w[i]))
            .collect();
        let n = fx.len();
        // Flat row-major copies for the tree walks: one allocation, sequential reads.
        let fx_flat: Vec<f64> = fx.iter().flatten().copied().collect();
        let vx_flat: Vec<f64> = val_rows
            .iter()
            .flat_map(|&i| x[i].iter().copied())
            .collect();
        let (mapper, col_bins) =
            BinMapper::fit_binned((0..p).map(|j| fx.iter().map(|r| r[j]).collect()));
        let mut rb = vec![0u8; n * p];
        for (f, col) in col_bins.iter().enumerate() {
            for (i, &b) in col.iter().enumerate() {
                rb[i * p + f] = b;
            }
        }

        // Start from the log class priors.
        let mut prior = vec![1e-9f64; k];
        for (&c, &w) in fy.iter().zip(&fw) {
            prior[c] += w;
        }
        let total: f64 = prior.iter().sum();
        let base_score: Vec<f32> = prior.iter().map(|&c| libm::log(c / total) as f32).collect();

        let mut raw = vec![0.0f64; n * k];
        for i in 0..n {
            for c in 0..k {
                raw[c * n + i] = base_score[c] as f64;
            }
        }
        let mut val_raw: Vec<f64> = val_rows
            .iter()
            .flat_map(|_| base_score.iter().map(|&b| b as f64))
            .collect();

        let mut model = TreeEnsemble {
            kind: EnsembleKind::Boosted,
            n_classes: k,
            n_features: p,
            trees: Vec::new(),
            base_score,
            importance: vec![0.0; p],
            packed: Default::default(),
        };
        let mut importance = vec![0.0f64; p];
        let mut importance_at_best = importance.clone();
        let mut best_loss = f64::INFINITY;
        let mut best_round = 0usize;
        let mut rng = Rng::new(self.seed);
        let mut grad = vec![0.0f64; n * k];
        let mut hess = vec![0.0f64; n * k];
        let factor = k as f64 / (k as f64 - 1.0).max(1.0);
        let mut prob = vec![0.0f64; k];
        // Scores, gradients and hessians are class-major (`[class * n + row]`): each tree reads
        // and writes one class, so its working set stays small and contiguous.
        let mut scores = vec![0.0f64; k];
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        let mut in_sample = vec![true; n];
        let mut features: Vec<usize> = (0..p).collect();
        let n_feat = ((p as f64 * self.feature_fraction).round() as usize).clamp(1, p);

        for round in 0..self.max_rounds {
            run.check_cancel()?;
            for i in 0..n {
                for (c, s) in scores.iter_mut().enumerate() {
                    *s = raw[c * n + i];
                }
                softmax(&scores, &mut prob);
                for c in 0..k {
                    let t = if fy[i] == c { 1.0 } else { 0.0 };
                    grad[c * n + i] = (prob[c] - t) * fw[i];
                    hess[c * n + i] = (factor * prob[c] * (1.0 - prob[c])).max(1e-16) * fw[i];
                }
            }
            // Row subsample shared by the round's K trees.
            rows.clear();
            if self.row_fraction < 1.0 {
                for (i, flag) in in_sample.iter_mut().enumerate() {
                    *flag = rng.unit() < self.row_fraction;
                    if *flag {
                        rows.push(i as u32);
                    }
                }
            } else {
                rows.extend(0..n as u32);
            }
            for c in 0..k {
                rng.shuffle(&mut features);
                let allowed = &features[..n_feat];
                let mut tree_rows = rows.clone();
                let tree = self.grow(
                    &rb,
                    p,
                    &mapper,
                    (&grad[c * n..(c + 1) * n], &hess[c * n..(c + 1) * n]),
                    &mut tree_rows,
                    allowed,
                    &mut importance,
                    &mut raw[c * n..(c + 1) * n],
                );
                // `grow` updated the subsample's scores from its leaves; the other fitting rows
                // and the validation slice walk the tree.
                if rows.len() < n {
                    for (i, row) in fx_flat.chunks_exact(p).enumerate() {
                        if !in_sample[i] {
                            raw[c * n + i] += tree.leaf_slice(row, 1)[0] as f64;
                        }
                    }
                }
                for (vi, row) in vx_flat.chunks_exact(p).enumerate() {
                    val_raw[vi * k + c] += tree.leaf_slice(row, 1)[0] as f64;
                }
                model.trees.push(tree);
            }
            if self.early_stopping_rounds > 0 {
                let mut loss = 0.0;
                for (vi, &row) in val_rows.iter().enumerate() {
                    softmax(&val_raw[vi * k..(vi + 1) * k], &mut prob);
                    loss -= libm::log(prob[y[row]].max(1e-15));
                }
                loss /= val_rows.len().max(1) as f64;
                if loss < best_loss - 1e-9 {
                    best_loss = loss;
                    best_round = round + 1;
                    importance_at_best.clone_from(&importance);
                }
                // Unless the score improves again, the run ends `early_stopping_rounds` after
                // its best round (or at `max_rounds`): what an estimate of the time left needs.
                let stops_by = (best_round + self.early_stopping_rounds).min(self.max_rounds);
                run.report_stopping(round + 1, self.max_rounds, Some(stops_by));
                if round + 1 >= stops_by {
                    break;
                }
            } else {
                best_round = round + 1;
                importance_at_best.clone_from(&importance);
                run.report(round + 1, self.max_rounds);
            }
        }
        model.trees.truncate(best_round * k);
        model.importance = normalize(&importance_at_best);
        Ok(model)
    }

    #[allow(clippy::too_many_arguments)]
    #[inline(never)]
    fn grow(
        &self,
        rb: &[u8],
        p: usize,
        mapper: &BinMapper,
        (grad, hess): (&[f64], &[f64]),
        rows: &mut [u32],
        allowed: &[usize],
        importance: &mut [f64],
        raw: &mut [f64],
    ) -> FlatTree {
        let mut tree = FlatTree::default();
        let mut leaf_g: Vec<(usize, f64, f64, usize, usize)> = Vec::new();
        let root = tree.push_placeholder();
        let mut root_c = Candidate {
            slot: root,
            start: 0,
            end: rows.len(),
            g: 0.0,
            h: 0.0,
            hist: vec![(0.0, 0.0, 0); p * BINS],
            best: None,
        };
        self.fill_hist(&mut root_c, rows, rb, p, grad, hess);
        root_c.g = root_c.hist[..BINS].iter().map(|e| e.0).sum();
        root_c.h = root_c.hist[..BINS].iter().map(|e| e.1).sum();
        root_c.best = self.best_split(&root_c, mapper, allowed);
        let mut open = vec![root_c];
        let mut leaves = 1usize;
        while leaves < self.max_leaves {
            let Some(pick) = open
                .iter()
                .enumerate()
                .filter(|(_, c)| c.best.is_some())
                .max_by(|a, b| a.1.best.unwrap().0.total_cmp(&b.1.best.unwrap().0))
                .map(|(i, _)| i)
            else {
                break;
            };
            let mut parent = open.swap_remove(pick);
            let (gain, f, bin) = parent.best.expect("filtered");
            importance[f] += gain;
            let slice = &mut rows[parent.start..parent.end];
            let (mut i, mut j) = (0, slice.len());
            while i < j {
                if rb[slice[i] as usize * p + f] <= bin {
                    i += 1;
                } else {
                    j -= 1;
                    slice.swap(i, j);
                }
            }
            let mid = parent.start + i;
            let l = tree.push_placeholder();
            tree.push_placeholder();
            tree.feature[parent.slot] = f as u8;
            tree.threshold[parent.slot] = mapper.edges[f][bin as usize];
            tree.child[parent.slot] = l as u32;
            tree.cover[parent.slot] = parent.h as f32;
            let mut left = Candidate {
                slot: l,
                start: parent.start,
                end: mid,
                g: 0.0,
                h: 0.0,
                hist: Vec::new(),
                best: None,
            };
            let mut right = Candidate {
                slot: l + 1,
                start: mid,
                end: parent.end,
                g: 0.0,
                h: 0.0,
                hist: Vec::new(),
                best: None,
            };
            // Build the smaller child's histogram; the larger one is parent minus smaller.
            let (small, large) = if mid - parent.start <= parent.end - mid {
                (&mut left, &mut right)
            } else {
                (&mut right, &mut left)
            };
            small.hist = vec![(0.0, 0.0, 0); p * BINS];
            self.fill_hist(small, rows, rb, p, grad, hess);
            for (ph, sh) in parent.hist.iter_mut().zip(&small.hist) {
                ph.0 -= sh.0;
                ph.1 -= sh.1;
                ph.2 -= sh.2;
            }
            large.hist = std::mem::take(&mut parent.hist);
            for c in [&mut left, &mut right] {
                let f0 = allowed[0];
                c.g = c.hist[f0 * BINS..(f0 + 1) * BINS].iter().map(|e| e.0).sum();
                c.h = c.hist[f0 * BINS..(f0 + 1) * BINS].iter().map(|e| e.1).sum();
                c.best = self.best_split(c, mapper, allowed);
            }
            open.push(left);
            open.push(right);
            leaves += 1;
        }
        for c in &open {
            leaf_g.push((c.slot, c.g, c.h, c.start, c.end));
        }
        leaf_g.sort_by_key(|e| e.0);
        for (slot, g, h, start, end) in leaf_g {
            let value = (-g / (h + self.lambda) * self.learning_rate) as f32;
            tree.feature[slot] = LEAF;
            tree.cover[slot] = h as f32;
            tree.child[slot] = tree.leaf_values.len() as u32;
            tree.leaf_values.push(value);
            for &r in &rows[start..end] {
                raw[r as usize] += value as f64;
            }
        }
        tree.canonicalize(1)
    }

    #[allow(clippy::too_many_arguments)]
    fn fill_hist(
        &self,
        c: &mut Candidate,
        rows: &[u32],
        rb: &[u8],
        p: usize,
        grad: &[f64],
        hess: &[f64],
    ) {
        for &r in &rows[c.start..c.end] {
            let r = r as usize;
            let g = grad[r];
            let h = hess[r];
            let bins = &rb[r * p..(r + 1) * p];
            for (f, &b) in bins.iter().enumerate() {
                let e = &mut c.hist[f * BINS + b as usize];
                e.0 += g;
                e.1 += h;
                e.2 += 1;
            }
        }
    }

    fn best_split(
        &self,
        c: &Candidate,
        mapper: &BinMapper,
        allowed: &[usize],
    ) -> Option<(f64, usize, u8)> {
        let count = (c.end - c.start) as u32;
        let min_n = self.min_data_in_leaf as u32;
        if count < 2 * min_n {
            return None;
        }
        let parent = c.g * c.g / (c.h + self.lambda);
        let mut best: Option<(f64, usize, u8)> = None;
        for &f in allowed {
            let nb = mapper.n_bins(f);
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0u32);
            for b in 0..nb.saturating_sub(1) {
                let e = c.hist[f * BINS + b];
                gl += e.0;
                hl += e.1;
                nl += e.2;
                if nl < min_n || hl < self.min_hessian_in_leaf {
                    continue;
                }
                let nr = count - nl;
                let (gr, hr) = (c.g - gl, c.h - hl);
                if nr < min_n || hr < self.min_hessian_in_leaf {
                    break;
                }
                let gain = gl * gl / (hl + self.lambda) + gr * gr / (hr + self.lambda) - parent;
                if gain > 1e-12 && best.is_none_or(|bst| gain > bst.0) {
                    best = Some((gain, f, b as u8));
                }
            }
        }
        best
    }
}

#[inline(never)]
fn softmax(raw: &[f64], out: &mut [f64]) {
    let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
    let mut sum = 0.0;
    for (o, &r) in out.iter_mut().zip(raw) {
        // libm, not std: the same bits natively and in the browser (see flat::softmax_in_place).
        *o = libm::exp(r - max);
        sum += *o;
    }
    out.iter_mut().for_each(|o| *o /= sum);
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::fitting::Training;
    use crate::fitting::{dataset_of, quietly, Progress};
    use linfa::prelude::*;

    fn toy(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<usize>) {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let (a, b) = (rng.unit(), rng.unit());
                let cls = if a + b < 0.7 {
                    0
                } else if a > b {
                    1
                } else {
                    2
                };
                (vec![a, b, rng.unit()], cls)
            })
            .unzip()
    }

    /// `params`, checked, fitted quietly on the three toy classes.
    fn fitted(params: BoostParams, x: &[Vec<f64>], y: &[usize]) -> TreeEnsemble {
        let params = params.check().unwrap();
        quietly(&params, 3, |t| t.fit(&dataset_of(x, y))).unwrap()
    }

    #[test]
    fn learns_a_diagonal_boundary_and_is_deterministic() {
        let (x, y) = toy(1500, 1);
        let params = BoostParams::default().max_rounds(150).learning_rate(0.2);
        let m = fitted(params.clone(), &x, &y);
        assert_eq!(m.trees.len() % 3, 0);
        let (tx, ty) = toy(500, 2);
        let mut p = [0.0f32; 3];
        let correct = tx
            .iter()
            .zip(&ty)
            .filter(|(r, &c)| {
                m.predict_proba_into(r, &mut p);
                (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap() == c
            })
            .count();
        assert!(correct as f64 / 500.0 > 0.93, "{correct}");
        assert!(m.importance[2] < 0.1, "{:?}", m.importance);
        let again = fitted(params, &x, &y);
        assert_eq!(m, again);
    }

    #[test]
    fn early_stopping_truncates_to_the_best_round() {
        let (x, y) = toy(600, 3);
        let mut rounds = 0;
        let params = BoostParams::default()
            .max_rounds(400)
            .learning_rate(0.5)
            .early_stopping_rounds(5)
            .check()
            .unwrap();
        let never = AtomicBool::new(false);
        let mut progress = |p: Progress| rounds = p.done;
        let m = Training::new(&params, 3, &mut progress, &never)
            .fit(&dataset_of(&x, &y))
            .unwrap();
        assert!(rounds < 400, "stopped at {rounds}");
        assert_eq!(m.trees.len(), (rounds - 5) * 3);
    }

    #[test]
    fn progress_says_where_early_stopping_would_end_the_run() {
        let (x, y) = toy(600, 3);
        let patience = 5;
        let params = BoostParams::default()
            .max_rounds(400)
            .learning_rate(0.5)
            .early_stopping_rounds(patience)
            .check()
            .unwrap();
        let never = AtomicBool::new(false);
        let mut seen = Vec::new();
        let mut progress = |p: Progress| seen.push(p);
        let m = Training::new(&params, 3, &mut progress, &never)
            .fit(&dataset_of(&x, &y))
            .unwrap();
        let (last, before) = seen.split_last().unwrap();
        assert!(last.done < last.total, "it stopped early: {last:?}");
        assert_eq!(
            last.stops_by,
            Some(last.done),
            "the round early stopping ends the run says so"
        );
        for p in before {
            let stops_by = p.stops_by.expect("every round says where it may end");
            assert!(
                stops_by > p.done && stops_by <= p.done + patience,
                "within the patience ahead of the round: {p:?}"
            );
        }
        // The last best round is `patience` before the end, and its trees are the model.
        assert_eq!(m.trees.len(), (last.done - patience) * 3);
        // Without early stopping the total is the end: nothing else is said.
        let params = BoostParams::default()
            .max_rounds(4)
            .early_stopping_rounds(0)
            .check()
            .unwrap();
        let mut seen = Vec::new();
        let mut progress = |p: Progress| seen.push(p);
        Training::new(&params, 3, &mut progress, &never)
            .fit(&dataset_of(&x, &y))
            .unwrap();
        assert_eq!(
            seen.iter()
                .map(|p| (p.done, p.stops_by))
                .collect::<Vec<_>>(),
            [(1, None), (2, None), (3, None), (4, None)]
        );
    }

    #[test]
    fn leaves_respect_max_leaves() {
        let (x, y) = toy(800, 4);
        let m = fitted(BoostParams::default().max_rounds(3).max_leaves(4), &x, &y);
        for t in &m.trees {
            assert!(t.leaf_values.len() <= 4);
        }
    }
}
