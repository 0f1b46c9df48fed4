//! Site measurements for docs/benchmarks.md: `dist/` sizes (raw, gzip -9, brotli -q 11), the
//! first answer of the Predict page and of the widget in headless Chromium (7 cold loads each,
//! each in a fresh profile: when each phase was reached, the gaps between them, main-thread
//! tasks over 50 ms), and prediction latency inside the page (release build, through
//! `wasmBindings.bench_predict`).
//!
//! Usage: `cargo run --release -p genre-lens-e2e --bin measure [-- [--first-answer] [--loads N]
//! LABEL=DIST ...]` (default: `fetch=dist`, 7 loads; on a noisy machine more loads settle the
//! medians). Several builds are measured interleaved, load by load (Predict then
//! the widget, each build in turn, the order of the builds reversed every other round), so noise
//! on the machine falls on all of them alike; the first build is the one the others are compared
//! with. `--first-answer`: only the first answer (no sizes, no in-page latency).
//! `./x measure` also builds the `embed-model` variant and compares.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use genre_lens_e2e::{dist_dir, median, repo_root, with_browser, Result, StaticServer};
use serde_json::json;

/// Cold loads of each page and build unless `--loads N` says otherwise.
const COLD_LOADS: usize = 7;

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

/// Where the first answer's phases come from, in the order they happen: the page's own
/// Resource Timing (when a file had arrived) and the marks the app sets (`src/perf.rs`,
/// `FirstAnswer`; a build without them shows only the files and `first-prediction`).
const PHASES: &[(&str, &str)] = &[
    ("html", "index.html (or widget.html) received"),
    ("boot.js", "`boot.js` downloaded"),
    ("parsed", "document parsed (`domInteractive`)"),
    (
        "fcp",
        "first contentful paint (the site's frame, or the widget's first text)",
    ),
    ("wasm", "`predict` wasm downloaded"),
    ("model.bin", "`model.bin` downloaded"),
    (
        "app-started",
        "wasm compiled and instantiated (`main` starts)",
    ),
    (
        "frame-rendered",
        "page frame rendered (\"Loading the model…\")",
    ),
    ("model-bytes", "model's bytes in the app"),
    ("model-decoded", "model decoded"),
    ("form-rendered", "form in the page"),
    ("first-prediction", "**first prediction in the page**"),
    ("first-answer-painted", "form and prediction painted"),
    ("explanation-shown", "explanation (\"Why …?\") in the page"),
];

/// Records the main thread's tasks over 50 ms from the document's first line (a Long Tasks
/// observer, added by the measurement only).
const LONG_TASK_RECORDER: &str = r#"(() => {
  const tasks = [];
  Object.defineProperty(window, "__longTasks", { value: tasks });
  try {
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) tasks.push([e.startTime, e.duration]);
    }).observe({ type: "longtask" });
  } catch (e) {}
})();"#;

/// Reads the phases once the first prediction is marked and, in a build that marks its phases,
/// once the page's last phases (`arguments[0]`) are marked too (or 5 s after the prediction).
const READ_PHASES: &str = r#"
const first = performance.getEntriesByName('first-prediction')[0];
if (!first) return null;
const marked = (n) => performance.getEntriesByName(n, 'mark').length > 0;
if (marked('app-started') && !arguments[0].every(marked) && performance.now() < first.startTime + 5000) return null;
const t = {};
const nav = performance.getEntriesByType('navigation')[0];
if (nav) { t['html'] = nav.responseEnd; t['parsed'] = nav.domInteractive; }
const fcp = performance.getEntriesByName('first-contentful-paint')[0];
if (fcp) t['fcp'] = fcp.startTime;
const resources = performance.getEntriesByType('resource');
for (const e of resources) {
  const path = new URL(e.name).pathname;
  if (/\/predict-[^/]*_bg\.wasm$/.test(path)) t['wasm'] ??= e.responseEnd;
  if (path.endsWith('/model.bin')) t['model.bin'] ??= e.responseEnd;
  if (path.endsWith('/boot.js')) t['boot.js'] ??= e.responseEnd;
  t['fetches of ' + path] = (t['fetches of ' + path] || 0) + 1;
}
for (const e of performance.getEntriesByType('mark')) t[e.name] ??= e.startTime;
const before = resources.filter(e => e.startTime < first.startTime).map(e => new URL(e.name).pathname);
return [t, ['/'].concat(before), window.__longTasks || []];"#;

/// What one cold load saw.
struct ColdLoad {
    /// When each phase ([`PHASES`]) was reached, in ms since navigation start.
    times: HashMap<String, f64>,
    /// The paths fetched before the first prediction, the page first.
    requested: Vec<String>,
    /// Main-thread tasks over 50 ms before the page's last phase: (start, duration) in ms.
    long_tasks: Vec<(f64, f64)>,
}

/// The two pages of a first visit.
#[derive(Clone, Copy, PartialEq)]
enum FirstPage {
    Predict,
    Widget,
}

