//! What the user sees is what is tested. Every page in its heaviest state, at 1280 px
//! (desktop window) and 390 px (emulated phone), goes through `Browser::look`: no CSP violation
//! and no console error, no sideways scrolling, bar lengths proportional to their numbers, chart
//! text of at least 11 px; each state is photographed into `target/screenshots/look-*.png`.
//!
//! Beside the look checks, the items of the issue that are about Train, Batch and Explore:
//! a label column picked from the file's columns (and `track_genre` recognised, 120 genres), a
//! bad file that keeps the results and data shown before, a stale option error that goes away,
//! consecutive step numbers, the shared drop zone naming the file in use, messages without
//! Markdown backticks, genre names shown alike, model cards without empty areas.

use std::path::{Path, PathBuf};
use std::time::Duration;

use genre_core::feature::Feature;
use genre_lens_e2e::{
    dist_dir, ensure_split, repo_root, site_at_1280_and_390, with_browser, Browser, Result,
    StaticServer, PATIENCE,
};
use serde_json::{json, Value};

const TRAIN: Duration = Duration::from_secs(900);

/// The tallest a Batch result row may be on a 390 px phone: one line, whose tallest item is the
/// "Correct…" button (about 30 px), plus the cells' padding (13 px); two lines of text would pass
/// 56 px, and the rows were 94 px tall when the "Top 3" and the track name wrapped.
const BATCH_ROW_MAX_PX: f64 = 52.0;

fn bad(name: &str) -> PathBuf {
    repo_root().join("tests/bad_inputs/csv").join(name)
}

/// The texts of the Train page's step badges, in page order.
async fn step_numbers(b: &Browser) -> Result<Vec<String>> {
    b.js_as("return [...document.querySelectorAll('.train-steps h2 .step')].map((e) => e.textContent.trim());").await
}

/// Scrolls each heading of the page into view as the browser does for a link or a focused
/// element, and returns those that end up (partly) under the sticky header.
async fn headings_clear_the_header(b: &Browser) -> Result<()> {
    let under = headings_under_the_header(b).await?;
    if under.is_empty() {
        Ok(())
    } else if std::env::var_os("GENRE_LENS_LOOK_REPORT_ONLY").is_some() {
        println!("LOOK PROBLEMS headings under the header: {under:?}");
        Ok(())
    } else {
        Err(format!("headings under the header: {under:?}").into())
    }
}

async fn headings_under_the_header(b: &Browser) -> Result<Vec<String>> {
    b.js_as("const header = document.querySelector('.site-header'); const out = []; if (getComputedStyle(header).position !== 'sticky') return out; for (const h of document.querySelectorAll('main h1, main h2')) { if (!h.getClientRects().length) continue; h.scrollIntoView({ block: 'start' }); const bottom = header.getBoundingClientRect().bottom; const top = h.getBoundingClientRect().top; if (top < bottom + 8) out.push(`${h.textContent.trim()}: top ${top.toFixed(0)}, header ends at ${bottom.toFixed(0)}`); } window.scrollTo(0, 0); return out;").await
}

/// Whether the file input with this id is the shared drop zone (a styled zone holding a hidden
/// input), not the browser's bare "Choose File" button.
async fn drop_zone(b: &Browser, id: &str) -> Result<bool> {
    let v = b
        .js_args(
            "const i = document.getElementById(arguments[0]); const z = i && i.closest('.dropzone'); return !!(z && i.getBoundingClientRect().width <= 1 && z.getBoundingClientRect().height > 60);",
            vec![json!(id)],
        )
        .await?;
    Ok(v == Value::Bool(true))
}

/// Train page: opens the details of the model with this code ("rf", …) and waits for them.
async fn show_details(b: &Browser, m: &str) -> Result<()> {
    b.click_until(
        &format!("show-{m}"),
        &format!("return !!document.getElementById('detail-{m}');"),
        "the model's details",
    )
    .await?;
    Ok(())
}

