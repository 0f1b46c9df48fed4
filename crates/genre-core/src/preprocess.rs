//! Preprocessing fitted on the training part only and stored inside the model, so prediction
//! repeats exactly the same steps: median imputation, 1.5×IQR capping, standard scaling.

use serde::{Deserialize, Serialize};

use crate::feature::FeatureSet;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preprocessor {
    pub features: FeatureSet,
    /// Training median per feature, used for missing values.
    pub medians: Vec<f64>,
    /// Training min and max per feature (after imputation, before capping): what the model saw.
    pub ranges: Vec<(f64, f64)>,
    /// (low, high) caps: Q1 - 1.5 IQR and Q3 + 1.5 IQR, when outlier capping is on.
    pub caps: Option<Vec<(f64, f64)>>,
    /// (mean, std) per feature, for distance and kernel models.
    pub scaling: Option<Vec<(f64, f64)>>,
}

/// Linear-interpolation quantile of sorted data (numpy's default), `q` in [0, 1].
pub fn quantile_sorted(sorted: &[f64], q: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let pos = q * (sorted.len() - 1) as f64;
    let lo = pos.floor() as usize;
    let hi = pos.ceil() as usize;
    sorted[lo] + (sorted[hi] - sorted[lo]) * (pos - lo as f64)
}

/// The 1.5×IQR caps of a sorted column without missing values: (Q1 - 1.5 IQR, Q3 + 1.5 IQR),
/// the report's "upper_limit and lower_limit"; `None` for an empty column.
pub fn iqr_caps(sorted: &[f64]) -> Option<(f64, f64)> {
    if sorted.is_empty() {
        return None;
    }
    let q1 = quantile_sorted(sorted, 0.25);
    let q3 = quantile_sorted(sorted, 0.75);
    let iqr = q3 - q1;
    Some((q1 - 1.5 * iqr, q3 + 1.5 * iqr))
}

impl Preprocessor {
    /// Fits on training rows (`rows[i]` holds this set's features in order; NaN = missing).
    pub fn fit<'a>(
        features: FeatureSet,
        rows: impl ExactSizeIterator<Item = &'a [f64]> + Clone,
        cap_outliers: bool,
        scale: bool,
    ) -> Self {
        let p = features.len();
        let mut medians = Vec::with_capacity(p);
        let mut ranges = Vec::with_capacity(p);
        let mut caps = Vec::with_capacity(p);
        let mut column: Vec<f64> = Vec::with_capacity(rows.len());
        for j in 0..p {
            column.clear();
            column.extend(rows.clone().map(|r| r[j]).filter(|v| !v.is_nan()));
            column.sort_unstable_by(f64::total_cmp);
            let median = if column.is_empty() {
                0.0
            } else {
                quantile_sorted(&column, 0.5)
            };
            medians.push(median);
            let (lo, hi) = match (column.first(), column.last()) {
                (Some(&a), Some(&b)) => (a.min(median), b.max(median)),
                _ => (median, median),
            };
            ranges.push((lo, hi));
            caps.push(iqr_caps(&column).unwrap_or((median, median)));
        }
        let mut pre = Preprocessor {
            features,
            medians,
            ranges,
            caps: cap_outliers.then_some(caps),
            scaling: None,
        };
        if scale {
            let mut sums = vec![(0.0f64, 0.0f64); p];
            let mut buf = vec![0.0; p];
            let n = rows.len().max(1) as f64;
            for r in rows {
                pre.impute_and_cap(r, &mut buf);
                for j in 0..p {
                    sums[j].0 += buf[j];
                    sums[j].1 += buf[j] * buf[j];
                }
            }
            pre.scaling = Some(
                sums.iter()
                    .map(|&(s, s2)| {
                        let mean = s / n;
                        let var = (s2 / n - mean * mean).max(0.0);
                        let std = var.sqrt();
                        (mean, if std > 1e-12 { std } else { 1.0 })
                    })
                    .collect(),
            );
        }
        pre
    }

    fn impute_and_cap(&self, raw: &[f64], out: &mut [f64]) {
        for j in 0..out.len() {
            let mut v = raw[j];
            if v.is_nan() {
                v = self.medians[j];
            }
            if let Some(caps) = &self.caps {
                v = v.clamp(caps[j].0, caps[j].1);
            }
            out[j] = v;
        }
    }

    /// Applies every fitted step to one row of this set's features (NaN = missing).
    pub fn transform_into(&self, raw: &[f64], out: &mut [f64]) {
        self.impute_and_cap(raw, out);
        if let Some(scaling) = &self.scaling {
            for (v, &(m, s)) in out.iter_mut().zip(scaling) {
                *v = (*v - m) / s;
            }
        }
    }

    /// `raw_rows` transformed, one after the other in one vector (a row's features apiece): no
    /// allocation per row (a million rows' matrix is built this way).
    pub fn transform_rows<'a>(
        &self,
        raw_rows: impl ExactSizeIterator<Item = &'a [f64]>,
    ) -> Vec<f64> {
        let p = self.features.len();
        let mut flat = vec![0.0; raw_rows.len() * p];
        for (raw, out) in raw_rows.zip(flat.chunks_exact_mut(p.max(1))) {
            self.transform_into(raw, out);
        }
        flat
    }

    pub fn transform(&self, raw: &[f64]) -> Vec<f64> {
        let mut out = vec![0.0; self.features.len()];
        self.transform_into(raw, &mut out);
        out
    }

    /// Features of `raw` outside the training range, with how far out (in range widths).
    pub fn out_of_range(&self, raw: &[f64]) -> Vec<(usize, f64)> {
        raw.iter()
            .zip(&self.ranges)
            .enumerate()
            .filter_map(|(j, (&v, &(lo, hi)))| {
                let width = (hi - lo).max(1e-12);
                if v < lo {
                    Some((j, (lo - v) / width))
                } else if v > hi {
                    Some((j, (v - hi) / width))
                } else {
                    None
                }
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feature::Feature;

    #[test]
    fn quantiles_match_numpy() {
        let v = [1.0, 2.0, 3.0, 4.0];
        assert_eq!(quantile_sorted(&v, 0.5), 2.5);
        assert_eq!(quantile_sorted(&v, 0.25), 1.75);
        assert_eq!(quantile_sorted(&v, 1.0), 4.0);
    }

    #[test]
    fn imputes_caps_and_scales_with_training_statistics() {
        let fs = FeatureSet::new(vec![Feature::Energy]).unwrap();
        let rows: Vec<Vec<f64>> = [1.0, 2.0, 3.0, 4.0, f64::NAN, 100.0]
            .iter()
            .map(|&v| vec![v])
            .collect();
        let p = Preprocessor::fit(fs.clone(), rows.iter().map(Vec::as_slice), true, false);
        assert_eq!(p.medians, vec![3.0]);
        // sorted 1,2,3,4,100: q1 = 2, q3 = 4, iqr = 2 -> caps (-1, 7)
        assert_eq!(p.caps.as_ref().unwrap()[0], (-1.0, 7.0));
        assert_eq!(p.transform(&[f64::NAN]), vec![3.0]);
        assert_eq!(p.transform(&[100.0]), vec![7.0]);
        assert_eq!(p.ranges[0], (1.0, 100.0));
        assert_eq!(p.out_of_range(&[200.0]), vec![(0, 100.0 / 99.0)]);

        let s = Preprocessor::fit(fs, [[1.0], [3.0]].iter().map(|r| &r[..]), false, true);
        assert_eq!(s.scaling.as_ref().unwrap()[0], (2.0, 1.0));
        assert_eq!(s.transform(&[3.0]), vec![1.0]);
    }
}
