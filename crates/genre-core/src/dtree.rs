//! The Decision Tree row of the original comparison, trained by linfa-trees and converted into
//! the project's flat tree so that it predicts, explains and saves like every other tree model.

use linfa::prelude::*;
use linfa_trees::{DecisionTree, SplitQuality};
use ndarray::{Array1, Array2};

use crate::error::TrainError;
use crate::fitting::{classes_of, fit_through_linfa};
use crate::params::{linfa_params, Value, TREE_DEPTH};
use crate::tree::flat::{EnsembleKind, FlatTree, TreeEnsemble, LEAF};

linfa_params! {
    /// Checked decision-tree settings; only these can fit.
    valid TreeValidParams;
    /// Unchecked decision-tree settings (a builder); [`ParamGuard::check`] turns them into
    /// [`TreeValidParams`].
    params TreeParams;
    check check_tree;
    fields {
        /// `None`: no limit (scikit-learn's default).
        max_depth: Option<usize>,
    }
}

/// scikit-learn's default: no depth limit.
impl Default for TreeParams {
    fn default() -> Self {
        TreeParams(TreeValidParams { max_depth: None })
    }
}

fn check_tree(p: &TreeValidParams) -> Result<(), TrainError> {
    TREE_DEPTH.check(Value::Depth(p.max_depth))
}

// linfa's `Fit`: scikit-learn's defaults (Gini, no depth limit, one row per leaf) fitted by
// linfa-trees on the rows as `f32`, then converted. One work unit: reports `(1, 1)`.
fit_through_linfa!(TreeValidParams => TreeEnsemble, |training, dataset| {
    let records = dataset.records().mapv(|v| v as f32);
    let targets = Array1::from(classes_of(dataset));
    let tree = fit_decision_tree(
        &DatasetBase::new(records, targets),
        training.params,
        training.run.n_classes(),
    )?;
    training.run.report(1, 1);
    Ok(tree)
});

fn fit_decision_tree(
    dataset: &DatasetBase<Array2<f32>, Array1<usize>>,
    params: &TreeValidParams,
    n_classes: usize,
) -> Result<TreeEnsemble, TrainError> {
    let max_depth = params.max_depth;
    let p = dataset.records().ncols();
    let tree = DecisionTree::params()
        .split_quality(SplitQuality::Gini)
        .max_depth(max_depth)
        .min_weight_split(2.0)
        .min_weight_leaf(1.0)
        .fit(dataset)?;

    // linfa goes left when x < split; the flat tree goes left when x <= threshold, so the
    // threshold is the largest f32 below the split value.
    let mut flat = FlatTree::default();
    flat.push_placeholder();
    let mut stack = vec![(tree.root_node(), 0usize)];
    while let Some((node, slot)) = stack.pop() {
        flat.cover[slot] = 1.0;
        if let Some(class) = node.prediction() {
            flat.feature[slot] = LEAF;
            flat.child[slot] = (flat.leaf_values.len() / n_classes) as u32;
            let mut one_hot = vec![0.0f32; n_classes];
            one_hot[class] = 1.0;
            flat.leaf_values.extend(one_hot);
        } else {
            let (feature, value, _) = node.split();
            let children = node.children();
            let (Some(left), Some(right)) = (children[0].as_deref(), children[1].as_deref()) else {
                return Err(TrainError::Linfa(
                    "an internal node without two children".into(),
                ));
            };
            let l = flat.push_placeholder();
            flat.push_placeholder();
            flat.feature[slot] = feature as u8;
            flat.threshold[slot] = value.next_down();
            flat.child[slot] = l as u32;
            stack.push((right, l + 1));
            stack.push((left, l));
        }
    }
    let importance: Vec<f32> = tree.feature_importance().into_iter().collect();
    Ok(TreeEnsemble {
        kind: EnsembleKind::Forest,
        n_classes,
        n_features: p,
        trees: vec![flat.canonicalize(n_classes)],
        base_score: Vec::new(),
        importance,
        packed: Default::default(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitting::{dataset_of, quietly};
    use crate::rng::Rng;

    #[test]
    fn converted_tree_predicts_like_linfa_and_learns() {
        let mut rng = Rng::new(3);
        let x: Vec<Vec<f64>> = (0..300)
            .map(|_| vec![(rng.unit() * 100.0).round() / 100.0, rng.unit()])
            .collect();
        let y: Vec<usize> = x.iter().map(|r| usize::from(r[0] > 0.42)).collect();
        let params = TreeParams::default().check().unwrap();
        let model = quietly(&params, 2, |t| t.fit(&dataset_of(&x, &y))).unwrap();
        let mut p = [0.0f32; 2];
        for (r, &c) in x.iter().zip(&y) {
            model.predict_proba_into(r, &mut p);
            assert_eq!(p[c], 1.0, "row {r:?}");
        }
        assert!(model.importance[0] > 0.99);
    }
}
