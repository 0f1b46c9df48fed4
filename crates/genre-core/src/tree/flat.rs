//! Flat struct-of-arrays trees and ensembles: what is predicted with, saved and explained.
//!
//! Trees are in the canonical layout of [`Nodes`], and more: nodes are numbered in the order a
//! left-first depth-first walk allocates them, and leaves in the order that walk meets them. The
//! model file stores only the pre-order shape and rebuilds exactly this layout.

use serde::{Deserialize, Serialize};

use super::batch::{visit_leaves, GroupWalk, GROUP};
pub use super::nodes::LEAF;
use super::nodes::{BuiltOnce, Nodes};
use super::ranked::{self, RankRule, Ranked, RankedRow, Split};

/// Our own trees: `f32` thresholds (go left when `x <= threshold`), covers and leaf values.
pub type FlatTree = Nodes<f32>;

impl FlatTree {
    /// The node index of the leaf `x` falls into.
    #[inline]
    pub fn leaf_node(&self, x: &[f64]) -> usize {
        self.leaf_node_by(x, |i, v| v > self.threshold[i] as f64)
    }

    /// The number of the leaf `x` falls into.
    #[inline]
    pub fn leaf(&self, x: &[f64]) -> u32 {
        self.child[self.leaf_node(x)]
    }

    #[inline]
    pub fn leaf_slice(&self, x: &[f64], stride: usize) -> &[f32] {
        let leaf = self.leaf(x) as usize;
        &self.leaf_values[leaf * stride..(leaf + 1) * stride]
    }

