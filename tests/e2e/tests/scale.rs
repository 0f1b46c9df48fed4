//! Data ten times the bundled set in the tab. A file too large for the tab gets the message and
//! the sampling offer, keeps the data set in use, and its sample reads and trains.
//! `one_million_rows_in_the_tab` (ignored by default, run by `./x measure`) reads a generated
//! 1,000,000-row CSV in the genres_v2 layout on the Train page and trains a 100-tree forest with
//! 2 workers, printing the times, the worker's heap and the peak resident memory of the
//! browser's processes (sampled from /proc).

use std::time::Duration;

use genre_core::capacity::max_tab_rows;
use genre_core::text::count;
use genre_lens_e2e::{
    dist_dir, genres_csv, repo_root, with_browser, with_phone, Browser, Result, StaticServer,
};

const LONG: Duration = Duration::from_secs(900);

/// The number written after `prefix` in `text` ("about 1,530,000 rows" → 1530000).
fn number_after(text: &str, prefix: &str) -> Option<u64> {
    text.split(prefix)
        .nth(1)?
        .split(' ')
        .next()?
        .replace(',', "")
        .parse()
        .ok()
}

/// Opens Train and records the main thread's long tasks, and its long animation frames, which
/// name the script that ran long (the attribution long tasks lack).
async fn open_train_watching(b: &Browser, server: &StaticServer) -> Result<()> {
    b.open_page(&format!("{}#/train", server.url())).await?;
    b.js("window.__long = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push([e.startTime, e.duration]))).observe({type: 'longtask'});")
        .await?;
    b.js("window.__loaf = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__loaf.push({ start: Math.round(e.startTime), ms: Math.round(e.duration), blocking: Math.round(e.blockingDuration), scripts: e.scripts.map((s) => `${s.invokerType} ${s.invoker} ${s.sourceFunctionName} ${Math.round(s.duration)} ms`) }))).observe({ type: 'long-animation-frame' });")
        .await?;
    Ok(())
}

async fn blocking_frames(b: &Browser) -> Result<String> {
    let v = b
        .js("return JSON.stringify(window.__loaf.filter((f) => f.blocking > 0).sort((a, b) => b.blocking - a.blocking).slice(0, 3));")
        .await?;
    Ok(v.as_str().unwrap_or("?").to_string())
}

async fn longest_task(b: &Browser) -> Result<f64> {
    Ok(
        b.js("return Math.max(0, ...(window.__long || []).map(([, d]) => d));")
            .await?
            .as_f64()
            .unwrap_or(0.0),
    )
}

#[tokio::test]
#[ignore]
async fn one_million_rows_in_the_tab() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let big = genres_csv(1_000_000)?;
    let mut out = Vec::new();
    with_browser(1280, 900, async |b| {
        open_train_watching(b, &server).await?;
        let idle = b.watch_memory();
        tokio::time::sleep(Duration::from_millis(1500)).await;
        out.push(format!("the Train page before reading, {}", idle.stop().text()));
        let memory = b.watch_memory();
        b.upload("train-file", &big).await?;
        let heap = b
            .wait_js("return document.getElementById('parse-done')?.dataset.heapBytes || (document.getElementById('too-large') && 'too large');", "the 1M-row file read", LONG)
            .await?;
        if heap.as_str() == Some("too large") {
            return Err("the 1,000,000-row file was refused as too large for the tab".into());
        }
        let parse_ms = b.js("return document.getElementById('parse-done').dataset.parseMs;").await?;
        let rows = b.js("return document.getElementById('rows-kept')?.textContent;").await?;
        out.push(format!(
            "{} MB, {} rows kept: read in {} ms; the parser's wasm heap {:.0} MB",
            std::fs::metadata(&big)?.len() / 1_000_000,
            rows.as_str().unwrap_or("?"),
            parse_ms.as_str().unwrap_or("?"),
            heap.as_str().and_then(|h| h.parse::<f64>().ok()).unwrap_or(0.0) / 1e6,
        ));
        out.push(format!("reading, {}", memory.stop().text()));
        let memory = b.watch_memory();
        b.only_the_forest(100).await?;
        b.type_into("#opt-workers", "2").await?;
        b.click_id("train-start").await?;
        b.wait_jobs(LONG).await?;
        let job = b.js("const j = document.getElementById('job-rf'); return [j.dataset.wallMs || '?', j.className, j.textContent];").await?;
        out.push(format!("forest of 100 trees, 2 workers: {job}"));
        out.push(format!("training, {}", memory.stop().text()));
        out.push(format!("longest main-thread task: {:.0} ms", longest_task(b).await?));
        out.push(format!("longest blocking animation frames: {}", blocking_frames(b).await?));
        Ok(())
    })
    .await?;
    for l in out {
        println!("MEASURE {l}");
    }
    Ok(())
}

