//! A forest's probabilities put together from the leaves its trees reach, share by share.
//!
//! A web worker that grew some of a forest's trees also walks them on the holdout rows and
//! keeps only which leaf each row reached ([`ShareLeaves`]). The worker that merges the shares
//! then adds the leaf values up ([`forest_probabilities`]) without walking a tree again, so the
//! scoring of the holdout is spread over the workers instead of done by one after all the
//! shares. Each row's values are added in the trees' order from zero and then scaled by
//! `1 / trees`, the additions [`TreeEnsemble::predict_proba_batch`] makes: the same numbers,
//! bit for bit (tested below).

use serde::{Deserialize, Serialize};

use super::batch::visit_leaves;
use super::flat::{EnsembleKind, FlatTree, TreeEnsemble};

/// Rows added up one block at a time: a block's sums (15 genres: 15 KB) stay in the nearest
/// cache while each tree's leaf values go by.
const ROW_BLOCK: usize = 256;

/// The leaf numbers, `trees × rows`, tree by tree: two bytes each when every tree has at most
/// 65,536 leaves (a forest of depth ≤ 16 always), four otherwise.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
enum LeafNumbers {
    Narrow(Vec<u16>),
    Wide(Vec<u32>),
}

/// Which leaf each of `rows` rows reaches in each tree of a share of a forest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ShareLeaves {
    rows: usize,
    trees: usize,
    leaves: LeafNumbers,
}

/// Why leaves cannot be added up: they do not belong to the merged forest.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LeavesMismatch {
    #[error("the shares' leaves cover {found} trees, the merged forest has {trees}")]
    Trees { found: usize, trees: usize },
    #[error("a share's leaves cover {found} rows, the holdout has {rows}")]
    Rows { found: usize, rows: usize },
    #[error("tree {tree} has no leaf {leaf}")]
    NoSuchLeaf { tree: usize, leaf: usize },
    #[error("the merged trees are boosted trees, not a forest")]
    NotAForest,
}

impl ShareLeaves {
    /// The leaves `rows` (preprocessed, as the trees read them) reach in each tree of `share`.
    pub fn of(share: &TreeEnsemble, rows: &[&[f64]]) -> ShareLeaves {
        let (n, trees) = (rows.len(), share.trees.len());
        let wide = share.trees.iter().any(|t| leaf_count(t, share) > 1 << 16);
        let mut numbers = vec![0u32; n * trees];
        // The batch walk reads the packed copy (built here when the trees can be packed);
        // otherwise each row walks the trees' own arrays.
        if share.packed().is_some() {
            visit_leaves(share, rows, |r, t, leaf| numbers[t * n + r] = leaf as u32);
        } else {
            for (t, tree) in share.trees.iter().enumerate() {
                for (r, x) in rows.iter().enumerate() {
                    numbers[t * n + r] = tree.leaf(x);
                }
            }
        }
        let leaves = if wide {
            LeafNumbers::Wide(numbers)
        } else {
            LeafNumbers::Narrow(numbers.into_iter().map(|l| l as u16).collect())
        };
        ShareLeaves {
            rows: n,
            trees,
            leaves,
        }
    }

    fn leaf(&self, i: usize) -> usize {
        match &self.leaves {
            LeafNumbers::Narrow(v) => v[i] as usize,
            LeafNumbers::Wide(v) => v[i] as usize,
        }
    }
}

fn leaf_count(tree: &FlatTree, forest: &TreeEnsemble) -> usize {
    tree.leaf_values.len() / forest.n_classes.max(1)
}

