//! Random forest and bagging on binned features: bootstrap rows, a fresh random feature subset
//! at every split, class-probability leaves, probability averaging. Tree `i` draws its random
//! numbers from `Rng::derive(seed, i)`, so any subset of trees can be trained separately (one
//! share per web worker) and merged into exactly the forest a single run would give.

use std::ops::Range;

use linfa::dataset::{AsSingleTargets, DatasetBase};
use ndarray::{ArrayBase, Data, Ix2};
use serde::{Deserialize, Serialize};

use super::binning::BinMapper;
use super::flat::{EnsembleKind, FlatTree, TreeEnsemble, LEAF};
use crate::error::TrainError;
use crate::fitting::{classes_of, fit_through_linfa, Run};
pub use crate::params::MaxFeatures;
use crate::params::{
    linfa_params, require, Value, BAG_DEPTH, BAG_TREES, RF_DEPTH, RF_LEAF, RF_MAXF, RF_TREES,
};
use crate::rng::Rng;

/// The forest's defaults (the CLI, the Train page, auto-tune's first trial, the bundled
/// `forest.bin`): 60 trees of at most 12 levels with at least 4 rows a leaf. On the bundled
/// split fully grown trees fit noise: these limits score 2 points above 100 fully grown trees
/// in a sixth of the file (docs/benchmarks.md, "The bundled forest", has the curve they were
/// read from).
impl Default for ForestParams {
    fn default() -> Self {
        ForestParams(ForestValidParams {
            n_trees: 60,
            max_depth: Some(12),
            min_samples_leaf: 4,
            ..ForestParams::fully_grown().0
        })
    }
}

impl ForestParams {
    /// scikit-learn's `RandomForestClassifier` defaults: 100 fully grown trees (no depth limit,
    /// one row a leaf). The original report's model, and the reference its protocol and the
    /// benchmarks against scikit-learn train.
    pub fn fully_grown() -> Self {
        ForestParams(ForestValidParams {
            n_trees: 100,
            max_depth: None,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::Sqrt,
            bootstrap: true,
            seed: 42,
        })
    }
}

linfa_params! {
    /// Checked hyper-parameters of a random forest (or bagging); only these can fit.
    valid ForestValidParams;
    /// Unchecked hyper-parameters of a random forest (a builder); [`ParamGuard::check`] turns them
    /// into [`ForestValidParams`].
    params ForestParams;
    check check_forest;
    fields {
        n_trees: usize,
        max_depth: Option<usize>,
        min_samples_split: usize,
        min_samples_leaf: usize,
        max_features: MaxFeatures,
        bootstrap: bool,
        seed: u64,
    }
}

/// The random forest's form fields (limits and ids of `params`), then its other settings.
fn check_forest(p: &ForestValidParams) -> Result<(), TrainError> {
    RF_TREES.check(Value::Count(p.n_trees))?;
    RF_DEPTH.check(Value::Depth(p.max_depth))?;
    RF_LEAF.check(Value::Count(p.min_samples_leaf))?;
    RF_MAXF.check(Value::MaxFeatures(p.max_features))?;
    check_split_size(p)
}

fn check_split_size(p: &ForestValidParams) -> Result<(), TrainError> {
    require(
        p.min_samples_split >= 2,
        "min_samples_split",
        p.min_samples_split,
        "at least 2",
    )
}

/// Unchecked hyper-parameters of bagging: scikit-learn's `BaggingClassifier` defaults, 10 full
/// trees on bootstrap samples with every feature considered at every split. It trains as a
/// forest ([`ForestValidParams`]) but has its own form fields (`bag-…`), so its own checks.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BaggingParams(pub(crate) ForestValidParams);

impl Default for BaggingParams {
    fn default() -> Self {
        BaggingParams(ForestValidParams {
            n_trees: 10,
            max_features: MaxFeatures::All,
            ..ForestParams::fully_grown().0
        })
    }
}

linfa_params!(BaggingParams(ForestValidParams), check: check_bagging, builder: {
    n_trees: usize,
    max_depth: Option<usize>,
    seed: u64,
});

fn check_bagging(p: &ForestValidParams) -> Result<(), TrainError> {
    BAG_TREES.check(Value::Count(p.n_trees))?;
    BAG_DEPTH.check(Value::Depth(p.max_depth))?;
    check_split_size(p)
}

/// Training rows already binned, shared by all trees of a forest.
struct BinnedClassData<'a> {
    /// The bin edges: a split's threshold is its bin's upper edge.
    mapper: &'a BinMapper,
    /// `bins[f][i]`.
    bins: &'a [Vec<u8>],
    y: &'a [usize],
    n_classes: usize,
    /// Per-row weight (class weights), 1.0 when absent.
    weight: Option<&'a [f64]>,
}

