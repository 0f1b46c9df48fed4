//! Model-file decoder: any bytes give a model or a typed error. A decoded model predicts a row
//! (walking every tree) without panicking.
//!
//! Random bytes almost never carry a valid CRC-32, so each input is decoded twice: as given
//! (the header checks) and with the header's length and checksum rewritten to match the
//! payload, which lets the fuzzer reach the content decoder.
#![no_main]

use genre_core::format::{crc32, FORMAT_VERSION, MAGIC};
use genre_core::model::TrainedModel;
use libfuzzer_sys::fuzz_target;

fn exercise(bytes: &[u8]) {
    match TrainedModel::from_bytes(bytes) {
        Ok(m) => {
            let p = m.features().len();
            for row in [
                vec![0.5; p],
                vec![f64::NAN; p],
                vec![1e300; p],
                vec![-1e300; p],
            ] {
                let pred = m.predict_raw(&row);
                assert!(pred.class < m.n_classes());
                assert_eq!(pred.probabilities.len(), m.n_classes());
                let _ = m.explain_raw(&row, pred.class);
                let _ = m.out_of_range(&row);
            }
            // What decodes re-encodes (the writer must not panic on a decoded model either).
            let _ = m.to_bytes();
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
}

fuzz_target!(|data: &[u8]| {
    exercise(data);
    let payload = data.get(16..).unwrap_or(&[]);
    let mut fixed = Vec::with_capacity(16 + payload.len());
    fixed.extend_from_slice(MAGIC);
    fixed.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
    fixed.extend_from_slice(&[0, 0]);
    fixed.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    fixed.extend_from_slice(&crc32(payload).to_le_bytes());
    fixed.extend_from_slice(payload);
    exercise(&fixed);
});
