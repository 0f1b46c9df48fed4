//! Tree ensembles made by another library (LightGBM, XGBoost), kept in full precision and
//! predicted with that library's own split rule, so that an imported model gives the library's
//! probabilities (see `crate::interop`, which builds them).
//!
//! The trees use the canonical layout of [`FlatTree`](super::flat::FlatTree): node 0 is the root,
//! an internal node's children are `child` and `child + 1`, after their parent; a leaf's `child`
//! is its leaf number. What differs from our own trees is what a node decides:
//! - LightGBM: `x <= threshold` in `f64`; a missing type per node (None: NaN is read as 0; Zero:
//!   0 and NaN take the default side; NaN: NaN takes the default side); categorical nodes send the
//!   categories in their set left, and NaN and negative values right.
//! - XGBoost: the value is rounded to `f32` and goes left when `x < threshold`; NaN takes the
//!   default side; categorical nodes send the categories in their set right, NaN to the default
//!   side, and anything else (negative, too large, not in the set) left.
//!
//! Leaf values, thresholds and the base score are `f64` (XGBoost's `f32` values are held exactly),
//! and scores are summed in `f64` in the library's tree order.

use serde::{Deserialize, Serialize};

use super::batch::{visit_leaves, GroupWalk, GROUP};
use super::flat::Explanation;
use super::nodes::{BuiltOnce, Nodes, LEAF};
use super::ranked::{self, RankRule, Ranked, RankedRow, Split};

/// Which library's split rule the trees follow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Library {
    LightGbm,
    XgBoost,
}

impl Library {
    pub fn name(self) -> &'static str {
        match self {
            Library::LightGbm => "LightGBM",
            Library::XgBoost => "XGBoost",
        }
    }
}

/// How the summed scores become class probabilities.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum Link {
    /// One score per class, softmax (LightGBM `multiclass`, XGBoost `multi:softprob`/`softmax`).
    Softmax,
    /// One score per class, each through its own sigmoid `1 / (1 + exp(-s·x))`, not normalised
    /// (LightGBM `multiclassova`: its `predict_proba` returns them as they are).
    OneVsRest { sigmoid: f64 },
    /// Two classes from one score: `p1 = 1 / (1 + exp(-s·x))`, `p0 = 1 - p1`.
    Binary { sigmoid: f64 },
    /// The (averaged) scores are the probabilities themselves: a model with no objective in
    /// random-forest mode, as `genre-lens export` writes our forests.
    Identity,
}

/// Node flags.
pub const DEFAULT_LEFT: u8 = 1;
/// LightGBM's missing types, in bits 1-2: 0 none, 1 zero, 2 NaN.
pub const MISSING_SHIFT: u8 = 1;
pub const MISSING_NONE: u8 = 0;
pub const MISSING_ZERO: u8 = 1;
pub const MISSING_NAN: u8 = 2;
pub const CATEGORICAL: u8 = 8;

/// LightGBM's `kZeroThreshold`: a value within it of 0 counts as zero.
const ZERO_THRESHOLD: f64 = 1e-35f32 as f64;
/// XGBoost: a category must be below 2^24 (the last integer an `f32` holds exactly).
const XGB_MAX_CATEGORY: f32 = 16_777_216.0;

/// Whether `x` goes right at a node with these `flags` and `threshold` (for a categorical node:
/// the index of its set in `categories`), by `library`'s rule (see the module docs).
#[inline]
fn decide(library: Library, flags: u8, threshold: f64, categories: &[Vec<u32>], x: f64) -> bool {
    let default_right = flags & DEFAULT_LEFT == 0;
    if flags & CATEGORICAL != 0 {
        let set = &categories[threshold as usize];
        return match library {
            Library::LightGbm => {
                // `static_cast<int>`: truncation; NaN, negative values and values beyond i32
                // go right.
                if !(0.0..2_147_483_648.0).contains(&x) {
                    return true;
                }
                set.binary_search(&(x as u32)).is_err()
            }
            Library::XgBoost => {
                if x.is_nan() {
                    return default_right;
                }
                let v = x as f32;
                if !(0.0..XGB_MAX_CATEGORY).contains(&v) {
                    return false;
                }
                set.binary_search(&(v as u32)).is_ok()
            }
        };
    }
    match library {
        Library::LightGbm => {
            let missing = (flags >> MISSING_SHIFT) & 3;
            let mut v = x;
            if v.is_nan() && missing != MISSING_NAN {
                v = 0.0;
            }
            if (missing == MISSING_ZERO && (-ZERO_THRESHOLD..=ZERO_THRESHOLD).contains(&v))
                || (missing == MISSING_NAN && v.is_nan())
            {
                return default_right;
            }
            v > threshold
        }
        Library::XgBoost => {
            if x.is_nan() {
                return default_right;
            }
            (x as f32) >= threshold as f32
        }
    }
}

