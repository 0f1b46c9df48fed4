//! Nothing is lost, in headless Chromium:
//!
//! - a save that hits the storage quota (a tiny quota set through DevTools, as Chromium's
//!   "simulate custom storage quota" does) is reported, leaves nothing half-written, the model
//!   still works in the tab, and saving works again once there is room;
//! - two tabs saving models at the same moment (each fires several saves at a shared instant)
//!   leave a store where every model is listed and every one loads;
//! - the parser worker (it holds the uploaded file) crashing after the upload: the next training
//!   reads the file again by itself and trains, the report on screen unchanged;
//! - a training worker that crashes mid-training (an uncaught error thrown inside it through
//!   DevTools: what a wasm trap looks like to the page) is reported on its job, its sibling
//!   shares stop, the active model stays, and the next run trains on fresh workers.
//!
//! The kept-model-survives-reloads check is in `train.rs`.

use std::time::Duration;

use genre_lens_e2e::{
    dist_dir, screenshot_dir, with_browser, Browser, Result, StaticServer, PATIENCE,
};
use serde_json::{json, Value};

const TRAIN: Duration = Duration::from_secs(600);

/// Loads `model.bin` from the site into this tab, then at the epoch time `at` (ms) chooses it
/// `n` times in the Train page's model-file input (as `name-0.bin`, `name-1.bin`, ...), one
/// right after the other: `n` loads and saves in flight at once.
async fn schedule_model_files(b: &Browser, at: u64, name: &str, n: u32) -> Result<()> {
    b.client
        .execute_async(
            "const [at, name, n, done] = arguments;
             fetch('model.bin').then((r) => r.arrayBuffer()).then((buf) => {
               setTimeout(() => {
                 const input = document.getElementById('model-file');
                 for (let i = 0; i < n; i++) {
                   const files = new DataTransfer();
                   files.items.add(new File([buf], `${name}-${i}.bin`));
                   input.files = files.files;
                   input.dispatchEvent(new Event('change', { bubbles: true }));
                 }
               }, Math.max(0, at - Date.now()));
               done(true);
             }, (e) => done(String(e)));",
            vec![json!(at), json!(name), json!(n)],
        )
        .await?;
    Ok(())
}

/// Runs `script` in the worker(s) named `worker` until the page hears `signal` on the
/// BroadcastChannel `e2e` (the script posts it where it throws); a DevTools pause that lands too
/// late is retried. Returns how many workers were reached.
async fn throw_in_worker(b: &Browser, worker: &str, script: &str, signal: &str) -> Result<usize> {
    // The crash is the point: the app says it in the console, which is not a failure here.
    b.expect_console("worker crashed");
    b.js("window.__bc = window.__bc || []; if (!window.__bcChannel) { window.__bcChannel = new BroadcastChannel('e2e'); window.__bcChannel.onmessage = (e) => window.__bc.push(e.data); }")
        .await?;
    for _ in 0..5 {
        let hit = b.eval_in_workers(worker, script).await?;
        let heard = b
            .wait_js_args(
                "return window.__bc.includes(arguments[0]);",
                vec![json!(signal)],
                "the throw inside the worker",
                Duration::from_secs(5),
            )
            .await;
        if hit == 0 || heard.is_ok() {
            return Ok(hit);
        }
    }
    Err(format!("{worker} never ran the script").into())
}

async fn saved_names(b: &Browser) -> Result<Vec<String>> {
    b.js_as("return [...document.querySelectorAll('#saved-list .saved .saved-name')].map((e) => e.textContent);").await
}

/// A string value's text; "" for any other value.
fn text(v: &Value) -> &str {
    v.as_str().unwrap_or_default()
}

