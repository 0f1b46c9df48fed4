//! Batch in headless Chromium: the holdout rows of the bundled model predicted in the page give
//! the same accuracy as the native computation (and the CLI's `eval`), the downloaded CSV has
//! one row per input row with the same predictions, and the 10,000 / 100,000-row measurements.

use std::path::{Path, PathBuf};
use std::time::Duration;

use genre_core::ingest::{read_csv, IngestOptions};
use genre_core::metrics::Metrics;
use genre_lens_e2e::{
    dist_dir, ensure_split, native_model, repo_root, screenshot_dir, with_browser, Browser, Result,
    StaticServer,
};
use serde_json::{json, Value};

/// Native predictions for every kept row and the accuracy over the rows the model knows.
fn native_expectation(test: &Path) -> Result<(Vec<String>, f64)> {
    let model = native_model()?;
    let data = read_csv(std::fs::File::open(test)?, &IngestOptions::for_prediction())?;
    let mut predicted = Vec::new();
    let (mut truth, mut pred) = (Vec::new(), Vec::new());
    for t in &data.tracks {
        let p = model.predict_track(&t.values);
        predicted.push(model.classes[p.class].clone());
        let name = &data.classes[t.label.ok_or("test.csv rows have genres")? as usize];
        if let Some(c) = model.classes.iter().position(|m| m == name) {
            truth.push(c);
            pred.push(p.class);
        }
    }
    let accuracy = Metrics::compute(&truth, &pred, model.classes.len()).accuracy;
    Ok((predicted, accuracy))
}

#[tokio::test]
async fn batch_predicts_the_holdout_like_the_cli() -> Result<()> {
    let test = ensure_split()?;
    let holdout = native_model()?.meta.holdout.map(|h| h.accuracy);
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut page_accuracy = Value::Null;
    let mut csv_text = String::new();
    let mut sorted_first = Value::Null;
    let (mut native_predictions, mut native_accuracy) = (Vec::new(), f64::NAN);
    with_browser(1200, 900, async |b| {
        // Computed while this test holds the browser lock: on two cores, this native work
        // beside the other test's timed run would show up as its long tasks.
        (native_predictions, native_accuracy) = native_expectation(&test)?;
        b.open_page(&format!("{}#/batch", server.url())).await?;
        // Capture the download's Blob: the page builds it in memory and hands it to an <a download>.
        b.js("window.__blobs = []; const orig = URL.createObjectURL; URL.createObjectURL = (x) => { window.__blobs.push(x); return orig.call(URL, x); };").await?;
        b.upload("batch-file", &test).await?;
        page_accuracy = b
            .until("return document.getElementById('batch-accuracy')?.dataset.value;", "the accuracy")
            .await?;
        b.screenshot_full(1200, &screenshot_dir().join("batch-desktop.png")).await?;
        b.client.set_window_size(1200, 900).await?;
        let cm = b.client.find(fantoccini::Locator::Css("#h-batch-score")).await?;
        let card = cm.find(fantoccini::Locator::XPath("..")).await?;
        std::fs::write(screenshot_dir().join("batch-metrics.png"), card.screenshot().await?)?;
        // Sort by confidence (highest first), then filter by a genre.
        b.js("document.querySelector('button[data-sort=\"Confidence\"]').click();").await?;
        sorted_first = b
            .until("const cells = [...document.querySelectorAll('#batch-table tbody tr td:nth-child(4)')].map(td => parseFloat(td.textContent)); return cells.length ? cells : null;", "the sorted table")
            .await?;
        b.client.find(fantoccini::Locator::Id("batch-download")).await?.click().await?;
        b.until("return window.__blobs.length > 0;", "the download").await?;
        let text = b
            .client
            .execute_async("const done = arguments[arguments.length - 1]; window.__blobs[0].text().then(done);", vec![])
            .await?;
        csv_text = text.as_str().unwrap_or_default().to_string();
        Ok(())
    })
    .await?;

    let page_accuracy: f64 = page_accuracy.as_str().unwrap_or("NaN").parse()?;
    println!("MEASURE batch holdout accuracy: page {page_accuracy}, native {native_accuracy}, model file {holdout:?}");
    assert_eq!(
        page_accuracy, native_accuracy,
        "the page's accuracy is the native one"
    );
    if let Some(h) = holdout {
        assert!(
            (h - native_accuracy).abs() < 1e-9,
            "the model's stored holdout accuracy {h} vs {native_accuracy}"
        );
    }
    let conf: Vec<f64> = serde_json::from_value(sorted_first)?;
    assert!(
        conf.windows(2).all(|w| w[0] >= w[1]),
        "confidence sorted highest first: {conf:?}"
    );

    // The download: one row per input row, the input's columns kept, the same predictions.
    let input_rows = std::fs::read_to_string(&test)?
        .lines()
        .skip(1)
        .filter(|l| !l.is_empty())
        .count();
    let mut reader = csv::Reader::from_reader(csv_text.as_bytes());
    let header = reader.headers()?.clone();
    let col = |name: &str| {
        header
            .iter()
            .position(|h| h == name)
            .ok_or(format!("no column {name} in {header:?}"))
    };
    let (pg, conf_col, song) = (
        col("predicted_genre")?,
        col("confidence")?,
        col("song_name")?,
    );
    let probs = header.iter().filter(|h| h.starts_with("p_")).count();
    let records: Vec<csv::StringRecord> =
        reader.records().collect::<std::result::Result<_, _>>()?;
    assert_eq!(records.len(), input_rows, "one output row per input row");
    assert_eq!(probs, 15, "one probability column per genre");
    assert!(!records[0][song].is_empty());
    let downloaded: Vec<String> = records.iter().map(|r| r[pg].to_string()).collect();
    assert_eq!(
        downloaded, native_predictions,
        "downloaded predictions are the native ones"
    );
    assert!(records.iter().all(|r| r[conf_col].parse::<f64>().is_ok()));
    Ok(())
}

