//! The predictor's packed copy of an ensemble, ours or imported: every tree's nodes in one
//! array of 8-byte nodes that compare ranks, not values.
//!
//! A plain node's threshold is stored as its rank among all the thresholds on its feature
//! ([`Ranked::cuts`]), and a row is ranked once ([`Ranked::row`]), so each step of a walk is one
//! integer comparison. A row holds each rank twice, differing only where its value is missing:
//! a node reads the copy that sends NaN its way. Nodes no rank can decide (categorical splits,
//! LightGBM's zero-as-missing) are marked, and their tree's walk asks the caller. A leaf reads a
//! rank no row has (the last slot, which no feature uses) and leads to itself, so a walk takes
//! its tree's depth in steps with no test for having arrived; its own rank field holds its leaf
//! number, so the walk ends with the answer in the node it already holds.
//!
//! Our own trainers bin every feature into at most 255 bins, so our models have at most 255
//! thresholds a feature; imported models with more than [`NAN_RANK`] have no packed copy.

use super::batch::{walk_lanes, GROUP};

/// One more than the most features a packed ensemble reads: a row is then a fixed array, and
/// its last slot (feature 15's NaN-left copy) is always 0, for the leaves.
pub(crate) const PACKED_FEATURES: usize = 16;

/// The slot a leaf reads: never above any rank, so a leaf always "goes left" to itself.
const ZERO_SLOT: u8 = 2 * PACKED_FEATURES as u8 - 1;

/// Bytes of one packed node, what the batch walk sizes its blocks of trees by.
pub(crate) const NODE_BYTES: usize = std::mem::size_of::<RankNode>();

/// A missing value's rank where NaN goes right: above every threshold's, below a leaf's.
const NAN_RANK: u16 = u16::MAX - 1;

/// How a value compares with a threshold: where the row's rank puts it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RankRule {
    /// Right when `x > threshold` in `f64` (LightGBM, and ours).
    Above,
    /// Right when `x as f32 >= threshold as f32` (XGBoost).
    F32AtOrAbove,
}

/// What a node of a tree does, as the packed copy is built from it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) enum Split {
    /// Its number among the tree's leaves (what the walk answers).
    Leaf { number: u32 },
    /// Decided by the rank of `feature`'s value; `left` is the left child in the tree.
    Plain {
        feature: u8,
        threshold: f64,
        nan_right: bool,
        left: u32,
    },
    /// Decided by the caller (categorical, zero-as-missing).
    General { feature: u8, left: u32 },
}

#[derive(Debug, Clone, Copy)]
struct RankNode {
    /// Internal node: its threshold's rank. Leaf: its leaf number (as much as fits).
    rank: u16,
    /// The rank a node reads: its feature, plus [`PACKED_FEATURES`] if NaN goes left.
    slot: u8,
    general: bool,
    /// Internal node: the left child's index in the packed array. Leaf: its own index.
    next: u32,
}

/// A row as a walk reads it: its ranks for the nodes that send NaN right (`ranks[f]`: a NaN's
/// is [`NAN_RANK`]) and for those that send it left (`ranks[PACKED_FEATURES + f]`: 0).
#[derive(Debug, Clone, Copy)]
pub(crate) struct RankedRow {
    ranks: [u16; 2 * PACKED_FEATURES],
}

impl Default for RankedRow {
    fn default() -> Self {
        RankedRow {
            ranks: [0; 2 * PACKED_FEATURES],
        }
    }
}

#[derive(Debug, Clone)]
pub struct Ranked {
    rule: RankRule,
    nodes: Vec<RankNode>,
    roots: Vec<u32>,
    depths: Vec<u16>,
    /// Whether a tree has a node the caller decides: the others walk with no branch for it.
    general: Vec<bool>,
    /// Each feature's thresholds, sorted and distinct: what the ranks index.
    cuts: Vec<Vec<f64>>,
    /// The leaf numbers of a tree with more leaves than a rank field holds (a fully grown
    /// forest on a million rows), by node from its root; empty for every other tree.
    wide_leaves: Vec<Vec<u32>>,
}

