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

/// A round's rows (its subsample), their bins in that order, and one class's gradients and
/// hessians (of every fitting row): what each of the round's trees starts from.
#[derive(Clone, Copy)]
pub(super) struct Round<'a> {
    pub(super) rows: &'a [u32],
    pub(super) bins: &'a [BinBlock],
    pub(super) grad_hess: &'a [[f64; 2]],
}

impl TreeRows {
    /// Splits a tree's root, the round's `rows` (with their class's `grad_hess`, and their
    /// bins `round_bins`): puts them into the tree's arrays in the order [`split`](Self::split)
    /// leaves, as if they had been copied in first, and gives where the right ones start. One
    /// pass instead of a copy and a split.
    pub(super) fn split_root(&mut self, round: &Round, f: usize, bin: u8) -> usize {
        self.rows.resize(round.rows.len(), LeafRow::default());
        self.bins.resize(round.bins.len(), [0; 16]);
        if self.blocks_per_row == 1 {
            split_root_one_block(round, &mut self.rows, &mut self.bins, f % 16, bin)
        } else {
            self.split_root_in(round, f, bin)
        }
    }

    fn split_root_in(&mut self, round: &Round, f: usize, bin: u8) -> usize {
        let Round {
            rows,
            bins: round_bins,
            grad_hess,
        } = *round;
        let per_row = self.blocks_per_row;
        let (block, byte) = (f / 16, f % 16);
        // `split`'s steps, where the row at `i` is the round's row `at`: the one at `i` when
        // `i` has just stepped on, else the last unplaced one, which the swap brought to `i`.
        let (mut i, mut j, mut at) = (0, rows.len(), 0);
        while i < j {
            let blocks = &round_bins[at * per_row..(at + 1) * per_row];
            let to = if blocks[block][byte] <= bin {
                i += 1;
                i - 1
            } else {
                j -= 1;
                j
            };
            let row = rows[at];
            self.rows[to] = LeafRow {
                row,
                grad_hess: grad_hess[row as usize],
            };
            self.bins[to * per_row..(to + 1) * per_row].copy_from_slice(blocks);
            at = if to < i { i } else { j };
        }
        i
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
            return range.start + split_one_block(rows, bins, byte, bin);
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

/// [`TreeRows::split`] of rows whose bins are one block each, with the same steps: each run
/// of rows that go left is found by one scan of the bins (they stay where they are); a row
/// going right takes the last unplaced place, whose row is looked at next, held in registers
/// instead of being swapped into the place of the one that left, until one goes left and
/// takes that place. Each row moved is read and written once. Not inlined: in a function of
/// its own the rows moved stay in registers. Gives how many go left.
#[inline(never)]
fn split_one_block(rows: &mut [LeafRow], bins: &mut [BinBlock], byte: usize, bin: u8) -> usize {
    let byte = byte % 16;
    // A row held as plain numbers, which the compiler keeps in registers (arrays it would
    // keep on the stack).
    type Held = (u32, f64, f64, u128);
    let take = |rows: &[LeafRow], bins: &[BinBlock], k: usize| -> Held {
        let r = rows[k];
        (
            r.row,
            r.grad_hess[0],
            r.grad_hess[1],
            u128::from_ne_bytes(bins[k]),
        )
    };
    let put = |rows: &mut [LeafRow], bins: &mut [BinBlock], k: usize, (row, g, h, b): Held| {
        rows[k] = LeafRow {
            row,
            grad_hess: [g, h],
        };
        bins[k] = b.to_ne_bytes();
    };
    let (mut i, mut j) = (0, bins.len());
    loop {
        i += bins[i..j]
            .iter()
            .position(|b| b[byte] > bin)
            .unwrap_or(j - i);
        if i == j {
            return i;
        }
        // The row at `i` goes right.
        let mut held = take(rows, bins, i);
        loop {
            j -= 1;
            if j == i {
                // The last unplaced place is its own.
                put(rows, bins, i, held);
                return i;
            }
            let goes_left = bins[j][byte] <= bin;
            let next = take(rows, bins, j);
            put(rows, bins, j, held);
            held = next;
            if goes_left {
                put(rows, bins, i, held);
                i += 1;
                break;
            }
        }
    }
}

/// [`TreeRows::split_root`] of rows whose bins are one block each, into `rows` and `bins`:
/// the steps of [`split_one_block`] on the round's rows as if they had been copied in first
/// (a place not yet written holds the round's row of that place).
#[inline(never)]
fn split_root_one_block(
    round: &Round,
    rows: &mut [LeafRow],
    bins: &mut [BinBlock],
    byte: usize,
    bin: u8,
) -> usize {
    let byte = byte % 16;
    let take = |k: usize| -> (LeafRow, BinBlock) {
        let row = round.rows[k];
        let grad_hess = round.grad_hess[row as usize];
        (LeafRow { row, grad_hess }, round.bins[k])
    };
    let (mut i, mut j) = (0, round.rows.len());
    loop {
        // A run of rows going left, copied in place.
        while i < j && round.bins[i][byte] <= bin {
            (rows[i], bins[i]) = take(i);
            i += 1;
        }
        if i == j {
            return i;
        }
        // The row at `i` goes right: as in `split_one_block`.
        let mut held = take(i);
        loop {
            j -= 1;
            if j == i {
                (rows[i], bins[i]) = held;
                return i;
            }
            let goes_left = round.bins[j][byte] <= bin;
            (rows[j], bins[j]) = held;
            held = take(j);
            if goes_left {
                (rows[i], bins[i]) = held;
                i += 1;
                break;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rng::Rng;

    /// `split` (one block a row) leaves the rows in the order of its plain steps: look at the
    /// row at `i`; step on if it goes left, else swap it with the last unplaced row.
    #[test]
    fn split_keeps_the_order_of_the_plain_steps() {
        let mut rng = Rng::new(5);
        for (n, bin) in [
            (0, 3),
            (1, 0),
            (1, 255),
            (2, 7),
            (500, 3),
            (500, 128),
            (500, 250),
        ] {
            for skew in [0.0, 0.5, 0.9] {
                // Runs of rows going the same way, more or less often.
                let mut b = 0u8;
                let bins: Vec<BinBlock> = (0..n)
                    .map(|_| {
                        if rng.unit() >= skew {
                            b = (rng.unit() * 256.0) as u8;
                        }
                        std::array::from_fn(|k| b.wrapping_add(k as u8))
                    })
                    .collect();
                let rows: Vec<LeafRow> = (0..n as u32)
                    .map(|row| LeafRow {
                        row,
                        grad_hess: [rng.unit(), rng.unit()],
                    })
                    .collect();
                let f = 3;
                let (mut want_rows, mut want_bins) = (rows.clone(), bins.clone());
                let (mut i, mut j) = (0, n);
                while i < j {
                    if want_bins[i][f] <= bin {
                        i += 1;
                    } else {
                        j -= 1;
                        want_rows.swap(i, j);
                        want_bins.swap(i, j);
                    }
                }
                let mut tree = TreeRows {
                    rows: rows.clone(),
                    bins: bins.clone(),
                    blocks_per_row: 1,
                };
                // A leaf in the middle of the tree's rows: the others stay as they are.
                tree.rows.splice(0..0, rows.iter().take(3).copied());
                tree.bins.splice(0..0, bins.iter().take(3).copied());
                let start = tree.rows.len() - n;
                assert_eq!(tree.split(start..start + n, f, bin), start + i);
                let key = |r: &[LeafRow]| -> Vec<(u32, [u64; 2])> {
                    r.iter()
                        .map(|r| (r.row, r.grad_hess.map(f64::to_bits)))
                        .collect()
                };
                assert_eq!(key(&tree.rows[start..]), key(&want_rows));
                assert_eq!(tree.bins[start..], want_bins[..]);
                assert_eq!(key(&tree.rows[..start]), key(&rows[..start]));
            }
        }
    }

    /// `split_root` leaves the rows as copying them in and calling `split` does, whether a row's
    /// bins take one block or two, for splits from lopsided to even.
    #[test]
    fn split_root_is_a_copy_then_a_split() {
        let mut rng = Rng::new(3);
        for blocks_per_row in [1, 2] {
            for (n, f, bin) in [(200, 0, 128), (300, 5, 20), (300, 5, 235), (50, 1, 255)] {
                let f = f + 16 * (blocks_per_row - 1);
                let n_all = n + 40;
                let grad_hess: Vec<[f64; 2]> =
                    (0..n_all).map(|_| [rng.unit() - 0.5, rng.unit()]).collect();
                // A subsample of the rows, and their bins in that order.
                let rows: Vec<u32> = (0..n_all as u32).filter(|_| rng.unit() < 0.9).collect();
                let round_bins: Vec<BinBlock> = (0..rows.len() * blocks_per_row)
                    .map(|_| std::array::from_fn(|_| (rng.unit() * 256.0) as u8))
                    .collect();
                let mut copied = TreeRows {
                    rows: rows
                        .iter()
                        .map(|&row| LeafRow {
                            row,
                            grad_hess: grad_hess[row as usize],
                        })
                        .collect(),
                    bins: round_bins.clone(),
                    blocks_per_row,
                };
                let mid = copied.split(0..rows.len(), f, bin);
                let mut direct = TreeRows {
                    rows: Vec::new(),
                    bins: Vec::new(),
                    blocks_per_row,
                };
                let round = Round {
                    rows: &rows,
                    bins: &round_bins,
                    grad_hess: &grad_hess,
                };
                assert_eq!(direct.split_root(&round, f, bin), mid);
                let key = |t: &TreeRows| -> Vec<(u32, [u64; 2])> {
                    t.rows
                        .iter()
                        .map(|r| (r.row, r.grad_hess.map(f64::to_bits)))
                        .collect()
                };
                assert_eq!(key(&direct), key(&copied));
                assert_eq!(direct.bins, copied.bins);
            }
        }
    }
}