    /// Rewrites the tree into the canonical layout (see the module docs).
    pub fn canonicalize(&self, stride: usize) -> FlatTree {
        // Exactly as long as the tree: a forest keeps its trees, and growing by doubling left
        // up to half of each one's arrays unused.
        let mut out = FlatTree::with_capacity(self.n_nodes());
        out.leaf_values.reserve_exact(self.leaf_values.len());
        out.push_placeholder();
        let mut stack = vec![(0usize, 0usize)]; // (old node, new slot)
        let mut next_leaf = 0u32;
        while let Some((old, slot)) = stack.pop() {
            out.feature[slot] = self.feature[old];
            out.threshold[slot] = self.threshold[old];
            out.cover[slot] = self.cover[old];
            if self.feature[old] == LEAF {
                out.child[slot] = next_leaf;
                next_leaf += 1;
                let l = self.child[old] as usize;
                out.leaf_values
                    .extend_from_slice(&self.leaf_values[l * stride..(l + 1) * stride]);
            } else {
                let l = out.feature.len();
                out.push_placeholder();
                out.push_placeholder();
                out.child[slot] = l as u32;
                let oc = self.child[old] as usize;
                stack.push((oc + 1, l + 1));
                stack.push((oc, l));
            }
        }
        out
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum EnsembleKind {
    /// Leaves hold class probabilities; the output is their mean over trees.
    Forest,
    /// One tree per class per round; leaves hold raw scores; the output is a softmax.
    Boosted,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TreeEnsemble {
    pub kind: EnsembleKind,
    pub n_classes: usize,
    pub n_features: usize,
    pub trees: Vec<FlatTree>,
    /// Boosting's initial raw score per class (empty for forests).
    pub base_score: Vec<f32>,
    /// Total impurity decrease (forest) or gain (boosting) per feature, normalised to sum 1.
    pub importance: Vec<f32>,
    /// The predictor's packed copy of the trees, built on first use. Code that changes `trees`
    /// after predicting must reset it (`packed: Default::default()`).
    #[serde(skip)]
    pub packed: BuiltOnce<Packed>,
}

/// The predictor's copy of the trees ([`Ranked`]), and the class each tree adds to. The leaf
/// numbers and values are read from the trees themselves: leaf values are most of a forest's
/// bytes (15 `f32`s a leaf against 8 bytes a node), and a copy here doubled a big forest in
/// memory (a million-row forest: 110 MB more while the holdout was scored).
/// `None` when the ensemble cannot be packed: prediction then walks the SoA trees.
#[derive(Debug, Clone)]
pub struct Packed {
    ranked: Ranked,
    /// The class each tree adds to (boosting: trees come round by round, one per class).
    classes: Vec<u16>,
}

impl Packed {
    fn build(e: &TreeEnsemble) -> Option<Packed> {
        let depths = e.trees.iter().map(|t| t.depth() as u16).collect();
        let splits = |t: usize| {
            let tree = &e.trees[t];
            (0..tree.n_nodes()).map(move |i| match tree.feature[i] {
                LEAF => Split::Leaf {
                    number: tree.child[i],
                },
                feature => Split::Plain {
                    feature,
                    // Right when `x > threshold`, which NaN never is.
                    threshold: tree.threshold[i] as f64,
                    nan_right: false,
                    left: tree.child[i],
                },
            })
        };
        Some(Packed {
            ranked: Ranked::build(RankRule::Above, e.n_features, depths, splits)?,
            classes: (0..e.trees.len())
                .map(|n| (n % e.n_classes.max(1)) as u16)
                .collect(),
        })
    }
}

impl GroupWalk for TreeEnsemble {
    type Row = RankedRow;
    const NODE_BYTES: usize = ranked::NODE_BYTES;

    fn tree_sizes(&self) -> Vec<usize> {
        self.trees.iter().map(FlatTree::n_nodes).collect()
    }

    #[inline]
    fn row(&self, x: &[f64]) -> Self::Row {
        let p = self.packed().expect("batches walk packed trees");
        p.ranked.row(x)
    }

    #[inline]
    fn walk_group(
        &self,
        tree: usize,
        xs: &[Self::Row; GROUP],
        _: &[&[f64]; GROUP],
        leaves: &mut [u32; GROUP],
    ) {
        let p = self.packed().expect("batches walk packed trees");
        *leaves = p.ranked.walk_group(tree, xs, |_, _, _| false);
    }
}

/// How one prediction decomposes: `bias + contributions.sum() == output` (up to rounding).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    pub class: usize,
    /// Forest: the mean training probability of the class; boosting: the expected raw score.
    pub bias: f64,
    /// One entry per model feature.
    pub contributions: Vec<f64>,
    /// Forest: the predicted probability; boosting: the raw score of the class.
    pub output: f64,
}

impl Explanation {
    /// The explanation of a sum of trees, starting from `start`: `path` adds one tree's
    /// contributions and gives its root's and leaf's values.
    pub(crate) fn summed<T>(
        class: usize,
        n_features: usize,
        start: f64,
        trees: impl Iterator<Item = T>,
        path: impl Fn(T, &mut [f64]) -> (f64, f64),
    ) -> Explanation {
        let mut sum = Explanation {
            class,
            bias: start,
            contributions: vec![0.0; n_features],
            output: start,
        };
        for t in trees {
            let (root, leaf) = path(t, &mut sum.contributions);
            sum.bias += root;
            sum.output += leaf;
        }
        sum
    }

    /// The explanation of the mean of `n` trees' outputs, from that of their sum.
    pub(crate) fn averaged_over(self, n: f64) -> Explanation {
        Explanation {
            bias: self.bias / n,
            output: self.output / n,
            contributions: self.contributions.iter().map(|c| c / n).collect(),
            ..self
        }
    }
}

impl TreeEnsemble {
    pub fn stride(&self) -> usize {
        match self.kind {
            EnsembleKind::Forest => self.n_classes,
            EnsembleKind::Boosted => 1,
        }
    }

    pub(super) fn packed(&self) -> Option<&Packed> {
        self.packed.get_or_build(|| Packed::build(self))
    }

    /// Calls `visit(tree, its leaf values)` for every tree, in order, for one row `x`.
    #[inline]
    fn visit_leaf_values(&self, x: &[f64], mut visit: impl FnMut(usize, &[f32])) {
        let stride = self.stride();
        // The packed walk only once a batch has built it: one row does not pay for it.
        match self.packed.built() {
            Some(p) => {
                let row = p.ranked.row(x);
                for (t, tree) in self.trees.iter().enumerate() {
                    let leaf = p.ranked.walk_plain(t, &row) as usize;
                    visit(t, &tree.leaf_values[leaf * stride..(leaf + 1) * stride]);
                }
            }
            None => {
                for (t, tree) in self.trees.iter().enumerate() {
                    visit(t, tree.leaf_slice(x, stride));
                }
            }
        }
    }

    /// Class probabilities for one preprocessed row.
    pub fn predict_proba_into(&self, x: &[f64], out: &mut [f32]) {
        match self.kind {
            EnsembleKind::Forest => {
                out.fill(0.0);
                self.visit_leaf_values(x, |_, values| {
                    for (o, v) in out.iter_mut().zip(values) {
                        *o += v;
                    }
                });
                self.finish_forest(out);
            }
            EnsembleKind::Boosted => {
                self.raw_scores_into(x, out);
                softmax_in_place(out);
            }
        }
    }

    /// The plain mean of the trees (not renormalised), so that it is exactly what `explain`
    /// decomposes; quantised leaves keep the sum within ~1e-3 of 1.
    fn finish_forest(&self, out: &mut [f32]) {
        let inv = 1.0 / self.trees.len().max(1) as f32;
        out.iter_mut().for_each(|o| *o *= inv);
    }

    /// Boosting's raw (pre-softmax) scores.
    pub fn raw_scores_into(&self, x: &[f64], out: &mut [f32]) {
        out.copy_from_slice(&self.base_score);
        // Trees are stored round by round, one per class.
        let k = self.n_classes;
        self.visit_leaf_values(x, |t, values| out[t % k] += values[0]);
    }

    /// Probabilities for many rows: `out` holds `n_classes` values per row. Same numbers as
    /// [`predict_proba_into`](Self::predict_proba_into) row by row (each row's additions happen
    /// in the same order), several times faster (see `batch.rs`).
    pub fn predict_proba_batch(&self, xs: &[&[f64]], out: &mut [f32]) {
        let k = self.n_classes;
        let Some(p) = self.packed() else {
            for (x, o) in xs.iter().zip(out.chunks_exact_mut(k)) {
                self.predict_proba_into(x, o);
            }
            return;
        };
        let out = &mut out[..xs.len() * k];
        match self.kind {
            EnsembleKind::Forest => {
                out.fill(0.0);
                visit_leaves(self, xs, |r, t, leaf| {
                    let values = &self.trees[t].leaf_values[leaf * k..(leaf + 1) * k];
                    for (o, v) in out[r * k..(r + 1) * k].iter_mut().zip(values) {
                        *o += v;
                    }
                });
                out.chunks_exact_mut(k).for_each(|o| self.finish_forest(o));
            }
            EnsembleKind::Boosted => {
                for o in out.chunks_exact_mut(k) {
                    o.copy_from_slice(&self.base_score);
                }
                visit_leaves(self, xs, |r, t, leaf| {
                    out[r * k + p.classes[t] as usize] += self.trees[t].leaf_values[leaf];
                });
                out.chunks_exact_mut(k).for_each(softmax_in_place);
            }
        }
    }

    /// Path-based contributions (Saabas / treeinterpreter) of each feature to `class`.
    pub fn explain(&self, x: &[f64], class: usize) -> Explanation {
        let stride = self.stride();
        let trees: Vec<&FlatTree> = match self.kind {
            EnsembleKind::Forest => self.trees.iter().collect(),
            EnsembleKind::Boosted => self
                .trees
                .iter()
                .skip(class)
                .step_by(self.n_classes)
                .collect(),
        };
        let k = if self.kind == EnsembleKind::Forest {
            class
        } else {
            0
        };
        let sum = Explanation::summed(class, self.n_features, 0.0, trees.iter(), |t, c| {
            t.add_path_contributions(x, (stride, k), |i, v| v > t.threshold[i] as f64, c)
        });
        match self.kind {
            EnsembleKind::Forest => sum.averaged_over(trees.len().max(1) as f64),
            EnsembleKind::Boosted => {
                let base = self.base_score[class] as f64;
                Explanation {
                    bias: sum.bias + base,
                    output: sum.output + base,
                    ..sum
                }
            }
        }
    }

    pub fn n_nodes(&self) -> usize {
        self.trees.iter().map(FlatTree::n_nodes).sum()
    }
}

/// Softmax with libm's `expf`, not `f32::exp`: std's follows the platform (glibc natively,
/// a different implementation on wasm32), and the browser must give the native numbers bit for bit.
pub fn softmax_in_place(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for x in v.iter_mut() {
        *x = libm::expf(*x - max);
        sum += *x;
    }
    v.iter_mut().for_each(|x| *x /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Two classes; x0 <= 0.5 is one leaf, else x1 splits at 2; children not yet adjacent.
    fn two_split_tree() -> FlatTree {
        FlatTree {
            feature: vec![0, LEAF, 1, LEAF, LEAF],
            threshold: vec![0.5, 0.0, 2.0, 0.0, 0.0],
            child: vec![1, 2, 3, 0, 1],
            cover: vec![10.0, 4.0, 6.0, 2.0, 4.0],
            leaf_values: vec![0.0, 1.0, 0.5, 0.5, 1.0, 0.0],
        }
    }

    #[test]
    fn canonical_layout_keeps_predictions() {
        let t = two_split_tree();
        let c = t.canonicalize(2);
        for x in [[0.0, 0.0], [1.0, 1.0], [1.0, 3.0]] {
            assert_eq!(t.leaf_slice(&x, 2), c.leaf_slice(&x, 2));
        }
        assert_eq!(c.canonicalize(2), c);
    }

    /// Values on both sides of `t` as close as an `f64` gets, `t` itself, the next `f32`s, and
    /// the values no threshold orders (NaN, the infinities).
    fn around(t: f32) -> Vec<f64> {
        let t64 = t as f64;
        vec![
            t64,
            t64.next_up(),
            t64.next_down(),
            t.next_up() as f64,
            t.next_down() as f64,
            f64::NAN,
            f64::INFINITY,
            f64::NEG_INFINITY,
        ]
    }

    #[test]
    fn packed_walks_one_row_or_a_batch_reach_the_trees_own_leaves() {
        let t = two_split_tree().canonicalize(2);
        // A second tree that splits the other way round, so that rows take different paths.
        let u = FlatTree {
            feature: vec![1, LEAF, 0, LEAF, LEAF],
            threshold: vec![2.0, 0.0, 0.5, 0.0, 0.0],
            ..two_split_tree()
        }
        .canonicalize(2);
        let mut rows = Vec::new();
        for a in around(0.5) {
            for b in around(2.0) {
                rows.push(vec![a, b]);
            }
        }
        let xs: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
        for kind in [EnsembleKind::Forest, EnsembleKind::Boosted] {
            let trees = vec![t.clone(), u.clone(), u.clone(), t.clone(), u.clone()];
            let e = TreeEnsemble {
                kind,
                n_classes: 2,
                n_features: 2,
                trees: match kind {
                    EnsembleKind::Forest => trees,
                    EnsembleKind::Boosted => trees
                        .into_iter()
                        .enumerate()
                        .map(|(i, t)| FlatTree {
                            leaf_values: vec![0.25 * i as f32, -0.5, 1.0 + i as f32],
                            ..t
                        })
                        .collect(),
                },
                base_score: vec![0.1, -0.2],
                importance: vec![0.5, 0.5],
                packed: Default::default(),
            };
            let stride = e.stride();
            let mut batch = vec![0.0f32; rows.len() * 2];
            e.predict_proba_batch(&xs, &mut batch);
            for (r, x) in rows.iter().enumerate() {
                // The reference: each tree's own walk over its arrays, summed in tree order.
                let mut want = [0.0f32; 2];
                if kind == EnsembleKind::Boosted {
                    want.copy_from_slice(&e.base_score);
                }
                for (i, tree) in e.trees.iter().enumerate() {
                    let leaf = tree.leaf_slice(x, stride);
                    match kind {
                        EnsembleKind::Forest => {
                            want.iter_mut().zip(leaf).for_each(|(w, v)| *w += v)
                        }
                        EnsembleKind::Boosted => want[i % 2] += leaf[0],
                    }
                }
                match kind {
                    EnsembleKind::Forest => e.finish_forest(&mut want),
                    EnsembleKind::Boosted => softmax_in_place(&mut want),
                }
                let mut one = [0.0f32; 2];
                e.predict_proba_into(x, &mut one);
                let bits = |v: &[f32]| v.iter().map(|p| p.to_bits()).collect::<Vec<_>>();
                assert_eq!(bits(&one), bits(&want), "{kind:?} row {x:?}: one row");
                assert_eq!(
                    bits(&batch[2 * r..2 * r + 2]),
                    bits(&want),
                    "{kind:?} row {x:?}"
                );
            }
        }
    }

    #[test]
    fn contributions_sum_to_output_for_forest_and_boosting() {
        let t = two_split_tree().canonicalize(2);
        let forest = TreeEnsemble {
            kind: EnsembleKind::Forest,
            n_classes: 2,
            n_features: 2,
            trees: vec![t.clone(), t],
            base_score: vec![],
            importance: vec![0.5, 0.5],
            packed: Default::default(),
        };
        let x = [1.0, 3.0];
        let mut p = [0.0f32; 2];
        forest.predict_proba_into(&x, &mut p);
        let e = forest.explain(&x, 0);
        let total = e.bias + e.contributions.iter().sum::<f64>();
        assert!((total - p[0] as f64).abs() < 1e-6, "{total} vs {}", p[0]);
        // class 0: node x1-split = (2*0 + 4*0.5)/6 = 1/3; root = (4*1 + 6*(1/3))/10 = 0.6
        assert!((e.bias - 0.6).abs() < 1e-12);

        let mut boosted = forest.clone();
        boosted.packed = Default::default(); // the trees change below
        boosted.kind = EnsembleKind::Boosted;
        boosted.trees = boosted
            .trees
            .iter()
            .map(|t| FlatTree {
                leaf_values: vec![0.3, -0.2, 0.7],
                ..t.clone()
            })
            .collect();
        boosted.base_score = vec![0.1, -0.1];
        let mut raw = [0.0f32; 2];
        boosted.raw_scores_into(&x, &mut raw);
        for (class, &score) in raw.iter().enumerate() {
            let e = boosted.explain(&x, class);
            let total = e.bias + e.contributions.iter().sum::<f64>();
            assert!((total - score as f64).abs() < 1e-6);
            assert!((e.output - score as f64).abs() < 1e-6);
        }
    }
}