fn counting(n: usize) -> Vec<String> {
    (1..=n).map(|i| i.to_string()).collect()
}

/// A CSV in the public "Spotify Tracks Dataset" layout (pandas index column without a name,
/// track_id, artists, album_name, track_name, popularity, explicit, the audio features, and the
/// genre in `label_header`), made from the bundled rows: each genre split into 8 sub-genres
/// ("dark-trap-3"), 120 in all, like that data set's 114.
fn spotify_tracks_csv(label_header: &str, rows: usize) -> Result<PathBuf> {
    let path = repo_root().join(format!(
        "target/tmp/spotify-tracks-{label_header}-{rows}.csv"
    ));
    std::fs::create_dir_all(path.parent().expect("parent"))?;
    let mut reader = csv::Reader::from_path(repo_root().join("data/genres_v2.csv"))?;
    let headers = reader.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name).expect(name);
    // The audio features in the data set's names, duration placed with the track's columns.
    let features: Vec<&str> = Feature::ALL
        .iter()
        .filter(|f| **f != Feature::DurationMs)
        .map(|f| f.name())
        .collect();
    let mut out = csv::Writer::from_path(&path)?;
    let mut head = vec![
        "",
        "track_id",
        "artists",
        "album_name",
        "track_name",
        "popularity",
        "duration_ms",
        "explicit",
    ];
    head.extend(features.iter().copied());
    head.push(label_header);
    out.write_record(&head)?;
    // The data set is sorted by genre: take rows evenly from all of it.
    let all: Vec<csv::StringRecord> = reader.records().collect::<std::result::Result<_, _>>()?;
    let step = all.len().div_ceil(rows).max(1);
    for (i, r) in all.iter().step_by(step).take(rows).enumerate() {
        let genre = r[col("genre")].to_lowercase().replace(' ', "-");
        let mut line = vec![
            i.to_string(),
            format!("{i:022x}"),
            format!("Artist {}", i % 97),
            format!("Album {}", i % 31),
            r[col("song_name")].to_string(),
            (i % 100).to_string(),
            r[col("duration_ms")].to_string(),
            if i % 5 == 0 { "True" } else { "False" }.to_string(),
        ];
        line.extend(features.iter().map(|f| r[col(f)].to_string()));
        line.push(format!("{genre}-{}", i % 8));
        out.write_record(&line)?;
    }
    out.flush()?;
    Ok(path)
}

/// Train page: ticks only the forest, with `trees` trees, and trains; waits for the end.
async fn train_forest(b: &Browser, trees: u32) -> Result<Vec<(String, String)>> {
    b.only_the_forest(trees).await?;
    b.click_id("train-start").await?;
    b.wait_jobs(TRAIN).await
}

/// Empty area inside each model card of the Options step: the card's height less what its
/// legend and fields take.
async fn model_card_gaps(b: &Browser) -> Result<Vec<f64>> {
    b.js_as("return [...document.querySelectorAll('.model-opts')].map((f) => { const r = f.getBoundingClientRect(); const kids = [...f.children].map((c) => c.getBoundingClientRect()); const bottom = Math.max(...kids.map((k) => k.bottom)); return r.bottom - bottom; });").await
}

