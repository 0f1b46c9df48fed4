//! Corrections in headless Chromium, at 1280 and 390 px: "the genre is actually …" on Predict
//! and on two rows of Batch's table; the Train page lists the three (kept across a reload, in
//! IndexedDB), deletes one, exports the rest as a CSV the core's ingest reads back with their
//! values, trains a small forest on the bundled data plus them, and shows each track's
//! prediction before and after (the run's model, then the active model once it is used).
//! Screenshots: target/screenshots/corrections-{1280,390}.png.

use std::path::PathBuf;
use std::time::Duration;

use genre_core::genre::display_name;
use genre_core::ingest::{read_csv, IngestOptions};
use genre_lens_e2e::{
    native_model, repo_root, site_at_1280_and_390, Browser, Result, StaticServer,
};
use serde_json::json;

const TRAIN: Duration = Duration::from_secs(600);

/// The first four tracks of the bundled data as a Batch file (rows 2 to 5; rows 2 and 3 have
/// every feature).
fn batch_file() -> Result<(PathBuf, Vec<csv::StringRecord>, csv::StringRecord)> {
    let mut reader = csv::Reader::from_path(repo_root().join("data/genres_v2.csv"))?;
    let header = reader.headers()?.clone();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .take(4)
        .collect::<std::result::Result<_, _>>()?;
    let path = repo_root().join("target/tmp/corrections-batch.csv");
    std::fs::create_dir_all(path.parent().expect("parent"))?;
    let mut out = csv::Writer::from_path(&path)?;
    out.write_record(&header)?;
    for r in &rows {
        out.write_record(r)?;
    }
    out.flush()?;
    Ok((path, rows, header))
}

/// Picks, in the select `id`, the first genre that is not `not` (a display name); returns it.
async fn choose_other(b: &Browser, id: &str, not: &str) -> Result<String> {
    let value = b
        .js_args(
            "const s = document.getElementById(arguments[0]); const o = [...(s?.options || [])].find((o) => o.value !== '' && o.textContent !== arguments[1]); return o ? [o.value, o.textContent] : null;",
            vec![json!(id), json!(not)],
        )
        .await?;
    let (value, text): (String, String) =
        serde_json::from_value(value).map_err(|e| format!("#{id}: no other genre ({e})"))?;
    b.choose(id, &value).await?;
    Ok(text)
}

/// Keeps the correction chosen in the control `id` and waits for its "Kept" note.
async fn keep(b: &Browser, id: &str) -> Result<String> {
    b.click_id(&format!("{id}-keep")).await?;
    let status = b
        .until(
            &format!("const t = document.getElementById('{id}-status')?.textContent || ''; return t.startsWith('Kept') ? t : null;"),
            "the correction to be kept",
        )
        .await?;
    Ok(status.as_str().unwrap_or_default().to_string())
}

/// The corrections listed on the Train page: [number, was, right genre, features, was-line,
/// now-line, active-line] for each.
async fn listed(b: &Browser) -> Result<Vec<Vec<String>>> {
    b.js_as("return [...document.querySelectorAll('#corrections-list .correction')].map((li) => ['.correction-number', '.was-genre', '.right-genre', '.correction-features', '.correction-was', '.correction-now', '.correction-active'].map((c) => li.querySelector(c)?.textContent.trim() || ''));").await
}

async fn count_listed(b: &Browser, n: usize) -> Result<()> {
    b.until(
        &format!(
            "return document.querySelectorAll('#corrections-list .correction').length === {n};"
        ),
        &format!("{n} corrections listed"),
    )
    .await?;
    Ok(())
}