/// Writes `rows` data rows cycled from the training split (a big file of real tracks).
fn big_csv(rows: usize) -> Result<PathBuf> {
    ensure_split()?;
    let dir = repo_root().join("target/e2e-batch");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join(format!("rows-{rows}.csv"));
    if path.is_file() {
        return Ok(path);
    }
    let text = std::fs::read_to_string(repo_root().join("target/split/train.csv"))?;
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty train.csv")?;
    let body: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    let mut out = String::with_capacity(rows * 120);
    out.push_str(header);
    out.push('\n');
    for i in 0..rows {
        out.push_str(body[i % body.len()]);
        out.push('\n');
    }
    // Written aside and renamed, so a run killed half-way never leaves a short file to reuse.
    let partial = dir.join(format!("rows-{rows}.csv.partial"));
    std::fs::write(&partial, out)?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
}

/// Uploads `path` and returns (ms from the start of reading to the table on screen, the longest
/// main-thread task meanwhile).
async fn timed_run(b: &Browser, path: &Path, rows: usize) -> Result<(f64, f64)> {
    b.js("performance.clearMarks(); window.__long = [];")
        .await?;
    b.upload("batch-file", path).await?;
    let want = format!("{} rows predicted", fmt_count(rows));
    b.wait_js(
        &format!(
            "return document.getElementById('batch-summary')?.textContent.includes({});",
            json!(want)
        ),
        "the results",
        Duration::from_secs(180),
    )
    .await?;
    let v = b
        .until("const s = performance.getEntriesByName('batch-start')[0], e = performance.getEntriesByName('batch-shown')[0]; return e ? {ms: e.startTime - s.startTime, long: Math.max(0, ...window.__long)} : null;", "the timing marks")
        .await?;
    println!(
        "MEASURE page says: {}",
        b.text("#batch-summary").await?.unwrap_or_default()
    );
    Ok((
        v["ms"].as_f64().unwrap_or(f64::NAN),
        v["long"].as_f64().unwrap_or(f64::NAN),
    ))
}

fn fmt_count(n: usize) -> String {
    genre_core::text::count(n as u64)
}

#[tokio::test]
async fn batch_10k_fast_and_100k_without_long_tasks() -> Result<()> {
    let (p10, p100) = (big_csv(10_000)?, big_csv(100_000)?);
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let (mut t10, mut t100) = ((0.0, 0.0), (0.0, 0.0));
    with_browser(1200, 900, async |b| {
        b.open_page(&format!("{}#/batch", server.url())).await?;
        // Long tasks (> 50 ms on the main thread), as Chromium reports them.
        b.js("window.__long = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push(e.duration))).observe({type: 'longtask'});")
            .await?;
        t10 = timed_run(b, &p10, 10_000).await?;
        t100 = timed_run(b, &p100, 100_000).await?;
        Ok(())
    })
    .await?;
    println!("MEASURE batch 10,000 rows: {:.0} ms from reading to the table on screen; longest task {:.0} ms", t10.0, t10.1);
    println!("MEASURE batch 100,000 rows: {:.0} ms; longest main-thread task {:.0} ms (0 = none over 50 ms)", t100.0, t100.1);
    // Speed goals live in benchmarks, not here: the figures above go to docs/benchmarks.md (`./x measure`
    // prints the same lines). What this test guards is the design, with margins far above the
    // noise of a shared 2-core machine (the longest task is ~50 ms there, a time slice):
    // - the rows are predicted in slices, so the page never freezes for a whole file (one
    //   task for 100,000 rows would take seconds);
    // - 10,000 rows do not take longer than the model's own per-row cost allows many times over.
    assert!(t10.0 < 5000.0, "10,000 rows took {:.0} ms", t10.0);
    assert!(
        t100.1 < 500.0,
        "the page froze for {:.0} ms while predicting 100,000 rows: the rows must be predicted in slices",
        t100.1
    );
    Ok(())
}
