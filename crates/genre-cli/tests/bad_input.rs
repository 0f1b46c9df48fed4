//! The built `genre-lens` binary on files of the bad-input corpus (`tests/bad_inputs/`):
//! exit code 2, exactly one line on stderr that names the file (and the row and column where
//! they apply), and never panic text.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn corpus(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/bad_inputs")
        .join(name)
}

fn out_dir(test: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../target/cli-bad-input")
        .join(test);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn eval(data: &str) -> Output {
    Command::new(env!("CARGO_BIN_EXE_genre-lens"))
        .args(["eval", "--model", "tree", "--json", "--data"])
        .arg(corpus(data))
        .output()
        .unwrap()
}

fn predict(model: &str, input: &str, test: &str) -> Output {
    let output = out_dir(test).join("predictions.csv");
    let _ = std::fs::remove_file(&output);
    Command::new(env!("CARGO_BIN_EXE_genre-lens"))
        .arg("predict")
        .arg("--model")
        .arg(corpus(model))
        .arg("--input")
        .arg(corpus(input))
        .arg("--output")
        .arg(&output)
        .output()
        .unwrap()
}

/// Exit code 2, nothing on stdout, one stderr line `error: <file>: <message>`; returns the
/// message after the file name.
fn fails_naming(out: Output, file: &str) -> String {
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    assert_eq!(out.status.code(), Some(2), "stderr: {stderr}");
    assert!(
        out.stdout.is_empty(),
        "stdout: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
    let lines: Vec<&str> = stderr.lines().collect();
    assert_eq!(lines.len(), 1, "exactly one line: {stderr}");
    let prefix = format!("error: {}: ", corpus(file).display());
    assert!(lines[0].starts_with(&prefix), "{stderr}");
    lines[0][prefix.len()..].to_string()
}

#[test]
fn csv_files_that_cannot_be_read() {
    let cases = [
        ("csv/empty.csv", "The file is empty"),
        (
            "csv/header_only.csv",
            "The file has a header row but no data rows.",
        ),
        (
            "csv/no_genre_column.csv",
            "No genre column: expected a column named `genre`",
        ),
        (
            "csv/no_feature_columns.csv",
            "No audio-feature column found",
        ),
        (
            "csv/duplicate_headers.csv",
            "Column `Energy` appears twice in the header (columns 1 and 3)",
        ),
        (
            "csv/latin1.csv",
            "Row 2, column `song_name`: the text is not valid UTF-8",
        ),
        ("csv/utf16_bom.csv", "The file is UTF-16 text"),
        (
            "csv/random_binary.csv",
            "This does not look like a CSV text file",
        ),
        ("csv/gzip_renamed.csv", "The file is gzip-compressed"),
    ];
    for (file, start) in cases {
        let message = fails_naming(eval(file), file);
        assert!(message.starts_with(start), "{file}: {message}");
    }
}

#[test]
fn batch_prediction_of_unreadable_csv_names_the_csv() {
    let message = fails_naming(
        predict("model/valid_small.bin", "csv/latin1.csv", "latin1"),
        "csv/latin1.csv",
    );
    assert!(
        message.starts_with("Row 2, column `song_name`"),
        "{message}"
    );
    assert!(!out_dir("latin1").join("predictions.csv").exists());
}

#[test]
fn bad_model_files_name_the_model_file() {
    let cases = [
        ("model/empty.bin", "The model file is empty."),
        (
            "model/truncated_half.bin",
            "The model file is truncated: it ends at byte",
        ),
        (
            "model/flipped_byte.bin",
            "The model file is corrupt: its checksum does not match",
        ),
        (
            "model/newer_version.bin",
            "The model file was made by a newer version of Genre Lens (format 3",
        ),
        (
            "model/csv_renamed.bin",
            "This is not a Genre Lens model file",
        ),
        (
            "model/other_features.bin",
            "This model needs features the data does not have",
        ),
    ];
    for (file, start) in cases {
        let out = predict(file, "csv/nan_inf_empty.csv", "models");
        let message = fails_naming(out, file);
        assert!(message.starts_with(start), "{file}: {message}");
    }
    assert!(!out_dir("models").join("predictions.csv").exists());
}

/// Row problems are not fatal: the good rows are predicted (exit 0) and each rejected row is
/// listed with its row, column and value.
#[test]
fn rejected_rows_are_listed_and_the_rest_predicted() {
    let out = predict("model/valid_small.bin", "csv/nan_inf_empty.csv", "rows");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(stderr.contains("predicted 3 rows (3 rejected)"), "{stderr}");
    for line in [
        "rejected row 4, column `tempo`: expected a finite number, found \"inf\"",
        "rejected row 5, column `valence`: expected a finite number, found \"-inf\"",
        "rejected row 6, column `duration_ms`: expected a finite number, found \"1e400\"",
    ] {
        assert!(stderr.contains(line), "{line}\n{stderr}");
    }
    let written = std::fs::read_to_string(out_dir("rows").join("predictions.csv")).unwrap();
    assert_eq!(written.lines().count(), 4, "header + 3 rows:\n{written}");
}

/// A genre too small to split is set aside with a note naming it and its row; the rest trains.
#[test]
fn a_genre_of_one_row_is_set_aside_with_a_note() {
    let out = eval("csv/class_with_one_row.csv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    assert!(
        stderr.contains("note: ") && stderr.contains("Set aside: genre Emo (row 6)"),
        "{stderr}"
    );
}

/// A training-time check exits 2 with one line naming the genre that is the problem.
#[test]
fn training_checks_exit_2_with_one_line() {
    let out = eval("csv/one_class.csv");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert_eq!(stderr.lines().count(), 1, "{stderr}");
    // (The file name is not in these messages yet: see docs/reliability.md, "Known gaps".)
    assert!(
        stderr.starts_with("error: ")
            && stderr
                .contains("Only one genre (`Rap`) in the data: a classifier needs at least two."),
        "{stderr}"
    );
}
