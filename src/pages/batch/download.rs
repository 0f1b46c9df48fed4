//! The predictions file: every input row with its original cells, then `predicted_genre`,
//! `confidence`, `warning` and one `p_<genre>` probability column per genre. Rows the ingest
//! rejected keep their cells, with empty predictions and the warning "rejected", so the output
//! has exactly one row per input row. Built in Rust and handed to the browser as a Blob.

use crate::csv_upload::chunked::detect_delimiter;
use crate::csv_upload::{now_ms, yield_now};
use genre_core::ingest::FileRows;

use super::run::Row;

const SLICE_MS: f64 = 12.0;

fn fmt_p(p: f32) -> String {
    // Six decimals: enough to sort and sum, short enough for spreadsheets.
    format!("{p:.6}")
}

/// Writes the predictions file for `input` (the uploaded bytes), `rows` (in file order) and the
/// model's class names. Yields to the browser between slices.
pub async fn predictions_csv(
    input: &[u8],
    rows: &[Row],
    classes: &[String],
) -> Result<Vec<u8>, String> {
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(detect_delimiter(input))
        .has_headers(false)
        .flexible(true)
        .from_reader(input);
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::with_capacity(input.len() * 2));
    let err = |e: csv::Error| format!("Could not write the predictions: {e}");
    let mut record = csv::ByteRecord::new();
    // The header: the first record that is not blank (the ingest skips blank lines before it).
    let mut width = 0;
    // Rows are numbered as the ingest numbers them (blank lines count), to match `rows`.
    let mut numbers = FileRows::new(input);
    loop {
        if !reader.read_byte_record(&mut record).map_err(err)? {
            return Err("The file has no header row.".into());
        }
        numbers.row(&record, reader.position().byte() as usize);
        if !record.iter().all(|c| c.iter().all(u8::is_ascii_whitespace)) {
            break;
        }
    }
    let mut header = record.clone();
    // A UTF-8 BOM belongs to the file, not to the first column's name.
    if let Some(first) = header.get(0).filter(|f| f.starts_with(&[0xEF, 0xBB, 0xBF])) {
        let mut fixed = csv::ByteRecord::new();
        fixed.push_field(&first[3..]);
        header.iter().skip(1).for_each(|f| fixed.push_field(f));
        header = fixed;
    }
    width = width.max(header.len());
    header.push_field(b"predicted_genre");
    header.push_field(b"confidence");
    header.push_field(b"warning");
    for c in classes {
        header.push_field(format!("p_{c}").as_bytes());
    }
    writer.write_byte_record(&header).map_err(err)?;

    let mut next = rows.iter().peekable();
    let mut slice_start = now_ms();
    while reader.read_byte_record(&mut record).map_err(err)? {
        let row_number = numbers.row(&record, reader.position().byte() as usize);
        // Same blank-line rule as the ingest: a record of one empty cell is not a track.
        if record.len() == 1 && record.get(0).is_some_and(|c| c.is_empty()) {
            continue;
        }
        let mut out = csv::ByteRecord::new();
        for i in 0..width {
            out.push_field(record.get(i).unwrap_or(b""));
        }
        match next.next_if(|r| r.row == row_number) {
            Some(r) => {
                out.push_field(classes[r.class as usize].as_bytes());
                out.push_field(fmt_p(r.confidence).as_bytes());
                out.push_field(
                    r.far_out
                        .as_ref()
                        .map(|f| format!("far outside the training range: {f}"))
                        .unwrap_or_default()
                        .as_bytes(),
                );
                for &p in r.probabilities.iter() {
                    out.push_field(fmt_p(p).as_bytes());
                }
            }
            None => {
                out.push_field(b"");
                out.push_field(b"");
                out.push_field(b"rejected: see the report on the page");
                for _ in classes {
                    out.push_field(b"");
                }
            }
        }
        writer.write_byte_record(&out).map_err(err)?;
        if now_ms() - slice_start > SLICE_MS {
            yield_now().await;
            slice_start = now_ms();
        }
    }
    writer
        .into_inner()
        .map_err(|e| format!("Could not write the predictions: {e}"))
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
        let out = block_on(predictions_csv(input.as_bytes(), &rows, &model.classes)).unwrap();
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
