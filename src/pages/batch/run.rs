//! Predicting every row of an ingested file with the active model, in time slices so the page
//! keeps responding, and scoring the predictions when the file has genres.

use genre_core::ingest::Ingested;
use genre_core::metrics::Metrics;
use genre_core::model::TrainedModel;

use crate::browser::yield_now;
use crate::perf::now;

/// Work per slice before giving the browser a turn: well under the 50 ms long-task line, with
/// room for a slow or busy machine.
const SLICE_MS: f64 = 8.0;
/// A row is "far outside the training range" when a value is more than this many training-range
/// widths beyond it (such predictions cannot be trusted).
pub const FAR_OUT_WIDTHS: f64 = 0.5;

/// One predicted row.
#[derive(Debug, Clone, PartialEq)]
pub struct Row {
    /// Spreadsheet row in the uploaded file (header = 1).
    pub row: u64,
    pub name: Option<String>,
    /// Model class index.
    pub class: u16,
    pub confidence: f32,
    pub top: Vec<(u16, f32)>,
    /// Which features are far outside the training range, for the warning mark.
    pub far_out: Option<String>,
    /// The genre in the file (index into `Batch::file_classes`), if any.
    pub truth: Option<u32>,
    /// Every class's probability, for the download.
    pub probabilities: Box<[f32]>,
    /// The values predicted from, in the model's feature order (NaN = missing): what a
    /// correction of this row keeps.
    pub values: Box<[f64]>,
}

/// Accuracy and friends over the rows whose genre the model knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub metrics: Metrics,
    pub compared: usize,
    /// Labelled rows left out because the model has no such genre, by genre name.
    pub unknown: Vec<(String, usize)>,
}

/// Which model class each of the file's genre names is: the same name, else the same name
/// ignoring case and surrounding spaces.
pub fn map_classes(file_classes: &[String], model_classes: &[String]) -> Vec<Option<usize>> {
    file_classes
        .iter()
        .map(|name| {
            model_classes.iter().position(|m| m == name).or_else(|| {
                let key = name.trim().to_lowercase();
                model_classes
                    .iter()
                    .position(|m| m.trim().to_lowercase() == key)
            })
        })
        .collect()
}

/// Rows predicted together: the core's batch predictor walks several rows through each tree at
/// once (several times faster than row by row), and 64 rows stay well inside a time slice.
const BATCH_ROWS: usize = 64;

/// Predicts one track (the tests' reference for the batched path).
#[cfg(test)]
pub fn predict_row(model: &TrainedModel, track: &genre_core::ingest::Track) -> Row {
    let raw = model.features().select(&track.values);
    let p = model.predict_raw(&raw);
    to_row(model, track, &raw, p)
}

fn to_row(
    model: &TrainedModel,
    track: &genre_core::ingest::Track,
    raw: &[f64],
    p: genre_core::model::Prediction,
) -> Row {
    let far: Vec<String> = model
        .out_of_range(raw)
        .into_iter()
        .filter(|&(_, widths)| widths > FAR_OUT_WIDTHS)
        .map(|(f, widths)| format!("{} ({widths:.1} ranges outside)", f.name()))
        .collect();
    Row {
        row: track.row,
        name: track.name.clone(),
        class: p.class as u16,
        confidence: p.confidence(),
        top: p.top(3).into_iter().map(|(c, q)| (c as u16, q)).collect(),
        far_out: (!far.is_empty()).then(|| far.join(", ")),
        truth: track.label,
        probabilities: p.probabilities.into_boxed_slice(),
        values: raw.into(),
    }
}

/// Predicts every track, yielding to the browser every `SLICE_MS`; `progress(done, total)`.
pub async fn predict_all(
    model: &TrainedModel,
    data: &Ingested,
    progress: &mut dyn FnMut(usize, usize),
) -> Vec<Row> {
    let total = data.tracks.len();
    let mut rows = Vec::with_capacity(total);
    let mut slice_start = now();
    for tracks in data.tracks.chunks(BATCH_ROWS) {
        let raws = model.raw_rows(tracks);
        let predictions = model.predict_batch(&raws);
        for ((track, raw), p) in tracks.iter().zip(&raws).zip(predictions) {
            rows.push(to_row(model, track, raw, p));
        }
        if now() - slice_start > SLICE_MS {
            progress(rows.len(), total);
            yield_now().await;
            slice_start = now();
        }
    }
    progress(total, total);
    rows
}

/// Scores the rows against the file's genres (None when the file has none).
pub fn score(rows: &[Row], file_classes: &[String], model_classes: &[String]) -> Option<Score> {
    if file_classes.is_empty() {
        return None;
    }
    let map = map_classes(file_classes, model_classes);
    let (mut truth, mut predicted) = (Vec::new(), Vec::new());
    let mut unknown = vec![0usize; file_classes.len()];
    for r in rows {
        let Some(t) = r.truth else { continue };
        match map[t as usize] {
            Some(c) => {
                truth.push(c);
                predicted.push(r.class as usize);
            }
            None => unknown[t as usize] += 1,
        }
    }
    let unknown = file_classes
        .iter()
        .cloned()
        .zip(unknown)
        .filter(|u| u.1 > 0)
        .collect();
    Some(Score {
        compared: truth.len(),
        metrics: Metrics::compute(&truth, &predicted, model_classes.len()),
        unknown,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn classes_map_by_name_then_case_insensitively() {
        let m = map_classes(
            &s(&["pop", "Rap ", "polka", "RnB"]),
            &s(&["Pop", "RnB", "Rap"]),
        );
        assert_eq!(m, vec![Some(0), Some(2), None, Some(1)]);
    }

    fn row(class: u16, truth: Option<u32>) -> Row {
        Row {
            row: 2,
            name: None,
            class,
            confidence: 1.0,
            top: vec![],
            far_out: None,
            truth,
            probabilities: Box::new([]),
            values: Box::new([]),
        }
    }

    #[test]
    fn score_leaves_out_unknown_genres_and_unlabelled_rows() {
        let rows = [
            row(0, Some(0)),
            row(1, Some(0)),
            row(1, Some(1)),
            row(0, Some(2)),
            row(0, None),
        ];
        let sc = score(&rows, &s(&["a", "b", "zz"]), &s(&["a", "b"])).unwrap();
        assert_eq!(sc.compared, 3);
        assert!((sc.metrics.accuracy - 2.0 / 3.0).abs() < 1e-12);
        assert_eq!(sc.unknown, vec![("zz".to_string(), 1)]);
        assert!(score(&rows, &[], &s(&["a"])).is_none());
    }
}
