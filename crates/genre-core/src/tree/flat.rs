//! Flat struct-of-arrays trees and ensembles: what is predicted with, saved and explained.
//!
//! Layout invariant ("canonical"): node 0 is the root; an internal node's children sit side by
//! side at `child` and `child + 1`, always after their parent; nodes are numbered in the order a
//! left-first depth-first walk allocates them, and leaves are numbered in the order that walk
//! meets them. The model file stores only the pre-order shape and rebuilds exactly this layout.

use serde::{Deserialize, Serialize};

pub const LEAF: u8 = u8::MAX;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct FlatTree {
    /// Split feature (index into the model's feature set), or [`LEAF`].
    pub feature: Vec<u8>,
    /// Go left when `x <= threshold`.
    pub threshold: Vec<f32>,
    /// Internal node: index of the left child (the right one is next). Leaf: leaf number.
    pub child: Vec<u32>,
    /// Training weight that reached the node (sample weight for forests, hessian for boosting).
    pub cover: Vec<f32>,
    /// `stride` values per leaf, in leaf-number order.
    pub leaf_values: Vec<f32>,
}

impl FlatTree {
    pub fn n_nodes(&self) -> usize {
        self.feature.len()
    }

    /// The node index of the leaf `x` falls into.
    #[inline]
    pub fn leaf_node(&self, x: &[f64]) -> usize {
        let mut i = 0usize;
        loop {
            let f = self.feature[i];
            if f == LEAF {
                return i;
            }
            let go_right = x[f as usize] > self.threshold[i] as f64;
            i = self.child[i] as usize + go_right as usize;
        }
    }

    #[inline]
    pub fn leaf_slice(&self, x: &[f64], stride: usize) -> &[f32] {
        let leaf = self.child[self.leaf_node(x)] as usize;
        &self.leaf_values[leaf * stride..(leaf + 1) * stride]
    }

    /// Value of component `k` at every node: the leaf value at leaves, the cover-weighted mean of
    /// the children elsewhere (children come after parents, so one backward pass suffices).
    pub fn node_values(&self, stride: usize, k: usize) -> Vec<f64> {
        let n = self.n_nodes();
        let mut v = vec![0.0f64; n];
        for i in (0..n).rev() {
            let c = self.child[i] as usize;
            if self.feature[i] == LEAF {
                v[i] = self.leaf_values[c * stride + k] as f64;
            } else {
                let (wl, wr) = (self.cover[c] as f64, self.cover[c + 1] as f64);
                v[i] = if wl + wr > 0.0 {
                    (wl * v[c] + wr * v[c + 1]) / (wl + wr)
                } else {
                    0.5 * (v[c] + v[c + 1])
                };
            }
        }
        v
    }

    /// Rewrites the tree into the canonical layout (see the module docs).
    pub fn canonicalize(&self, stride: usize) -> FlatTree {
        let mut out = FlatTree::default();
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

    pub(crate) fn push_placeholder(&mut self) -> usize {
        self.feature.push(LEAF);
        self.threshold.push(0.0);
        self.child.push(0);
        self.cover.push(0.0);
        self.feature.len() - 1
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

impl TreeEnsemble {
    pub fn stride(&self) -> usize {
        match self.kind {
            EnsembleKind::Forest => self.n_classes,
            EnsembleKind::Boosted => 1,
        }
    }

    /// Class probabilities for one preprocessed row.
    pub fn predict_proba_into(&self, x: &[f64], out: &mut [f32]) {
        match self.kind {
            EnsembleKind::Forest => {
                out.fill(0.0);
                for t in &self.trees {
                    for (o, v) in out.iter_mut().zip(t.leaf_slice(x, self.n_classes)) {
                        *o += v;
                    }
                }
                // The plain mean (not renormalised), so that it is exactly what
                // `explain` decomposes; quantised leaves keep the sum within ~1e-3 of 1.
                let inv = 1.0 / self.trees.len().max(1) as f32;
                out.iter_mut().for_each(|o| *o *= inv);
            }
            EnsembleKind::Boosted => {
                self.raw_scores_into(x, out);
                softmax_in_place(out);
            }
        }
    }

    /// Boosting's raw (pre-softmax) scores.
    pub fn raw_scores_into(&self, x: &[f64], out: &mut [f32]) {
        out.copy_from_slice(&self.base_score);
        for (i, t) in self.trees.iter().enumerate() {
            out[i % self.n_classes] += t.leaf_slice(x, 1)[0];
        }
    }

    /// Path-based contributions (Saabas / treeinterpreter) of each feature to `class`.
    pub fn explain(&self, x: &[f64], class: usize) -> Explanation {
        let mut contributions = vec![0.0f64; self.n_features];
        let mut bias = 0.0f64;
        let mut output = 0.0f64;
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
        for t in &trees {
            let values = t.node_values(stride, k);
            bias += values[0];
            let mut i = 0usize;
            while t.feature[i] != LEAF {
                let f = t.feature[i] as usize;
                let next = t.child[i] as usize + (x[f] > t.threshold[i] as f64) as usize;
                contributions[f] += values[next] - values[i];
                i = next;
            }
            output += values[i];
        }
        match self.kind {
            EnsembleKind::Forest => {
                let n = trees.len().max(1) as f64;
                bias /= n;
                output /= n;
                contributions.iter_mut().for_each(|c| *c /= n);
            }
            EnsembleKind::Boosted => {
                bias += self.base_score[class] as f64;
                output += self.base_score[class] as f64;
            }
        }
        Explanation {
            class,
            bias,
            contributions,
            output,
        }
    }

    pub fn n_nodes(&self) -> usize {
        self.trees.iter().map(FlatTree::n_nodes).sum()
    }
}

pub fn softmax_in_place(v: &mut [f32]) {
    let max = v.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0f32;
    for x in v.iter_mut() {
        *x = (*x - max).exp();
        sum += *x;
    }
    v.iter_mut().for_each(|x| *x /= sum);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn canonical_layout_keeps_predictions() {
        let t = FlatTree {
            feature: vec![0, LEAF, 1, LEAF, LEAF],
            threshold: vec![0.5, 0.0, 2.0, 0.0, 0.0],
            child: vec![1, 2, 3, 0, 1],
            cover: vec![10.0, 4.0, 6.0, 2.0, 4.0],
            leaf_values: vec![0.0, 1.0, 0.5, 0.5, 1.0, 0.0],
        };
        let c = t.canonicalize(2);
        for x in [[0.0, 0.0], [1.0, 1.0], [1.0, 3.0]] {
            assert_eq!(t.leaf_slice(&x, 2), c.leaf_slice(&x, 2));
        }
        assert_eq!(c.canonicalize(2), c);
    }

    #[test]
    fn contributions_sum_to_output_for_forest_and_boosting() {
        let t = FlatTree {
            feature: vec![0, LEAF, 1, LEAF, LEAF],
            threshold: vec![0.5, 0.0, 2.0, 0.0, 0.0],
            child: vec![1, 2, 3, 0, 1],
            cover: vec![10.0, 4.0, 6.0, 2.0, 4.0],
            leaf_values: vec![0.0, 1.0, 0.5, 0.5, 1.0, 0.0],
        }
        .canonicalize(2);
        let forest = TreeEnsemble {
            kind: EnsembleKind::Forest,
            n_classes: 2,
            n_features: 2,
            trees: vec![t.clone(), t],
            base_score: vec![],
            importance: vec![0.5, 0.5],
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