/// Trees `trees` of a forest of `params.n_trees()`: a web worker's share. Tree `i` draws its
/// random numbers from `Rng::derive(seed, i)`, so shares trained apart and merged
/// ([`merge_forests`]) are the forest a single run gives.
pub struct ForestShare<'a> {
    pub params: &'a ForestValidParams,
    pub trees: Range<usize>,
}

/// The seed of a lone tree's feature order, which only breaks ties between equally good splits.
const SINGLE_TREE_SEED: u64 = 0;

impl ForestValidParams {
    /// One tree without a forest's randomness (every row once, every feature at every split):
    /// a CART decision tree, scikit-learn's defaults but for `max_depth`.
    pub(crate) fn single_tree(max_depth: Option<usize>) -> ForestValidParams {
        ForestValidParams {
            n_trees: 1,
            max_depth,
            min_samples_split: 2,
            min_samples_leaf: 1,
            max_features: MaxFeatures::All,
            bootstrap: false,
            seed: SINGLE_TREE_SEED,
        }
    }

    pub fn share(&self, trees: Range<usize>) -> ForestShare<'_> {
        ForestShare {
            params: self,
            trees,
        }
    }

    /// Trains trees `trees`, reporting each finished tree (of the share) and stopping between
    /// trees when the run is cancelled.
    fn fit_trees(
        &self,
        data: &BinnedClassData,
        trees: Range<usize>,
        run: &Run,
    ) -> Result<TreeEnsemble, TrainError> {
        let p = data.bins.len();
        let share = trees.len();
        let mut out = TreeEnsemble {
            kind: EnsembleKind::Forest,
            n_classes: data.n_classes,
            n_features: p,
            trees: Vec::with_capacity(share),
            base_score: Vec::new(),
            importance: vec![0.0; p],
            packed: Default::default(),
        };
        let mut importance = vec![0.0f64; p];
        let mut grower = Grower::new(data, self);
        for (done, t) in trees.enumerate() {
            run.check_cancel()?;
            let mut rng = Rng::derive(self.seed, t as u64);
            let tree = grower.grow(&mut rng, &mut importance);
            out.trees.push(tree);
            run.report(done + 1, share);
        }
        out.importance = normalize(&importance);
        Ok(out)
    }
}

/// Bins the records (on these rows only), unless the run has them binned already, and trains
/// trees `trees`.
pub(crate) fn fit_forest<D: Data<Elem = f64>, T: AsSingleTargets<Elem = usize>>(
    params: &ForestValidParams,
    trees: Range<usize>,
    run: &Run,
    dataset: &DatasetBase<ArrayBase<D, Ix2>, T>,
) -> Result<TreeEnsemble, TrainError> {
    let records = dataset.records();
    let made;
    let binned = match run.binned() {
        Some(b) if b.matches(records.nrows(), records.ncols()) => b,
        _ => {
            made = BinMapper::binned_columns(records.view());
            &made
        }
    };
    let y = classes_of(dataset);
    let data = BinnedClassData {
        mapper: &binned.mapper,
        bins: &binned.bins,
        y: &y,
        n_classes: run.n_classes(),
        weight: run.weights(),
    };
    params.fit_trees(&data, trees, run)
}

// linfa's `Fit` of a whole forest: records are preprocessed rows, targets class indices; the
// run's weights, when set, are per-row sample weights (class balancing).
fit_through_linfa!(ForestValidParams => TreeEnsemble, |training, dataset| {
    fit_forest(training.params, 0..training.params.n_trees, &training.run, dataset)
});

// linfa's `Fit` of a share of a forest's trees (see [`ForestShare`]).
fit_through_linfa!(ForestShare<'_> => TreeEnsemble, |training, dataset| {
    let share = training.params;
    fit_forest(share.params, share.trees.clone(), &training.run, dataset)
});

/// Joins forests trained on disjoint tree shares (in share order).
pub fn merge_forests(parts: Vec<TreeEnsemble>) -> Option<TreeEnsemble> {
    let total: usize = parts.iter().map(|p| p.trees.len()).sum();
    let mut iter = parts.into_iter();
    let mut first = iter.next()?;
    let mut importance: Vec<f64> = first
        .importance
        .iter()
        .map(|&v| v as f64 * first.trees.len() as f64)
        .collect();
    for part in iter {
        for (acc, v) in importance.iter_mut().zip(&part.importance) {
            *acc += *v as f64 * part.trees.len() as f64;
        }
        first.trees.extend(part.trees);
    }
    first.packed = Default::default();
    importance
        .iter_mut()
        .for_each(|v| *v /= total.max(1) as f64);
    first.importance = normalize(&importance);
    Some(first)
}

