//! CSV ingest: any bytes give a table or a typed error, for training and for prediction reads,
//! and reading them in slices (as the page does) gives exactly what one read gives.
#![no_main]

use genre_core::ingest::{read_csv, IngestOptions, Reader, Step};
use libfuzzer_sys::fuzz_target;

/// Reads `data` seven records per step; the result as Debug text (NaN is never == NaN).
fn read_in_slices(data: &[u8], opts: &IngestOptions) -> String {
    let result = Reader::new(data, opts).and_then(|mut reader| {
        while let Step::More(_) = reader.step(7)? {}
        reader.finish()
    });
    format!("{result:?}")
}

fuzz_target!(|data: &[u8]| {
    for opts in [
        IngestOptions::for_training(),
        IngestOptions::for_prediction(),
    ] {
        let whole = read_csv(data, &opts);
        assert_eq!(read_in_slices(data, &opts), format!("{whole:?}"));
        match whole {
            Ok(d) => {
                // What the ingest promises about its report.
                assert_eq!(d.report.rows_kept as usize, d.tracks.len());
                assert_eq!(
                    d.report.rows_read,
                    d.report.rows_kept + d.report.rows_rejected + d.report.duplicates_dropped
                );
                assert!(!d.present.is_empty());
                for t in &d.tracks {
                    assert!(t.values.iter().all(|v| v.is_nan() || v.is_finite()));
                    assert!(t.label.is_none_or(|l| (l as usize) < d.classes.len()));
                }
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
