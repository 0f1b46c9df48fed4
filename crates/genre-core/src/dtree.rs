//! The Decision Tree row of the original comparison: one CART tree over the binned columns, grown
//! by the forest's grower, so that it predicts, explains and saves like every other tree model.

use crate::error::TrainError;
use crate::fitting::fit_through_linfa;
use crate::params::{linfa_params, Value, TREE_DEPTH};
use crate::tree::flat::TreeEnsemble;
use crate::tree::forest::{fit_forest, ForestValidParams};

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

// linfa's `Fit`: scikit-learn's defaults (Gini, no depth limit, one row per leaf) on the binned
// columns, grown by the forest's grower with no bootstrap and every feature at every split. The
// grower keeps its own stack (no recursion a deep tree could overflow: wasm's stack is 1 MB)
// and sums classes in a fixed order, so the same rows always give the same bytes. One work
// unit: reports `(1, 1)`.
fit_through_linfa!(TreeValidParams => TreeEnsemble, |training, dataset| {
    let tree = ForestValidParams::single_tree(training.params.max_depth);
    fit_forest(&tree, 0..1, &training.run, dataset)
});

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitting::{dataset_of, quietly};
    use crate::rng::Rng;
    use crate::tree::flat::LEAF;
    use linfa::prelude::*;

    #[test]
    fn grows_pure_leaves_and_finds_the_feature_that_matters() {
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

    /// The deepest leaf of the tree's first tree.
    fn depth(model: &TreeEnsemble) -> usize {
        let tree = &model.trees[0];
        let mut deepest = 0;
        let mut stack = vec![(0usize, 0usize)];
        while let Some((node, d)) = stack.pop() {
            deepest = deepest.max(d);
            if tree.feature[node] != LEAF {
                let l = tree.child[node] as usize;
                stack.extend([(l, d + 1), (l + 1, d + 1)]);
            }
        }
        deepest
    }

    /// Noise labels grow a deep, bushy tree; the grower keeps its own stack, so even a thread
    /// with a 256 KB stack (a quarter of wasm's) fits it, and twice gives the same tree.
    #[test]
    fn a_deep_tree_fits_on_a_small_stack_and_twice_the_same() {
        let fit = || {
            let mut rng = Rng::new(11);
            let x: Vec<Vec<f64>> = (0..20_000)
                .map(|_| (0..9).map(|_| rng.unit()).collect())
                .collect();
            let y: Vec<usize> = (0..x.len()).map(|_| rng.below(15)).collect();
            let params = TreeParams::default().check().unwrap();
            quietly(&params, 15, |t| t.fit(&dataset_of(&x, &y))).unwrap()
        };
        let first = std::thread::Builder::new()
            .stack_size(256 * 1024)
            .spawn(fit)
            .unwrap()
            .join()
            .expect("fits on a 256 KB stack");
        assert!(depth(&first) >= 20, "a deep tree: depth {}", depth(&first));
        assert_eq!(first, fit());
    }

    /// linfa-trees' CART (Gini, no depth limit) as the reference: on held-out rows of a noisy
    /// non-linear problem our tree over bins is at least as accurate, less a point.
    #[test]
    fn as_accurate_as_linfa_trees_on_held_out_rows() {
        use linfa_trees::{DecisionTree, SplitQuality};
        use ndarray::{Array1, Array2};
        let mut rng = Rng::new(5);
        let rows: Vec<Vec<f64>> = (0..4000)
            .map(|_| (0..5).map(|_| rng.unit()).collect())
            .collect();
        let label = |r: &[f64], noise: f64| {
            let s = (r[0] * 6.0).sin() + r[1] * r[2] * 2.0 - r[3];
            let c = if s > 0.6 {
                2
            } else if s > -0.2 {
                1
            } else {
                0
            };
            if noise < 0.1 {
                (c + 1) % 3
            } else {
                c
            }
        };
        let y: Vec<usize> = rows.iter().map(|r| label(r, rng.unit())).collect();
        let (train_x, test_x) = rows.split_at(3000);
        let (train_y, test_y) = y.split_at(3000);
        let params = TreeParams::default().check().unwrap();
        let ours = quietly(&params, 3, |t| t.fit(&dataset_of(train_x, train_y))).unwrap();
        let mut p = [0.0f32; 3];
        let ours_right = test_x
            .iter()
            .zip(test_y)
            .filter(|(r, &c)| {
                ours.predict_proba_into(r, &mut p);
                let best = (0..3).max_by(|&a, &b| p[a].total_cmp(&p[b])).unwrap();
                best == c
            })
            .count();
        let records = Array2::from_shape_fn((3000, 5), |(i, j)| train_x[i][j] as f32);
        let theirs = DecisionTree::params()
            .split_quality(SplitQuality::Gini)
            .fit(&linfa::DatasetBase::new(
                records,
                Array1::from(train_y.to_vec()),
            ))
            .unwrap();
        let test = Array2::from_shape_fn((1000, 5), |(i, j)| test_x[i][j] as f32);
        let predicted = theirs.predict(&test);
        let theirs_right = predicted.iter().zip(test_y).filter(|(a, b)| a == b).count();
        assert!(
            ours_right + 10 >= theirs_right,
            "ours {ours_right} / 1000, linfa-trees {theirs_right} / 1000"
        );
    }
}