pub(crate) fn normalize(v: &[f64]) -> Vec<f32> {
    let s: f64 = v.iter().sum();
    v.iter()
        .map(|&x| if s > 0.0 { (x / s) as f32 } else { 0.0 })
        .collect()
}

/// Scratch space reused across the trees of one forest.
struct Grower<'a> {
    data: &'a BinnedClassData<'a>,
    params: &'a ForestValidParams,
    mtry: usize,
    /// The tree's rows, each node's a contiguous range (partitioned in place as nodes split),
    /// and beside them, in the same order, each row's class and weight: the loops over a
    /// node's rows read those in sequence, and only the feature's bins at random (on a
    /// million rows, a read from memory each).
    rows: Vec<u32>,
    row_class: Vec<u32>,
    row_w: Vec<f64>,
    row_weight: Vec<f64>,
    hist_w: Vec<f64>,
    /// Rows per bin (a bin is a `u8`, so indexing needs no bounds check).
    hist_n: [u32; 256],
    touched: Vec<u8>,
    features: Vec<usize>,
}

struct Best {
    score: f64,
    feature: usize,
    bin: u8,
}

impl<'a> Grower<'a> {
    fn new(data: &'a BinnedClassData<'a>, params: &'a ForestValidParams) -> Self {
        let p = data.bins.len();
        Grower {
            data,
            params,
            mtry: params.max_features.resolve(p),
            rows: Vec::new(),
            row_class: Vec::new(),
            row_w: Vec::new(),
            row_weight: vec![0.0; data.y.len()],
            hist_w: vec![0.0; 256 * data.n_classes],
            hist_n: [0; 256],
            touched: Vec::with_capacity(256),
            features: (0..p).collect(),
        }
    }

    fn grow(&mut self, rng: &mut Rng, importance: &mut [f64]) -> FlatTree {
        let n = self.data.y.len();
        let c = self.data.n_classes;
        // Bootstrap: row multiplicities become weights; out-of-bag rows are left out.
        self.row_weight.iter_mut().for_each(|w| *w = 0.0);
        if self.params.bootstrap {
            for _ in 0..n {
                self.row_weight[rng.below(n)] += 1.0;
            }
        } else {
            self.row_weight.iter_mut().for_each(|w| *w = 1.0);
        }
        if let Some(cw) = self.data.weight {
            for (w, &k) in self.row_weight.iter_mut().zip(cw) {
                *w *= k;
            }
        }
        self.rows.clear();
        self.row_class.clear();
        self.row_w.clear();
        for (i, (&w, &class)) in self.row_weight.iter().zip(self.data.y).enumerate() {
            if w > 0.0 {
                self.rows.push(i as u32);
                self.row_class.push(class as u32);
                self.row_w.push(w);
            }
        }
        // Every tree draws its features from the same starting order: the draws shuffle this
        // list in place, and a tree must not depend on the trees grown before it in this run
        // (a worker's share starts from the first of its trees).
        self.features
            .iter_mut()
            .enumerate()
            .for_each(|(i, f)| *f = i);

        let mut tree = FlatTree::default();
        let mut bins_of_node: Vec<u8> = Vec::new();
        tree.push_placeholder();
        bins_of_node.push(0);
        let mut stack = vec![(0usize, 0usize, self.rows.len(), 0usize)];
        let mut totals = vec![0.0f64; c];
        while let Some((slot, start, end, depth)) = stack.pop() {
            totals.iter_mut().for_each(|t| *t = 0.0);
            for (&class, &w) in self.row_class[start..end]
                .iter()
                .zip(&self.row_w[start..end])
            {
                totals[class as usize] += w;
            }
            let w: f64 = totals.iter().sum();
            tree.cover[slot] = w as f32;
            let count = end - start;
            let pure = totals.iter().filter(|&&t| t > 0.0).count() <= 1;
            let can_split = !pure
                && count >= self.params.min_samples_split
                && count >= 2 * self.params.min_samples_leaf
                && self.params.max_depth.is_none_or(|d| depth < d);
            let best = if can_split {
                self.best_split(start, end, &totals, w, rng)
            } else {
                None
            };
            let parent_score = totals.iter().map(|t| t * t).sum::<f64>() / w;
            match best {
                Some(b) if b.score - parent_score > 1e-12 * w => {
                    importance[b.feature] += b.score - parent_score;
                    let col = &self.data.bins[b.feature];
                    let rows = &mut self.rows[start..end];
                    let class = &mut self.row_class[start..end];
                    let weight = &mut self.row_w[start..end];
                    let mut i = 0;
                    let mut j = rows.len();
                    while i < j {
                        if col[rows[i] as usize] <= b.bin {
                            i += 1;
                        } else {
                            j -= 1;
                            rows.swap(i, j);
                            class.swap(i, j);
                            weight.swap(i, j);
                        }
                    }
                    let mid = start + i;
                    let l = tree.push_placeholder();
                    tree.push_placeholder();
                    bins_of_node.extend([0, 0]);
                    tree.feature[slot] = b.feature as u8;
                    tree.threshold[slot] = self.data.mapper.edges[b.feature][b.bin as usize];
                    tree.child[slot] = l as u32;
                    bins_of_node[slot] = b.bin;
                    stack.push((l + 1, mid, end, depth + 1));
                    stack.push((l, start, mid, depth + 1));
                }
                _ => {
                    tree.feature[slot] = LEAF;
                    tree.child[slot] = (tree.leaf_values.len() / c) as u32;
                    tree.leaf_values
                        .extend(totals.iter().map(|&t| (t / w) as f32));
                }
            }
        }
        tree.canonicalize(c)
    }