#[tokio::test]
async fn a_full_quota_is_reported_and_nothing_is_half_saved() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let train = format!("{}#/train", server.url());
    let model = genre_lens_e2e::repo_root().join("public/model.bin");
    let mut seen: Vec<(&str, Value)> = Vec::new();
    with_browser(1280, 900, async |b| {
        b.open_page(&train).await?;
        b.until("return document.getElementById('saved-empty');", "the empty saved list")
            .await?;
        // The storage is full: the quota is set below what the site already uses (its offline
        // cache alone is about 2 MB), so a write is refused, as on a full disk. It is set before
        // the first write: in our runs, an override made after the database had been written to
        // did not apply to later writes.
        b.devtools(
            "Storage.overrideQuotaForOrigin",
            json!({ "origin": server.origin(), "quotaSize": 50_000 }),
        )
        .await?;
        let full = b.upload_then("model-file", &model, "return document.getElementById('model-file-message')?.textContent;", "the save's message").await?;
        seen.push(("message", full));
        b.screenshot_full(1280, &screenshot_dir().join("train-quota.png")).await?;
        b.client.set_window_size(1280, 900).await?;
        // Usable in this tab, not listed as saved, and nothing of it in the store.
        seen.push(("active", json!(b.text("#active-model").await?)));
        seen.push(("empty list", json!(b.visible("#saved-empty").await?)));
        let stored = b
            .client
            .execute_async(
                "const done = arguments[0];
                 const open = indexedDB.open('genre-lens');
                 open.onsuccess = () => {
                   const tx = open.result.transaction(['models', 'files'], 'readonly');
                   const a = tx.objectStore('models').count(), f = tx.objectStore('files').count();
                   tx.oncomplete = () => { open.result.close(); done([a.result, f.result]); };
                 };
                 open.onerror = () => done(String(open.error));",
                vec![],
            )
            .await?;
        seen.push(("stored", stored));
        // Room again: the same file saves and is listed, also after a reload.
        b.devtools("Storage.overrideQuotaForOrigin", json!({ "origin": server.origin() }))
            .await?;
        let ok = b.upload_then("model-file", &model, "const m = document.getElementById('model-file-message'); return m && m.classList.contains('ok') && m.textContent;", "the second save").await?;
        seen.push(("saved", ok));
        b.open_page(&train).await?;
        b.until("return document.querySelectorAll('#saved-list .saved.active').length === 1;", "the saved model after a reload")
            .await?;
        seen.push(("listed", b.js("return document.querySelectorAll('#saved-list .saved').length;").await?));
        Ok(())
    })
    .await?;
    for (what, v) in &seen {
        println!("quota: {what}: {v}");
    }
    let get = |k: &str| seen.iter().find(|(w, _)| *w == k).map(|(_, v)| v.clone());
    let message = get("message").unwrap_or_default();
    let message = message.as_str().unwrap_or_default();
    assert!(
        message.contains("is active in this tab, but not kept")
            && message.contains("storage is full"),
        "the user is told the save failed and why: {message}"
    );
    let active = get("active").unwrap_or_default();
    assert!(
        text(&active).contains("(bundled or unsaved)"),
        "the loaded model is active, unsaved: {active}"
    );
    for (what, want, why) in [
        ("empty list", json!(true), "nothing listed as saved"),
        (
            "stored",
            json!([0, 0]),
            "no description and no file half-written",
        ),
    ] {
        assert_eq!(get(what), Some(want), "{why}");
    }
    let saved = get("saved").unwrap_or_default();
    assert!(text(&saved).contains("now the active model"), "{saved}");
    assert_eq!(
        get("listed"),
        Some(json!(1)),
        "exactly the one good save is kept"
    );
    Ok(())
}

#[tokio::test]
async fn two_tabs_saving_at_once_keep_every_model() -> Result<()> {
    const PER_TAB: u32 = 3;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let train = format!("{}#/train", server.url());
    let mut seen = (Vec::new(), Vec::new(), 0usize);
    with_browser(1280, 900, async |b| {
        b.open_page(&train).await?;
        let first = b.client.window().await?;
        let second = b.client.new_window(true).await?.handle;
        b.client.switch_to_window(second.clone()).await?;
        b.open_page(&train).await?;
        // Both tabs fire their saves at the same instant, 1.5 s from now.
        let at = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)?
            .as_millis() as u64
            + 1500;
        schedule_model_files(b, at, "tab-b", PER_TAB).await?;
        b.client.switch_to_window(first.clone()).await?;
        schedule_model_files(b, at, "tab-a", PER_TAB).await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        for tab in [&first, &second] {
            b.client.switch_to_window(tab.clone()).await?;
            let msg = b
                .until("return document.getElementById('model-file-message')?.textContent;", "the saves to finish")
                .await?;
            seen.0.push(msg.as_str().unwrap_or_default().to_string());
        }
        // A fresh look at the store: every save is listed.
        b.client.switch_to_window(first.clone()).await?;
        b.open_page(&train).await?;
        let want = 2 * PER_TAB as usize;
        b.until(&format!("return document.querySelectorAll('#saved-list .saved').length >= {want};"), "every saved model in the list")
        .await?;
        seen.1 = saved_names(b).await?;
        // Every saved model loads: use each one in turn.
        let mut used = 0;
        for i in 0..want {
            let is_active = b
                .js_args("return document.querySelectorAll('#saved-list .saved')[arguments[0]].classList.contains('active');", vec![json!(i)])
                .await?;
            if is_active == json!(true) {
                used += 1;
                continue;
            }
            b.js_args("document.querySelectorAll('#saved-list .saved')[arguments[0]].querySelector('.saved-use').click();", vec![json!(i)])
                .await?;
            b.wait_js_args(
                "const row = document.querySelectorAll('#saved-list .saved')[arguments[0]]; return row.classList.contains('active') || row.querySelector('.msg.error')?.textContent;",
                vec![json!(i)],
                "the saved model to become active",
                PATIENCE,
            )
            .await?;
            let ok = b
                .js_args("return document.querySelectorAll('#saved-list .saved')[arguments[0]].classList.contains('active');", vec![json!(i)])
                .await?;
            if ok == json!(true) {
                used += 1;
            }
        }
        seen.2 = used;
        Ok(())
    })
    .await?;
    let (messages, names, used) = seen;
    println!("two tabs: last messages {messages:?}; saved {names:?}; {used} used");
    for m in &messages {
        assert!(m.contains("now the active model"), "a save failed: {m}");
    }
    assert_eq!(
        names.len(),
        2 * PER_TAB as usize,
        "every save is listed: {names:?}"
    );
    assert_eq!(
        used,
        names.len(),
        "every saved model loads and becomes active"
    );
    Ok(())
}

