//! Hardening in headless Chromium.
//!
//! - Markup that comes from data is text: a CSV whose song names and genre names (and whose file
//!   name) hold `<script>`, `<img onerror>`, `"` and `'` is uploaded on the Batch, Train and
//!   Explore pages, and a model trained on it is kept and used on Predict; the literal text is
//!   on the page, no `<img src="x">` and no injected `<script>`
//!   element exists, and the payloads' `window.__xss = 1` never ran.
//! - Nothing leaves the tab: during those uploads, a Predict interaction, and a training on the
//!   uploaded CSV whose model is kept (saved in the browser), with the site served
//!   from a sub-path, every request the server logged is under that path and every resource URL
//!   the page's Resource Timing lists is same-origin (and under the path); so is every URL the
//!   Web Workers' own Resource Timing lists (read inside each worker through DevTools, since the
//!   page's list does not include what workers load).
//! - The Content-Security-Policy forbids anything else: from the page, a `fetch`, an image and a
//!   script pointed at a second local server (another origin) are blocked, the page reports a
//!   CSP violation for each, and that server receives no request.

use std::path::{Path, PathBuf};

use genre_lens_e2e::{dist_dir, repo_root, with_browser, Browser, Result, StaticServer, PATIENCE};
use serde_json::{json, Value};

const SCRIPT: &str = "<script>window.__xss=1</script>";
const IMG: &str = "<img src=x onerror=\"window.__xss=1\">";
const QUOTES: &str = "Rap \"double\" 'single'";
/// What every page must show literally (a piece of the `<img>` payload).
const IMG_TEXT: &str = "<img src=x onerror=";

/// Rows of real feature values (the 13 features, from data/genres_v2.csv) under three genres
/// whose names are the payloads, with song names that are payloads too. The file name holds
/// markup as well (no `/`, which a file name cannot hold).
fn markup_csv() -> Result<PathBuf> {
    let source = std::fs::read_to_string(repo_root().join("data/genres_v2.csv"))?;
    let mut reader = csv::Reader::from_reader(source.as_bytes());
    let header = reader.headers()?.clone();
    let features = [
        "danceability",
        "energy",
        "key",
        "loudness",
        "mode",
        "speechiness",
        "acousticness",
        "instrumentalness",
        "liveness",
        "valence",
        "tempo",
        "duration_ms",
        "time_signature",
    ];
    let idx: Vec<usize> = features
        .iter()
        .map(|f| header.iter().position(|h| h == *f).ok_or(format!("no {f}")))
        .collect::<std::result::Result<_, _>>()?;
    let genres = [SCRIPT, IMG, QUOTES];
    let songs = [
        "<script>window.__xss=1</script> song",
        "<img src=x onerror=\"window.__xss=1\"> song",
        "It's a \"quoted\" song",
    ];
    let dir = repo_root().join("target/e2e-hardening");
    std::fs::create_dir_all(&dir)?;
    let path = dir.join("<img src=x onerror=window.__xss=1>.csv");
    let mut out = csv::Writer::from_path(&path)?;
    let mut head: Vec<&str> = features.to_vec();
    head.extend(["genre", "song_name"]);
    out.write_record(&head)?;
    for (i, record) in reader.records().take(24).enumerate() {
        let record = record?;
        let mut row: Vec<String> = idx.iter().map(|&j| record[j].to_string()).collect();
        row.push(genres[i % 3].to_string());
        row.push(format!("{} {i}", songs[i % 3]));
        out.write_record(&row)?;
    }
    out.flush()?;
    Ok(path)
}

/// What the page holds right now: its text, whether a payload became an element, and whether a
/// payload ran.
async fn markup_state(b: &Browser) -> Result<Value> {
    b.js("return { text: document.body.textContent,
                   img: document.querySelectorAll('img[src=\"x\"]').length,
                   scripts: [...document.querySelectorAll('script')].filter(s => s.textContent.includes('__xss')).length,
                   xss: typeof window.__xss };")
        .await
}

fn check_markup(page: &str, state: &Value, needles: &[&str]) {
    let text = state["text"].as_str().unwrap_or_default();
    for n in needles {
        assert!(text.contains(n), "{page}: the literal text {n:?} is shown");
    }
    assert_eq!(state["img"], json!(0), "{page}: no <img src=x> element");
    assert_eq!(state["scripts"], json!(0), "{page}: no injected <script>");
    assert_eq!(state["xss"], json!("undefined"), "{page}: a payload ran");
}

/// Opens `page` (waiting for the model, as [`Browser::open_page`] does), chooses `csv` in the file
/// input `input`, and waits until `done` returns something truthy.
async fn upload_on(
    b: &Browser,
    page: &str,
    input: &str,
    csv: &Path,
    done: &str,
    what: &str,
) -> Result<()> {
    b.open_page(page).await?;
    b.upload(input, csv).await?;
    b.until(done, what).await?;
    Ok(())
}