    /// The best (highest Σ L²/W_L + Σ R²/W_R, i.e. lowest weighted Gini) split over a random
    /// feature order: at least `mtry` features, more until one gives a valid split.
    fn best_split(
        &mut self,
        start: usize,
        end: usize,
        totals: &[f64],
        w: f64,
        rng: &mut Rng,
    ) -> Option<Best> {
        let c = self.data.n_classes;
        let min_leaf = self.params.min_samples_leaf as u32;
        let count = (end - start) as u32;
        let p = self.features.len();
        let mut best: Option<Best> = None;
        let total_sq: f64 = totals.iter().map(|t| t * t).sum();
        let mut left = vec![0.0f64; c];
        for k in 0..p {
            if k >= self.mtry && best.is_some() {
                break;
            }
            let j = k + rng.below(p - k);
            self.features.swap(k, j);
            let f = self.features[k];
            let col = &self.data.bins[f];
            self.touched.clear();
            let hist_w = &mut self.hist_w[..256 * c];
            let node = self.rows[start..end]
                .iter()
                .zip(&self.row_class[start..end])
                .zip(&self.row_w[start..end]);
            for ((&r, &class), &w) in node {
                let b = col[r as usize];
                if self.hist_n[b as usize] == 0 {
                    self.touched.push(b);
                }
                self.hist_n[b as usize] += 1;
                hist_w[b as usize * c + class as usize] += w;
            }
            self.touched.sort_unstable();
            left.iter_mut().for_each(|v| *v = 0.0);
            let (mut wl, mut nl) = (0.0f64, 0u32);
            let (mut sq_l, mut sq_r) = (0.0f64, total_sq);
            let last = self.touched.len().saturating_sub(1);
            for (ti, &b) in self.touched.iter().enumerate() {
                let base = b as usize * c;
                for (cls, l) in left.iter_mut().enumerate() {
                    let h = self.hist_w[base + cls];
                    if h != 0.0 {
                        let r = totals[cls] - *l;
                        sq_l += (2.0 * *l + h) * h;
                        sq_r += (h - 2.0 * r) * h;
                        *l += h;
                        wl += h;
                    }
                }
                nl += self.hist_n[b as usize];
                if ti == last || nl < min_leaf || count - nl < min_leaf {
                    continue;
                }
                let wr = w - wl;
                if wl <= 0.0 || wr <= 0.0 {
                    continue;
                }
                let score = sq_l / wl + sq_r.max(0.0) / wr;
                if best.as_ref().is_none_or(|bst| score > bst.score) {
                    best = Some(Best {
                        score,
                        feature: f,
                        bin: b,
                    });
                }
            }
            for &b in &self.touched {
                self.hist_n[b as usize] = 0;
                self.hist_w[b as usize * c..(b as usize + 1) * c].fill(0.0);
            }
        }
        best
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::AtomicBool;

    use super::*;
    use crate::fitting::Training;
    use crate::fitting::{dataset_of, quietly, Progress};
    use linfa::prelude::*;

    /// Two noisy interleaved classes on a line plus a useless feature.
    fn toy(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<usize>) {
        let mut rng = Rng::new(seed);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for _ in 0..n {
            let a = rng.unit();
            let cls = usize::from(a > 0.5) + usize::from(a > 0.8);
            x.push(vec![a + 0.02 * rng.normal(), rng.unit()]);
            y.push(cls);
        }
        (x, y)
    }

    #[test]
    fn learns_and_is_deterministic_and_shares_merge_exactly() {
        let (x, y) = toy(600, 1);
        let params = ForestParams::default().n_trees(20).check().unwrap();
        let ds = dataset_of(&x, &y);
        let f = quietly(&params, 3, |t| t.fit(&ds)).unwrap();
        let (tx, ty) = toy(300, 2);
        let correct = tx
            .iter()
            .zip(&ty)
            .filter(|(r, &c)| {
                let mut p = [0.0f32; 3];
                f.predict_proba_into(r, &mut p);
                let sum: f32 = p.iter().sum();
                assert!((sum - 1.0).abs() < 1e-5);
                (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap() == c
            })
            .count();
        assert!(
            correct as f64 / 300.0 > 0.9,
            "accuracy {}",
            correct as f64 / 300.0
        );
        assert!(f.importance[0] > 0.8, "{:?}", f.importance);

        let g = quietly(&params, 3, |t| t.fit(&ds)).unwrap();
        assert_eq!(f, g);

        let a = quietly(&params.share(0..7), 3, |t| t.fit(&ds)).unwrap();
        let b = quietly(&params.share(7..20), 3, |t| t.fit(&ds)).unwrap();
        let merged = merge_forests(vec![a, b]).unwrap();
        assert_eq!(merged.trees, f.trees);
    }

    #[test]
    fn shares_merge_exactly_with_many_features() {
        // Six features, a few tried per split: each tree's feature draws must start afresh,
        // or a share's first tree differs from the same tree grown after the earlier ones.
        let mut rng = Rng::new(5);
        let (mut x, mut y) = (Vec::new(), Vec::new());
        for _ in 0..400 {
            let a = rng.unit();
            let mut row = vec![a + 0.05 * rng.normal()];
            row.extend((0..5).map(|_| rng.unit()));
            x.push(row);
            y.push(usize::from(a > 0.4) + usize::from(a > 0.7));
        }
        let params = ForestParams::default().n_trees(12).check().unwrap();
        let ds = dataset_of(&x, &y);
        let whole = quietly(&params, 3, |t| t.fit(&ds)).unwrap();
        for cut in [1, 5, 11] {
            let a = quietly(&params.share(0..cut), 3, |t| t.fit(&ds)).unwrap();
            let b = quietly(&params.share(cut..12), 3, |t| t.fit(&ds)).unwrap();
            let merged = merge_forests(vec![a, b]).unwrap();
            let differing: Vec<usize> = (0..12)
                .filter(|&i| merged.trees[i] != whole.trees[i])
                .collect();
            assert_eq!(differing, Vec::<usize>::new(), "cut after tree {cut}");
        }
    }

    #[test]
    fn progress_counts_trees_and_cancel_stops() {
        let (x, y) = toy(100, 3);
        let params = ForestParams::default().n_trees(5).check().unwrap();
        let ds = dataset_of(&x, &y);
        let mut seen = Vec::new();
        let mut progress = |p: Progress| seen.push((p.done, p.total));
        let never = AtomicBool::new(false);
        Training::new(&params, 3, &mut progress, &never)
            .fit(&ds)
            .unwrap();
        assert_eq!(seen, vec![(1, 5), (2, 5), (3, 5), (4, 5), (5, 5)]);
        let now = AtomicBool::new(true);
        let r = Training::new(&params, 3, &mut |_| {}, &now).fit(&ds);
        assert_eq!(r.unwrap_err(), TrainError::Cancelled);
    }

    #[test]
    fn checked_params_refuse_nonsense() {
        assert!(ForestParams::default().n_trees(0).check().is_err());
        assert!(ForestParams::default().min_samples_leaf(0).check().is_err());
        assert!(ForestParams::default().max_depth(Some(0)).check().is_err());
    }

    #[test]
    fn min_samples_leaf_and_depth_limit_tree_size() {
        let (x, y) = toy(400, 4);
        let ds = dataset_of(&x, &y);
        let shallow = ForestParams::default()
            .n_trees(1)
            .max_depth(Some(2))
            .check()
            .unwrap();
        let f = quietly(&shallow, 3, |t| t.fit(&ds)).unwrap();
        assert!(f.trees[0].n_nodes() <= 7);
        let big_leaves = ForestParams::default()
            .n_trees(1)
            .min_samples_leaf(50)
            .check()
            .unwrap();
        let g = quietly(&big_leaves, 3, |t| t.fit(&ds)).unwrap();
        assert!(g.trees[0].n_nodes() < 20);
    }
}