/// The class probabilities (`n_classes` a row) the merged `forest` gives the rows whose leaves
/// `shares` hold (in share order, together its trees in order): what
/// [`TreeEnsemble::predict_proba_batch`] gives those rows, bit for bit.
pub fn forest_probabilities(
    forest: &TreeEnsemble,
    shares: &[ShareLeaves],
) -> Result<Vec<f32>, LeavesMismatch> {
    if forest.kind != EnsembleKind::Forest {
        return Err(LeavesMismatch::NotAForest);
    }
    let found: usize = shares.iter().map(|s| s.trees).sum();
    if found != forest.trees.len() {
        return Err(LeavesMismatch::Trees {
            found,
            trees: forest.trees.len(),
        });
    }
    let rows = shares.first().map_or(0, |s| s.rows);
    if let Some(s) = shares.iter().find(|s| s.rows != rows) {
        return Err(LeavesMismatch::Rows {
            found: s.rows,
            rows,
        });
    }
    let k = forest.n_classes;
    // Each leaf number is checked once, before any addition.
    let mut first_tree = 0;
    for share in shares {
        for t in 0..share.trees {
            let tree = &forest.trees[first_tree + t];
            let count = leaf_count(tree, forest);
            if let Some(leaf) = (0..rows)
                .map(|r| share.leaf(t * rows + r))
                .find(|&l| l >= count)
            {
                return Err(LeavesMismatch::NoSuchLeaf {
                    tree: first_tree + t,
                    leaf,
                });
            }
        }
        first_tree += share.trees;
    }
    let mut sums = vec![0.0f32; rows * k];
    for start in (0..rows).step_by(ROW_BLOCK) {
        let end = (start + ROW_BLOCK).min(rows);
        let block = &mut sums[start * k..end * k];
        let mut tree = 0;
        for share in shares {
            for t in 0..share.trees {
                let values = &forest.trees[tree].leaf_values;
                for (r, out) in (start..end).zip(block.chunks_exact_mut(k)) {
                    let leaf = share.leaf(t * rows + r);
                    for (o, v) in out.iter_mut().zip(&values[leaf * k..(leaf + 1) * k]) {
                        *o += v;
                    }
                }
                tree += 1;
            }
        }
    }
    // The forest's mean, as `TreeEnsemble::predict_proba_into` takes it.
    let inv = 1.0 / forest.trees.len().max(1) as f32;
    sums.iter_mut().for_each(|s| *s *= inv);
    Ok(sums)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fitting::{dataset_of, quietly};
    use crate::rng::Rng;
    use crate::tree::forest::{merge_forests, ForestParams};
    use linfa::prelude::*;

    /// Four classes from two informative features and one of noise.
    fn rows(n: usize, seed: u64) -> (Vec<Vec<f64>>, Vec<usize>) {
        let mut rng = Rng::new(seed);
        (0..n)
            .map(|_| {
                let (a, b) = (rng.unit(), rng.unit());
                let class = usize::from(a > 0.5) * 2 + usize::from(b + 0.1 * rng.normal() > 0.4);
                (vec![a, b, rng.unit()], class)
            })
            .unzip()
    }

    #[test]
    fn shares_leaves_add_up_to_the_merged_forests_probabilities_bit_for_bit() {
        let (x, y) = rows(800, 1);
        let ds = dataset_of(&x, &y);
        let params = ForestParams::default().n_trees(13).check().unwrap();
        let (test, _) = rows(300, 2);
        let test: Vec<&[f64]> = test.iter().map(Vec::as_slice).collect();
        let mut expected = vec![0.0f32; test.len() * 4];
        let whole = quietly(&params, 4, |t| t.fit(&ds)).unwrap();
        whole.predict_proba_batch(&test, &mut expected);
        for cuts in [vec![0, 13], vec![0, 5, 13], vec![0, 1, 7, 12, 13]] {
            let parts: Vec<TreeEnsemble> = cuts
                .windows(2)
                .map(|w| quietly(&params.share(w[0]..w[1]), 4, |t| t.fit(&ds)).unwrap())
                .collect();
            let leaves: Vec<ShareLeaves> =
                parts.iter().map(|p| ShareLeaves::of(p, &test)).collect();
            let merged = merge_forests(parts).unwrap();
            let got = forest_probabilities(&merged, &leaves).unwrap();
            let same = got
                .iter()
                .zip(&expected)
                .all(|(a, b)| a.to_bits() == b.to_bits());
            assert!(same, "cuts {cuts:?}");
        }
    }

    #[test]
    fn leaves_of_another_forest_or_holdout_are_refused() {
        let (x, y) = rows(300, 3);
        let ds = dataset_of(&x, &y);
        let params = ForestParams::default().n_trees(4).check().unwrap();
        let (test, _) = rows(50, 4);
        let test: Vec<&[f64]> = test.iter().map(Vec::as_slice).collect();
        let a = quietly(&params.share(0..2), 4, |t| t.fit(&ds)).unwrap();
        let b = quietly(&params.share(2..4), 4, |t| t.fit(&ds)).unwrap();
        let la = ShareLeaves::of(&a, &test);
        let lb_short = ShareLeaves::of(&b, &test[..10]);
        let merged = merge_forests(vec![a.clone(), b]).unwrap();
        assert_eq!(
            forest_probabilities(&merged, std::slice::from_ref(&la)),
            Err(LeavesMismatch::Trees { found: 2, trees: 4 })
        );
        assert_eq!(
            forest_probabilities(&merged, &[la.clone(), lb_short]),
            Err(LeavesMismatch::Rows {
                found: 10,
                rows: 50
            })
        );
        // Leaf numbers from bigger trees than the merged forest's.
        let tiny = ForestParams::default()
            .n_trees(4)
            .max_depth(Some(1))
            .check()
            .unwrap();
        let small = quietly(&tiny, 4, |t| t.fit(&ds)).unwrap();
        let deep = ShareLeaves::of(&merged, &test);
        assert!(matches!(
            forest_probabilities(&small, &[deep]),
            Err(LeavesMismatch::NoSuchLeaf { .. })
        ));
    }
}
