//! Site measurements for docs/benchmarks.md: `dist/` sizes (raw, gzip -9, brotli -q 11), navigation to
//! first prediction in headless Chromium (median of 5 cold loads, each in a fresh profile), and
//! prediction latency inside the page (release build, through `wasmBindings.bench_predict`).
//!
//! Usage: `cargo run --release -p genre-lens-e2e --bin measure [-- LABEL=DIST ...]`
//! (default: `fetch=dist`). `./x measure` also builds the `embed-model` variant and compares.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use genre_lens_e2e::{dist_dir, repo_root, Browser, Result, StaticServer};

const COLD_LOADS: usize = 5;

fn compressed_len(tool: &[&str], path: &Path) -> Result<usize> {
    let out = Command::new(tool[0])
        .args(&tool[1..])
        .arg(path)
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("{}: {e}", tool[0]))?;
    if !out.status.success() {
        return Err(format!("{} failed on {}", tool[0], path.display()).into());
    }
    Ok(out.stdout.len())
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

fn kb(n: usize) -> String {
    format!("{:.1} KB", n as f64 / 1000.0)
}

struct Sizes {
    table: String,
    first_load: (usize, usize, usize),
}

/// Per-file sizes; `first_load` sums the files the page requested on its first visit.
fn sizes(dist: &Path, requested: &[String]) -> Result<Sizes> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dist)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    let mut table = String::from(
        "| file | raw | gzip -9 | brotli -q 11 | before first prediction |\n|---|---:|---:|---:|:---:|\n",
    );
    let (mut raw_t, mut gz_t, mut br_t) = (0, 0, 0);
    for f in files {
        let name = f.file_name().unwrap().to_string_lossy().to_string();
        let raw = std::fs::metadata(&f)?.len() as usize;
        let gz = compressed_len(&["gzip", "-9", "-c"], &f)?;
        let br = compressed_len(&["brotli", "-q", "11", "-c"], &f)?;
        let loaded = requested
            .iter()
            .any(|r| r.trim_start_matches('/') == name || (name == "index.html" && r == "/"));
        if loaded {
            raw_t += raw;
            gz_t += gz;
            br_t += br;
        }
        // Hashed names change every build; show the stable part.
        let shown = match name.split_once('-') {
            Some((stem, rest))
                if rest.len() > 16
                    && (name.ends_with(".wasm")
                        || name.ends_with(".js")
                        || name.ends_with(".css")) =>
            {
                format!(
                    "{stem}-…{}",
                    &rest[rest.find(['.', '_']).unwrap_or(rest.len())..]
                )
            }
            _ => name,
        };
        table += &format!(
            "| {shown} | {} | {} | {} | {} |\n",
            kb(raw),
            kb(gz),
            kb(br),
            if loaded { "yes" } else { "" }
        );
    }
    table += &format!(
        "| **loaded before the first prediction** | **{}** | **{}** | **{}** | |\n",
        kb(raw_t),
        kb(gz_t),
        kb(br_t)
    );
    Ok(Sizes {
        table,
        first_load: (raw_t, gz_t, br_t),
    })
}

/// One cold load: fresh Chromium profile, navigate, wait for the first-prediction mark. Returns
/// the mark's time and the paths the page fetched before it (its own Resource Timing entries
/// that started before the mark, and the page itself): what the first prediction waited for,
/// without the service worker's precache, which starts after the mark.
async fn cold_load(server: &StaticServer) -> Result<(f64, Vec<String>)> {
    let url = server.url();
    let b = Browser::start(1280, 900).await?;
    let result = async {
        b.client.goto(&url).await?;
        let v = b
            .wait_js(
                "const m = performance.getEntriesByName('first-prediction');
                 if (!m.length) return null;
                 const before = performance.getEntriesByType('resource')
                     .filter(e => e.startTime < m[0].startTime)
                     .map(e => new URL(e.name).pathname);
                 return [m[0].startTime, ['/'].concat(before)];",
                "the first-prediction mark",
                Duration::from_secs(30),
            )
            .await?;
        let requested: Vec<String> = serde_json::from_value(v[1].clone())?;
        Ok::<(f64, Vec<String>), genre_lens_e2e::Error>((
            v[0].as_f64().unwrap_or(f64::NAN),
            requested,
        ))
    }
    .await;
    let closed = b.close().await;
    let v = result?;
    closed?;
    Ok(v)
}

struct Latency {
    one_ms: f64,
    ten_k_ms: f64,
    ten_k_batch_ms: f64,
    input_ms: f64,
}