#[tokio::test]
async fn markup_in_data_is_text_and_nothing_leaves_the_tab() -> Result<()> {
    let csv = markup_csv()?;
    let server = StaticServer::start(&dist_dir()?, "/genre/lens/")?;
    let url = server.url();
    let (mut states, mut resources) = (Vec::new(), Vec::new());
    let mut worker_count = 0;
    with_browser(1280, 900, async |b| {
        // Predict: fill a random example, see a genre.
        b.client.goto(&url).await?;
        b.until("const e = document.getElementById('example-fill'); return !!e && !e.disabled;", "the examples")
            .await?;
        b.client.find(fantoccini::Locator::Id("example-fill")).await?.click().await?;
        b.until("return document.getElementById('top-genre')?.textContent.trim();", "a prediction")
            .await?;
        resources.push(b.js("return performance.getEntriesByType('resource').map(e => e.name);").await?);

        // Batch: the table lists the song names; the unknown genres are named in the scores note.
        upload_on(b, &format!("{url}#/batch"), "batch-file", &csv, "return document.getElementById('batch-summary')?.textContent.includes('24 rows predicted');", "the batch results").await?;
        let table = b.text("#batch-table").await?.unwrap_or_default();
        assert!(table.contains("<img src=x onerror=\"window.__xss=1\"> song"), "batch table: {table}");
        assert!(table.contains("<script>window.__xss=1</script> song"), "batch table: {table}");
        assert!(table.contains("It's a \"quoted\" song"), "batch table: {table}");
        let unknown = b.text("#batch-unknown").await?.unwrap_or_default();
        assert!(unknown.contains(IMG) && unknown.contains(SCRIPT) && unknown.contains(QUOTES), "batch note: {unknown}");
        states.push(("batch", markup_state(b).await?));
        resources.push(b.js("return performance.getEntriesByType('resource').map(e => e.name);").await?);

        // Train: the report's class counts name the genres.
        upload_on(b, &format!("{url}#/train"), "train-file", &csv, "return document.getElementById('rows-kept')?.textContent === '24';", "the training report").await?;
        let counts = b.text("#class-counts").await?.unwrap_or_default();
        assert!(counts.contains(IMG) && counts.contains(SCRIPT) && counts.contains(QUOTES), "class counts: {counts}");
        // Train on the upload (a small forest; 8 rows per genre) and keep
        // the model: the workers and the store are used too.
        b.train_and_use_a_forest(5).await?;
        states.push(("train", markup_state(b).await?));
        resources.push(b.js("return performance.getEntriesByType('resource').map(e => e.name);").await?);
        // What the workers loaded (the parser read the upload, the trainers trained; each lists
        // its own resources).
        b.js("window.__workerResources = []; window.__resourceChannel = new BroadcastChannel('e2e-resources'); window.__resourceChannel.onmessage = (e) => window.__workerResources.push(e.data);")
            .await?;
        let workers = b
            .eval_in_workers(
                "genre-lens",
                "new BroadcastChannel('e2e-resources').postMessage(performance.getEntriesByType('resource').map((e) => e.name).concat([location.href])); true",
            )
            .await?;
        let listed = b
            .wait_js_args(
                "return window.__workerResources.length >= arguments[0] && window.__workerResources.flat();",
                vec![json!(workers)],
                "the workers' resource lists",
                PATIENCE,
            )
            .await?;
        worker_count = workers;
        resources.push(listed);

        // Explore: the charts of the upload name the genres.
        b.client.goto(&format!("{url}#/explore")).await?;
        b.until("return document.getElementById('explore-source-note');", "the bundled summary")
            .await?;
        b.upload("explore-file", &csv).await?;
        b.until("return document.getElementById('explore-source-note')?.textContent.includes('24 tracks in 3 genres');", "the upload's charts")
            .await?;
        states.push(("explore", markup_state(b).await?));
        resources.push(b.js("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);").await?);

        // Predict with the kept model: its genres (the payloads) label the chart, its name (with
        // the file name) is in the model panel.
        b.client.goto(&url).await?;
        b.until("return document.querySelector('.model-status')?.textContent.includes('Random forest');", "the kept model on Predict")
            .await?;
        b.until("return document.getElementById('top-genre')?.textContent.trim();", "a prediction with the kept model")
            .await?;
        states.push(("predict", markup_state(b).await?));
        Ok(())
    })
    .await?;

    for (page, state) in &states {
        check_markup(page, state, &[IMG_TEXT, SCRIPT, QUOTES]);
    }
    // The file name with markup is shown as text too (the report names the file).
    for (page, state) in &states[1..] {
        let text = state["text"].as_str().unwrap_or_default();
        assert!(
            text.contains("<img src=x onerror=window.__xss=1>.csv"),
            "{page}: the file name as text"
        );
    }

    assert!(
        worker_count >= 1,
        "the Train page's parser worker was reached"
    );
    let prefix = format!("{}{}", server.origin(), server.prefix);
    let mut seen = 0;
    for list in &resources {
        for r in list.as_array().ok_or("resource list")? {
            let r = r.as_str().unwrap_or_default();
            assert!(r.starts_with(&prefix), "a resource outside {prefix}: {r}");
            seen += 1;
        }
    }
    let logged = server.requests();
    println!(
        "MEASURE hardening: {seen} resource entries (page and {worker_count} workers), {} requests logged, all under {prefix}",
        logged.len()
    );
    assert!(
        logged.iter().any(|p| p.ends_with("/model.bin")),
        "{logged:?}"
    );
    for p in &logged {
        assert!(
            p.starts_with(&server.prefix),
            "a request outside the site's folder: {p} (all: {logged:?})"
        );
    }
    Ok(())
}