/// The Train page in every state at one width: empty, a file refused for its label column and
/// then read with the column picked, a stale option error, a bad file that keeps the data, six
/// models trained with every model's details, then the Spotify Tracks layout (120 genres).
async fn train_states(b: &Browser, server: &StaticServer, w: &str) -> Result<()> {
    b.open_page(&format!("{}#/train", server.url())).await?;
    assert_eq!(step_numbers(b).await?, counting(2), "empty page's steps");
    b.look(&format!("look-{w}-train-empty")).await?;

    // A label column that is not recognised: every column listed, the user picks it.
    let style = spotify_tracks_csv("style", 3_000)?;
    let message = b
        .upload_then_text(
            "train-file",
            &style,
            "return document.querySelector('#parse-error')?.textContent;",
            "the label message",
        )
        .await?;
    for column in [
        "track_id",
        "album_name",
        "popularity",
        "time_signature",
        "style",
    ] {
        assert!(message.contains(column), "{column} listed in {message:?}");
    }
    assert!(!message.contains('`'), "no Markdown backticks: {message:?}");
    let choices = b
        .js("return [...document.querySelectorAll('#pick-label option')].map((o) => o.value).filter((v) => v);")
        .await?;
    assert_eq!(
        choices.as_array().map(Vec::len),
        Some(20),
        "every named column offered: {choices}"
    );
    b.look(&format!("look-{w}-train-label-picker")).await?;
    b.choose("pick-label", "style").await?;
    b.until(
        "return document.getElementById('label-column')?.value === 'style';",
        "the file read with the picked label",
    )
    .await?;
    assert_eq!(step_numbers(b).await?, counting(5), "steps after a file");
    // A bad file next keeps this data set, which then still trains with the label picked.
    b.upload("train-file", &bad("random_binary.csv")).await?;
    b.until(
        "return document.querySelector('#parse-error')?.textContent.includes('is still in use');",
        "the bad file's message",
    )
    .await?;
    let jobs = train_forest(b, 5).await?;
    assert!(
        jobs[0].1.contains("job-done"),
        "the kept data set trains with its picked label: {jobs:?}"
    );
    for m in ["bagging", "knn", "tree", "svc", "gbt"] {
        b.set_checked(&format!("model-{m}"), true).await?;
    }

    // The bundled data set's file: report, options, and the checks of the options.
    let data = repo_root().join("data/genres_v2.csv");
    b.upload("train-file", &data).await?;
    let kept = b
        .until("const e = document.getElementById('rows-kept'); return e && document.getElementById('label-column')?.value === 'genre' ? e.textContent : null;", "the report")
        .await?;
    // Data, report, options, train, the last run's comparison, saved models.
    assert_eq!(
        step_numbers(b).await?,
        counting(6),
        "steps after a file and a run"
    );
    assert_eq!(
        b.text("#train-file-current").await?.unwrap_or_default(),
        "In use: genres_v2.csv · choose or drop another to replace it"
    );
    let gaps = model_card_gaps(b).await?;
    assert!(
        gaps.iter().all(|g| *g <= 24.0),
        "model cards without empty areas: {gaps:?} px below their fields"
    );
    let genres = b
        .js("return [...document.querySelectorAll('#class-counts .cc-name')].map((e) => e.textContent);")
        .await?;
    let genres: Vec<String> = serde_json::from_value(genres)?;
    assert!(genres.contains(&"Drum & Bass".to_string()), "{genres:?}");
    assert!(genres.contains(&"Trap".to_string()), "{genres:?}");
    assert!(
        !genres
            .iter()
            .any(|g| g == "dnb" || g == "trap" || g == "techhouse"),
        "raw labels: {genres:?}"
    );
    b.look(&format!("look-{w}-train-report")).await?;

    // A stale error: the message goes once the field is fixed.
    b.type_into("#opt-rf-trees", "many").await?;
    b.click_id("train-start").await?;
    b.until("return !!document.getElementById('options-error') && !!document.querySelector('.param.invalid #opt-rf-trees');", "the options error")
    .await?;
    b.type_into("#opt-rf-trees", "30").await?;
    b.wait_js(
        "return !document.getElementById('options-error') && !document.querySelector('.param.invalid');",
        "the options error to go once fixed",
        Duration::from_secs(5),
    )
    .await?;

    // A file that cannot be used keeps the data set read before.
    let refused = b
        .upload_then_text(
            "train-file",
            &bad("random_binary.csv"),
            "return document.querySelector('#parse-error')?.textContent;",
            "the bad file's message",
        )
        .await?;
    assert!(
        refused.contains("genres_v2.csv, is still in use"),
        "{refused:?}"
    );
    assert_eq!(
        b.text("#rows-kept").await?,
        kept.as_str().map(str::to_string)
    );
    assert_eq!(
        b.js("return document.getElementById('train-start').disabled;")
            .await?,
        Value::Bool(false),
        "training still possible on the data kept"
    );

    // Six models, small enough to train in a test's time.
    for (id, value) in [
        ("opt-rf-trees", "30"),
        ("opt-bag-trees", "5"),
        ("opt-svc-components", "200"),
        ("opt-svc-epochs", "3"),
        ("opt-gbt-rounds", "60"),
    ] {
        b.type_into(&format!("#{id}"), value).await?;
    }
    for m in ["rf", "bagging", "knn", "tree", "svc", "gbt"] {
        b.set_checked(&format!("model-{m}"), true).await?;
    }
    b.click_id("train-start").await?;
    let jobs = b.wait_jobs(TRAIN).await?;
    assert!(
        jobs.len() == 6 && jobs.iter().all(|(_, s)| s.contains("job-done")),
        "six models trained: {jobs:?}"
    );
    assert_eq!(step_numbers(b).await?, counting(6), "steps after training");
    headings_clear_the_header(b).await?;
    for m in ["rf", "bagging", "knn", "tree", "svc", "gbt"] {
        show_details(b, m).await?;
        b.look(&format!("look-{w}-train-{m}")).await?;
    }
    assert!(b.bar_charts().await? >= 2, "class counts and importances");

    // The Spotify Tracks layout: `track_genre` recognised, 120 genres trained and legible.
    let tracks = spotify_tracks_csv("track_genre", 12_000)?;
    b.upload_then(
        "train-file",
        &tracks,
        "return document.getElementById('label-column')?.value === 'track_genre';",
        "track_genre recognised",
    )
    .await?;
    let genres = b.count("#class-counts li").await?;
    assert_eq!(genres, 120, "120 genres in the report");
    let jobs = train_forest(b, 20).await?;
    assert!(jobs[0].1.contains("job-done"), "{jobs:?}");
    show_details(b, "rf").await?;
    // 120 genres stay readable: the largest mistakes listed in words, and the matrix and the
    // per-genre table each scroll in a box no taller than the window.
    let confused = b.count("#cm-rf-confused li").await?;
    assert_eq!(confused, 10, "the ten most confused pairs listed");
    let boxes: Vec<f64> = b
        .js_as("return ['#cm-rf .cm-scroll', '#detail-rf .table-scroll'].map((s) => document.querySelector(s).getBoundingClientRect().height / innerHeight);")
        .await?;
    assert!(
        boxes.iter().all(|&h| h > 0.2 && h <= 0.8),
        "matrix and table boxes as shares of the window's height: {boxes:?}"
    );
    b.look(&format!("look-{w}-train-120-genres")).await?;
    Ok(())
}

