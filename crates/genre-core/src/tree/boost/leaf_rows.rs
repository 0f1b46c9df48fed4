//! The rows of the tree being grown, kept in leaf order with their gradients and bins.

use std::ops::Range;

use super::binned::BinBlock;

/// A fitting row with its gradient and hessian for the tree being grown. The rows of a tree are
/// kept in leaf order (each leaf's side by side) together with their bins (`BinBlock`s, in a
/// second array alongside), so that splitting a leaf and summing one read them in one pass, in
/// order, never looking up a row elsewhere.
#[derive(Clone, Copy, Default)]
pub(super) struct LeafRow {
    pub(super) row: u32,
    pub(super) grad_hess: [f64; 2],
}

/// The rows of the tree being grown, in leaf order (each leaf's side by side), with their bins
/// alongside: splitting a leaf and summing one read them in order, never a row elsewhere.
pub(super) struct TreeRows {
    pub(super) rows: Vec<LeafRow>,
    /// `blocks_per_row` per row, in the order of `rows`.
    pub(super) bins: Vec<BinBlock>,
    pub(super) blocks_per_row: usize,
}

impl TreeRows {
    /// `rows` with their gradients and hessians, and their bins `round_bins`.
    pub(super) fn reset(&mut self, rows: &[u32], round_bins: &[BinBlock], grad_hess: &[[f64; 2]]) {
        self.rows.clear();
        self.rows.extend(rows.iter().map(|&row| LeafRow {
            row,
            grad_hess: grad_hess[row as usize],
        }));
        self.bins.clone_from_slice(round_bins);
    }

    /// The rows `range`, with their bins.
    pub(super) fn leaf(&self, range: Range<usize>) -> (&[LeafRow], &[BinBlock]) {
        let per_row = self.blocks_per_row;
        (
            &self.rows[range.clone()],
            &self.bins[range.start * per_row..range.end * per_row],
        )
    }

    /// Moves the rows of the leaf `range` whose feature `f` is in a bin `<= bin` before the
    /// others and gives where the others start. The order it leaves is part of the model (the
    /// histograms' sums follow it): look at the row at `i`; if it goes left step on, else swap
    /// it with the last unplaced row. Leaf-wise splits are mostly lopsided, so the branch is
    /// well predicted.
    pub(super) fn split(&mut self, range: Range<usize>, f: usize, bin: u8) -> usize {
        let per_row = self.blocks_per_row;
        let rows = &mut self.rows[range.clone()];
        let bins = &mut self.bins[range.start * per_row..range.end * per_row];
        let (block, byte) = (f / 16, f % 16);
        let (mut i, mut j) = (0, rows.len());
        if per_row == 1 {
            // Up to 16 features (all of this app's): one block a row, moved as one.
            while i < j {
                if bins[i][byte] <= bin {
                    i += 1;
                } else {
                    j -= 1;
                    rows.swap(i, j);
                    bins.swap(i, j);
                }
            }
        } else {
            while i < j {
                if bins[i * per_row + block][byte] <= bin {
                    i += 1;
                } else {
                    j -= 1;
                    rows.swap(i, j);
                    for b in 0..per_row {
                        bins.swap(i * per_row + b, j * per_row + b);
                    }
                }
            }
        }
        range.start + i
    }
}