impl FirstPage {
    fn title(self) -> &'static str {
        match self {
            FirstPage::Predict => "Predict (`/`)",
            FirstPage::Widget => "widget (`widget.html`)",
        }
    }

    fn path(self) -> &'static str {
        match self {
            FirstPage::Predict => "",
            FirstPage::Widget => "widget.html",
        }
    }

    /// The page's last phases: waited for before the load is read.
    fn last_marks(self) -> Vec<&'static str> {
        match self {
            FirstPage::Predict => vec!["first-answer-painted", "explanation-shown"],
            FirstPage::Widget => vec!["first-answer-painted"],
        }
    }
}

/// One cold load: fresh Chromium profile, navigate, read the first answer's phases.
async fn cold_load(server: &StaticServer, page: FirstPage) -> Result<ColdLoad> {
    let url = format!("{}{}", server.url(), page.path());
    with_browser(1280, 900, async |b| {
        b.devtools(
            "Page.addScriptToEvaluateOnNewDocument",
            json!({ "source": LONG_TASK_RECORDER }),
        )
        .await?;
        b.client.goto(&url).await?;
        let v = b
            .wait_js_args(
                READ_PHASES,
                vec![json!(page.last_marks())],
                "the first-prediction mark",
                Duration::from_secs(30),
            )
            .await?;
        let times: HashMap<String, f64> = serde_json::from_value(v[0].clone())?;
        let requested: Vec<String> = serde_json::from_value(v[1].clone())?;
        let tasks: Vec<(f64, f64)> = serde_json::from_value(v[2].clone())?;
        let end = page
            .last_marks()
            .iter()
            .chain(["first-prediction"].iter())
            .filter_map(|n| times.get(*n).copied())
            .fold(0.0, f64::max);
        let long_tasks = tasks
            .into_iter()
            .filter(|&(start, _)| start < end)
            .collect();
        Ok(ColdLoad {
            times,
            requested,
            long_tasks,
        })
    })
    .await
}

/// The breakdown of one build's first answer on one page: each phase's median time since
/// navigation start and the median gap from the phase before it (per load, so a phase's gap
/// is what it added in that load).
fn breakdown(loads: &[ColdLoad]) -> String {
    let mut table = String::from(
        "| phase | since navigation start | gap from the previous phase |\n|---|---:|---:|\n",
    );
    for (i, (key, label)) in PHASES.iter().enumerate() {
        let at: Vec<f64> = loads
            .iter()
            .filter_map(|l| l.times.get(*key).copied())
            .collect();
        if at.is_empty() {
            continue;
        }
        let gaps: Vec<f64> = loads
            .iter()
            .filter_map(|l| {
                let t = l.times.get(*key)?;
                let previous = PHASES[..i]
                    .iter()
                    .rev()
                    .find_map(|(k, _)| l.times.get(*k))?;
                Some(t - previous)
            })
            .collect();
        let gap = if gaps.is_empty() {
            String::from("")
        } else {
            format!("{:+.0} ms", median(gaps))
        };
        table += &format!("| {label} | {:.0} ms | {gap} |\n", median(at));
    }
    table
}

/// Each long task of a load, with the phases marked while it ran: what to split next.
fn long_task_lines(load: &ColdLoad) -> Vec<String> {
    load.long_tasks
        .iter()
        .map(|&(start, duration)| {
            let mut inside: Vec<(f64, &str)> = PHASES
                .iter()
                .filter_map(|(mark, _)| Some((*load.times.get(*mark)?, *mark)))
                .filter(|&(t, _)| t >= start && t <= start + duration)
                .collect();
            inside.sort_by(|a, b| a.0.total_cmp(&b.0));
            let marks: Vec<&str> = inside.iter().map(|&(_, m)| m).collect();
            format!(
                "long task: {duration:.0} ms from {start:.0} ms (marks in it: {})",
                if marks.is_empty() {
                    "none".to_string()
                } else {
                    marks.join(", ")
                }
            )
        })
        .collect()
}

/// Main-thread tasks over 50 ms during the first answer: in how many loads, and the longest.
fn long_task_summary(loads: &[ColdLoad]) -> String {
    let with = loads.iter().filter(|l| !l.long_tasks.is_empty()).count();
    let longest = loads
        .iter()
        .flat_map(|l| l.long_tasks.iter().map(|&(_, d)| d))
        .fold(0.0, f64::max);
    if with == 0 {
        String::from("none")
    } else {
        format!("{with} of {} loads (longest {longest:.0} ms)", loads.len())
    }
}

fn first_prediction_times(loads: &[ColdLoad]) -> Vec<f64> {
    loads
        .iter()
        .map(|l| l.times.get("first-prediction").copied().unwrap_or(f64::NAN))
        .collect()
}

struct Latency {
    one_ms: f64,
    ten_k_ms: f64,
    ten_k_batch_ms: f64,
    input_ms: f64,
}

/// Prediction latency inside the page, and slider input to updated DOM.
async fn latency(url: &str) -> Result<Latency> {
    with_browser(1280, 900, async |b| {
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
        Ok(Latency {
            one_ms: v[0].as_f64().unwrap_or(f64::NAN),
            ten_k_ms: v[1].as_f64().unwrap_or(f64::NAN),
            ten_k_batch_ms: v[2].as_f64().unwrap_or(f64::NAN),
            input_ms: input.as_f64().unwrap_or(f64::NAN),
        })
    })
    .await
}

