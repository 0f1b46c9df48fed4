//! Data ten times the bundled set in the tab. `one_million_rows_in_the_tab` (ignored by default,
//! run by `./x measure`) reads a generated 1,000,000-row CSV in the genres_v2 layout on the Train
//! page and trains a 100-tree forest with 2 workers, printing the times, the worker's heap and
//! the peak resident memory of the browser's processes (sampled from /proc).

use std::path::PathBuf;
use std::time::Duration;

use genre_lens_e2e::{dist_dir, repo_root, with_browser, Browser, Result, StaticServer};

const LONG: Duration = Duration::from_secs(900);

/// `rows` rows in the genres_v2 layout: the data set's rows over and over, each copy's
/// durations shifted by its copy number so that no row repeats (the ingest drops exact
/// duplicates). Kept in target/tmp and reused.
pub fn generated_csv(rows: usize) -> Result<PathBuf> {
    let path = repo_root().join(format!("target/tmp/genres-{rows}-rows.csv"));
    if path.is_file() {
        return Ok(path);
    }
    std::fs::create_dir_all(path.parent().expect("parent"))?;
    let text = std::fs::read_to_string(repo_root().join("data/genres_v2.csv"))?;
    let mut lines = text.lines();
    let header = lines.next().ok_or("empty data")?;
    let dur = header
        .split(',')
        .position(|h| h == "duration_ms")
        .ok_or("no duration_ms")?;
    let body: Vec<&str> = lines.filter(|l| !l.is_empty()).collect();
    let mut out = String::with_capacity(rows * 125);
    out.push_str(header);
    out.push('\n');
    for i in 0..rows {
        let copy = (i / body.len()) as u64;
        for (k, cell) in body[i % body.len()].split(',').enumerate() {
            if k > 0 {
                out.push(',');
            }
            match cell.parse::<u64>() {
                Ok(ms) if k == dur => out.push_str(&(ms + copy).to_string()),
                _ => out.push_str(cell),
            }
        }
        out.push('\n');
    }
    // Written aside and renamed, so a run killed half-way never leaves a short file to reuse.
    let partial = path.with_extension("partial");
    std::fs::write(&partial, out)?;
    std::fs::rename(&partial, &path)?;
    Ok(path)
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
    let big = generated_csv(1_000_000)?;
    let mut out = Vec::new();
    with_browser(1280, 900, async |b| {
        b.open_page(&format!("{}#/train", server.url())).await?;
        b.js("window.__long = []; new PerformanceObserver((l) => l.getEntries().forEach((e) => window.__long.push([e.startTime, e.duration]))).observe({type: 'longtask'});")
            .await?;
        let memory = b.watch_memory();
        b.upload("train-file", &big).await?;
        let heap = b
            .wait_js("return document.getElementById('parse-done')?.dataset.heapBytes;", "the 1M-row file read", LONG)
            .await?;
        let parse_ms = b.js("return document.getElementById('parse-done').dataset.parseMs;").await?;
        let rows = b.js("return document.getElementById('rows-kept')?.textContent;").await?;
        out.push(format!(
            "{} MB, {} rows kept: read in {} ms; the parser's wasm heap {:.0} MB",
            std::fs::metadata(&big)?.len() / 1_000_000,
            rows.as_str().unwrap_or("?"),
            parse_ms.as_str().unwrap_or("?"),
            heap.as_str().and_then(|h| h.parse::<f64>().ok()).unwrap_or(0.0) / 1e6,
        ));
        b.only_the_forest(100).await?;
        b.type_into("#opt-workers", "2").await?;
        b.click_id("train-start").await?;
        b.wait_jobs(LONG).await?;
        let job = b.js("const j = document.getElementById('job-rf'); return [j.dataset.wallMs || '?', j.className, j.textContent];").await?;
        out.push(format!("forest of 100 trees, 2 workers: {job}"));
        out.push(memory.stop().text());
        out.push(format!("longest main-thread task: {:.0} ms", longest_task(b).await?));
        Ok(())
    })
    .await?;
    for l in out {
        println!("MEASURE {l}");
    }
    Ok(())
}
