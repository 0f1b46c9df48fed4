//! Bad files in headless Chromium: a representative subset of the corpus in
//! `tests/bad_inputs/` uploaded where users upload it. Each gets its sentence (the core's message,
//! naming the row, column or field) and the page keeps working: after the bad files, a good one
//! goes through. (Bad training CSVs on the Train page: `train.rs`.)
//!
//! - Batch page: unreadable CSVs (empty, header only, binary, gzip, UTF-16, Latin-1, duplicated
//!   header, no feature column), a file lacking the model's features, then a file of real tracks
//!   with two broken rows: those are listed by row and column, the rest predicted.
//! - Train page, model files: empty, truncated, one flipped byte, a newer format version, a CSV
//!   renamed `.bin`: each named in the message, the active model unchanged, nothing saved; then a
//!   valid file loads.

use std::path::{Path, PathBuf};

use genre_lens_e2e::{
    dist_dir, ensure_split, repo_root, screenshot_dir, with_browser, Browser, Result, StaticServer,
    PATIENCE,
};
use serde_json::json;

fn corpus(kind: &str, name: &str) -> PathBuf {
    repo_root().join("tests/bad_inputs").join(kind).join(name)
}

/// The first 20 holdout rows with the tempo of row 3 made text and the valence of row 5
/// infinite (spreadsheet rows: the header is row 1).
fn tracks_with_two_broken_rows() -> Result<PathBuf> {
    let test = std::fs::read_to_string(ensure_split()?)?;
    let mut lines = test.lines();
    let header = lines.next().ok_or("empty test.csv")?;
    let names: Vec<&str> = header.split(',').collect();
    let col = |n: &str| names.iter().position(|h| *h == n).ok_or(format!("no {n}"));
    let (tempo, valence) = (col("tempo")?, col("valence")?);
    let mut out = vec![header.to_string()];
    for (i, line) in lines.take(20).enumerate() {
        let row = i + 2;
        let mut record = csv::ReaderBuilder::new()
            .has_headers(false)
            .from_reader(line.as_bytes())
            .records()
            .next()
            .ok_or("empty line")??
            .iter()
            .map(str::to_string)
            .collect::<Vec<_>>();
        if row == 3 {
            record[tempo] = "fast".into();
        }
        if row == 5 {
            record[valence] = "inf".into();
        }
        let mut w = csv::Writer::from_writer(Vec::new());
        w.write_record(&record)?;
        out.push(
            String::from_utf8(w.into_inner().map_err(|e| e.to_string())?)?
                .trim_end()
                .to_string(),
        );
    }
    let dir = repo_root().join("target/e2e-bad-files");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("two-broken-rows.csv");
    std::fs::write(&path, out.join("\n") + "\n")?;
    Ok(path)
}

/// Uploads `path` in the file input `input` and returns the new text of the element `message`
/// (each message names its file, so a new one differs from the last).
async fn message_for(b: &Browser, input: &str, path: &Path, message: &str) -> Result<String> {
    let before = b.text(&format!("#{message}")).await?;
    b.upload(input, path).await?;
    let text = b
        .wait_js_args(
            "const e = document.getElementById(arguments[0]); return e && e.textContent !== arguments[1] && e.textContent;",
            vec![json!(message), json!(before.unwrap_or_default())],
            &path.display().to_string(),
            PATIENCE,
        )
        .await?;
    Ok(text.as_str().unwrap_or_default().to_string())
}

