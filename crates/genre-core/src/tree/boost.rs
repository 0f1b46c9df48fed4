//! Gradient-boosted trees for multi-class classification (softmax), histogram-based and grown
//! leaf-wise as LightGBM does, with early stopping on a validation slice of the training part.
//!
//! Here: the parameters, the fitting loop and the growing of a tree. The fitting rows' bins are
//! in `binned.rs`, the leaves' gradient histograms in `histogram.rs`, the rows of the tree being
//! grown (in leaf order) in `leaf_rows.rs`, and the softmax with its `exp` in `softmax.rs`.

mod binned;
mod histogram;
mod leaf_rows;
mod softmax;

use binned::{BinBlock, Binned};
use histogram::{Histogram, Workspace};
use leaf_rows::{Round, TreeRows};
use softmax::{softmax, softmax_rows};

use super::batch::{walk_lanes, GROUP};
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

/// Rows per block of the gradient pass (a block's scores stay in L1).
const GRADIENT_BLOCK: usize = 64;

/// One leaf waiting to be split, with its gradient histogram.
struct Candidate {
    slot: usize,
    start: usize,
    end: usize,
    g: f64,
    h: f64,
    hist: Histogram,
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
        let blocks_per_row = p.div_ceil(16).max(1);
        let mut blocks = vec![[0u8; 16]; n * blocks_per_row];
        for (f, col) in col_bins.iter().enumerate() {
            for (i, &b) in col.iter().enumerate() {
                blocks[i * blocks_per_row + f / 16][f % 16] = b;
            }
        }

        // Start from the log class priors.
        let mut prior = vec![1e-9f64; k];
        for (&c, &w) in fy.iter().zip(&fw) {
            prior[c] += w;
        }
        let total: f64 = prior.iter().sum();
        let base_score: Vec<f32> = prior.iter().map(|&c| libm::log(c / total) as f32).collect();

        // Scores are class-major (`[class * n + row]`), as each tree adds to one class's.
        let mut raw: Vec<f64> = base_score
            .iter()
            .flat_map(|&b| std::iter::repeat_n(b as f64, n))
            .collect();
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
        // Gradients and hessians are class-major (`[class * n + row]`), side by side: each tree
        // reads one class's, a row's pair in one 16-byte load.
        let mut grad_hess = vec![[0.0f64; 2]; n * k];
        let factor = k as f64 / (k as f64 - 1.0).max(1.0);
        let mut prob = vec![0.0f64; k];
        let mut block = vec![0.0f64; GRADIENT_BLOCK * k];
        let mut rows: Vec<u32> = Vec::with_capacity(n);
        let mut in_sample = vec![true; n];
        let mut features: Vec<usize> = (0..p).collect();
        let n_feat = ((p as f64 * self.feature_fraction).round() as usize).clamp(1, p);
        let mut workspace = Workspace {
            p,
            free: Vec::new(),
            root: Histogram::new(p),
        };
        let data = Binned {
            blocks,
            blocks_per_row,
            p,
            mapper: &mapper,
        };
        // The bins of the round's rows, in order: each tree starts from a copy.
        let mut round_bins: Vec<BinBlock> = Vec::with_capacity(n * blocks_per_row);
        let mut tree_rows = TreeRows {
            rows: Vec::with_capacity(n),
            bins: Vec::with_capacity(n * blocks_per_row),
            blocks_per_row,
        };

