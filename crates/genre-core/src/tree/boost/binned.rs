//! The fitting rows' bins, a row's in blocks of sixteen features.

use crate::tree::binning::BinMapper;

/// Sixteen features' bins of a row (the last block of a row padded with zeros): a row's bins
/// move as whole blocks.
pub(super) type BinBlock = [u8; 16];

/// The binned fitting rows, row `r`'s feature `f` in `blocks[r * blocks_per_row + f / 16][f % 16]`,
/// and the edges the bins stand for.
pub(super) struct Binned<'a> {
    /// Row-major, `blocks_per_row` per row.
    pub(super) blocks: Vec<BinBlock>,
    pub(super) blocks_per_row: usize,
    pub(super) p: usize,
    pub(super) mapper: &'a BinMapper,
}

impl Binned<'_> {
    pub(super) fn blocks_of(&self, row: u32) -> &[BinBlock] {
        let r = row as usize * self.blocks_per_row;
        &self.blocks[r..r + self.blocks_per_row]
    }

    pub(super) fn row(&self, row: u32) -> &[u8] {
        &self.blocks_of(row).as_flattened()[..self.p]
    }
}
