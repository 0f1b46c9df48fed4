//! The predictions file: every input row with its original cells, then `predicted_genre`,
//! `confidence`, `warning` and one `p_<genre>` probability column per genre. Rows the ingest
//! rejected keep their cells, with empty predictions and the warning "rejected", so the output
//! has exactly one row per input row. The cells are written back from where the reader found
//! each row (the core's `RecordWriter`; the file is not parsed again), in slices, and handed to
//! the browser as a Blob.

use genre_core::ingest::{RecordSpans, RecordWriter};

use super::run::Row;
use crate::browser::yield_now;
use crate::perf::now;

const SLICE_MS: f64 = 12.0;
/// Rows per writer step: a fraction of a millisecond, so a slice ends close to its time.
const STEP_ROWS: usize = 256;

fn fmt_p(p: f32) -> String {
    // Six decimals: enough to sort and sum, short enough for spreadsheets.
    format!("{p:.6}")
}

/// The added columns' names.
fn added_header(classes: &[String]) -> Vec<String> {
    let mut names: Vec<String> = ["predicted_genre", "confidence", "warning"]
        .map(String::from)
        .to_vec();
    names.extend(classes.iter().map(|c| format!("p_{c}")));
    names
}

/// The added cells of one input row: its prediction, or empty ones and "rejected".
fn added_cells(row: Option<&Row>, classes: &[String], cells: &mut Vec<String>) {
    match row {
        Some(r) => {
            cells.push(classes[r.class as usize].clone());
            cells.push(fmt_p(r.confidence));
            cells.push(
                r.far_out
                    .as_ref()
                    .map(|f| format!("far outside the training range: {f}"))
                    .unwrap_or_default(),
            );
            cells.extend(r.probabilities.iter().map(|&p| fmt_p(p)));
        }
        None => {
            cells.extend([String::new(), String::new()]);
            cells.push("rejected: see the report on the page".into());
            cells.extend(classes.iter().map(|_| String::new()));
        }
    }
}

/// Writes the predictions file for `input` (the uploaded bytes, as read into `spans`), `rows`
/// (in file order) and the model's class names. Yields to the browser between slices.
pub async fn predictions_csv(
    input: &[u8],
    spans: &RecordSpans,
    rows: &[Row],
    classes: &[String],
) -> Result<Vec<u8>, String> {
    let err = |e: genre_core::ingest::RewriteError| format!("Could not write the predictions: {e}");
    let mut writer = RecordWriter::new(input, spans, &added_header(classes)).map_err(err)?;
    // Rows and records are both in file order: a record's prediction is the next row's when
    // the row numbers agree (a rejected record has none).
    let mut next = rows.iter().peekable();
    let mut added = |row_number: u64, cells: &mut Vec<String>| {
        added_cells(next.next_if(|r| r.row == row_number), classes, cells)
    };
    let mut slice_start = now();
    while writer.step(STEP_ROWS, &mut added).map_err(err)? {
        if now() - slice_start > SLICE_MS {
            yield_now().await;
            slice_start = now();
        }
    }
    writer.finish().map_err(err)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::csv_upload::block_on;
    use crate::pages::batch::run::predict_row;
    use genre_core::ingest::{read_csv, IngestOptions};

    #[test]
    fn one_output_row_per_input_row_with_cells_kept() {
        let model = {
            let bytes =
                std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/public/model.bin")).unwrap();
            genre_core::model::TrainedModel::from_bytes(&bytes).unwrap()
        };
        let mut input = String::from("\u{feff}song_name;danceability;energy;loudness;speechiness;acousticness;instrumentalness;liveness;valence;tempo;duration_ms;key;mode;time_signature\n");
        input.push_str("\"A; <b>\";0.5;0.8;-5;0.1;0.1;0;0.1;0.5;120;200000;1;1;4\n");
        input.push_str("bad;x;0.8;-5;0.1;0.1;0;0.1;0.5;120;200000;1;1;4\n\n");
        input.push_str("C;0.7;0.9;-4;0.2;0.0;0.9;0.1;0.2;500;200000;1;1;4\n");
        let data = read_csv(input.as_bytes(), &IngestOptions::for_prediction()).unwrap();
        assert_eq!(data.tracks.len(), 2);
        let rows: Vec<Row> = data.tracks.iter().map(|t| predict_row(&model, t)).collect();
        let out = block_on(predictions_csv(
            input.as_bytes(),
            &data.spans,
            &rows,
            &model.classes,
        ))
        .unwrap();
        let mut r = csv::Reader::from_reader(out.as_slice());
        let header = r.headers().unwrap().clone();
        assert_eq!(&header[0], "song_name");
        assert_eq!(header.len(), 14 + 3 + model.classes.len());
        let recs: Vec<csv::StringRecord> = r.records().map(|x| x.unwrap()).collect();
        assert_eq!(recs.len(), 3);
        assert_eq!(&recs[0][0], "A; <b>");
        assert_eq!(&recs[0][14], model.classes[rows[0].class as usize].as_str());
        assert_eq!(&recs[1][16], "rejected: see the report on the page");
        assert!(recs[2][16].contains("tempo"), "{:?}", &recs[2]);
        let sum: f64 = (17..header.len())
            .map(|i| recs[0][i].parse::<f64>().unwrap())
            .sum();
        assert!((sum - 1.0).abs() < 1e-3);
    }
}