#[tokio::test]
async fn train_looks_right_at_1280_and_390() -> Result<()> {
    site_at_1280_and_390(train_states).await
}

/// Predict with a real example filled in and a value far outside the training range (the
/// warning shown), then the widget with every field.
async fn predict_and_widget_states(b: &Browser, server: &StaticServer, w: &str) -> Result<()> {
    b.open_page(&server.url()).await?;
    b.until(
        "return document.getElementById('top-genre')?.textContent.trim();",
        "the prediction",
    )
    .await?;
    b.click_id("example-fill").await?;
    b.type_into("#field-tempo", "400").await?;
    b.js("document.querySelectorAll('details').forEach((d) => { d.open = true; }); return true;")
        .await?;
    assert!(
        b.bar_charts().await? >= 2,
        "probabilities and contributions"
    );
    b.look(&format!("look-{w}-predict")).await?;
    headings_clear_the_header(b).await?;
    b.open_widget(&format!("{}widget.html?fields=all", server.url()))
        .await?;
    b.look(&format!("look-{w}-widget")).await?;
    Ok(())
}

#[tokio::test]
async fn predict_and_widget_look_right_at_1280_and_390() -> Result<()> {
    site_at_1280_and_390(predict_and_widget_states).await
}

/// Batch: the holdout predicted (metrics, confusion matrix, table), then a bad file that must
/// not take the results away; Explore: the bundled charts, an upload, a bad upload.
async fn batch_and_explore_states(
    b: &Browser,
    server: &StaticServer,
    test: &Path,
    w: &str,
) -> Result<()> {
    b.open_page(&format!("{}#/batch", server.url())).await?;
    b.look(&format!("look-{w}-batch-empty")).await?;
    assert!(
        drop_zone(b, "batch-file").await?,
        "Batch's picker is the drop zone"
    );
    b.upload("batch-file", test).await?;
    b.until(
        "return document.getElementById('batch-accuracy')?.dataset.value;",
        "the accuracy",
    )
    .await?;
    let showing = b.text("#batch-showing").await?;
    assert_eq!(
        b.text("#batch-file-current").await?.unwrap_or_default(),
        "In use: test.csv · choose or drop another to replace it"
    );
    let cells = b
        .js("return [...document.querySelectorAll('#batch-table .genre-cell')].map((e) => e.textContent.trim());")
        .await?;
    let cells: Vec<String> = serde_json::from_value(cells)?;
    assert!(
        !cells.is_empty()
            && cells
                .iter()
                .all(|c| c.chars().next().is_some_and(char::is_uppercase)),
        "genres shown alike: {cells:?}"
    );
    b.look(&format!("look-{w}-batch-results")).await?;
    headings_clear_the_header(b).await?;
    if w == "390" {
        // A phone: one line a row (the table scrolls sideways in its box); a row is then the
        // height of its tallest control, the "Correct…" button, and the cells' padding.
        let heights: Vec<f64> = b
            .js_as("return [...document.querySelectorAll('#batch-table tbody tr')].map((r) => r.getBoundingClientRect().height);")
            .await?;
        let tallest = heights.iter().copied().fold(0.0, f64::max);
        println!(
            "batch rows at 390 px: tallest {tallest:.1} px of {}",
            heights.len()
        );
        assert!(
            !heights.is_empty() && tallest <= BATCH_ROW_MAX_PX,
            "batch rows on a phone at most {BATCH_ROW_MAX_PX} px: {heights:?}"
        );
    }

    // A file that cannot be read keeps the results shown (and their download).
    let error = b
        .upload_then_text(
            "batch-file",
            &bad("latin1.csv"),
            "return document.querySelector('#batch-error')?.textContent;",
            "the bad file's message",
        )
        .await?;
    assert!(!error.contains('`'), "no Markdown backticks: {error:?}");
    assert_eq!(
        b.text("#batch-error code").await?.as_deref(),
        Some("song_name"),
        "the column's name set as code"
    );
    assert!(
        error.contains("The predictions below are still those of test.csv."),
        "{error:?}"
    );
    assert_eq!(b.text("#batch-showing").await?, showing, "the table stays");
    assert!(b.visible("#batch-download").await?, "the download stays");
    b.look(&format!("look-{w}-batch-bad-file")).await?;

    b.open_page(&format!("{}#/explore", server.url())).await?;
    b.until(
        "return !!document.getElementById('chart-class-counts');",
        "the charts",
    )
    .await?;
    b.look(&format!("look-{w}-explore-bundled")).await?;
    // The correlation matrix: its 169 values measured by the look check (no overlap, each in
    // its cell); on a wide screen it takes its box's width, on a phone it scrolls in its box.
    let (values, drawn, room, scrolls): (u64, f64, f64, bool) = b
        .js_as("const s = document.querySelector('#chart-heatmap svg'); const box = s.parentElement; return [s.querySelectorAll('text.cell-value').length, s.getBoundingClientRect().width, box.clientWidth, box.scrollWidth > box.clientWidth];")
        .await?;
    assert_eq!(values, 169, "13 × 13 values in the matrix");
    if w == "1280" {
        assert!(
            drawn <= room && drawn >= room - 20.0,
            "the matrix uses its box's width: {drawn} of {room} px"
        );
    } else {
        assert!(
            scrolls,
            "on a phone the matrix scrolls in its box ({drawn} in {room} px)"
        );
    }
    headings_clear_the_header(b).await?;
    b.upload("explore-file", test).await?;
    b.until(
        "return document.getElementById('explore-source-note')?.textContent.includes('test.csv');",
        "the uploaded file's charts",
    )
    .await?;
    assert_eq!(
        b.text("#explore-file-current").await?.unwrap_or_default(),
        "In use: test.csv · choose or drop another to replace it"
    );
    b.upload("explore-file", &bad("random_binary.csv")).await?;
    b.until(
        "return document.querySelector('#explore-error')?.textContent;",
        "the bad file's message",
    )
    .await?;
    assert!(
        b.text("#explore-source-note")
            .await?
            .is_some_and(|t| t.contains("test.csv")),
        "the charts of the file shown before stay"
    );
    b.look(&format!("look-{w}-explore-upload")).await?;
    assert!(
        drop_zone(b, "explore-file").await?,
        "Explore's picker is the drop zone"
    );

    b.open_page(&format!("{}#/embed", server.url())).await?;
    b.look(&format!("look-{w}-embed")).await?;
    Ok(())
}

