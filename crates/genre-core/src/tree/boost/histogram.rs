//! The gradient histograms of the leaves being split, and the pool they are taken from.

use super::binned::{BinBlock, Binned};

const BINS: usize = 256;

/// Gradient statistics of one leaf's rows, per feature and bin. Histograms are taken from and
/// given back to a [`Workspace`], so growing a tree allocates none after the first few.
pub(super) struct Histogram {
    /// `[feature][bin]` = (sum of gradients, sum of hessians): one 16-byte entry, so adding a
    /// row is one load, one add and one store per feature.
    pub(super) sums: Vec<[[f64; 2]; BINS]>,
    /// `[feature][bin]` = rows.
    pub(super) counts: Vec<[u32; BINS]>,
}

impl Histogram {
    pub(super) fn new(p: usize) -> Histogram {
        Histogram {
            sums: vec![[[0.0; 2]; BINS]; p],
            counts: vec![[0; BINS]; p],
        }
    }

    /// Overwrites the histogram with the sums of the rows' `grad_hess`, added in their order (the order
    /// decides the last bits of the sums, so it is part of what makes a model), and their
    /// counts (from `bins`, the rows' bins) unless `COUNTS` is false (the caller then knows them).
    #[inline(never)]
    pub(super) fn fill<const COUNTS: bool>(
        &mut self,
        grad_hess: impl Iterator<Item = [f64; 2]>,
        bins: &[BinBlock],
        data: &Binned,
    ) {
        let p = data.p;
        // Only the bins a feature has: the rest stay zero from `new`, as nothing adds to them.
        for (f, sums) in self.sums.iter_mut().enumerate() {
            sums[..data.mapper.n_bins(f)].fill([0.0; 2]);
        }
        if COUNTS {
            for (f, counts) in self.counts.iter_mut().enumerate() {
                counts[..data.mapper.n_bins(f)].fill(0);
            }
        }
        // Up to 16 features (a row's bins in one block): the loop over the features unrolled
        // for their number, each feature's bins then at a fixed offset.
        if data.blocks_per_row == 1 {
            macro_rules! unrolled_for_p {
                ($($n:literal)*) => {
                    match p {
                        $($n => return self.add_rows::<$n, COUNTS>(grad_hess, bins),)*
                        _ => {}
                    }
                };
            }
            unrolled_for_p!(1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16);
        }
        // Features four at a time, unrolled: the loop's own bookkeeping was as much work as
        // the additions.
        let unrolled = p - p % 4;
        let (sums4, sums_rest) = self.sums.split_at_mut(unrolled);
        let (counts4, counts_rest) = self.counts.split_at_mut(unrolled);
        for ([g, h], blocks) in grad_hess.zip(bins.chunks_exact(data.blocks_per_row)) {
            let (bins4, bins_rest) = blocks.as_flattened()[..p].split_at(unrolled);
            let quads = bins4
                .chunks_exact(4)
                .zip(sums4.chunks_exact_mut(4))
                .zip(counts4.chunks_exact_mut(4));
            for ((b, s), c) in quads {
                for q in 0..4 {
                    add_to_bin::<COUNTS>(&mut s[q], &mut c[q], b[q], g, h);
                }
            }
            for ((&b, s), c) in bins_rest.iter().zip(&mut *sums_rest).zip(&mut *counts_rest) {
                add_to_bin::<COUNTS>(s, c, b, g, h);
            }
        }
    }

    /// The additions of [`fill`](Self::fill) for `P` features, whose bins are one block a row.
    fn add_rows<const P: usize, const COUNTS: bool>(
        &mut self,
        grad_hess: impl Iterator<Item = [f64; 2]>,
        bins: &[BinBlock],
    ) {
        let sums: &mut [_; P] = (&mut self.sums[..P]).try_into().expect("P features");
        let counts: &mut [_; P] = (&mut self.counts[..P]).try_into().expect("P features");
        for ([g, h], block) in grad_hess.zip(bins) {
            for f in 0..P {
                add_to_bin::<COUNTS>(&mut sums[f], &mut counts[f], block[f], g, h);
            }
        }
    }

    /// Sets the counts to those of `rows`' bins.
    pub(super) fn count(&mut self, rows: &[u32], data: &Binned) {
        self.counts.as_flattened_mut().fill(0);
        for &r in rows {
            for (counts, &b) in self.counts.iter_mut().zip(data.row(r)) {
                counts[b as usize] += 1;
            }
        }
    }

    /// `self - other`, in place (a parent's histogram becomes its larger child's), on the
    /// bins the features have (the others are zero in both).
    #[inline(never)]
    pub(super) fn subtract(&mut self, other: &Histogram, data: &Binned) {
        for f in 0..data.p {
            self.subtract_sums(other, f, data);
            let nb = data.mapper.n_bins(f);
            for (m, t) in self.counts[f][..nb].iter_mut().zip(&other.counts[f][..nb]) {
                *m -= t;
            }
        }
    }

    /// [`subtract`](Self::subtract) on feature `f`'s sums only: after a tree's last split, its
    /// two leaves read only their totals, and the smaller one's counts were never made
    /// ([`fill_feature`](Self::fill_feature)), so they are left as they were.
    pub(super) fn subtract_sums(&mut self, other: &Histogram, f: usize, data: &Binned) {
        let nb = data.mapper.n_bins(f);
        for (m, t) in self.sums[f][..nb].iter_mut().zip(&other.sums[f][..nb]) {
            m[0] -= t[0];
            m[1] -= t[1];
        }
    }

    /// The sums of [`fill`](Self::fill) on feature `f` only (its counts and the other
    /// features' bins are left as they were): all a leaf that will not be split needs.
    pub(super) fn fill_feature(
        &mut self,
        f: usize,
        grad_hess: impl Iterator<Item = [f64; 2]>,
        bins: &[BinBlock],
        data: &Binned,
    ) {
        let sums = &mut self.sums[f];
        sums[..data.mapper.n_bins(f)].fill([0.0; 2]);
        let (block, byte) = (f / 16, f % 16);
        for ([g, h], blocks) in grad_hess.zip(bins.chunks_exact(data.blocks_per_row)) {
            let e = &mut sums[blocks[block][byte] as usize];
            e[0] += g;
            e[1] += h;
        }
    }

    /// The leaf's (sum of gradients, sum of hessians), read from feature `f`'s bins.
    pub(super) fn totals(&self, f: usize) -> (f64, f64) {
        (
            self.sums[f].iter().map(|e| e[0]).sum(),
            self.sums[f].iter().map(|e| e[1]).sum(),
        )
    }
}

#[inline(always)]
fn add_to_bin<const COUNTS: bool>(
    sums: &mut [[f64; 2]; BINS],
    counts: &mut [u32; BINS],
    bin: u8,
    g: f64,
    h: f64,
) {
    let e = &mut sums[bin as usize];
    e[0] += g;
    e[1] += h;
    if COUNTS {
        counts[bin as usize] += 1;
    }
}

/// What growing trees needs besides the data, kept from tree to tree so that splitting a leaf
/// allocates nothing: histograms of split or finished leaves go back to `free`.
pub(super) struct Workspace {
    pub(super) p: usize,
    pub(super) free: Vec<Histogram>,
    /// The bin counts of the round's rows: every tree of the round starts from them.
    pub(super) root: Histogram,
}

impl Workspace {
    pub(super) fn histogram(&mut self) -> Histogram {
        self.free.pop().unwrap_or_else(|| Histogram::new(self.p))
    }
}
