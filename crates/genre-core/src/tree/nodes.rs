//! The node arrays every tree is stored in, whatever its precision: our own trees hold `f32`
//! ([`FlatTree`](super::flat::FlatTree)), imported ones `f64`
//! ([`ImportedTree`](super::imported::ImportedTree)).
//!
//! Layout invariant ("canonical"): node 0 is the root; an internal node's children sit side by
//! side at `child` and `child + 1`, always after their parent; a leaf's `child` is its leaf
//! number. Only what a split decides differs between tree kinds, so the walk takes it as a rule.

use std::sync::OnceLock;

use serde::{Deserialize, Serialize};

/// The `feature` of a leaf.
pub const LEAF: u8 = u8::MAX;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Nodes<T> {
    /// Split feature (index into the model's feature set), or [`LEAF`].
    pub feature: Vec<u8>,
    /// What the split compares with (its kind decides how).
    pub threshold: Vec<T>,
    /// Internal node: index of the left child (the right one is next). Leaf: leaf number.
    pub child: Vec<u32>,
    /// Training weight that reached the node (sample weight or row count for forests, hessian
    /// for boosting), for explanations.
    pub cover: Vec<T>,
    /// `stride` values per leaf, in leaf-number order.
    pub leaf_values: Vec<T>,
}

impl<T: Copy + Default + Into<f64>> Nodes<T> {
    pub fn n_nodes(&self) -> usize {
        self.feature.len()
    }

    /// The node index of the leaf `x` reaches, where `goes_right(node, value)` is the split rule.
    #[inline]
    pub fn leaf_node_by(&self, x: &[f64], goes_right: impl Fn(usize, f64) -> bool) -> usize {
        let mut i = 0usize;
        loop {
            let f = self.feature[i];
            if f == LEAF {
                return i;
            }
            i = self.child[i] as usize + goes_right(i, x[f as usize]) as usize;
        }
    }

    /// The number of steps from the root to the deepest leaf.
    pub fn depth(&self) -> usize {
        depth_of(&self.feature, &self.child)
    }

    /// Value of component `k` at every node: the leaf value at leaves, the cover-weighted mean of
    /// the children elsewhere (children come after parents, so one backward pass suffices).
    pub fn node_values(&self, stride: usize, k: usize) -> Vec<f64> {
        let n = self.n_nodes();
        let mut v = vec![0.0f64; n];
        for i in (0..n).rev() {
            let c = self.child[i] as usize;
            if self.feature[i] == LEAF {
                v[i] = self.leaf_values[c * stride + k].into();
            } else {
                let (wl, wr): (f64, f64) = (self.cover[c].into(), self.cover[c + 1].into());
                v[i] = if wl + wr > 0.0 {
                    (wl * v[c] + wr * v[c + 1]) / (wl + wr)
                } else {
                    0.5 * (v[c] + v[c + 1])
                };
            }
        }
        v
    }

    /// Saabas contributions: adds to `contributions` what each split on the path of `x` changes
    /// in component `k` of the node values, and gives the root's and the leaf's values.
    pub fn add_path_contributions(
        &self,
        x: &[f64],
        (stride, k): (usize, usize),
        goes_right: impl Fn(usize, f64) -> bool,
        contributions: &mut [f64],
    ) -> (f64, f64) {
        let values = self.node_values(stride, k);
        let mut i = 0usize;
        while self.feature[i] != LEAF {
            let f = self.feature[i] as usize;
            let next = self.child[i] as usize + goes_right(i, x[f]) as usize;
            contributions[f] += values[next] - values[i];
            i = next;
        }
        (values[0], values[i])
    }

    /// No nodes yet, room for `n`.
    pub(crate) fn with_capacity(n: usize) -> Self {
        Nodes {
            feature: Vec::with_capacity(n),
            threshold: Vec::with_capacity(n),
            child: Vec::with_capacity(n),
            cover: Vec::with_capacity(n),
            leaf_values: Vec::new(),
        }
    }

    /// Appends a node (a leaf until it is filled in) and gives its index.
    pub(crate) fn push_placeholder(&mut self) -> usize {
        self.feature.push(LEAF);
        self.threshold.push(T::default());
        self.child.push(0);
        self.cover.push(T::default());
        self.feature.len() - 1
    }
}

/// The number of steps from the root to the deepest leaf of a tree in the canonical layout.
pub(crate) fn depth_of(feature: &[u8], child: &[u32]) -> usize {
    let mut deepest = 0;
    let mut stack = vec![(0usize, 0usize)];
    while let Some((i, d)) = stack.pop() {
        if feature[i] == LEAF {
            deepest = deepest.max(d);
        } else {
            let c = child[i] as usize;
            stack.push((c, d + 1));
            stack.push((c + 1, d + 1));
        }
    }
    deepest
}

/// A copy of a model built on first use (the batch predictor's packed trees). A cache, not
/// part of the model: equal whatever it holds, and never saved.
#[derive(Debug, Clone)]
pub struct BuiltOnce<T>(OnceLock<Option<T>>);

impl<T> Default for BuiltOnce<T> {
    fn default() -> Self {
        BuiltOnce(OnceLock::new())
    }
}

impl<T> PartialEq for BuiltOnce<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

impl<T> BuiltOnce<T> {
    /// The copy, built by `build` the first time (`None`: this model cannot have one).
    pub fn get_or_build(&self, build: impl FnOnce() -> Option<T>) -> Option<&T> {
        self.0.get_or_init(build).as_ref()
    }

    /// The copy if it was built already: one row is answered as fast without it, and building
    /// it for the page's first answer cost more than the answer (sorting every threshold).
    pub fn built(&self) -> Option<&T> {
        self.0.get().and_then(Option::as_ref)
    }
}