#[tokio::test]
async fn batch_explore_and_embed_look_right_at_1280_and_390() -> Result<()> {
    let test = ensure_split()?;
    site_at_1280_and_390(async |b, server, w| batch_and_explore_states(b, server, &test, w).await)
        .await
}

/// Stops `server`, reloads its Train page (from the service worker) and asks for the bundled
/// data set: the rows kept, or the error shown instead.
async fn bundled_data_with_the_server_gone(b: &Browser, server: &StaticServer) -> Result<String> {
    server.stop();
    b.client.refresh().await?;
    b.open_page(&format!("{}#/train", server.url())).await?;
    b.click_id("use-bundled").await?;
    let shown = b
        .until("return document.getElementById('rows-kept')?.textContent || document.querySelector('#parse-error')?.textContent;", "the bundled data offline")
        .await?;
    Ok(shown.as_str().unwrap_or_default().to_string())
}

/// The Train page's bundled data set offline: the first use needs the network and says so;
/// once fetched, the service worker keeps it and it loads with the server gone.
#[tokio::test]
async fn the_bundled_data_set_offline() -> Result<()> {
    let site = StaticServer::start(&dist_dir()?, "/")?;
    let fresh = StaticServer::start(&dist_dir()?, "/")?;
    let seen = with_browser(1280, 900, async |b| {
        let controlled = "return (async () => { const r = await navigator.serviceWorker.getRegistration(); return !!(r && r.active && navigator.serviceWorker.controller); })();";
        // Never fetched: a visit, the server goes, the page asks for the data set.
        b.open_page(&format!("{}#/train", fresh.url())).await?;
        b.wait_js(controlled, "the service worker", PATIENCE).await?;
        let first = bundled_data_with_the_server_gone(b, &fresh).await?;

        // Fetched once online: kept for offline use.
        b.open_page(&format!("{}#/train", site.url())).await?;
        b.wait_js(controlled, "the service worker", PATIENCE).await?;
        b.use_bundled_data().await?;
        Ok((first, bundled_data_with_the_server_gone(b, &site).await?))
    })
    .await?;
    println!(
        "offline, never fetched: {}\noffline, fetched before: {}",
        seen.0, seen.1
    );
    assert!(
        seen.0.contains("needs a connection") || seen.0.contains("seems to be offline"),
        "{}",
        seen.0
    );
    assert!(
        seen.1.parse::<u64>().is_ok_and(|n| n > 30_000),
        "the bundled data set read offline: {}",
        seen.1
    );
    Ok(())
}
