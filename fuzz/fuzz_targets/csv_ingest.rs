//! CSV ingest: any bytes give a table or a typed error, for training and for prediction reads.
#![no_main]

use genre_core::ingest::{read_csv, IngestOptions};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    for opts in [
        IngestOptions::for_training(),
        IngestOptions::for_prediction(),
    ] {
        match read_csv(data, &opts) {
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