impl Ranked {
    /// The packed copy of trees of `depths`, whose nodes `splits(tree)` gives in the tree's
    /// own numbering (read twice, and never all held at once: a big forest has millions of
    /// nodes); `None` when it cannot have one (too many features, nodes or thresholds).
    pub(crate) fn build<I: Iterator<Item = Split>>(
        rule: RankRule,
        n_features: usize,
        depths: Vec<u16>,
        splits: impl Fn(usize) -> I,
    ) -> Option<Ranked> {
        if n_features >= PACKED_FEATURES {
            return None;
        }
        let mut cuts = vec![Vec::new(); n_features];
        let mut total = 0usize;
        for t in 0..depths.len() {
            for split in splits(t) {
                total += 1;
                if let Split::Plain {
                    feature, threshold, ..
                } = split
                {
                    cuts[feature as usize].push(threshold);
                }
            }
        }
        if total >= u32::MAX as usize {
            return None;
        }
        for c in &mut cuts {
            c.sort_by(f64::total_cmp);
            // -0 and 0 are one threshold: they order every value alike.
            c.dedup_by(|a, b| a == b);
            if c.len() >= NAN_RANK as usize {
                return None;
            }
        }
        let n_trees = depths.len();
        let mut r = Ranked {
            rule,
            nodes: Vec::with_capacity(total),
            roots: Vec::with_capacity(n_trees),
            depths,
            general: Vec::with_capacity(n_trees),
            cuts,
            wide_leaves: Vec::with_capacity(n_trees),
        };
        for t in 0..n_trees {
            let base = r.nodes.len() as u32;
            r.roots.push(base);
            let mut general = false;
            let mut wide = Vec::new();
            for (i, split) in splits(t).enumerate() {
                general |= matches!(split, Split::General { .. });
                if let Split::Leaf { number } = split {
                    if number > u16::MAX as u32 && wide.is_empty() {
                        // Every leaf's number, from the first node on.
                        wide = splits(t)
                            .map(|s| match s {
                                Split::Leaf { number } => number,
                                _ => 0,
                            })
                            .collect();
                    }
                }
                let node = r.pack(split, base, i as u32);
                r.nodes.push(node);
            }
            r.general.push(general);
            r.wide_leaves.push(wide);
        }
        Some(r)
    }

    fn pack(&self, split: Split, base: u32, i: u32) -> RankNode {
        match split {
            Split::Leaf { number } => RankNode {
                rank: number as u16,
                slot: ZERO_SLOT,
                general: false,
                next: base + i,
            },
            Split::General { feature, left } => RankNode {
                rank: 0,
                slot: feature,
                general: true,
                next: base + left,
            },
            Split::Plain {
                feature,
                threshold,
                nan_right,
                left,
            } => {
                let cuts = &self.cuts[feature as usize];
                RankNode {
                    rank: cuts.partition_point(|&c| c < threshold) as u16,
                    slot: if nan_right {
                        feature
                    } else {
                        feature + PACKED_FEATURES as u8
                    },
                    general: false,
                    next: base + left,
                }
            }
        }
    }

    /// `x` ranked: threshold j of a feature is passed (the node goes right) exactly when the
    /// value's rank is above j.
    pub(crate) fn row(&self, x: &[f64]) -> RankedRow {
        let mut row = RankedRow::default();
        for (f, (&v, cuts)) in x.iter().zip(&self.cuts).enumerate() {
            if v.is_nan() {
                row.ranks[f] = NAN_RANK;
                continue;
            }
            let rank = match self.rule {
                RankRule::Above => cuts.partition_point(|&c| c < v),
                RankRule::F32AtOrAbove => {
                    let v = v as f32 as f64;
                    cuts.partition_point(|&c| c <= v)
                }
            } as u16;
            row.ranks[f] = rank;
            row.ranks[PACKED_FEATURES + f] = rank;
        }
        row
    }

    #[inline]
    fn by_rank(n: RankNode, x: &RankedRow) -> bool {
        x.ranks[n.slot as usize % (2 * PACKED_FEATURES)] > n.rank
    }

