//! Rows of raw feature values in one flat array: what a split holds and sends to the browser's
//! training workers. A `Vec<Vec<f64>>` cost a heap allocation a row (24 bytes of header and the
//! allocator's own beside 72 of values for 9 features): at a million rows, 30 MB more in every
//! worker holding the split, and a million allocations to decode.

use std::ops::Index;

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Rows {
    width: usize,
    values: Vec<f64>,
}

impl Rows {
    pub fn new(width: usize) -> Rows {
        Rows {
            width,
            values: Vec::new(),
        }
    }

    /// `rows`, each `width` values long.
    pub fn from_rows<R: AsRef<[f64]>>(width: usize, rows: impl IntoIterator<Item = R>) -> Rows {
        let mut out = Rows::new(width);
        for r in rows {
            out.push(r.as_ref());
        }
        out
    }

    /// Rows and their classes from `(row, class)` pairs, as a split's part holds them.
    pub fn with_classes<R: AsRef<[f64]>>(
        width: usize,
        pairs: impl IntoIterator<Item = (R, usize)>,
    ) -> (Rows, Vec<usize>) {
        let pairs = pairs.into_iter();
        let mut rows = Rows::new(width);
        // A split's parts know their length: reserving it spares a million-row part the
        // quarter to half of its size that growing by doubling leaves unused.
        rows.values.reserve_exact(pairs.size_hint().0 * width);
        let classes = pairs
            .map(|(r, c)| {
                rows.push(r.as_ref());
                c
            })
            .collect();
        (rows, classes)
    }

    /// Appends a row; it must be `width` long.
    pub fn push(&mut self, row: &[f64]) {
        assert_eq!(row.len(), self.width, "a row of {} values", self.width);
        self.values.extend_from_slice(row);
    }

    pub fn width(&self) -> usize {
        self.width
    }

    pub fn len(&self) -> usize {
        self.values.len().checked_div(self.width).unwrap_or(0)
    }

    pub fn is_empty(&self) -> bool {
        self.values.is_empty()
    }

    /// The rows in order.
    pub fn iter(&self) -> std::slice::ChunksExact<'_, f64> {
        self.values.chunks_exact(self.width.max(1))
    }
}

impl Index<usize> for Rows {
    type Output = [f64];

    fn index(&self, i: usize) -> &[f64] {
        &self.values[i * self.width..(i + 1) * self.width]
    }
}

impl<'a> IntoIterator for &'a Rows {
    type Item = &'a [f64];
    type IntoIter = std::slice::ChunksExact<'a, f64>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rows_in_and_out() {
        let r = Rows::from_rows(2, [vec![1.0, 2.0], vec![3.0, f64::NAN]]);
        assert_eq!((r.len(), r.width(), r.is_empty()), (2, 2, false));
        assert_eq!(&r[0], &[1.0, 2.0]);
        assert!(r[1][1].is_nan());
        assert_eq!(r.iter().count(), 2);
        assert_eq!(r.iter().flatten().filter(|v| !v.is_nan()).count(), 3);
        let (x, y) = Rows::with_classes(2, [([5.0, 6.0], 1), ([7.0, 8.0], 0)]);
        assert_eq!((&x[1], y), (&[7.0, 8.0][..], vec![1, 0]));
        assert_eq!(Rows::new(9).len(), 0);
        assert_eq!(Rows::new(0).iter().count(), 0);
    }
}
