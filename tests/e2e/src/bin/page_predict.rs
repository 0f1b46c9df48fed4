//! Prediction speed of model files inside the page: the page's twin of
//! `cargo bench -p genre-core --bench predict`. Each model is opened by the widget
//! (`widget.html?model=<URL>`, served from a second origin as a host would), then
//! `wasmBindings.bench_predict` times 10,000 generated rows in one `predict_batch` call: the
//! median of 7 runs, after a warm-up. The models take turns, round by round, so that a busy
//! machine slows them alike.
//!
//! Usage: `cargo run --release -p genre-lens-e2e --bin page_predict -- MODEL.bin …` (paths from
//! the repository's root; default: `public/model.bin`), after `trunk build --release`.

use std::path::PathBuf;
use std::time::Duration;

use genre_lens_e2e::{dist_dir, median, repo_root, with_browser, Result, StaticServer};

const ROUNDS: usize = 7;
const ROWS: u32 = 10_000;

/// Opens `model_url` in the widget and gives the page's time for one batch of [`ROWS`] rows.
async fn one_run(site: &str, model_url: &str) -> Result<f64> {
    with_browser(800, 600, async |b| {
        b.client
            .goto(&format!("{site}widget.html?model={model_url}"))
            .await?;
        b.wait_js(
            "return window.wasmBindings && window.wasmBindings.bench_predict(1, true) != null;",
            "the widget's model",
            Duration::from_secs(60),
        )
        .await?;
        let ms = b
            .js(&format!(
                "const f = window.wasmBindings.bench_predict; f({ROWS}, true);
                 const runs = [];
                 for (let i = 0; i < 7; i++) runs.push(f({ROWS}, true));
                 runs.sort((x, y) => x - y);
                 return runs[3];"
            ))
            .await?;
        Ok(ms.as_f64().unwrap_or(f64::NAN))
    })
    .await
}

#[tokio::main]
async fn main() -> Result<()> {
    let mut models: Vec<PathBuf> = std::env::args()
        .skip(1)
        .map(|a| repo_root().join(a))
        .collect();
    if models.is_empty() {
        models.push(repo_root().join("public/model.bin"));
    }
    let site = StaticServer::start(&dist_dir()?, "/")?;
    // Each model from its own folder, on its own origin (the server allows any origin).
    let mut hosts = Vec::new();
    for m in &models {
        let dir = m.parent().ok_or("a model path has a folder")?;
        let name = m.file_name().ok_or("a model path names a file")?;
        let server = StaticServer::start(dir, "/")?;
        let url = format!("{}{}", server.url(), name.to_string_lossy());
        hosts.push((server, url));
    }
    let mut times = vec![Vec::new(); models.len()];
    for round in 0..ROUNDS {
        for (i, (_, url)) in hosts.iter().enumerate() {
            times[i].push(one_run(&site.url(), url).await?);
        }
        eprintln!("round {} of {ROUNDS}", round + 1);
    }
    println!("| model | {ROWS} rows in the page, one batch (median of {ROUNDS} page loads) |");
    println!("|---|---:|");
    for (m, t) in models.iter().zip(times) {
        let shown = m.strip_prefix(repo_root()).unwrap_or(m).display();
        println!("| {shown} | {:.1} ms |", median(t));
    }
    Ok(())
}