    /// The leaves (their numbers) that the rows `xs` reach in `tree`; `general(lane, node,
    /// feature)` decides the nodes ranks cannot (`node` numbered in its tree).
    #[inline]
    pub(crate) fn walk_group(
        &self,
        tree: usize,
        xs: &[RankedRow; GROUP],
        general: impl Fn(usize, usize, usize) -> bool,
    ) -> [u32; GROUP] {
        let root = self.roots[tree] as usize;
        let idx = if self.general[tree] {
            walk_lanes(root, self.depths[tree], |lane, i| {
                let n = self.nodes[i];
                let right = match n.general {
                    true => general(lane, i - root, n.slot as usize),
                    false => Self::by_rank(n, &xs[lane]),
                };
                n.next as usize + right as usize
            })
        } else {
            walk_lanes(root, self.depths[tree], |lane, i| {
                let n = self.nodes[i];
                n.next as usize + Self::by_rank(n, &xs[lane]) as usize
            })
        };
        idx.map(|i| self.leaf_number(tree, root, i))
    }

    #[inline]
    fn leaf_number(&self, tree: usize, root: usize, node: usize) -> u32 {
        match self.wide_leaves[tree].as_slice() {
            [] => self.nodes[node].rank as u32,
            numbers => numbers[node - root],
        }
    }

    /// The leaf (its number) that one ranked row reaches in `tree`, for a tree with no node the
    /// caller decides.
    #[inline]
    pub(crate) fn walk_plain(&self, tree: usize, x: &RankedRow) -> u32 {
        let root = self.roots[tree] as usize;
        let mut i = root;
        for _ in 0..self.depths[tree] {
            let n = self.nodes[i];
            i = n.next as usize + Self::by_rank(n, x) as usize;
        }
        self.leaf_number(tree, root, i)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `n` stumps on feature 0, tree `t` split at `t`; NaN goes right in the odd ones.
    fn stumps(n: usize) -> Option<Ranked> {
        let depths = vec![1; n];
        Ranked::build(RankRule::Above, 1, depths, |t| {
            [
                Split::Plain {
                    feature: 0,
                    threshold: t as f64,
                    nan_right: t % 2 == 1,
                    left: 1,
                },
                Split::Leaf { number: 0 },
                Split::Leaf { number: 1 },
            ]
            .into_iter()
        })
    }

    #[test]
    fn ranks_send_values_and_nan_the_way_the_thresholds_do() {
        let r = stumps(6).expect("packs");
        let group = |v: f64| {
            let row = r.row(&[v]);
            (0..6).map(|t| r.walk_plain(t, &row)).collect::<Vec<_>>()
        };
        // Leaf 0 is the left one, 1 the right one: right when v > t.
        assert_eq!(group(2.0), vec![1, 1, 0, 0, 0, 0]);
        assert_eq!(group(2.5), vec![1, 1, 1, 0, 0, 0]);
        assert_eq!(group(-1.0), vec![0; 6]);
        assert_eq!(group(f64::NAN), vec![0, 1, 0, 1, 0, 1]);
        let rows = [r.row(&[2.5]); GROUP];
        assert_eq!(r.walk_group(2, &rows, |_, _, _| unreachable!()), [1; GROUP]);
    }

    #[test]
    fn leaf_numbers_beyond_a_rank_field_come_whole() {
        let r = Ranked::build(RankRule::Above, 1, vec![1, 1], |t| {
            [
                Split::Plain {
                    feature: 0,
                    threshold: 0.5,
                    nan_right: false,
                    left: 1,
                },
                Split::Leaf { number: 3 },
                Split::Leaf {
                    number: 70_000 + t as u32,
                },
            ]
            .into_iter()
        })
        .expect("packs");
        let (low, high) = (r.row(&[0.0]), r.row(&[1.0]));
        assert_eq!([r.walk_plain(0, &low), r.walk_plain(0, &high)], [3, 70_000]);
        assert_eq!([r.walk_plain(1, &low), r.walk_plain(1, &high)], [3, 70_001]);
        assert_eq!(
            r.walk_group(1, &[high; GROUP], |_, _, _| false),
            [70_001; GROUP]
        );
    }

    #[test]
    fn the_last_feature_slot_is_the_leaves_own() {
        let build = |n| {
            Ranked::build(RankRule::Above, n, vec![0], |_| {
                [Split::Leaf { number: 0 }].into_iter()
            })
        };
        assert!(build(PACKED_FEATURES - 1).is_some());
        assert!(build(PACKED_FEATURES).is_none());
    }

    #[test]
    fn a_feature_with_more_thresholds_than_ranks_has_no_packed_copy() {
        assert!(stumps(NAN_RANK as usize - 1).is_some());
        assert!(stumps(NAN_RANK as usize).is_none());
    }
}
