//! The predictor's packed copy of an ensemble, ours or imported: every tree's nodes in one
//! array of 8-byte nodes that compare ranks, not values.
//!
//! A plain node's threshold is stored as its rank among all the thresholds on its feature
//! ([`Ranked::cuts`]), and a row is ranked once ([`Ranked::row`]), so each step of a walk is one
//! integer comparison. A row holds each rank twice, differing only where its value is missing:
//! a node reads the copy that sends NaN its way. Nodes no rank can decide (categorical splits,
//! LightGBM's zero-as-missing) are marked, and their tree's walk asks the caller. A leaf's rank
//! is above any row's and it leads to itself, so a walk takes its tree's depth in steps with no
//! test for having arrived.
//!
//! Our own trainers bin every feature into at most 255 bins, so our models have at most 255
//! thresholds a feature; imported models with more than [`NAN_RANK`] have no packed copy.

use super::batch::{walk_lanes, GROUP};

/// The most features a packed ensemble reads: a row is then a fixed array.
pub(crate) const PACKED_FEATURES: usize = 16;

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
    Leaf,
    /// Decided by the rank of `feature`'s value; `left` is the left child in the tree.
    Plain {
        feature: u8,
        threshold: f64,
        nan_right: bool,
        left: u32,
    },
    /// Decided by the caller (categorical, zero-as-missing).
    General {
        feature: u8,
        left: u32,
    },
}

#[derive(Debug, Clone, Copy)]
struct RankNode {
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
}

impl Ranked {
    /// The packed copy of `trees` (each: its depth and its nodes' splits, in the tree's own
    /// numbering); `None` when it cannot have one (too many features, nodes or thresholds).
    pub(crate) fn build(
        rule: RankRule,
        n_features: usize,
        trees: &[(u16, Vec<Split>)],
    ) -> Option<Ranked> {
        let total: usize = trees.iter().map(|(_, s)| s.len()).sum();
        if n_features > PACKED_FEATURES || total >= u32::MAX as usize {
            return None;
        }
        let mut cuts = vec![Vec::new(); n_features];
        for split in trees.iter().flat_map(|(_, s)| s) {
            if let Split::Plain {
                feature, threshold, ..
            } = *split
            {
                cuts[feature as usize].push(threshold);
            }
        }
        for c in &mut cuts {
            c.sort_by(f64::total_cmp);
            // -0 and 0 are one threshold: they order every value alike.
            c.dedup_by(|a, b| a == b);
            if c.len() >= NAN_RANK as usize {
                return None;
            }
        }
        let mut r = Ranked {
            rule,
            nodes: Vec::with_capacity(total),
            roots: Vec::with_capacity(trees.len()),
            depths: Vec::with_capacity(trees.len()),
            general: Vec::with_capacity(trees.len()),
            cuts,
        };
        for (depth, splits) in trees {
            let base = r.nodes.len() as u32;
            r.roots.push(base);
            r.depths.push(*depth);
            r.general
                .push(splits.iter().any(|s| matches!(s, Split::General { .. })));
            for (i, &split) in splits.iter().enumerate() {
                let node = r.pack(split, base, i as u32);
                r.nodes.push(node);
            }
        }
        Some(r)
    }

    fn pack(&self, split: Split, base: u32, i: u32) -> RankNode {
        match split {
            Split::Leaf => RankNode {
                rank: u16::MAX,
                slot: 0,
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

    /// The nodes (numbered in their tree) that the rows `xs` reach in `tree`; `general(lane,
    /// node, feature)` decides the nodes ranks cannot.
    #[inline]
    pub(crate) fn walk_group(
        &self,
        tree: usize,
        xs: &[RankedRow; GROUP],
        general: impl Fn(usize, usize, usize) -> bool,
    ) -> [usize; GROUP] {
        let root = self.roots[tree] as usize;
        let mut idx = if self.general[tree] {
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
        idx.iter_mut().for_each(|i| *i -= root);
        idx
    }

    /// The node (numbered in its tree) that one ranked row reaches in `tree`, for a tree with
    /// no node the caller decides.
    #[inline]
    pub(crate) fn walk_plain(&self, tree: usize, x: &RankedRow) -> usize {
        let root = self.roots[tree] as usize;
        let mut i = root;
        for _ in 0..self.depths[tree] {
            let n = self.nodes[i];
            i = n.next as usize + Self::by_rank(n, x) as usize;
        }
        i - root
    }
}