/// Whether node `i` of a tree is compared by rank, and the value it compares against: the
/// threshold, as an `f32` for XGBoost (which compares in `f32`: every `f32` is exact in an
/// `f64`).
fn plain_threshold(library: Library, tree: &ImportedTree, i: usize) -> Option<f64> {
    let flags = tree.flags[i];
    let missing = (flags >> MISSING_SHIFT) & 3;
    match library {
        _ if tree.nodes.feature[i] == LEAF || flags & CATEGORICAL != 0 => None,
        Library::LightGbm if missing == MISSING_ZERO => None,
        Library::LightGbm => Some(tree.nodes.threshold[i]),
        Library::XgBoost => Some(tree.nodes.threshold[i] as f32 as f64),
    }
}

/// The packed copy of the trees: each node as a rank comparison where a rank decides it.
fn pack(m: &ImportedTrees) -> Option<Ranked> {
    let depths = m.trees.iter().map(|t| t.nodes.depth() as u16).collect();
    let splits = |t: usize| {
        let tree = &m.trees[t];
        (0..tree.n_nodes()).map(move |i| split_of(m.library, tree, i))
    };
    let rule = match m.library {
        Library::LightGbm => RankRule::Above,
        Library::XgBoost => RankRule::F32AtOrAbove,
    };
    Ranked::build(rule, m.n_features, depths, splits)
}

