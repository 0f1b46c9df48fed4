//! Our tree models as LightGBM text models that LightGBM's own `Booster(model_file=…)` loads
//! and predicts on raw rows, with our preprocessing folded into the trees:
//! - **Missing values.** We impute the training median `m` (then cap it): at a split on `x <= t`
//!   a missing value goes left exactly when `clamp(m) <= t`, so every split gets LightGBM's NaN
//!   missing type with that default side.
//! - **Capping.** We clamp `x` to `[lo, hi]` before the trees. A split with `t >= hi` then always
//!   goes left and one with `t < lo` always right: the split is replaced by that child. Any
//!   other threshold decides the same on `x` as on `clamp(x)`, so it is kept as it is.
//!
//! Gradient-boosted trees are written as `multiclass` (softmax) with our base scores added to
//! the first round's leaves (LightGBM has no base score in its file; its own `boost_from_average`
//! does the same). A forest is written in random-forest mode (`average_output`) without an
//! objective: one LightGBM tree per class per tree of ours, whose averaged leaf values are our
//! class probabilities, which is what `Booster.predict` then returns. Subtrees whose leaves all
//! hold the same value become one leaf.

use std::fmt::Write as _;

use crate::error::ExportError;
use crate::model::{Estimator, TrainedModel};
use crate::tree::flat::{EnsembleKind, FlatTree, LEAF};

/// A tree being written: our tree with the preprocessing folded in.
enum Node {
    Leaf {
        value: f64,
        cover: f64,
    },
    Split {
        feature: usize,
        threshold: f64,
        default_left: bool,
        cover: f64,
        left: Box<Node>,
        right: Box<Node>,
    },
}

struct Folder<'a> {
    medians: &'a [f64],
    caps: Option<&'a [(f64, f64)]>,
}

impl Folder<'_> {
    /// Node `i` of `t` for score `k` (leaf value `k` of `stride`), plus `bias` at the leaves.
    fn fold(&self, t: &FlatTree, i: usize, stride: usize, k: usize, bias: f64) -> Node {
        let c = t.child[i] as usize;
        if t.feature[i] == LEAF {
            return Node::Leaf {
                value: t.leaf_values[c * stride + k] as f64 + bias,
                cover: t.cover[i] as f64,
            };
        }
        let j = t.feature[i] as usize;
        let threshold = t.threshold[i] as f64;
        let mut missing = self.medians[j];
        if let Some(caps) = self.caps {
            let (lo, hi) = caps[j];
            if threshold >= hi {
                return self.fold(t, c, stride, k, bias);
            }
            if threshold < lo {
                return self.fold(t, c + 1, stride, k, bias);
            }
            missing = missing.clamp(lo, hi);
        }
        let left = self.fold(t, c, stride, k, bias);
        let right = self.fold(t, c + 1, stride, k, bias);
        let cover = t.cover[i] as f64;
        if let (Node::Leaf { value: a, .. }, Node::Leaf { value: b, .. }) = (&left, &right) {
            if a.to_bits() == b.to_bits() {
                return Node::Leaf { value: *a, cover };
            }
        }
        Node::Split {
            feature: j,
            threshold,
            default_left: missing <= threshold,
            cover,
            left: Box::new(left),
            right: Box::new(right),
        }
    }
}

/// LightGBM's arrays of one tree.
#[derive(Default)]
struct Arrays {
    split_feature: Vec<usize>,
    threshold: Vec<f64>,
    decision_type: Vec<u8>,
    left: Vec<i64>,
    right: Vec<i64>,
    internal_weight: Vec<f64>,
    leaf_value: Vec<f64>,
    leaf_weight: Vec<f64>,
}

impl Arrays {
    /// Internal nodes numbered in pre-order, leaves in the order met; a leaf child is `!leaf`.
    fn add(&mut self, node: &Node) -> i64 {
        match node {
            Node::Leaf { value, cover } => {
                self.leaf_value.push(*value);
                self.leaf_weight.push(*cover);
                !(self.leaf_value.len() as i64 - 1)
            }
            Node::Split {
                feature,
                threshold,
                default_left,
                cover,
                left,
                right,
            } => {
                let id = self.split_feature.len();
                self.split_feature.push(*feature);
                self.threshold.push(*threshold);
                // Missing type NaN (2 << 2), plus the default-left bit.
                self.decision_type
                    .push(8 | if *default_left { 2 } else { 0 });
                self.internal_weight.push(*cover);
                self.left.push(0);
                self.right.push(0);
                let l = self.add(left);
                let r = self.add(right);
                self.left[id] = l;
                self.right[id] = r;
                id as i64
            }
        }
    }
}

fn join<T>(values: &[T], f: impl Fn(&T) -> String) -> String {
    values.iter().map(f).collect::<Vec<_>>().join(" ")
}

/// `{:?}` writes the shortest text that reads back to the same `f64`.
fn num(v: &f64) -> String {
    format!("{v:?}")
}