/// The whole flow at one width; `w` names the screenshot.
async fn flow(b: &Browser, server: &StaticServer, w: &str) -> Result<()> {
    let (file, rows, header) = batch_file()?;
    let model = native_model()?;

    // Predict: the form starts at the training medians; the genre is actually another one.
    b.open_page(&format!("{}#/", server.url())).await?;
    let predicted = b.text("#top-genre").await?.unwrap_or_default();
    let right_1 = choose_other(b, "correct-genre", &predicted).await?;
    let kept = keep(b, "correct").await?;
    assert!(kept.contains(&right_1), "{kept}");
    b.js("document.getElementById('correct').scrollIntoView({ block: 'center' }); return true;")
        .await?;
    b.look(&format!("corrections-predict-{w}")).await?;

    // Batch: rows 2 and 3 of the file are corrected in the table.
    b.open_page(&format!("{}#/batch", server.url())).await?;
    b.upload("batch-file", &file).await?;
    b.until(
        "return document.getElementById('correct-row-3-open');",
        "the table's corrections",
    )
    .await?;
    let predicted_row = |row: u64| {
        format!("return [...document.querySelectorAll('#batch-table tbody tr')].find((tr) => tr.querySelector('td').textContent.trim() === '{row}')?.querySelector('.genre-cell').textContent.trim();")
    };
    let mut batch = Vec::new();
    for row in [2u64, 3] {
        let said = b.js(&predicted_row(row)).await?;
        let said = said.as_str().unwrap_or_default().to_string();
        let id = format!("correct-row-{row}");
        b.click_id(&format!("{id}-open")).await?;
        let right = choose_other(b, &format!("{id}-genre"), &said).await?;
        keep(b, &id).await?;
        batch.push((said, right));
    }
    b.look(&format!("corrections-batch-{w}")).await?;

    // Train: the three, in the order they were made; kept across a reload.
    b.open_page(&format!("{}#/train", server.url())).await?;
    count_listed(b, 3).await?;
    b.client.refresh().await?;
    // Once the whole site has taken over from the first app (src/first_load.rs).
    b.until(
        "return !document.getElementById('site-loading')
            && document.querySelector('.model-status')?.textContent.startsWith('Model:');",
        "the model after a reload",
    )
    .await?;
    count_listed(b, 3).await?;
    let list = listed(b).await?;
    assert_eq!(list[0][1], predicted, "{list:?}");
    assert_eq!(list[0][2], right_1, "{list:?}");
    assert!(list[0][4].contains("Predict"), "{list:?}");
    assert!(
        list[0][3].contains("Energy") && list[0][3].contains("Tempo"),
        "features summary: {list:?}"
    );
    for (i, (said, right)) in batch.iter().enumerate() {
        assert_eq!(
            (&list[i + 1][1], &list[i + 1][2]),
            (said, right),
            "{list:?}"
        );
        assert!(
            list[i + 1][4].contains(&format!("corrections-batch.csv row {}", i + 2)),
            "{list:?}"
        );
    }

    // Delete one: the third (Batch's row 3).
    b.click_id("correction-delete-3").await?;
    count_listed(b, 2).await?;

    // Export: the CSV the page makes, read back by the core's ingest.
    b.js("window.__blobs = []; const orig = URL.createObjectURL; URL.createObjectURL = (x) => { window.__blobs.push(x); return orig.call(URL, x); }; return true;").await?;
    b.click_id("corrections-export").await?;
    b.until("return window.__blobs.length > 0;", "the export")
        .await?;
    let csv = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.__blobs[0].text().then(done);",
            vec![],
        )
        .await?;
    let csv = csv.as_str().unwrap_or_default().to_string();
    let nine: Vec<&str> = model
        .features()
        .as_slice()
        .iter()
        .map(|f| f.name())
        .collect();
    assert_eq!(
        csv.lines().next(),
        Some(format!("{},genre", nine.join(",")).as_str()),
        "genres_v2 column names: {csv}"
    );
    let read = read_csv(csv.as_bytes(), &IngestOptions::for_training())?;
    assert_eq!(read.report.rows_kept, 2, "{csv}");
    let genre = |i: usize| display_name(&read.classes[read.tracks[i].label.unwrap_or(0) as usize]);
    assert_eq!(
        (genre(0), genre(1)),
        (right_1.clone(), batch[0].1.clone()),
        "{csv}"
    );
    // Predict's values were the training medians; Batch's row 2 is the file's own row.
    let col = |name: &str| header.iter().position(|h| h == name).expect(name);
    for (j, f) in model.features().as_slice().iter().enumerate() {
        assert_eq!(
            read.tracks[0].values[f.index()],
            model.preprocessor.medians[j],
            "{f:?}"
        );
        let cell: f64 = rows[0][col(f.name())].parse()?;
        assert_eq!(read.tracks[1].values[f.index()], cell, "{f:?}");
    }
    assert_eq!(
        read.present,
        model.features().as_slice(),
        "only the model's features"
    );

    // Train with them: the bundled data set plus the two corrections, a small forest.
    b.use_bundled_data().await?;
    b.only_the_forest(10).await?;
    b.click_id("train-with-corrections").await?;
    let jobs = b.wait_jobs(TRAIN).await?;
    assert!(jobs.iter().all(|(_, s)| s.contains("job-done")), "{jobs:?}");
    // After: the run's forest says the corrected genre for both tracks.
    b.until(
        "return document.querySelectorAll('#corrections-list .correction-now').length === 2;",
        "the predictions after training",
    )
    .await?;
    let list = listed(b).await?;
    for (item, right) in list.iter().zip([&right_1, &batch[0].1]) {
        assert!(item[5].starts_with(&format!("{right} (")), "now: {item:?}");
        assert!(item[5].contains("+ 2 corrections"), "which model: {item:?}");
        // Before: the active model is still the one corrected, and says what it said.
        assert!(
            item[6].starts_with(&format!("{} (", item[1])),
            "active: {item:?}"
        );
    }
    // Using the new forest: the active model's prediction changes too.
    b.use_the_forest().await?;
    b.until(
        &format!("return document.querySelector('#correction-1 .correction-active')?.textContent.startsWith({});", json!(format!("{right_1} ("))),
        "the active model's prediction after",
    )
    .await?;
    b.js("document.getElementById('corrections').scrollIntoView(); return true;")
        .await?;
    b.look(&format!("corrections-{w}")).await
}

#[tokio::test]
async fn correct_predict_and_batch_then_train_with_the_corrections() -> Result<()> {
    site_at_1280_and_390(flow).await
}