#[tokio::main]
async fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let first_answer_only = args.iter().any(|a| a == "--first-answer");
    let cold_loads = match args.iter().position(|a| a == "--loads") {
        None => COLD_LOADS,
        Some(i) => args
            .get(i + 1)
            .and_then(|n| n.parse::<usize>().ok())
            .filter(|&n| n > 0)
            .ok_or("--loads needs a number of loads, 1 or more")?,
    };
    let mut variants: Vec<(String, PathBuf)> = args
        .iter()
        .filter_map(|a| {
            a.split_once('=')
                .map(|(l, d)| (l.to_string(), repo_root().join(d)))
        })
        .collect();
    if variants.is_empty() {
        variants.push(("fetch model.bin".into(), dist_dir()?));
    }
    let servers = variants
        .iter()
        .map(|(_, dist)| StaticServer::start(dist, "/"))
        .collect::<Result<Vec<_>>>()?;
    let pages = [FirstPage::Predict, FirstPage::Widget];
    // loads[page][variant]
    let mut loads: Vec<Vec<Vec<ColdLoad>>> = pages
        .iter()
        .map(|_| variants.iter().map(|_| Vec::new()).collect())
        .collect();
    for round in 0..cold_loads {
        let mut order: Vec<usize> = (0..variants.len()).collect();
        if round % 2 == 1 {
            order.reverse();
        }
        for (p, &page) in pages.iter().enumerate() {
            for &v in &order {
                let load = cold_load(&servers[v], page).await?;
                // A file the page fetched twice (a preload it did not use) is worth knowing.
                let twice: Vec<&str> = load
                    .times
                    .iter()
                    .filter(|(k, &n)| k.starts_with("fetches of ") && n > 1.0)
                    .map(|(k, _)| k.as_str())
                    .collect();
                eprintln!(
                    "round {}: {} {}: first prediction {:.0} ms{}",
                    round + 1,
                    variants[v].0,
                    page.title(),
                    load.times
                        .get("first-prediction")
                        .copied()
                        .unwrap_or(f64::NAN),
                    if twice.is_empty() {
                        String::new()
                    } else {
                        format!(" ({} more than once)", twice.join(", "))
                    }
                );
                for line in long_task_lines(&load) {
                    eprintln!("  {line}");
                }
                loads[p][v].push(load);
            }
        }
    }

    let mut summary = format!(
        "| page | build | first prediction after navigation, median of {cold_loads} cold loads (min–max) | × {} | main-thread tasks over 50 ms before the answer |\n|---|---|---|---:|---|\n",
        variants[0].0
    );
    let mut breakdowns = String::new();
    for (p, page) in pages.iter().enumerate() {
        let reference = median(first_prediction_times(&loads[p][0]));
        for (v, (label, _)) in variants.iter().enumerate() {
            let times = first_prediction_times(&loads[p][v]);
            let lo = times.iter().cloned().fold(f64::INFINITY, f64::min);
            let hi = times.iter().cloned().fold(0.0, f64::max);
            let at = median(times);
            summary += &format!(
                "| {} | {label} | **{at:.0} ms** ({lo:.0}–{hi:.0}) | {:.2} | {} |\n",
                page.title(),
                at / reference,
                long_task_summary(&loads[p][v])
            );
            breakdowns += &format!(
                "\n#### {}, {label}: the first answer, medians of {cold_loads} cold loads\n\n{}",
                page.title(),
                breakdown(&loads[p][v])
            );
        }
    }
    if first_answer_only {
        println!("{summary}{breakdowns}");
        return Ok(());
    }

    let mut sizes_summary = String::from(
        "| build | loaded before the Predict page's first prediction (brotli) | (gzip) |\n|---|---:|---:|\n",
    );
    let mut report = String::new();
    for (v, (label, dist)) in variants.iter().enumerate() {
        let s = sizes(dist, &loads[0][v][0].requested)?;
        sizes_summary += &format!(
            "| {label} | {} | {} |\n",
            kb(s.first_load.2),
            kb(s.first_load.1)
        );
        report += &format!(
            "\n#### `{}` ({label})\n\n{}",
            dist.strip_prefix(repo_root()).unwrap_or(dist).display(),
            s.table
        );
    }
    let l = latency(&servers[0].url()).await?;
    let latency_table = format!(
        "| in the page ({}, release build, headless Chromium) | |\n|---|---:|\n| predict 1 track, `predict_raw` (mean of 1,000 calls, median of 7 runs) | {:.4} ms |\n| predict 10,000 tracks, 10,000 `predict_raw` calls (median of 7 runs) | {:.1} ms |\n| predict 10,000 tracks, one `predict_batch` call (median of 7 runs) | {:.1} ms |\n| slider input → prediction re-rendered (median of 41 moves) | {:.2} ms |\n",
        variants[0].0, l.one_ms, l.ten_k_ms, l.ten_k_batch_ms, l.input_ms
    );
    println!("{summary}{breakdowns}\n{sizes_summary}\n{latency_table}{report}");
    Ok(())
}