fn write_tree(out: &mut String, index: usize, root: &Node) {
    let mut a = Arrays::default();
    a.add(root);
    let _ = writeln!(out, "Tree={index}");
    let _ = writeln!(out, "num_leaves={}", a.leaf_value.len());
    let _ = writeln!(out, "num_cat=0");
    if !a.split_feature.is_empty() {
        let _ = writeln!(
            out,
            "split_feature={}",
            join(&a.split_feature, usize::to_string)
        );
        let _ = writeln!(
            out,
            "split_gain={}",
            join(&a.split_feature, |_| "0".to_string())
        );
        let _ = writeln!(out, "threshold={}", join(&a.threshold, num));
        let _ = writeln!(
            out,
            "decision_type={}",
            join(&a.decision_type, u8::to_string)
        );
        let _ = writeln!(out, "left_child={}", join(&a.left, i64::to_string));
        let _ = writeln!(out, "right_child={}", join(&a.right, i64::to_string));
    }
    let _ = writeln!(out, "leaf_value={}", join(&a.leaf_value, num));
    let _ = writeln!(out, "leaf_weight={}", join(&a.leaf_weight, num));
    let _ = writeln!(
        out,
        "leaf_count={}",
        join(&a.leaf_weight, |w| (w.round() as i64).to_string())
    );
    if !a.split_feature.is_empty() {
        let _ = writeln!(
            out,
            "internal_value={}",
            join(&a.internal_weight, |_| "0".to_string())
        );
        let _ = writeln!(out, "internal_weight={}", join(&a.internal_weight, num));
        let _ = writeln!(
            out,
            "internal_count={}",
            join(&a.internal_weight, |w| (w.round() as i64).to_string())
        );
    }
    let _ = writeln!(out, "is_linear=0");
    let _ = writeln!(out, "shrinkage=1");
    out.push_str("\n\n");
}

/// Writes a tree model as a LightGBM text model (see the module docs).
pub fn to_lightgbm(model: &TrainedModel) -> Result<String, ExportError> {
    let ensemble = match &model.estimator {
        Estimator::Trees(t) => t,
        _ => {
            return Err(ExportError::NotTrees {
                kind: model.meta.kind.label(),
            })
        }
    };
    let pre = &model.preprocessor;
    if pre.scaling.is_some() {
        return Err(ExportError::Scaled);
    }
    let folder = Folder {
        medians: &pre.medians,
        caps: pre.caps.as_deref(),
    };
    let k = ensemble.n_classes;
    let stride = ensemble.stride();
    let mut roots: Vec<Node> = Vec::new();
    match ensemble.kind {
        EnsembleKind::Boosted => {
            for (t, tree) in ensemble.trees.iter().enumerate() {
                let bias = if t < k {
                    ensemble.base_score[t] as f64
                } else {
                    0.0
                };
                roots.push(folder.fold(tree, 0, stride, 0, bias));
            }
            // Not even one round: constant trees holding the base scores.
            for c in roots.len()..k {
                roots.push(Node::Leaf {
                    value: ensemble.base_score[c] as f64,
                    cover: 0.0,
                });
            }
        }
        EnsembleKind::Forest => {
            for tree in &ensemble.trees {
                for c in 0..k {
                    roots.push(folder.fold(tree, 0, stride, c, 0.0));
                }
            }
        }
    }
    let names = pre.features.names();
    let mut out = String::new();
    out.push_str("tree\nversion=v4\n");
    let _ = writeln!(out, "num_class={k}");
    let _ = writeln!(out, "num_tree_per_iteration={k}");
    out.push_str("label_index=0\n");
    let _ = writeln!(out, "max_feature_idx={}", names.len() - 1);
    match ensemble.kind {
        EnsembleKind::Boosted => {
            let _ = writeln!(out, "objective=multiclass num_class:{k}");
        }
        EnsembleKind::Forest => out.push_str("average_output\n"),
    }
    let _ = writeln!(out, "feature_names={}", names.join(" "));
    let _ = writeln!(
        out,
        "feature_infos={}",
        join(&pre.ranges, |(lo, hi)| format!("[{lo:?}:{hi:?}]"))
    );
    out.push('\n');
    for (i, root) in roots.iter().enumerate() {
        write_tree(&mut out, i, root);
    }
    out.push_str("end of trees\n\n");
    out.push_str("feature_importances:\n");
    let importance = &ensemble.importance;
    let mut order: Vec<usize> = (0..names.len()).collect();
    order.sort_by(|&a, &b| importance[b].total_cmp(&importance[a]));
    for j in order.into_iter().filter(|&j| importance[j] > 0.0) {
        let _ = writeln!(out, "{}={}", names[j], importance[j]);
    }
    let _ = writeln!(
        out,
        "\nparameters:\n[boosting: {}]\n[objective: {}]\n[num_class: {k}]\nend of parameters\n",
        match ensemble.kind {
            EnsembleKind::Boosted => "gbdt",
            EnsembleKind::Forest => "rf",
        },
        match ensemble.kind {
            EnsembleKind::Boosted => "multiclass",
            EnsembleKind::Forest => "custom",
        }
    );
    out.push_str("pandas_categorical:null\n");
    Ok(out)
}