/// Prediction latency inside the page, and slider input to updated DOM.
async fn latency(url: &str) -> Result<Latency> {
    let b = Browser::start(1280, 900).await?;
    let result = async {
        b.client.goto(url).await?;
        b.wait_js("return window.wasmBindings && window.wasmBindings.bench_predict(1, false) != null;", "the app", Duration::from_secs(30)).await?;
        // Warm up, then medians.
        let v = b.js("const f = window.wasmBindings.bench_predict; f(1000, false);
            const one = [], many = [], batch = [];
            for (let i = 0; i < 7; i++) one.push(f(1000, false) / 1000);
            for (let i = 0; i < 7; i++) many.push(f(10000, false));
            for (let i = 0; i < 7; i++) batch.push(f(10000, true));
            [one, many, batch].forEach(a => a.sort((x, y) => x - y));
            return [one[3], many[3], batch[3]];").await?;
        // Slider drag: set a value, fire input, wait until Leptos has run its (microtask) updates
        // and a macrotask has passed; median of 41 moves across the tempo range.
        let input = b.js("return await (async () => {
            const s = document.getElementById('slider-tempo');
            const min = +s.min, max = +s.max, times = [];
            const tick = () => new Promise(r => { const c = new MessageChannel(); c.port1.onmessage = () => r(); c.port2.postMessage(0); });
            for (let i = 0; i <= 40; i++) {
                const before = document.getElementById('top-genre').textContent + document.getElementById('confidence').textContent;
                const t0 = performance.now();
                s.value = String(min + (max - min) * i / 40);
                s.dispatchEvent(new Event('input', { bubbles: true }));
                await tick();
                times.push(performance.now() - t0);
            }
            times.sort((a, b) => a - b);
            return times[20];
        })();").await?;
        Ok::<Latency, genre_lens_e2e::Error>(Latency {
            one_ms: v[0].as_f64().unwrap_or(f64::NAN),
            ten_k_ms: v[1].as_f64().unwrap_or(f64::NAN),
            ten_k_batch_ms: v[2].as_f64().unwrap_or(f64::NAN),
            input_ms: input.as_f64().unwrap_or(f64::NAN),
        })
    }
    .await;
    let closed = b.close().await;
    let v = result?;
    closed?;
    Ok(v)
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut variants: Vec<(String, PathBuf)> = std::env::args()
        .skip(1)
        .filter_map(|a| {
            a.split_once('=')
                .map(|(l, d)| (l.to_string(), repo_root().join(d)))
        })
        .collect();
    if variants.is_empty() {
        variants.push(("fetch model.bin".into(), dist_dir()?));
    }
    let mut report = String::new();
    let mut summary = String::from(
        "| variant | loaded before first prediction (brotli) | (gzip) | first prediction after navigation, median of 5 cold loads (min–max) |\n|---|---:|---:|---|\n",
    );
    let mut latency_line = String::new();
    for (i, (label, dist)) in variants.iter().enumerate() {
        let server = StaticServer::start(dist, "/")?;
        let mut loads = Vec::new();
        let mut requested = Vec::new();
        for k in 0..COLD_LOADS {
            let (t, seen) = cold_load(&server).await?;
            loads.push(t);
            if k == 0 {
                requested = seen;
            }
        }
        let s = sizes(dist, &requested)?;
        let lo = loads.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = loads.iter().cloned().fold(0.0, f64::max);
        summary += &format!(
            "| {label} | {} | {} | **{:.0} ms** ({lo:.0}–{hi:.0}) |\n",
            kb(s.first_load.2),
            kb(s.first_load.1),
            median(loads.clone())
        );
        report += &format!(
            "\n#### `{}` ({label})\n\n{}",
            dist.strip_prefix(repo_root()).unwrap_or(dist).display(),
            s.table
        );
        if i == 0 {
            let l = latency(&server.url()).await?;
            latency_line = format!(
                "| predict 1 track, `predict_raw` (mean of 1,000 calls, median of 7 runs) | {:.4} ms |\n| predict 10,000 tracks, 10,000 `predict_raw` calls (median of 7 runs) | {:.1} ms |\n| predict 10,000 tracks, one `predict_batch` call (median of 7 runs) | {:.1} ms |\n| slider input → prediction re-rendered (median of 41 moves) | {:.2} ms |\n",
                l.one_ms, l.ten_k_ms, l.ten_k_batch_ms, l.input_ms
            );
        }
        eprintln!("measured {label}: loads {loads:?}");
    }
    println!("{summary}\n| in the page (release build, headless Chromium) | |\n|---|---:|\n{latency_line}{report}");
    Ok(())
}