        for round in 0..self.max_rounds {
            run.check_cancel()?;
            // A block of rows at a time, turned row-major for the softmax and back, so that every
            // array is read and written in runs.
            for start in (0..n).step_by(GRADIENT_BLOCK) {
                let rows_in_block = GRADIENT_BLOCK.min(n - start);
                let block = &mut block[..rows_in_block * k];
                for c in 0..k {
                    let class_scores = &raw[c * n + start..c * n + start + rows_in_block];
                    for (row, &score) in block.chunks_exact_mut(k).zip(class_scores) {
                        row[c] = score;
                    }
                }
                softmax_rows(block, k);
                for c in 0..k {
                    let out = &mut grad_hess[c * n + start..c * n + start + rows_in_block];
                    let rows = block.chunks_exact(k).zip(&fy[start..]).zip(&fw[start..]);
                    for (gh, ((row, &label), &w)) in out.iter_mut().zip(rows) {
                        let (pc, t) = (row[c], if label == c { 1.0 } else { 0.0 });
                        *gh = [(pc - t) * w, (factor * pc * (1.0 - pc)).max(1e-16) * w];
                    }
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
            workspace.root.count(&rows, &data);
            round_bins.clear();
            for &row in &rows {
                round_bins.extend_from_slice(data.blocks_of(row));
            }
            for c in 0..k {
                rng.shuffle(&mut features);
                let allowed = &features[..n_feat];
                let round = Round {
                    rows: &rows,
                    bins: &round_bins,
                    grad_hess: &grad_hess[c * n..(c + 1) * n],
                };
                let tree = self.grow(
                    &data,
                    &round,
                    &mut tree_rows,
                    allowed,
                    &mut workspace,
                    &mut importance,
                    &mut raw[c * n..(c + 1) * n],
                );
                // `grow` updated the subsample's scores from its leaves; the other fitting rows
                // and the validation slice walk the tree.
                if rows.len() < n {
                    let out_of_sample = (0..n).filter(|&i| !in_sample[i]);
                    let class_raw = &mut raw[c * n..(c + 1) * n];
                    add_leaf_values(&tree, &fx_flat, p, out_of_sample, |i, v| class_raw[i] += v);
                }
                add_leaf_values(&tree, &vx_flat, p, 0..val_rows.len(), |vi, v| {
                    val_raw[vi * k + c] += v
                });
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

    /// Grows one class's tree on the `round`'s rows (in `rows`, reordered: each leaf's rows end
    /// up side by side) and adds its leaf values to those rows' scores in `raw`.
    #[allow(clippy::too_many_arguments)]
    fn grow(
        &self,
        data: &Binned,
        round: &Round,
        rows: &mut TreeRows,
        allowed: &[usize],
        workspace: &mut Workspace,
        importance: &mut [f64],
        raw: &mut [f64],
    ) -> FlatTree {
        let mut tree = FlatTree::default();
        let root = tree.push_placeholder();
        let mut hist = workspace.histogram();
        let n = round.rows.len();
        let root_grad_hess = round.rows.iter().map(|&r| round.grad_hess[r as usize]);
        hist.fill::<false>(root_grad_hess, round.bins, data);
        hist.counts.clone_from(&workspace.root.counts);
        let (g, h) = hist.totals(0);
        let mut root_c = Candidate {
            slot: root,
            start: 0,
            end: n,
            g,
            h,
            hist,
            best: None,
        };
        root_c.best = self.best_split(&root_c, data.mapper, allowed);
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
            let parent = open.swap_remove(pick);
            let (gain, f, bin) = parent.best.expect("filtered");
            importance[f] += gain;
            // The root's rows are the round's, not yet in `rows`.
            let mid = if parent.slot == root {
                rows.split_root(round, f, bin)
            } else {
                rows.split(parent.start..parent.end, f, bin)
            };
            let l = tree.push_placeholder();
            tree.push_placeholder();
            tree.feature[parent.slot] = f as u8;
            tree.threshold[parent.slot] = data.mapper.edges[f][bin as usize];
            tree.child[parent.slot] = l as u32;
            tree.cover[parent.slot] = parent.h as f32;
            // Build the smaller child's histogram; the larger one's is the parent's minus it.
            let left_is_smaller = mid - parent.start <= parent.end - mid;
            let small_rows = if left_is_smaller {
                parent.start..mid
            } else {
                mid..parent.end
            };
            // After the tree's last split, its two leaves only need their totals, which are
            // read from the first allowed feature's bins: only that feature is summed.
            let last = leaves + 1 == self.max_leaves;
            let f0 = allowed[0];
            let mut small_hist = workspace.histogram();
            let (small_rows, small_bins) = rows.leaf(small_rows);
            let small_grad_hess = small_rows.iter().map(|r| r.grad_hess);
            let mut large_hist = parent.hist;
            if last {
                small_hist.fill_feature(f0, small_grad_hess, small_bins, data);
                large_hist.subtract_sums(&small_hist, f0, data);
            } else {
                small_hist.fill::<true>(small_grad_hess, small_bins, data);
                large_hist.subtract(&small_hist, data);
            }
            let (left_hist, right_hist) = if left_is_smaller {
                (small_hist, large_hist)
            } else {
                (large_hist, small_hist)
            };
            for (slot, start, end, hist) in [
                (l, parent.start, mid, left_hist),
                (l + 1, mid, parent.end, right_hist),
            ] {
                let (g, h) = hist.totals(f0);
                let mut c = Candidate {
                    slot,
                    start,
                    end,
                    g,
                    h,
                    hist,
                    best: None,
                };
                if !last {
                    c.best = self.best_split(&c, data.mapper, allowed);
                }
                open.push(c);
            }
            leaves += 1;
        }
        // Leaf numbers follow node order.
        open.sort_by_key(|c| c.slot);
        for c in open {
            let value = (-c.g / (c.h + self.lambda) * self.learning_rate) as f32;
            tree.feature[c.slot] = LEAF;
            tree.cover[c.slot] = c.h as f32;
            tree.child[c.slot] = tree.leaf_values.len() as u32;
            tree.leaf_values.push(value);
            if c.slot == root {
                // Never split: its rows are the round's.
                for &r in round.rows {
                    raw[r as usize] += value as f64;
                }
            } else {
                for r in rows.leaf(c.start..c.end).0 {
                    raw[r.row as usize] += value as f64;
                }
            }
            workspace.free.push(c.hist);
        }
        tree.canonicalize(1)
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
        // What a gain must exceed, and the bound that skips the divisions of most bins.
        let mut bar = 1e-12;
        let mut reach = GainBound::new(bar, parent);
        for &f in allowed {
            let nb = mapper.n_bins(f);
            let (mut gl, mut hl, mut nl) = (0.0, 0.0, 0u32);
            let (sums, counts) = (&c.hist.sums[f], &c.hist.counts[f]);
            for b in 0..nb.saturating_sub(1) {
                gl += sums[b][0];
                hl += sums[b][1];
                nl += counts[b];
                if nl < min_n || hl < self.min_hessian_in_leaf {
                    continue;
                }
                let nr = count - nl;
                let (gr, hr) = (c.g - gl, c.h - hl);
                if nr < min_n || hr < self.min_hessian_in_leaf {
                    break;
                }
                let (left, left_h) = (gl * gl, hl + self.lambda);
                let (right, right_h) = (gr * gr, hr + self.lambda);
                if reach.cannot_exceed(left, left_h, right, right_h) {
                    continue;
                }
                let gain = left / left_h + right / right_h - parent;
                if gain > bar {
                    best = Some((gain, f, b as u8));
                    bar = gain;
                    reach = GainBound::new(bar, parent);
                }
            }
        }
        best
    }
}

/// Calls `add(i, value)` with the value of the leaf of `tree` that row `i` of `x` (`p` values a
/// row) falls into, for each of `rows` in order. Eight rows walk side by side (their loads
/// overlap); each reaches the leaf a walk of its own does, so the values are the same.
fn add_leaf_values(
    tree: &FlatTree,
    x: &[f64],
    p: usize,
    rows: impl Iterator<Item = usize>,
    mut add: impl FnMut(usize, f64),
) {
    let depth = tree.depth() as u16;
    let row = |i: usize| &x[i * p..(i + 1) * p];
    let mut group = [0usize; GROUP];
    let mut filled = 0;
    for i in rows {
        group[filled] = i;
        filled += 1;
        if filled == GROUP {
            let xs: [&[f64]; GROUP] = std::array::from_fn(|lane| row(group[lane]));
            let leaves = walk_lanes(0, depth, |lane, node| {
                // Both ways worked out and one kept: a leaf (which stays) is no branch.
                let f = tree.feature[node];
                let v = xs[lane][(f as usize).min(p - 1)];
                let next = tree.child[node] as usize + (v > tree.threshold[node] as f64) as usize;
                if f == LEAF {
                    node
                } else {
                    next
                }
            });
            for (&i, &leaf) in group.iter().zip(&leaves) {
                add(i, tree.leaf_values[tree.child[leaf] as usize] as f64);
            }
            filled = 0;
        }
    }
    for &i in &group[..filled] {
        add(i, tree.leaf_slice(row(i), 1)[0] as f64);
    }
}

/// Tells, without dividing, when a split's gain `a / b + c / d - parent` as computed cannot
/// exceed `bar` (both divisions were most of the split search, and almost no bin beats the best
/// so far). Only a sure answer skips a bin, so the search picks exactly what it did: the exact
/// `a / b + c / d` is at most `(bar + parent) (1 - 1e-9)` when `a d + c b < that b d` with both
/// sides computed (a few roundings, each off by at most 2^-53 relatively, far inside the 1e-9);
/// then the computed sum, off by a few roundings too, is below `bar + parent`, and the rounded
/// difference at most `bar`. Sides too small for that (near the subnormals) or not finite
/// settle nothing.
#[derive(Clone, Copy)]
struct GainBound {
    /// `(bar + parent) (1 - 1e-9)`.
    reach: f64,
}

impl GainBound {
    fn new(bar: f64, parent: f64) -> GainBound {
        GainBound {
            reach: (bar + parent) * (1.0 - 1e-9),
        }
    }

    #[inline(always)]
    fn cannot_exceed(self, a: f64, b: f64, c: f64, d: f64) -> bool {
        const SMALLEST: f64 = 1e-280;
        let reach_b = self.reach * b;
        let (lhs, rhs) = (a * d + c * b, reach_b * d);
        b > 0.0 && d > 0.0 && reach_b > SMALLEST && rhs > SMALLEST && rhs.is_finite() && lhs < rhs
    }
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

    /// The share of `rows` whose most probable class is their label.
    fn accuracy(m: &TreeEnsemble, rows: &[Vec<f64>], labels: &[usize]) -> f64 {
        let mut p = [0.0f32; 3];
        let correct = rows
            .iter()
            .zip(labels)
            .filter(|(r, &c)| {
                m.predict_proba_into(r, &mut p);
                (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap() == c
            })
            .count();
        correct as f64 / rows.len() as f64
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
        let accuracy = accuracy(&m, &tx, &ty);
        assert!(accuracy > 0.93, "{accuracy}");
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
    fn rows_walked_eight_at_a_time_reach_their_own_leaves() {
        let (x, y) = toy(1500, 8);
        let m = fitted(BoostParams::default().max_rounds(5), &x, &y);
        let flat: Vec<f64> = x.iter().flatten().copied().collect();
        for tree in &m.trees {
            // Every third row (groups of eight and a short rest), in order.
            let rows: Vec<usize> = (0..x.len()).step_by(3).collect();
            let mut seen = Vec::new();
            add_leaf_values(tree, &flat, 3, rows.iter().copied(), |i, v| {
                seen.push((i, v))
            });
            let own: Vec<(usize, f64)> = rows
                .iter()
                .map(|&i| (i, tree.leaf_slice(&x[i], 1)[0] as f64))
                .collect();
            assert_eq!(seen, own);
        }
    }

    #[test]
    fn leaves_respect_max_leaves() {
        let (x, y) = toy(800, 4);
        let m = fitted(BoostParams::default().max_rounds(3).max_leaves(4), &x, &y);
        for t in &m.trees {
            assert!(t.leaf_values.len() <= 4);
        }
    }

    #[test]
    fn more_than_sixteen_features_learn_the_same_boundary() {
        // 20 features: each row's bins take two blocks. The toy's signal is in the first two,
        // the rest noise; the last four copy the signal's, so a split may use either block.
        let (x, y) = toy(1500, 5);
        let mut rng = Rng::new(6);
        let wide = |rows: &[Vec<f64>], rng: &mut Rng| -> Vec<Vec<f64>> {
            rows.iter()
                .map(|r| {
                    let mut w = r.clone();
                    w.extend((0..13).map(|_| rng.unit()));
                    w.extend([r[0], r[1], r[0], r[1]]);
                    w
                })
                .collect()
        };
        let params = BoostParams::default().max_rounds(60).learning_rate(0.2);
        let m = fitted(params, &wide(&x, &mut rng), &y);
        assert_eq!(m.n_features, 20);
        let (tx, ty) = toy(500, 7);
        let accuracy = accuracy(&m, &wide(&tx, &mut rng), &ty);
        assert!(accuracy > 0.9, "{accuracy}");
    }
}
