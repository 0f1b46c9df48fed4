//! Histogram binning (as LightGBM does): each feature's values are mapped to at most 256 bins
//! once, so split search scans bins instead of sorting rows at every node.
//!
//! Bin `b` holds the values `x` with `edges[b-1] < x <= edges[b]`, hence "bin <= b" is exactly
//! "x <= edges[b]": a tree grown on bins predicts raw values with the same f32 thresholds.

use ndarray::ArrayView2;
use serde::{Deserialize, Serialize};

pub const MAX_BINS: usize = 256;

/// A training set's columns binned, with the edges that binned them: what a forest grows on.
/// Made once per training set and shared by every forest and share of trees trained on it (a
/// web worker trains a forest's trees in several shares: binning is as long as growing four
/// trees of the bundled forest).
#[derive(Debug, Clone, PartialEq)]
pub struct BinnedColumns {
    pub mapper: BinMapper,
    /// `bins[f][row]`.
    pub bins: Vec<Vec<u8>>,
}

impl BinnedColumns {
    /// Whether these are the bins of a set of `rows` rows of `features` features.
    pub fn matches(&self, rows: usize, features: usize) -> bool {
        self.bins.len() == features && self.bins.iter().all(|b| b.len() == rows)
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BinMapper {
    /// Per feature, strictly increasing upper edges (at most `MAX_BINS - 1`).
    pub edges: Vec<Vec<f32>>,
}

impl BinMapper {
    /// Chooses edges from the training columns: midpoints between distinct values when there are
    /// few, quantile cut points otherwise. The reference [`fit_binned`](Self::fit_binned) is
    /// checked against (tests only: the models bin one column at a time).
    #[cfg(test)]
    pub fn fit(columns: &[Vec<f64>]) -> BinMapper {
        BinMapper {
            edges: columns.iter().map(|c| edges_of(c)).collect(),
        }
    }

    /// Fits the edges and bins the values one column at a time, so that a training set is
    /// never copied whole as `f64` columns: at a million rows the forest's own copy was 58 MB
    /// beside the one-byte bins it keeps (7 MB). The same edges and bins as fitting on all the
    /// columns first, then binning them.
    pub fn fit_binned(columns: impl IntoIterator<Item = Vec<f64>>) -> (BinMapper, Vec<Vec<u8>>) {
        let mut mapper = BinMapper { edges: Vec::new() };
        let mut bins = Vec::new();
        for (f, col) in columns.into_iter().enumerate() {
            mapper.edges.push(edges_of(&col));
            bins.push(col.iter().map(|&x| mapper.bin(f, x)).collect());
        }
        (mapper, bins)
    }

    /// [`fit_binned`](Self::fit_binned) on the columns of `x` (rows × features).
    pub fn binned_columns(x: ArrayView2<f64>) -> BinnedColumns {
        let (mapper, bins) = BinMapper::fit_binned(x.columns().into_iter().map(|c| c.to_vec()));
        BinnedColumns { mapper, bins }
    }

    pub fn n_bins(&self, feature: usize) -> usize {
        self.edges[feature].len() + 1
    }

    #[inline]
    pub fn bin(&self, feature: usize, x: f64) -> u8 {
        self.edges[feature].partition_point(|&e| (e as f64) < x) as u8
    }

    /// Column-major bins: `out[f][i]` (tests only, with `fit`).
    #[cfg(test)]
    pub fn bin_columns(&self, columns: &[Vec<f64>]) -> Vec<Vec<u8>> {
        columns
            .iter()
            .enumerate()
            .map(|(f, col)| col.iter().map(|&x| self.bin(f, x)).collect())
            .collect()
    }
}

/// One column's upper bin edges: midpoints between distinct values when there are few,
/// equal-population cut points otherwise.
fn edges_of(col: &[f64]) -> Vec<f32> {
    let mut v: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
    v.sort_unstable_by(f64::total_cmp);
    v.dedup();
    let mut edges: Vec<f32> = Vec::new();
    let mut push = |e: f32| {
        if edges.last().is_none_or(|&l| e > l) {
            edges.push(e);
        }
    };
    if v.len() <= MAX_BINS {
        for w in v.windows(2) {
            push(midpoint(w[0], w[1]));
        }
    } else {
        // Equal-population bins over the distinct values: a value that fills many
        // bins' worth of rows (instrumentalness = 0, say) gets one bin and the
        // remaining bins are shared out over the rest, as LightGBM does.
        let mut all: Vec<f64> = col.iter().copied().filter(|x| !x.is_nan()).collect();
        all.sort_unstable_by(f64::total_cmp);
        let mut runs: Vec<(f64, usize)> = Vec::with_capacity(v.len());
        for &x in &all {
            match runs.last_mut() {
                Some((last, n)) if *last == x => *n += 1,
                _ => runs.push((x, 1)),
            }
        }
        let mut remaining_rows = all.len();
        let mut remaining_bins = MAX_BINS;
        let mut in_bin = 0usize;
        for (i, &(x, n)) in runs.iter().enumerate() {
            in_bin += n;
            remaining_rows -= n;
            let target = (in_bin + remaining_rows) as f64 / remaining_bins as f64;
            if i + 1 < runs.len() && remaining_bins > 1 && in_bin as f64 >= target {
                push(midpoint(x, runs[i + 1].0));
                remaining_bins -= 1;
                in_bin = 0;
            }
        }
    }
    edges
}

/// A split value strictly between `a < b` that survives the f32 rounding.
fn midpoint(a: f64, b: f64) -> f32 {
    let m = (a + (b - a) / 2.0) as f32;
    if (m as f64) >= a && (m as f64) < b {
        m
    } else {
        a as f32
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bin_le_b_is_value_le_edge() {
        let col: Vec<f64> = (0..10_000)
            .map(|i| ((i * 7919) % 1000) as f64 / 7.0)
            .collect();
        let m = BinMapper::fit(std::slice::from_ref(&col));
        assert!(m.n_bins(0) <= MAX_BINS);
        for &x in col.iter().take(2000) {
            let b = m.bin(0, x) as usize;
            for (e_i, &e) in m.edges[0].iter().enumerate() {
                assert_eq!(b <= e_i, x <= e as f64);
            }
        }
    }

    #[test]
    fn binning_column_by_column_is_fit_then_bin() {
        let cols: Vec<Vec<f64>> = (1..4)
            .map(|k| {
                (0..3_000)
                    .map(|i| ((i * 7919 * k) % 1013) as f64 / 3.0)
                    .collect()
            })
            .collect();
        let m = BinMapper::fit(&cols);
        let (m2, bins) = BinMapper::fit_binned(cols.clone());
        assert_eq!(m2, m);
        assert_eq!(bins, m.bin_columns(&cols));
    }

    #[test]
    fn few_distinct_values_get_one_bin_each() {
        let col = vec![0.0, 1.0, 1.0, 2.0, 0.0];
        let m = BinMapper::fit(std::slice::from_ref(&col));
        assert_eq!(m.n_bins(0), 3);
        let bins = m.bin_columns(&[col]);
        assert_eq!(bins[0], vec![0, 1, 1, 2, 0]);
    }
}