#[tokio::test]
async fn the_content_security_policy_blocks_other_origins() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    // Another origin (another port) serving the same files: anything reaching it is a leak.
    let other = StaticServer::start(&dist_dir()?, "/")?;
    let target = format!("{}model.bin", other.url());
    let mut outcome = Value::Null;
    with_browser(1280, 900, async |b| {
        b.open_page(&server.url()).await?;
        outcome = b
            .client
            .execute_async(
                "const [url, done] = arguments;
                 const violations = [];
                 document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
                 const img = new Promise((ok) => { const i = new Image(); i.onload = () => ok('loaded'); i.onerror = () => ok('blocked'); i.src = url + '?img'; });
                 const script = new Promise((ok) => { const s = document.createElement('script'); s.onload = () => ok('loaded'); s.onerror = () => ok('blocked'); s.src = url + '?script'; document.head.append(s); });
                 const fetched = fetch(url + '?fetch').then(() => 'loaded', () => 'blocked');
                 Promise.all([fetched, img, script]).then((r) => setTimeout(() => done({ results: r, violations }), 200));",
                vec![json!(target)],
            )
            .await?;
        Ok(())
    })
    .await?;
    println!("csp: {outcome}");
    assert_eq!(
        outcome["results"],
        json!(["blocked", "blocked", "blocked"]),
        "{outcome}"
    );
    let violations: Vec<String> = serde_json::from_value(outcome["violations"].clone())?;
    for directive in ["connect-src", "img-src", "script-src"] {
        assert!(
            violations
                .iter()
                .any(|v| v.starts_with(directive) && v.contains(&other.origin())),
            "a {directive} violation for the other origin: {violations:?}"
        );
    }
    assert_eq!(
        other.requests(),
        Vec::<String>::new(),
        "the other origin got a request"
    );
    Ok(())
}

/// From the widget page: a `fetch` to `targets` (each `[url, ...]`), the outcome of each, and the
/// CSP violations they caused.
async fn widget_fetches(b: &Browser, targets: Vec<String>) -> Result<Value> {
    Ok(b.client
        .execute_async(
            "const [urls, done] = arguments;
             const violations = [];
             document.addEventListener('securitypolicyviolation', (e) => violations.push(e.violatedDirective + ' ' + e.blockedURI));
             Promise.all(urls.map((u) => fetch(u).then(() => 'loaded', () => 'blocked')))
               .then((r) => setTimeout(() => done({ results: r, violations }), 200));",
            vec![json!(targets)],
        )
        .await?)
}

/// Issue 13: widget.html's own policy allows https: (and loopback http:) so a host can name its
/// model file; the widget then narrows it to the site plus that file's origin. A second origin
/// is blocked with a model URL given, and the model's origin is blocked without one.
#[tokio::test]
async fn the_widget_reaches_only_the_model_origin_it_is_given() -> Result<()> {
    let site = StaticServer::start(&dist_dir()?, "/")?;
    let model_host = StaticServer::start(&dist_dir()?, "/")?;
    let other = StaticServer::start(&dist_dir()?, "/")?;
    let model_url = format!("{}model.bin", model_host.url());
    let (mut with_model, mut without) = (Value::Null, Value::Null);
    with_browser(1000, 800, async |b| {
        b.open_widget(&format!("{}widget.html?model={model_url}", site.url()))
            .await?;
        with_model = widget_fetches(
            b,
            vec![
                format!("{model_url}?again"),
                format!("{}model.bin?fetch", other.url()),
            ],
        )
        .await?;
        b.open_widget(&format!("{}widget.html", site.url())).await?;
        without = widget_fetches(b, vec![format!("{model_url}?without")]).await?;
        Ok(())
    })
    .await?;
    println!("widget csp: {with_model} / {without}");
    assert_eq!(
        with_model["results"],
        json!(["loaded", "blocked"]),
        "{with_model}"
    );
    assert!(
        with_model["violations"]
            .as_array()
            .is_some_and(|v| v.iter().any(|v| {
                v.as_str()
                    .is_some_and(|v| v.starts_with("connect-src") && v.contains(&other.origin()))
            })),
        "{with_model}"
    );
    assert_eq!(without["results"], json!(["blocked"]), "{without}");
    assert_eq!(
        other.requests(),
        Vec::<String>::new(),
        "the other origin got a request"
    );
    assert!(
        model_host.requests().iter().all(|p| !p.contains("without")),
        "the model host was reached by a widget that was not given it: {:?}",
        model_host.requests()
    );
    Ok(())
}