/// Node `i` of `tree` as the packed copy takes it: plain nodes with the side NaN takes, which
/// is [`decide`]'s for them.
fn split_of(library: Library, tree: &ImportedTree, i: usize) -> Split {
    let feature = tree.nodes.feature[i];
    if feature == LEAF {
        return Split::Leaf {
            number: tree.nodes.child[i],
        };
    }
    let left = tree.nodes.child[i];
    let Some(threshold) = plain_threshold(library, tree, i) else {
        return Split::General { feature, left };
    };
    let flags = tree.flags[i];
    let default_right = flags & DEFAULT_LEFT == 0;
    let nan_right = match library {
        // NaN is read as 0 (missing type None) or takes the default side (NaN).
        Library::LightGbm if (flags >> MISSING_SHIFT) & 3 == MISSING_NONE => 0.0 > threshold,
        _ => default_right,
    };
    Split::Plain {
        feature,
        threshold,
        nan_right,
        left,
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct ImportedTree {
    /// A numeric node's threshold is the library's; a categorical node's is the index of its
    /// set in `categories`. One value per leaf.
    pub nodes: Nodes<f64>,
    /// [`DEFAULT_LEFT`], the missing type and [`CATEGORICAL`]; 0 at leaves.
    pub flags: Vec<u8>,
    /// The category sets of the categorical nodes, each sorted.
    pub categories: Vec<Vec<u32>>,
}

impl ImportedTree {
    pub fn n_nodes(&self) -> usize {
        self.nodes.n_nodes()
    }

    /// Whether `x` (the node's feature value, NaN = missing) goes right at internal node `i`.
    #[inline]
    fn goes_right(&self, library: Library, i: usize, x: f64) -> bool {
        decide(
            library,
            self.flags[i],
            self.nodes.threshold[i],
            &self.categories,
            x,
        )
    }

    /// The node index of the leaf `x` reaches.
    #[inline]
    pub fn leaf_node(&self, library: Library, x: &[f64]) -> usize {
        self.nodes
            .leaf_node_by(x, |i, v| self.goes_right(library, i, v))
    }

    /// Appends a node (a leaf until it is filled in) and gives its index.
    pub(crate) fn push_placeholder(&mut self) -> usize {
        self.flags.push(0);
        self.nodes.push_placeholder()
    }

    pub fn leaf_value(&self, library: Library, x: &[f64]) -> f64 {
        self.nodes.leaf_values[self.nodes.child[self.leaf_node(library, x)] as usize]
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ImportedTrees {
    /// The trees in the library's order, which is the order their scores are summed in.
    pub trees: Vec<ImportedTree>,
    /// The score each tree adds to (`0..n_scores()`).
    pub tree_score: Vec<u16>,
    /// Whose split rule the trees follow.
    pub library: Library,
    /// The score each sum starts from (XGBoost's base margin; zeros for LightGBM).
    pub base_score: Vec<f64>,
    /// Random-forest mode: the sums are divided by the number of iterations.
    pub average: bool,
    /// How the scores become probabilities.
    pub link: Link,
    pub n_classes: usize,
    pub n_features: usize,
    /// Total split gain per feature, normalised to sum 1 (all zero when the model has none).
    pub importance: Vec<f32>,
    /// The predictor's packed copy of the trees. Code that changes `trees` after predicting
    /// must reset it.
    #[serde(skip)]
    pub packed: BuiltOnce<Ranked>,
}

impl ImportedTrees {
    /// How many scores the trees add to: one per class, or one for a binary model.
    pub fn n_scores(&self) -> usize {
        match self.link {
            Link::Binary { .. } => 1,
            _ => self.n_classes,
        }
    }

    /// How many trees add to each score, the divisor in random-forest mode.
    fn iterations(&self) -> f64 {
        (self.trees.len() / self.n_scores().max(1)).max(1) as f64
    }

    fn packed(&self) -> Option<&Ranked> {
        self.packed.get_or_build(|| pack(self))
    }

    /// The scores before the link: base, plus the trees in the library's order, averaged in
    /// random-forest mode.
    pub fn raw_scores(&self, x: &[f64]) -> Vec<f64> {
        let mut raw = self.base_score.clone();
        for (tree, &s) in self.trees.iter().zip(&self.tree_score) {
            raw[s as usize] += tree.leaf_value(self.library, x);
        }
        self.finish_raw(&mut raw);
        raw
    }

    fn finish_raw(&self, raw: &mut [f64]) {
        if self.average {
            let n = self.iterations();
            raw.iter_mut().for_each(|r| *r /= n);
        }
    }

    /// Probabilities for many raw rows: `out` holds `n_classes` values per row. The same
    /// numbers as [`predict_proba_into`](Self::predict_proba_into) row by row (each row's trees
    /// are summed in the same order), several times faster (see `batch.rs`).
    pub fn predict_proba_batch(&self, xs: &[&[f64]], out: &mut [f32]) {
        let k = self.n_classes;
        if self.packed().is_none() {
            for (x, o) in xs.iter().zip(out.chunks_exact_mut(k)) {
                self.predict_proba_into(x, o);
            }
            return;
        }
        let scores = self.n_scores();
        let mut raw: Vec<f64> = Vec::with_capacity(xs.len() * scores);
        for _ in xs {
            raw.extend_from_slice(&self.base_score);
        }
        visit_leaves(self, xs, |r, t, leaf| {
            raw[r * scores + self.tree_score[t] as usize] += self.trees[t].nodes.leaf_values[leaf];
        });
        for (r, o) in raw.chunks_exact_mut(scores).zip(out.chunks_exact_mut(k)) {
            self.finish_raw(r);
            self.link_into(r, o);
        }
    }

    /// Class probabilities for one raw row (model feature order, NaN = missing).
    pub fn predict_proba_into(&self, x: &[f64], out: &mut [f32]) {
        self.link_into(&self.raw_scores(x), out);
    }

    /// Probabilities from the (averaged) scores, through the model's [`Link`].
    fn link_into(&self, raw: &[f64], out: &mut [f32]) {
        match self.link {
            Link::Softmax => {
                let max = raw.iter().copied().fold(f64::NEG_INFINITY, f64::max);
                let e: Vec<f64> = raw.iter().map(|r| libm::exp(r - max)).collect();
                let sum: f64 = e.iter().sum();
                for (o, v) in out.iter_mut().zip(&e) {
                    *o = (v / sum) as f32;
                }
            }
            Link::OneVsRest { sigmoid } => {
                for (o, r) in out.iter_mut().zip(raw) {
                    *o = sigmoid_of(sigmoid * r) as f32;
                }
            }
            Link::Binary { sigmoid } => {
                let p = sigmoid_of(sigmoid * raw[0]);
                out[0] = (1.0 - p) as f32;
                out[1] = p as f32;
            }
            Link::Identity => {
                for (o, r) in out.iter_mut().zip(raw) {
                    *o = *r as f32;
                }
            }
        }
    }

    /// Path-based contributions (Saabas) of each feature to the score of `class` (for a binary
    /// model: to its one score, whose sign favours class 1), in the scores' own units: raw
    /// scores, or probabilities for [`Link::Identity`].
    pub fn explain(&self, x: &[f64], class: usize) -> Explanation {
        let score = class.min(self.n_scores() - 1);
        let trees = (self.trees.iter().zip(&self.tree_score))
            .filter(|&(_, &s)| s as usize == score)
            .map(|(t, _)| t);
        let start = self.base_score[score];
        let sum = Explanation::summed(class, self.n_features, start, trees, |t, c| {
            let goes_right = |i: usize, v: f64| t.goes_right(self.library, i, v);
            t.nodes.add_path_contributions(x, (1, 0), goes_right, c)
        });
        if self.average {
            sum.averaged_over(self.iterations())
        } else {
            sum
        }
    }

    pub fn n_nodes(&self) -> usize {
        self.trees.iter().map(ImportedTree::n_nodes).sum()
    }
}

impl GroupWalk for ImportedTrees {
    type Row = RankedRow;
    const NODE_BYTES: usize = ranked::NODE_BYTES;

    fn tree_sizes(&self) -> Vec<usize> {
        self.trees.iter().map(ImportedTree::n_nodes).collect()
    }

    #[inline]
    fn row(&self, x: &[f64]) -> RankedRow {
        self.packed().expect("batches walk packed trees").row(x)
    }

    #[inline]
    fn walk_group(
        &self,
        tree: usize,
        xs: &[RankedRow; GROUP],
        raw: &[&[f64]; GROUP],
        leaves: &mut [u32; GROUP],
    ) {
        let p = self.packed().expect("batches walk packed trees");
        let t = &self.trees[tree];
        *leaves = p.walk_group(tree, xs, |lane, node, feature| {
            t.goes_right(self.library, node, raw[lane][feature])
        });
    }
}

fn sigmoid_of(z: f64) -> f64 {
    1.0 / (1.0 + libm::exp(-z))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// One split on feature 0 at 0.5, with `flags`; leaves -1 (left) and +1 (right).
    fn stump(flags: u8, threshold: f64, categories: Vec<Vec<u32>>) -> ImportedTree {
        ImportedTree {
            nodes: Nodes {
                feature: vec![0, LEAF, LEAF],
                threshold: vec![threshold, 0.0, 0.0],
                child: vec![1, 0, 1],
                cover: vec![2.0, 1.0, 1.0],
                leaf_values: vec![-1.0, 1.0],
            },
            flags: vec![flags, 0, 0],
            categories,
        }
    }

    fn side(t: &ImportedTree, lib: Library, x: f64) -> &'static str {
        if t.leaf_value(lib, &[x]) < 0.0 {
            "L"
        } else {
            "R"
        }
    }

    #[test]
    fn lightgbm_missing_types_and_default_sides() {
        let lgb = Library::LightGbm;
        let nan_left = stump(DEFAULT_LEFT | (MISSING_NAN << MISSING_SHIFT), 0.5, vec![]);
        let nan_right = stump(MISSING_NAN << MISSING_SHIFT, -0.5, vec![]);
        let zero_right = stump(MISSING_ZERO << MISSING_SHIFT, 0.5, vec![]);
        let none = stump(MISSING_NONE, -0.5, vec![]);
        assert_eq!(side(&nan_left, lgb, f64::NAN), "L");
        assert_eq!(side(&nan_left, lgb, 0.5), "L", "x <= threshold goes left");
        let just_above = f64::from_bits(0.5f64.to_bits() + 1);
        assert_eq!(side(&nan_left, lgb, just_above), "R", "one f64 step above");
        assert_eq!(side(&nan_right, lgb, f64::NAN), "R");
        assert_eq!(side(&nan_right, lgb, 0.0), "R", "zero is a number here");
        // Zero as missing: 0 and NaN take the default side even though 0 <= 0.5.
        assert_eq!(side(&zero_right, lgb, 0.0), "R");
        assert_eq!(side(&zero_right, lgb, 1e-36), "R");
        assert_eq!(side(&zero_right, lgb, f64::NAN), "R");
        assert_eq!(side(&zero_right, lgb, 0.25), "L");
        // None: NaN is read as 0.
        assert_eq!(side(&none, lgb, f64::NAN), "R");
        assert_eq!(side(&none, lgb, -1.0), "L");
    }

    #[test]
    fn lightgbm_and_xgboost_categories_go_opposite_ways() {
        let t = stump(CATEGORICAL, 0.0, vec![vec![1, 4, 40]]);
        let lgb = Library::LightGbm;
        let xgb = Library::XgBoost;
        for (x, l, x_side) in [
            (4.0, "L", "R"),
            (4.9, "L", "R"),
            (5.0, "R", "L"),
            (-1.0, "R", "L"),
            (f64::NAN, "R", "R"),
            (1e12, "R", "L"),
        ] {
            assert_eq!(side(&t, lgb, x), l, "LightGBM {x}");
            assert_eq!(side(&t, xgb, x), x_side, "XGBoost {x}");
        }
        let default_left = stump(CATEGORICAL | DEFAULT_LEFT, 0.0, vec![vec![1]]);
        assert_eq!(side(&default_left, xgb, f64::NAN), "L");
    }

    #[test]
    fn xgboost_compares_in_f32_strictly() {
        let t = stump(0, 0.1f32 as f64, vec![]);
        let xgb = Library::XgBoost;
        // 0.1 rounds to the same f32 as the threshold: not below it, so right.
        assert_eq!(side(&t, xgb, 0.1), "R");
        assert_eq!(side(&t, xgb, 0.099_999_99), "L");
        assert_eq!(side(&t, xgb, f64::NAN), "R");
        let left = stump(DEFAULT_LEFT, 0.1f32 as f64, vec![]);
        assert_eq!(side(&left, xgb, f64::NAN), "L");
    }

    #[test]
    fn a_batch_decides_every_kind_of_node_as_one_row_does() {
        // Every kind of node, each as the root of a tree over one feature, thresholds that
        // are not f32s, and values on both sides of each as close as an f64 gets.
        let thresholds = [0.5, -0.5, 0.1, 0.0, 1.0 / 3.0];
        let mut kinds: Vec<(u8, f64)> = Vec::new();
        for t in thresholds {
            for default in [0, DEFAULT_LEFT] {
                for missing in [MISSING_NONE, MISSING_ZERO, MISSING_NAN] {
                    kinds.push((default | (missing << MISSING_SHIFT), t));
                }
            }
        }
        let categorical = stump(CATEGORICAL, 0.0, vec![vec![0, 1, 4]]);
        let mut rows: Vec<Vec<f64>> = Vec::new();
        for t in thresholds
            .iter()
            .chain(&[0.0, 1.0, 4.0, 4.5, 1e-36, -1e-36])
        {
            let f = *t as f32;
            for v in [
                *t,
                t.next_up(),
                t.next_down(),
                f as f64,
                f.next_up() as f64,
                f.next_down() as f64,
            ] {
                rows.push(vec![v]);
            }
        }
        rows.extend([f64::NAN, f64::INFINITY, f64::NEG_INFINITY, 1e12].map(|v| vec![v]));
        let xs: Vec<&[f64]> = rows.iter().map(Vec::as_slice).collect();
        for library in [Library::LightGbm, Library::XgBoost] {
            let mut trees: Vec<ImportedTree> = kinds
                .iter()
                .map(|&(flags, t)| stump(flags, t, vec![]))
                .collect();
            trees.push(categorical.clone());
            for (i, t) in trees.iter_mut().enumerate() {
                // Distinct leaf values, so that a wrong side changes the sum.
                t.nodes.leaf_values = vec![-1.0 / (i + 2) as f64, 1.0 / (i + 3) as f64];
            }
            let n = trees.len();
            let model = ImportedTrees {
                library,
                link: Link::Softmax,
                n_classes: 2,
                n_features: 1,
                tree_score: (0..n).map(|i| (i % 2) as u16).collect(),
                trees,
                base_score: vec![0.0, 0.25],
                average: false,
                importance: vec![1.0],
                packed: Default::default(),
            };
            let mut batch = vec![0.0f32; rows.len() * 2];
            model.predict_proba_batch(&xs, &mut batch);
            for (r, x) in rows.iter().enumerate() {
                let mut one = [0.0f32; 2];
                model.predict_proba_into(x, &mut one);
                assert_eq!(
                    [batch[2 * r].to_bits(), batch[2 * r + 1].to_bits()],
                    [one[0].to_bits(), one[1].to_bits()],
                    "{library:?} x = {:e}",
                    x[0]
                );
            }
        }
    }
}
