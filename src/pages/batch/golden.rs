//! The Batch download is byte-identical to the one recorded in `tests/golden/batch/`.
//!
//! Each `NAME.csv` there (the e2e Batch files small enough to keep, and files with the
//! awkward cases: `;`, BOM, CRLF, lone CR, quotes, ragged and blank rows) and each
//! readable file of the bad-input corpus has its download in `NAME.predictions.csv`. The e2e
//! files too big to keep (the holdout split and the 10,000 / 100,000-row files) have the
//! SHA-256 of their download in `e2e.sha256`, checked by an ignored test once `./x test` has
//! made them. `GENRE_LENS_WRITE_GOLDENS=1` rewrites the goldens: only for a deliberate change of
//! the download's format.

use std::path::{Path, PathBuf};

use genre_core::ingest::IngestOptions;
use genre_core::model::TrainedModel;
use sha2::{Digest, Sha256};

use super::download::predictions_csv;
use super::run::predict_all;
use crate::csv_upload::block_on;
use crate::csv_upload::sliced::read_csv_sliced;

fn repo() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

fn model() -> TrainedModel {
    let bytes = std::fs::read(repo().join("public/model.bin")).expect("public/model.bin");
    TrainedModel::from_bytes(&bytes).expect("the bundled model decodes")
}

/// What the Batch page offers for download after reading `input`, or `None` when the page
/// refuses the file before predicting.
fn download(model: &TrainedModel, input: &[u8]) -> Option<Vec<u8>> {
    let data = block_on(read_csv_sliced(
        input,
        &IngestOptions::for_prediction(),
        &mut |_, _| {},
    ))
    .ok()?;
    let rows = block_on(predict_all(model, &data, &mut |_, _| {}));
    let out = predictions_csv(input, &data.spans, &rows, &model.classes);
    Some(block_on(out).expect("the download is written"))
}

fn golden_inputs() -> Vec<(PathBuf, PathBuf)> {
    let mut pairs = Vec::new();
    for (dir, goldens) in [
        ("tests/golden/batch", "tests/golden/batch"),
        ("tests/bad_inputs/csv", "tests/golden/batch/corpus"),
    ] {
        let mut names: Vec<PathBuf> = std::fs::read_dir(repo().join(dir))
            .expect("the golden inputs")
            .map(|e| e.expect("a directory entry").path())
            .filter(|p| {
                let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                p.is_file() && !name.ends_with(".predictions.csv") && !name.ends_with(".sha256")
            })
            .collect();
        names.sort();
        for input in names {
            let stem = input
                .file_stem()
                .and_then(|n| n.to_str())
                .unwrap_or_default();
            let golden = repo().join(goldens).join(format!("{stem}.predictions.csv"));
            pairs.push((input, golden));
        }
    }
    pairs
}

#[test]
fn downloads_equal_the_recorded_goldens() {
    let model = model();
    let write = std::env::var_os("GENRE_LENS_WRITE_GOLDENS").is_some();
    let mut compared = 0;
    for (input, golden) in golden_inputs() {
        let bytes = std::fs::read(&input).expect("the input");
        let Some(out) = download(&model, &bytes) else {
            assert!(!golden.exists(), "{} is readable no more", input.display());
            continue;
        };
        if write {
            std::fs::create_dir_all(golden.parent().expect("a directory")).expect("mkdir");
            std::fs::write(&golden, &out).expect("write the golden");
        }
        let want = std::fs::read(&golden).unwrap_or_else(|e| panic!("{}: {e}", golden.display()));
        assert!(
            out == want,
            "{}: the download differs from {}:\n{}",
            input.display(),
            golden.display(),
            String::from_utf8_lossy(&out)
        );
        compared += 1;
    }
    // The two e2e files, five awkward ones and the corpus's readable files.
    assert!(compared >= 15, "only {compared} goldens compared");
}

/// `tests/golden/batch/e2e.sha256`: "<sha256 of the download>  <input, from the repository root>".
#[test]
#[ignore = "needs the e2e inputs in target/ (`./x test` or `genre-lens split` makes them)"]
fn e2e_downloads_have_the_recorded_digests() {
    let model = model();
    let list = std::fs::read_to_string(repo().join("tests/golden/batch/e2e.sha256"))
        .expect("tests/golden/batch/e2e.sha256");
    let (mut want, mut got) = (String::new(), String::new());
    for line in list.lines().filter(|l| !l.trim().is_empty()) {
        let (_, input) = line.split_once("  ").expect("<digest>  <path>");
        let bytes = std::fs::read(repo().join(input)).unwrap_or_else(|e| panic!("{input}: {e}"));
        let out = download(&model, &bytes).expect("an e2e Batch file is readable");
        let digest: String = Sha256::digest(&out)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        want.push_str(&format!("{line}\n"));
        got.push_str(&format!("{digest}  {input}\n"));
    }
    // Every file's line at once, so a failure shows which downloads changed.
    assert_eq!(got, want, "the downloads' digests");
}
