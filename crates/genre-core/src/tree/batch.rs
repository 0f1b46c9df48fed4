//! Many rows through many trees, in the order that keeps the work in the core's nearest cache.
//!
//! A row-by-row walk reads every node of the ensemble once per row: the bundled model's 97,000
//! nodes (770 KB packed) do not fit a core's L2 cache, so each row streamed them from L3. Here
//! the trees are cut into blocks of about [`BLOCK_BYTES`] of nodes, which stay in L1 while a
//! block of [`ROW_BLOCK`] rows goes through them, [`GROUP`] rows at a time: the walks of a group
//! are independent, so the processor overlaps their loads, and a walk takes as many steps as its
//! tree is deep (a leaf leads to itself), so the inner loop has no branch on where a walk is.
//!
//! Each row still meets its trees in the ensemble's order, so sums made in the callback add up
//! in the same order as a one-row walk does: the same numbers, bit for bit.

use std::ops::Range;

/// Rows walked side by side through one tree.
pub(crate) const GROUP: usize = 8;
/// Rows that go through a block of trees before the next block is loaded.
const ROW_BLOCK: usize = 8 * GROUP;
/// Packed node bytes in a block of trees: half a core's L1 data cache, the rest for the rows.
const BLOCK_BYTES: usize = 16 * 1024;

/// A packed ensemble whose trees can be walked a group of rows at a time.
pub(crate) trait GroupWalk {
    /// A row as the walk reads it (made once per row and block of trees).
    type Row: Copy + Default;
    /// Bytes of one packed node.
    const NODE_BYTES: usize;
    /// The number of nodes of each tree, in order.
    fn tree_sizes(&self) -> Vec<usize>;
    fn row(&self, x: &[f64]) -> Self::Row;
    /// The leaf numbers (in their tree) that the rows `xs` reach in `tree`; `raw` are the same
    /// rows as given, for the nodes a prepared row cannot decide.
    fn walk_group(
        &self,
        tree: usize,
        xs: &[Self::Row; GROUP],
        raw: &[&[f64]; GROUP],
        leaves: &mut [u32; GROUP],
    );
}

/// Consecutive trees whose nodes fill about [`BLOCK_BYTES`] (at least one tree each).
fn tree_blocks(sizes: &[usize], node_bytes: usize) -> Vec<Range<usize>> {
    let mut blocks = Vec::new();
    let (mut start, mut bytes) = (0, 0);
    for (t, &nodes) in sizes.iter().enumerate() {
        let b = nodes * node_bytes;
        if bytes > 0 && bytes + b > BLOCK_BYTES {
            blocks.push(start..t);
            (start, bytes) = (t, 0);
        }
        bytes += b;
    }
    if start < sizes.len() {
        blocks.push(start..sizes.len());
    }
    blocks
}

/// The nodes a group's walks reach from `root` in at most `depth` steps, stopping when none
/// moves (a leaf leads to itself); `step(lane, node)` is the node after `node` for that lane's
/// row.
#[inline]
pub(crate) fn walk_lanes(
    root: usize,
    depth: u16,
    mut step: impl FnMut(usize, usize) -> usize,
) -> [usize; GROUP] {
    let mut idx = [root; GROUP];
    for _ in 0..depth {
        let mut moved = false;
        for (lane, i) in idx.iter_mut().enumerate() {
            let next = step(lane, *i);
            moved |= next != *i;
            *i = next;
        }
        if !moved {
            break;
        }
    }
    idx
}

/// Calls `visit(row, tree, leaf)` for every row of `rows` and every tree, each row's trees in
/// the ensemble's order.
pub(crate) fn visit_leaves<W: GroupWalk>(
    walk: &W,
    rows: &[&[f64]],
    mut visit: impl FnMut(usize, usize, usize),
) {
    if rows.is_empty() {
        return;
    }
    let blocks = tree_blocks(&walk.tree_sizes(), W::NODE_BYTES);
    let mut leaves = [0u32; GROUP];
    let mut prepared = [W::Row::default(); ROW_BLOCK];
    for (b, row_block) in rows.chunks(ROW_BLOCK).enumerate() {
        // A short last block walks its last row again in the empty places.
        let last = row_block[row_block.len() - 1];
        for (r, p) in prepared.iter_mut().enumerate() {
            *p = walk.row(row_block.get(r).copied().unwrap_or(last));
        }
        for trees in &blocks {
            for (g, group) in prepared.chunks_exact(GROUP).enumerate() {
                let first_row = b * ROW_BLOCK + g * GROUP;
                if first_row >= b * ROW_BLOCK + row_block.len() {
                    break;
                }
                let group: &[W::Row; GROUP] = group.try_into().expect("chunks of GROUP");
                let real = (b * ROW_BLOCK + row_block.len() - first_row).min(GROUP);
                let raw: [&[f64]; GROUP] =
                    std::array::from_fn(|r| row_block.get(g * GROUP + r).copied().unwrap_or(last));
                for t in trees.clone() {
                    walk.walk_group(t, group, &raw, &mut leaves);
                    for (r, &leaf) in leaves.iter().take(real).enumerate() {
                        visit(first_row + r, t, leaf as usize);
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trees of `sizes[t]` nodes whose "leaf" for a row is `row value + tree`.
    struct Fake {
        sizes: Vec<usize>,
    }

    impl GroupWalk for Fake {
        type Row = f64;
        const NODE_BYTES: usize = 8;
        fn tree_sizes(&self) -> Vec<usize> {
            self.sizes.clone()
        }
        fn row(&self, x: &[f64]) -> f64 {
            x[0]
        }
        fn walk_group(
            &self,
            tree: usize,
            xs: &[f64; GROUP],
            _: &[&[f64]; GROUP],
            leaves: &mut [u32; GROUP],
        ) {
            for (l, x) in leaves.iter_mut().zip(xs) {
                *l = *x as u32 + tree as u32;
            }
        }
    }

    #[test]
    fn every_row_meets_every_tree_once_in_order() {
        // Blocks of several trees, one tree bigger than a block, and a short last group.
        let fake = Fake {
            sizes: vec![500, 700, 900, 5000, 10, 10, 10, 3000],
        };
        let values: Vec<[f64; 1]> = (0..(2 * ROW_BLOCK + GROUP + 3))
            .map(|r| [r as f64 * 100.0])
            .collect();
        let rows: Vec<&[f64]> = values.iter().map(|v| &v[..]).collect();
        let mut seen: Vec<Vec<(usize, usize)>> = vec![Vec::new(); rows.len()];
        visit_leaves(&fake, &rows, |r, t, leaf| seen[r].push((t, leaf)));
        for (r, s) in seen.iter().enumerate() {
            let expected: Vec<(usize, usize)> =
                (0..fake.sizes.len()).map(|t| (t, r * 100 + t)).collect();
            assert_eq!(s, &expected, "row {r}");
        }
        let blocks = tree_blocks(&fake.sizes, 8);
        assert!(
            blocks.len() > 1 && blocks.len() < fake.sizes.len(),
            "{blocks:?}"
        );
        assert_eq!(
            blocks.iter().map(|b| b.len()).sum::<usize>(),
            fake.sizes.len()
        );
    }
}