#[tokio::test]
async fn a_worker_crash_mid_training_is_reported_and_the_active_model_stays() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut seen = (String::new(), String::new(), Vec::new(), 0usize, Vec::new());
    with_browser(1280, 900, async |b| {
        b.open_page(&format!("{}#/train", server.url())).await?;
        let before = b.model_status().await?;
        b.use_bundled_data().await?;
        b.only_the_forest(3000).await?;
        // Two workers share the forest: the crash of one must stop the other's share too.
        b.type_into("#opt-workers", "2").await?;
        b.click_id("train-start").await?;
        b.wait_first_trees().await?;
        // An exception thrown from inside the first training worker's running training, as a
        // wasm trap would: the worker is busy in one long call into wasm, so the test makes the
        // clock that call reads for its progress messages throw; the exception unwinds the wasm
        // stack and is uncaught. The worker says on a BroadcastChannel when it threw (a pause
        // that lands too late is retried).
        let hit = throw_in_worker(
            b,
            "genre-lens trainer 1",
            "Date.now = () => { new BroadcastChannel('e2e').postMessage('called'); throw new Error('simulated crash from the test'); }; true",
            "called",
        )
        .await?;
        let t0 = std::time::Instant::now();
        let crashed = b.wait_jobs(PATIENCE).await?;
        let stopped_in = t0.elapsed();
        b.until("return !document.getElementById('train-start')?.disabled;", "Train to be available again")
            .await?;
        b.screenshot_full(1280, &screenshot_dir().join("train-worker-crash.png")).await?;
        b.client.set_window_size(1280, 900).await?;
        let after = b.model_status().await?;
        // The next run gets fresh workers.
        b.type_into("#opt-rf-trees", "8").await?;
        b.click_id("train-start").await?;
        let again = b.wait_jobs(TRAIN).await?;
        println!("MEASURE crash: the run ended {stopped_in:?} after the crash");
        seen = (before, after, crashed, hit, again);
        Ok(())
    })
    .await?;
    let (before, after, crashed, hit, again) = seen;
    println!("crash: {crashed:?}; again: {again:?}");
    assert_eq!(hit, 1, "the test reached the first training worker");
    let (_, status) = &crashed[0];
    assert!(status.contains("job-failed"), "{status}");
    assert!(
        status.contains("stopped unexpectedly") && status.contains("simulated crash"),
        "the job says what happened: {status}"
    );
    assert_eq!(before, after, "the active model must not change");
    assert!(again[0].1.contains("job-done"), "{again:?}");
    Ok(())
}

#[tokio::test]
async fn a_parser_crash_after_the_upload_does_not_lose_the_file() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let data = genre_lens_e2e::ensure_split()?;
    let mut seen = (String::new(), String::new(), Vec::new(), 0usize);
    with_browser(1280, 900, async |b| {
        b.open_page(&format!("{}#/train", server.url())).await?;
        b.upload("train-file", &data).await?;
        let report = b
            .until("return document.getElementById('rows-kept')?.textContent;", "the report")
            .await?;
        b.only_the_forest(8).await?;
        // An uncaught error in the idle parser worker: the page restarts it, empty.
        let hit = throw_in_worker(
            b,
            "genre-lens parser",
            "setTimeout(() => { new BroadcastChannel('e2e').postMessage('thrown'); throw new Error('simulated parser crash'); }, 0); true",
            "thrown",
        )
        .await?;
        // Give the page the worker's error event before training.
        tokio::time::sleep(Duration::from_millis(300)).await;
        b.click_id("train-start").await?;
        let jobs = b.wait_jobs(TRAIN).await?;
        let run_error = b.text("#run-error").await?.unwrap_or_default();
        let after = b.text("#rows-kept").await?.unwrap_or_default();
        seen = (report.as_str().unwrap_or_default().to_string(), after, jobs, hit);
        println!("parser crash: run error {run_error:?}");
        Ok(())
    })
    .await?;
    let (report, after, jobs, hit) = seen;
    println!("parser crash: {jobs:?}");
    assert_eq!(hit, 1, "the test reached the parser worker");
    assert_eq!(report, after, "the report on screen is unchanged");
    assert!(
        jobs[0].1.contains("job-done"),
        "trained after the crash: {jobs:?}"
    );
    Ok(())
}
