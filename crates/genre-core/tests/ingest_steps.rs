//! Reading a file a slice at a time ([`Reader::step`], as the browser's page does) gives exactly
//! what one [`read_csv`] gives: the same data, report, spans, and the same error with the same
//! message, on the bundled data set and on every file of the bad-input corpus.

use std::path::{Path, PathBuf};

use genre_core::error::IngestError;
use genre_core::ingest::{read_csv, IngestOptions, Ingested, Reader, Step};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn read_in_steps(
    bytes: &[u8],
    opts: &IngestOptions,
    slice: usize,
) -> Result<Ingested, IngestError> {
    let mut reader = Reader::new(bytes, opts)?;
    let mut last = 0;
    while let Step::More(at) = reader.step(slice)? {
        assert!(at.bytes >= last, "progress never goes back");
        last = at.bytes;
    }
    reader.finish()
}

/// Debug text, because a missing value (NaN) is never equal to itself.
fn shown(result: &Result<Ingested, IngestError>) -> String {
    match result {
        Ok(d) => format!("{d:?}"),
        Err(e) => format!("{e:?}: {e}"),
    }
}

fn files() -> Vec<PathBuf> {
    let mut files = vec![repo().join("data/genres_v2.csv")];
    let mut corpus: Vec<PathBuf> = std::fs::read_dir(repo().join("tests/bad_inputs/csv"))
        .expect("the bad-input corpus")
        .map(|e| e.expect("a directory entry").path())
        .collect();
    corpus.sort();
    files.extend(corpus);
    files
}

#[test]
fn slices_of_1_7_and_10000_rows_read_like_one_read() {
    let files = files();
    assert!(files.len() > 15, "the corpus is there: {files:?}");
    for file in files {
        let bytes = std::fs::read(&file).expect("a corpus file");
        for opts in [
            IngestOptions::for_training(),
            IngestOptions::for_prediction(),
        ] {
            let whole = shown(&read_csv(&bytes[..], &opts));
            for slice in [1, 7, 10_000] {
                let sliced = shown(&read_in_steps(&bytes, &opts, slice));
                assert!(
                    sliced == whole,
                    "{} read in slices of {slice} differs from one read ({opts:?})",
                    file.display()
                );
            }
        }
    }
}

#[test]
fn a_step_reads_at_most_its_records() {
    let mut text = String::from("energy,genre\n");
    for i in 0..25 {
        text.push_str(&format!("0.{i},a\n"));
    }
    let mut reader = Reader::new(text.as_bytes(), &IngestOptions::for_prediction()).unwrap();
    let mut seen = Vec::new();
    while let Step::More(at) = reader.step(10).unwrap() {
        seen.push(at.rows);
    }
    assert_eq!(seen, vec![10, 20]);
    assert_eq!(reader.finish().unwrap().tracks.len(), 25);
}