/// A file with half as many rows again as the tab may hold.
#[tokio::test]
async fn a_file_too_large_for_the_tab_gets_the_message_and_a_sample_that_trains() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let rows = (max_tab_rows() * 3 / 2) as usize;
    let big = genres_csv(rows)?;
    let name = big
        .file_name()
        .and_then(|n| n.to_str())
        .unwrap_or_default()
        .to_string();
    let data = repo_root().join("data/genres_v2.csv");
    let mut out = Vec::new();
    with_browser(1280, 900, async |b| {
        open_train_watching(b, &server).await?;
        b.upload("train-file", &data).await?;
        let kept = b.until("return document.getElementById('rows-kept')?.textContent;", "the bundled file read").await?;
        // The big file: refused from its first megabyte, with what it would need and the offer.
        b.upload("train-file", &big).await?;
        let message = b
            .until("return document.getElementById('too-large') && document.getElementById('parse-error').innerText;", "the too-large message")
            .await?;
        let message = message.as_str().unwrap_or_default().to_string();
        for part in [
            format!("{name} is too large to train on whole in this tab."),
            "rows: training on all of them would need about".to_string(),
            "which keeps to 1.5 GB".to_string(),
            "The data set read before, genres_v2.csv, is still in use.".to_string(),
            format!("genre-lens train --data {name} --out model.bin"),
        ] {
            assert!(message.contains(&part), "{part:?} not in {message:?}");
        }
        let about = number_after(&message, "It has about ").ok_or("no row estimate")?;
        assert!(
            (about as f64 - rows as f64).abs() < rows as f64 * 0.05,
            "estimated {about} rows of {rows}"
        );
        let still = b.js("return document.getElementById('rows-kept').textContent;").await?;
        assert_eq!(still, kept, "the data set in use changed");
        b.look("too-large-1280").await?;
        let offer = b.js("return document.getElementById('take-sample').textContent;").await?;
        let offered = number_after(offer.as_str().unwrap_or_default(), "about ")
            .ok_or("no sample size on the button")?;
        assert!(offered < max_tab_rows() && offered > max_tab_rows() / 2, "{offer}");

        // The sample: read, said, trained; the tab lives.
        let memory = b.watch_memory();
        b.click_id("take-sample").await?;
        let note = b
            .wait_js("return document.getElementById('sample-note')?.textContent;", "the sample read", LONG)
            .await?;
        let note = note.as_str().unwrap_or_default().to_string();
        assert!(note.contains(&format!("of the file's {} rows were read", count(rows as u64))), "{note}");
        let kept: u64 = b
            .js("return document.getElementById('rows-kept').textContent;")
            .await?
            .as_str()
            .and_then(|t| t.parse().ok())
            .ok_or("no rows kept")?;
        // The rows the sample took (before duplicates are dropped, which leaves `kept`).
        let sampled =
            number_after(&note, "A random sample: ").ok_or("no sample size in the note")?;
        assert!(
            (sampled as f64) > offered as f64 * 0.97 && (sampled as f64) < offered as f64 * 1.03,
            "sampled {sampled} for a sample of about {offered}"
        );
        assert!(kept <= sampled && kept as f64 > sampled as f64 * 0.9, "kept {kept} of {sampled}");
        assert!(b.js("return document.getElementById('parse-error') === null;").await?.as_bool() == Some(true));
        // Four workers asked for: each holds its own copy of the data, and only two fit.
        b.only_the_forest(4).await?;
        b.type_into("#opt-workers", "4").await?;
        b.click_id("train-start").await?;
        let jobs = b.wait_jobs(LONG).await?;
        let state = b.js("return document.getElementById('job-rf').className;").await?;
        assert!(state.as_str().unwrap_or_default().contains("job-done"), "{jobs:?}");
        let fit = genre_core::capacity::max_workers(kept);
        let workers_note = b.js("return document.getElementById('workers-note')?.textContent;").await?;
        assert!(
            workers_note.as_str().unwrap_or_default().starts_with(&format!("{fit} of the 4 workers asked for")),
            "{workers_note:?}"
        );
        // The trained sample's page, with the report's sample note and the run card's note.
        b.look("too-large-trained-1280").await?;
        out.push(format!("{rows} rows ({} MB), sampled to {kept}: {}", std::fs::metadata(&big)?.len() / 1_000_000, memory.stop().text()));
        out.push(format!("longest main-thread task: {:.0} ms", longest_task(b).await?));
        out.push(format!("longest blocking animation frames: {}", blocking_frames(b).await?));
        Ok(())
    })
    .await?;
    // The message on a phone.
    with_phone(390, 844, async |b| {
        b.open_page(&format!("{}#/train", server.url())).await?;
        b.upload("train-file", &big).await?;
        b.until(
            "return document.getElementById('too-large') !== null;",
            "the too-large message",
        )
        .await?;
        b.look("too-large-390").await
    })
    .await?;
    for l in out {
        println!("MEASURE {l}");
    }
    Ok(())
}