#[tokio::test]
async fn batch_bad_csvs_get_their_message_and_a_good_file_still_works() -> Result<()> {
    let good = tracks_with_two_broken_rows()?;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let cases: [(&str, &[&str]); 9] = [
        ("empty.csv", &["empty.csv: The file is empty"]),
        ("header_only.csv", &["header row but no data rows"]),
        (
            "random_binary.csv",
            &["does not look like a CSV", "near byte"],
        ),
        ("gzip_renamed.csv", &["gzip-compressed", "unpack it first"]),
        ("utf16_bom.csv", &["UTF-16", "save it as UTF-8"]),
        (
            "latin1.csv",
            &["Row 2, column song_name", "not valid UTF-8"],
        ),
        (
            "duplicate_headers.csv",
            &["Column Energy appears twice", "columns 1 and 3"],
        ),
        (
            "no_feature_columns.csv",
            &["No audio-feature column", "artist, album, genre"],
        ),
        // Readable, but the bundled model needs 13 features and this file has 9.
        (
            "text_in_numbers.csv",
            &[
                "text_in_numbers.csv: This model needs features the data does not have",
                "missing from the data: danceability",
            ],
        ),
    ];
    let mut seen = Vec::new();
    let mut after = (String::new(), String::new());
    with_browser(1280, 900, async |b| {
        b.open_page(&format!("{}#/batch", server.url())).await?;
        for (file, _) in &cases {
            let text = message_for(b, "batch-file", &corpus("csv", file), "batch-error").await?;
            seen.push((file.to_string(), text));
            if *file == "latin1.csv" {
                b.screenshot_full(1280, &screenshot_dir().join("batch-bad-file.png"))
                    .await?;
                b.client.set_window_size(1280, 900).await?;
            }
        }
        // The page still works: real tracks with two broken rows.
        let summary = b
            .upload_then_text(
                "batch-file",
                &good,
                "return document.getElementById('batch-summary')?.textContent;",
                "the predictions",
            )
            .await?;
        let rejected = b.text(".report-rejections").await?.unwrap_or_default();
        after = (summary, rejected);
        b.screenshot_full(1280, &screenshot_dir().join("batch-rejected-rows.png"))
            .await?;
        Ok(())
    })
    .await?;
    for ((file, want), (_, text)) in cases.iter().zip(&seen) {
        println!("batch {file}: {text}");
        for w in *want {
            assert!(text.contains(w), "{file}: expected {w:?} in {text:?}");
        }
    }
    let (summary, rejected) = after;
    println!("batch good file: {summary} | {rejected}");
    assert!(summary.starts_with("18 rows predicted"), "{summary}");
    assert!(rejected.contains("Rejected rows (2)"), "{rejected}");
    assert!(
        rejected.contains("row 3, column tempo: expected a number, found \"fast\""),
        "{rejected}"
    );
    assert!(
        rejected.contains("row 5, column valence: expected a finite number, found \"inf\""),
        "{rejected}"
    );
    Ok(())
}

#[tokio::test]
async fn train_bad_model_files_get_their_message_and_keep_the_active_model() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let cases = [
        ("empty.bin", "The model file is empty."),
        (
            "truncated_half.bin",
            "The model file is truncated: it ends at byte",
        ),
        ("flipped_byte.bin", "its checksum does not match"),
        (
            "newer_version.bin",
            "made by a newer version of Genre Lens (format 3",
        ),
        (
            "csv_renamed.bin",
            "not a Genre Lens model file (it does not start with the GLNS signature). This box reads Genre Lens model files (.bin), LightGBM text models and XGBoost JSON models.",
        ),
    ];
    let mut seen = Vec::new();
    let mut end = (String::new(), String::new(), String::new(), 0u64);
    with_browser(1280, 900, async |b| {
        b.open_page(&format!("{}#/train", server.url())).await?;
        let before = b.model_status().await?;
        for (file, _) in &cases {
            let text = message_for(
                b,
                "model-file",
                &corpus("model", file),
                "model-file-message",
            )
            .await?;
            let class = b
                .js("return document.getElementById('model-file-message').className;")
                .await?;
            let status = b.model_status().await?;
            seen.push((text, class, status == before));
            if *file == "flipped_byte.bin" {
                b.screenshot_full(1280, &screenshot_dir().join("train-bad-model-file.png"))
                    .await?;
                b.client.set_window_size(1280, 900).await?;
            }
        }
        let saved = b
            .js("return document.querySelectorAll('#saved-list .saved').length;")
            .await?;
        // A valid file still loads and becomes active.
        let ok = message_for(
            b,
            "model-file",
            &corpus("model", "valid_small.bin"),
            "model-file-message",
        )
        .await?;
        end = (
            before,
            b.model_status().await?,
            ok,
            saved.as_u64().unwrap_or(99),
        );
        Ok(())
    })
    .await?;
    for ((file, want), (text, class, unchanged)) in cases.iter().zip(&seen) {
        println!("model {file}: {text}");
        assert!(
            text.starts_with(&format!("{file}: ")),
            "{file}: the message names the file: {text}"
        );
        assert!(text.contains(want), "{file}: expected {want:?} in {text:?}");
        assert!(
            class.as_str().unwrap_or_default().contains("error"),
            "{file}: {class}"
        );
        assert!(unchanged, "{file}: the active model changed");
    }
    let (before, after, ok, saved) = end;
    assert_eq!(saved, 0, "no bad file was saved");
    assert!(ok.contains("now the active model"), "{ok}");
    assert_ne!(before, after, "the valid file became active");
    assert_eq!(json!(after.starts_with("Model:")), json!(true));
    Ok(())
}
