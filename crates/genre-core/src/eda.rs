//! Exploratory summaries (the original report's EDA): class counts, per-genre box-plot
//! statistics and histograms of every feature, the correlation matrix and a small scatter
//! sample. The CLI writes them for the bundled data; the browser computes the same for uploads.

use serde::{Deserialize, Serialize};

use crate::feature::Feature;
use crate::ingest::Ingested;
use crate::preprocess::{iqr_caps, quantile_sorted};
use crate::rng::Rng;

pub const HISTOGRAM_BINS: usize = 24;
/// Rows in the data preview (pandas' `head()` shows 5; a few more show more genres).
pub const PREVIEW_ROWS: usize = 8;
pub const SCATTER_PER_CLASS: usize = 60;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct BoxStats {
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
    /// Whisker ends: the most extreme values within 1.5 IQR of the box.
    pub whisker_low: f64,
    pub whisker_high: f64,
    pub outliers: u64,
    pub count: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FeatureSummary {
    pub feature: Feature,
    /// Histogram range shared by all genres (1st to 99th percentile of all rows, so a few
    /// extreme values do not squash the plot).
    pub lo: f64,
    pub hi: f64,
    /// Per class (in `EdaSummary::classes` order).
    pub boxes: Vec<Option<BoxStats>>,
    /// Per class, `HISTOGRAM_BINS` counts; values outside [lo, hi] go to the end bins.
    pub histograms: Vec<Vec<u32>>,
    /// Per class, the box after 1.5×IQR capping over all rows (the report's outlier step,
    /// the caps [`iqr_caps`] the pipeline uses). Empty in summaries written before it existed.
    #[serde(default)]
    pub capped_boxes: Vec<Option<BoxStats>>,
}

/// One column as pandas' `describe()` writes it, plus the missing cells.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnSummary {
    pub feature: Feature,
    /// Cells with a value.
    pub count: u64,
    pub missing: u64,
    /// `None` when the column has no value.
    pub stats: Option<ColumnStats>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ColumnStats {
    pub mean: f64,
    /// Sample standard deviation (n - 1, as pandas); `None` for a single value.
    pub std: Option<f64>,
    pub min: f64,
    pub q1: f64,
    pub median: f64,
    pub q3: f64,
    pub max: f64,
}

/// One of the first rows as read: its row in the file, the features the file has (in
/// [`EdaSummary::describe`]'s order; `None` = missing), the genre and the track's name.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewRow {
    pub row: u64,
    pub values: Vec<Option<f64>>,
    pub genre: Option<String>,
    pub name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EdaSummary {
    pub rows: u64,
    pub classes: Vec<String>,
    pub class_counts: Vec<u64>,
    pub features: Vec<FeatureSummary>,
    /// Pearson correlation over `correlation_features` (NaN where undefined).
    pub correlation_features: Vec<Feature>,
    pub correlation: Vec<Vec<f64>>,
    /// A seeded sample of tracks for scatter plots: (class, values in `Feature::ALL` order,
    /// rounded to 4 significant digits; NaN written as null).
    pub scatter: Vec<(u32, Vec<Option<f32>>)>,
    /// Per feature column of the file, `describe()`'s figures (empty in older summaries).
    #[serde(default)]
    pub describe: Vec<ColumnSummary>,
    /// The first [`PREVIEW_ROWS`] rows, `head()`.
    #[serde(default)]
    pub head: Vec<PreviewRow>,
}

fn round4(v: f64) -> f32 {
    if v == 0.0 || !v.is_finite() {
        return v as f32;
    }
    let mag = libm::pow(10.0, (3 - libm::log10(v.abs()).floor() as i32) as f64);
    ((v * mag).round() / mag) as f32
}

pub fn summarize(data: &Ingested, seed: u64) -> EdaSummary {
    let k = data.classes.len();
    let labelled: Vec<_> = data.tracks.iter().filter(|t| t.label.is_some()).collect();
    let mut class_counts = vec![0u64; k];
    for t in &labelled {
        class_counts[t.label.expect("filtered") as usize] += 1;
    }
    let mut features = Vec::new();
    let mut describe = Vec::new();
    for &f in &data.present {
        let j = f.index();
        let mut all: Vec<f64> = data
            .tracks
            .iter()
            .map(|t| t.values[j])
            .filter(|v| !v.is_nan())
            .collect();
        all.sort_unstable_by(f64::total_cmp);
        let (lo, hi) = if all.is_empty() {
            (0.0, 1.0)
        } else {
            let (a, b) = (quantile_sorted(&all, 0.01), quantile_sorted(&all, 0.99));
            if b > a {
                (a, b)
            } else {
                (all[0], all[all.len() - 1].max(all[0] + 1.0))
            }
        };
        let caps = iqr_caps(&all);
        let mut boxes = Vec::with_capacity(k);
        let mut capped_boxes = Vec::with_capacity(k);
        let mut histograms = Vec::with_capacity(k);
        for c in 0..k {
            let mut v: Vec<f64> = labelled
                .iter()
                .filter(|t| t.label == Some(c as u32))
                .map(|t| t.values[j])
                .filter(|v| !v.is_nan())
                .collect();
            v.sort_unstable_by(f64::total_cmp);
            let mut hist = vec![0u32; HISTOGRAM_BINS];
            for &x in &v {
                let b = ((x - lo) / (hi - lo) * HISTOGRAM_BINS as f64).floor();
                hist[(b.max(0.0) as usize).min(HISTOGRAM_BINS - 1)] += 1;
            }
            histograms.push(hist);
            boxes.push(box_stats(&v));
            // Clamping keeps the order, so the capped values are still sorted.
            let capped: Vec<f64> = match caps {
                Some((low, high)) => v.iter().map(|x| x.clamp(low, high)).collect(),
                None => v,
            };
            capped_boxes.push(box_stats(&capped));
        }
        describe.push(describe_column(f, &all, data.tracks.len() as u64));
        features.push(FeatureSummary {
            feature: f,
            lo,
            hi,
            boxes,
            histograms,
            capped_boxes,
        });
    }
    let head = data
        .tracks
        .iter()
        .take(PREVIEW_ROWS)
        .map(|t| PreviewRow {
            row: t.row,
            values: data
                .present
                .iter()
                .map(|f| Some(t.values[f.index()]).filter(|v| !v.is_nan()))
                .collect(),
            genre: t.label.map(|l| data.classes[l as usize].clone()),
            name: t.name.clone(),
        })
        .collect();
    let correlation_features = data.present.clone();
    let correlation = correlation_matrix(data, &correlation_features);
    let mut rng = Rng::new(seed);
    let mut scatter = Vec::new();
    for c in 0..k {
        let mut rows: Vec<usize> = (0..data.tracks.len())
            .filter(|&i| data.tracks[i].label == Some(c as u32))
            .collect();
        rng.shuffle(&mut rows);
        for &i in rows.iter().take(SCATTER_PER_CLASS) {
            let vals = data.tracks[i]
                .values
                .iter()
                .map(|&v| (!v.is_nan()).then(|| round4(v)))
                .collect();
            scatter.push((c as u32, vals));
        }
    }
    EdaSummary {
        rows: data.tracks.len() as u64,
        classes: data.classes.clone(),
        class_counts,
        features,
        correlation_features,
        correlation,
        scatter,
        describe,
        head,
    }
}

/// `describe()` of one column from its sorted values, out of `rows` rows.
fn describe_column(feature: Feature, sorted: &[f64], rows: u64) -> ColumnSummary {
    let n = sorted.len();
    let stats = (n > 0).then(|| {
        let mean = sorted.iter().sum::<f64>() / n as f64;
        let squares = sorted.iter().map(|v| (v - mean) * (v - mean)).sum::<f64>();
        ColumnStats {
            mean,
            std: (n > 1).then(|| (squares / (n - 1) as f64).sqrt()),
            min: sorted[0],
            q1: quantile_sorted(sorted, 0.25),
            median: quantile_sorted(sorted, 0.5),
            q3: quantile_sorted(sorted, 0.75),
            max: sorted[n - 1],
        }
    });
    ColumnSummary {
        feature,
        count: n as u64,
        missing: rows - n as u64,
        stats,
    }
}

pub fn box_stats(sorted: &[f64]) -> Option<BoxStats> {
    if sorted.is_empty() {
        return None;
    }
    let q1 = quantile_sorted(sorted, 0.25);
    let q3 = quantile_sorted(sorted, 0.75);
    let iqr = q3 - q1;
    let (lo_fence, hi_fence) = (q1 - 1.5 * iqr, q3 + 1.5 * iqr);
    let inside: Vec<f64> = sorted
        .iter()
        .copied()
        .filter(|&v| v >= lo_fence && v <= hi_fence)
        .collect();
    Some(BoxStats {
        min: sorted[0],
        q1,
        median: quantile_sorted(sorted, 0.5),
        q3,
        max: sorted[sorted.len() - 1],
        whisker_low: inside.first().copied().unwrap_or(q1),
        whisker_high: inside.last().copied().unwrap_or(q3),
        outliers: (sorted.len() - inside.len()) as u64,
        count: sorted.len() as u64,
    })
}

/// Pairwise-complete Pearson correlation.
pub fn correlation_matrix(data: &Ingested, features: &[Feature]) -> Vec<Vec<f64>> {
    let p = features.len();
    let mut m = vec![vec![f64::NAN; p]; p];
    for a in 0..p {
        for b in a..p {
            let (ja, jb) = (features[a].index(), features[b].index());
            let (mut n, mut sa, mut sb, mut saa, mut sbb, mut sab) = (0.0, 0.0, 0.0, 0.0, 0.0, 0.0);
            for t in &data.tracks {
                let (x, y) = (t.values[ja], t.values[jb]);
                if x.is_nan() || y.is_nan() {
                    continue;
                }
                n += 1.0;
                sa += x;
                sb += y;
                saa += x * x;
                sbb += y * y;
                sab += x * y;
            }
            let cov = sab / n - (sa / n) * (sb / n);
            let (ma, mb) = (sa / n, sb / n);
            let va = saa / n - ma * ma;
            let vb = sbb / n - mb * mb;
            let r = if n > 1.0 && va > 0.0 && vb > 0.0 {
                (cov / (va * vb).sqrt()).clamp(-1.0, 1.0)
            } else {
                f64::NAN
            };
            m[a][b] = r;
            m[b][a] = r;
        }
    }
    m
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_csv, IngestOptions};

    #[test]
    fn box_stats_match_hand_values() {
        let v = [1.0, 2.0, 3.0, 4.0, 100.0];
        let b = box_stats(&v).unwrap();
        assert_eq!((b.q1, b.median, b.q3), (2.0, 3.0, 4.0));
        assert_eq!((b.whisker_low, b.whisker_high, b.outliers), (1.0, 4.0, 1));
    }

    #[test]
    fn describe_head_and_capped_boxes_match_hand_values() {
        // energy 1,2,3,4,100 over two genres; tempo missing in one row.
        let csv = "energy,tempo,genre,song_name\n1,90,a,one\n2,,a,two\n3,80,b,three\n\
                   4,70,b,four\n100,60,b,five\n";
        let d = read_csv(csv.as_bytes(), &IngestOptions::for_training()).unwrap();
        let s = summarize(&d, 1);
        let energy = &s.describe[0];
        assert_eq!(
            (energy.feature, energy.count, energy.missing),
            (Feature::Energy, 5, 0)
        );
        let e = energy.stats.as_ref().unwrap();
        assert_eq!(
            (e.mean, e.min, e.q1, e.median, e.q3, e.max),
            (22.0, 1.0, 2.0, 3.0, 4.0, 100.0)
        );
        // pandas: Series([1,2,3,4,100]).std() = sqrt(7610 / 4) = 43.6177
        assert!((e.std.unwrap() - 43.61765698).abs() < 1e-6, "{:?}", e.std);
        let tempo = &s.describe[1];
        assert_eq!((tempo.count, tempo.missing), (4, 1));
        assert_eq!(tempo.stats.as_ref().unwrap().mean, 75.0);
        // head(): rows as read, features in describe's order, missing as None.
        assert_eq!(s.head.len(), 5);
        assert_eq!(s.head[1].row, 3);
        assert_eq!(s.head[1].values, vec![Some(2.0), None]);
        assert_eq!(s.head[1].genre.as_deref(), Some("a"));
        assert_eq!(s.head[4].name.as_deref(), Some("five"));
        // Caps over all energy values: q1 2, q3 4 -> (-1, 7); genre b's 100 becomes 7.
        let energy = &s.features[0];
        assert_eq!(energy.boxes[1].as_ref().unwrap().max, 100.0);
        let capped = energy.capped_boxes[1].as_ref().unwrap();
        assert_eq!((capped.max, capped.outliers), (7.0, 0));
        assert_eq!(
            energy.capped_boxes[0], energy.boxes[0],
            "nothing to cap in genre a"
        );
        // A summary written before these fields existed still reads.
        let mut old = serde_json::to_value(&s).unwrap();
        old.as_object_mut().unwrap().remove("describe");
        old.as_object_mut().unwrap().remove("head");
        let back: EdaSummary = serde_json::from_value(old).unwrap();
        assert!(back.describe.is_empty() && back.head.is_empty());
    }

    #[test]
    fn correlation_of_linear_columns_is_one() {
        let csv =
            "energy,valence,tempo,genre\n0.1,0.2,90,a\n0.2,0.4,80,a\n0.3,0.6,70,b\n0.4,0.8,60,b\n";
        let d = read_csv(csv.as_bytes(), &IngestOptions::for_training()).unwrap();
        let s = summarize(&d, 1);
        assert!((s.correlation[0][1] - 1.0).abs() < 1e-9);
        assert!((s.correlation[0][2] + 1.0).abs() < 1e-9);
        assert_eq!(s.class_counts, vec![2, 2]);
        assert_eq!(s.features[0].histograms[0].iter().sum::<u32>(), 2);
        assert_eq!(s.scatter.len(), 4);
    }
}
