//! Shared pieces of the browser tests and the measurement script: a tiny static file server for
//! `dist/` that logs every request, a headless Chromium session over chromedriver, and native
//! predictions with `genre_core` to compare the page against.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

pub mod axe;
pub mod memory;
use genre_core::model::TrainedModel;
use serde::Deserialize;
use serde_json::{json, Value};

pub type Error = Box<dyn std::error::Error + Send + Sync>;
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// The median of measurements (the mean of the middle two for an even count): what the
/// measurement binaries report.
pub fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// The repository root (this crate lives in `tests/e2e`).
pub fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .ancestors()
        .nth(2)
        .expect("tests/e2e has two parents")
        .to_path_buf()
}

/// The built site. `./x test` runs `trunk build --release` first; say so if it is missing.
/// How long a test waits for the page's own work (a load, a parse, a prediction, a small
/// training) before it fails: generous, since a busy 2-core CI machine is slow; a wait only
/// lasts this long when the test is failing anyway.
pub const PATIENCE: Duration = Duration::from_secs(60);

pub fn dist_dir() -> Result<PathBuf> {
    let dist = std::env::var_os("GENRE_LENS_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| repo_root().join("dist"));
    if !dist.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run `trunk build --release` (or `./x test`) first",
            dist.display()
        )
        .into());
    }
    Ok(dist)
}

/// Where screenshots go: `target/screenshots/` (created).
pub fn screenshot_dir() -> PathBuf {
    let dir = repo_root().join("target").join("screenshots");
    std::fs::create_dir_all(&dir).expect("create target/screenshots");
    dir
}

// ---------------------------------------------------------------------------------------------
// Static server

/// Serves a directory under a URL prefix (`/` or `/some/path/`) on 127.0.0.1, one thread per
/// connection, and records every request line's path so tests can check what the page fetched.
/// Files carry an `ETag` and `Cache-Control: no-cache`, like GitHub Pages' validators: the
/// browser may keep them but asks before reusing them, and a current copy is answered `304`
/// without the body (see [`StaticServer::downloads`]).
pub struct StaticServer {
    pub port: u16,
    pub prefix: String,
    log: Arc<Mutex<Log>>,
    /// Set by [`StaticServer::stop`]: connections are then closed unanswered (offline tests).
    stopped: Arc<std::sync::atomic::AtomicBool>,
    /// Whether responses carry `Access-Control-Allow-Origin: *` (the default, like GitHub
    /// Pages); [`StaticServer::refuse_cors`] turns it off, like a server that never set it up.
    cors: Arc<std::sync::atomic::AtomicBool>,
}

impl StaticServer {
    pub fn start(root: &Path, prefix: &str) -> Result<StaticServer> {
        assert!(
            prefix.starts_with('/') && prefix.ends_with('/'),
            "prefix like /a/b/"
        );
        let listener = TcpListener::bind("127.0.0.1:0")?;
        let port = listener.local_addr()?.port();
        let log = Arc::new(Mutex::new(Log::default()));
        let (root, pfx, server_log) = (root.to_path_buf(), prefix.to_string(), log.clone());
        let stopped = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let stop_flag = stopped.clone();
        let cors = Arc::new(std::sync::atomic::AtomicBool::new(true));
        let cors_flag = cors.clone();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                if stop_flag.load(std::sync::atomic::Ordering::SeqCst) {
                    continue; // Dropped unanswered: the browser sees a network error.
                }
                let (root, pfx, log) = (root.clone(), pfx.clone(), server_log.clone());
                let cors = cors_flag.load(std::sync::atomic::Ordering::SeqCst);
                std::thread::spawn(move || {
                    let _ = serve_one(stream, &root, &pfx, &log, cors);
                });
            }
        });
        Ok(StaticServer {
            port,
            prefix: prefix.to_string(),
            log,
            stopped,
            cors,
        })
    }

    /// From now on, answers without `Access-Control-Allow-Origin`: other origins' pages may
    /// not read what it serves (a model host that did not allow the widget).
    pub fn refuse_cors(&self) {
        self.cors.store(false, std::sync::atomic::Ordering::SeqCst);
    }

    /// Behaves like a stopped server from now on: every connection is closed unanswered.
    pub fn stop(&self) {
        self.stopped
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// The site's URL (with the prefix and a trailing slash).
    pub fn url(&self) -> String {
        format!("http://127.0.0.1:{}{}", self.port, self.prefix)
    }

    pub fn origin(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// Every path requested so far, in order.
    pub fn requests(&self) -> Vec<String> {
        self.log.lock().unwrap().requests.clone()
    }

    /// The paths answered with a file's bytes (`200`), in order: not the `304`s of copies the
    /// browser already had.
    pub fn downloads(&self) -> Vec<String> {
        self.log.lock().unwrap().downloads.clone()
    }
}

#[derive(Default)]
struct Log {
    requests: Vec<String>,
    downloads: Vec<String>,
}

pub fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "webmanifest" => "application/manifest+json",
        _ => "application/octet-stream",
    }
}

fn serve_one(
    stream: TcpStream,
    root: &Path,
    prefix: &str,
    log: &Mutex<Log>,
    cors: bool,
) -> Result<()> {
    stream.set_read_timeout(Some(Duration::from_secs(10)))?;
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut request_line = String::new();
    reader.read_line(&mut request_line)?;
    if request_line.trim().is_empty() {
        // A connection the browser opened ahead of need (preconnect) and closed unused: no
        // request was made, so none is logged.
        return Ok(());
    }
    // Read the headers (only If-None-Match matters); bodies are not expected (GET only).
    let mut if_none_match = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line)? == 0 || line == "\r\n" || line == "\n" {
            break;
        }
        if let Some((name, value)) = line.split_once(':') {
            if name.trim().eq_ignore_ascii_case("if-none-match") {
                if_none_match = Some(value.trim().to_string());
            }
        }
    }
    let mut parts = request_line.split_whitespace();
    let method = parts.next().unwrap_or("");
    let target = parts.next().unwrap_or("/").to_string();
    log.lock().unwrap().requests.push(target.clone());
    let path = target.split(['?', '#']).next().unwrap_or("/");

    let mut out = stream;
    if method != "GET" && method != "HEAD" {
        return respond(
            &mut out,
            "405 Method Not Allowed",
            "text/plain",
            b"GET only",
            method,
            cors,
            NO_STORE,
        );
    }
    // The prefix without its slash redirects, like static hosts do for folders.
    if path == prefix.trim_end_matches('/') {
        let head = format!("HTTP/1.1 301 Moved Permanently\r\nLocation: {prefix}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        out.write_all(head.as_bytes())?;
        return Ok(());
    }
    let Some(rel) = path.strip_prefix(prefix) else {
        return not_found(&mut out, method, cors);
    };
    if rel.split('/').any(|s| s == "..") {
        return respond(
            &mut out,
            "403 Forbidden",
            "text/plain",
            b"no",
            method,
            cors,
            NO_STORE,
        );
    }
    let mut file = root.join(rel);
    if file.is_dir() {
        file = file.join("index.html");
    }
    match std::fs::File::open(&file) {
        Ok(mut f) => {
            let mut body = Vec::new();
            f.read_to_end(&mut body)?;
            let etag = {
                use std::hash::{Hash, Hasher};
                let mut h = std::collections::hash_map::DefaultHasher::new();
                body.hash(&mut h);
                format!("\"{:016x}\"", h.finish())
            };
            let validators = format!("ETag: {etag}\r\nCache-Control: no-cache\r\n");
            if if_none_match.as_deref() == Some(etag.as_str()) {
                let head =
                    format!("HTTP/1.1 304 Not Modified\r\n{validators}Connection: close\r\n\r\n");
                out.write_all(head.as_bytes())?;
                return Ok(());
            }
            log.lock().unwrap().downloads.push(path.to_string());
            respond(
                &mut out,
                "200 OK",
                content_type(&file),
                &body,
                method,
                cors,
                &validators,
            )
        }
        Err(_) => not_found(&mut out, method, cors),
    }
}

/// Errors and redirects are never kept.
const NO_STORE: &str = "Cache-Control: no-store\r\n";

fn not_found(out: &mut TcpStream, method: &str, cors: bool) -> Result<()> {
    respond(
        out,
        "404 Not Found",
        "text/plain",
        b"not found",
        method,
        cors,
        NO_STORE,
    )
}

fn respond(
    out: &mut TcpStream,
    status: &str,
    ctype: &str,
    body: &[u8],
    method: &str,
    cors: bool,
    caching: &str,
) -> Result<()> {
    // Access-Control-Allow-Origin like GitHub Pages: another site's page may load the
    // widget's module script (genre-lens-widget.js), which module scripts fetch with CORS, and
    // the widget may read a model file published here.
    let allow = if cors {
        "Access-Control-Allow-Origin: *\r\n"
    } else {
        ""
    };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {ctype}\r\nContent-Length: {}\r\n{caching}{allow}Connection: close\r\n\r\n",
        body.len()
    );
    out.write_all(head.as_bytes())?;
    if method != "HEAD" {
        out.write_all(body)?;
    }
    out.flush()?;
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Browser

/// chromedriver + a fresh headless Chromium profile. Dropping it kills chromedriver and deletes
/// the profile; call [`Browser::close`] first so Chromium itself exits.
pub struct Browser {
    pub client: Client,
    driver: Child,
    profile: PathBuf,
    /// Console lines a test expects (e.g. a worker it crashes on purpose): not problems.
    expected_console: Mutex<Vec<String>>,
}

/// What in the browser's console fails any test that sees it: a Rust panic, a wasm trap, a
/// worker that crashed, a stack overflow. (The app says a worker crash in the console itself.)
pub const CONSOLE_PROBLEMS: [&str; 5] = [
    "panicked at",
    "unreachable",
    "worker crashed",
    "Maximum call stack",
    "already been disposed",
];

fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `target/split/test.csv`: exactly the bundled model's holdout rows (`genre-lens split`,
/// generated with the CLI when missing).
pub fn ensure_split() -> Result<PathBuf> {
    // The tests of a binary run on parallel threads; without the lock two of them would run the
    // split at once and one could read a file the other is still writing.
    static SPLITTING: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _guard = SPLITTING.lock().unwrap_or_else(|e| e.into_inner());
    let test = repo_root().join("target/split/test.csv");
    if !test.is_file() {
        let status = std::process::Command::new(env!("CARGO"))
            .current_dir(repo_root())
            .args([
                "run",
                "--release",
                "--offline",
                "-q",
                "-p",
                "genre-cli",
                "--bin",
                "genre-lens",
                "--",
                "split",
            ])
            .status()?;
        if !status.success() {
            return Err("genre-lens split failed".into());
        }
    }
    Ok(test)
}

/// A generated CSV of `rows` rows in the genres_v2 layout: the data set's rows over and over, each copy's
/// durations shifted by its copy number so that no row repeats (the ingest drops exact
/// duplicates). Kept in target/tmp and reused.
pub fn genres_csv(rows: usize) -> Result<PathBuf> {
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

/// One browser at a time per test binary: the tests of a file run on parallel threads, and two
/// Chromiums on a 2-core machine would make the timing and long-task checks meaningless.
static SERIAL: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// Runs `body` with a fresh desktop browser of this window size, always closes it (also when the
/// body fails, so no Chromium is left behind), then returns the body's result.
pub async fn with_browser<T>(
    width: u32,
    height: u32,
    body: impl AsyncFnOnce(&Browser) -> Result<T>,
) -> Result<T> {
    with_started(Browser::start(width, height), body).await
}

/// Serves `dist/` at `/`, then runs `states` with it in a 1280 x 900 desktop window, then on a
/// 390 x 844 phone screen, with the width ("1280", "390") that names its screenshots.
pub async fn site_at_1280_and_390(
    states: impl AsyncFn(&Browser, &StaticServer, &str) -> Result<()>,
) -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    with_browser(1280, 900, async |b| states(b, &server, "1280").await).await?;
    with_phone(390, 844, async |b| states(b, &server, "390").await).await
}

/// The same with an emulated phone screen of this size.
pub async fn with_phone<T>(
    width: u32,
    height: u32,
    body: impl AsyncFnOnce(&Browser) -> Result<T>,
) -> Result<T> {
    with_started(Browser::start_phone(width, height), body).await
}

/// Holds [`SERIAL`], then awaits `start` (futures are lazy: the browser starts only now), runs
/// `body` with it and always closes it.
async fn with_started<T>(
    start: impl std::future::Future<Output = Result<Browser>>,
    body: impl AsyncFnOnce(&Browser) -> Result<T>,
) -> Result<T> {
    let _guard = SERIAL.lock().await;
    let browser = start.await?;
    let outcome = body(&browser).await;
    let console = browser.console_problems().await;
    let closed = browser.close().await;
    // The body's error first: it is the one that says what went wrong.
    let value = outcome?;
    let problems = console?;
    if !problems.is_empty() {
        return Err(format!(
            "the browser's console reports a crash:\n{}",
            problems.join("\n")
        )
        .into());
    }
    closed?;
    Ok(value)
}

/// The browser's console since the last read (chromedriver's `browser` log: the page's
/// console and its uncaught errors, across navigations).
#[derive(Debug)]
struct ConsoleLog;

impl fantoccini::wd::WebDriverCompatibleCommand for ConsoleLog {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!("session/{}/se/log", session.unwrap_or_default()))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({ "type": "browser" }).to_string()),
        )
    }
}

/// A Chrome DevTools Protocol command sent through chromedriver (`goog/cdp/execute`), for what
/// WebDriver cannot do: a storage quota, reaching into a Web Worker.
#[derive(Debug)]
struct DevToolsCommand {
    method: String,
    params: Value,
}

impl fantoccini::wd::WebDriverCompatibleCommand for DevToolsCommand {
    fn endpoint(
        &self,
        base: &url::Url,
        session: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base.join(&format!(
            "session/{}/goog/cdp/execute",
            session.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({ "cmd": self.method, "params": self.params });
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// The console lines since the last read that report a crash ([`CONSOLE_PROBLEMS`]), but
    /// those the test said it expects ([`Browser::expect_console`]).
    pub async fn console_problems(&self) -> Result<Vec<String>> {
        let entries = self
            .client
            .issue_cmd(ConsoleLog)
            .await
            .map_err(|e| format!("reading the console: {e}"))?;
        let expected = self.expected_console.lock().expect("lock").clone();
        Ok(entries
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["message"].as_str())
            .filter(|m| CONSOLE_PROBLEMS.iter().any(|p| m.contains(p)))
            .filter(|m| !expected.iter().any(|x| m.contains(x.as_str())))
            .map(str::to_string)
            .collect())
    }

    /// Fails now if the console reports a crash since the last look (see [`CONSOLE_PROBLEMS`]).
    pub async fn no_crash_so_far(&self, when: &str) -> Result<()> {
        let problems = self.console_problems().await?;
        if problems.is_empty() {
            return Ok(());
        }
        Err(format!(
            "{when}: the console reports a crash:\n{}",
            problems.join("\n")
        )
        .into())
    }

    /// Console lines containing `text` are expected by this test (a worker it crashes on
    /// purpose), not problems.
    pub fn expect_console(&self, text: &str) {
        self.expected_console
            .lock()
            .expect("lock")
            .push(text.to_string());
    }

    /// Runs a DevTools command on the current page's target and returns its result.
    pub async fn devtools(&self, method: &str, params: Value) -> Result<Value> {
        let command = DevToolsCommand {
            method: method.to_string(),
            params,
        };
        self.client
            .issue_cmd(command)
            .await
            .map_err(|e| format!("DevTools {method}: {e}").into())
    }

    /// Evaluates `expression` inside every dedicated Web Worker of the page whose name (the
    /// app names them, e.g. `genre-lens trainer 1`) starts with `name` (fire and forget: the
    /// answer is not waited for); returns how many workers got it.
    pub async fn eval_in_workers(&self, name: &str, expression: &str) -> Result<usize> {
        let targets = self.devtools("Target.getTargets", json!({})).await?;
        let workers: Vec<String> = targets["targetInfos"]
            .as_array()
            .ok_or("Target.getTargets: no targetInfos")?
            .iter()
            .filter(|t| t["type"] == "worker")
            .filter(|t| t["title"].as_str().unwrap_or_default().starts_with(name))
            .filter_map(|t| t["targetId"].as_str().map(str::to_string))
            .collect();
        for id in &workers {
            let attached = self
                .devtools(
                    "Target.attachToTarget",
                    json!({ "targetId": id, "flatten": false }),
                )
                .await?;
            let session = attached["sessionId"]
                .as_str()
                .ok_or("Target.attachToTarget: no sessionId")?;
            // A worker busy in one long call into wasm runs DevTools messages only once paused:
            // pause it, give the pause time to land, evaluate, resume.
            let send = async |n: usize, method: &str, params: Value| -> Result<()> {
                let message = json!({ "id": n, "method": method, "params": params });
                self.devtools(
                    "Target.sendMessageToTarget",
                    json!({ "sessionId": session, "message": message.to_string() }),
                )
                .await?;
                Ok(())
            };
            send(1, "Debugger.enable", json!({})).await?;
            send(2, "Debugger.pause", json!({})).await?;
            tokio::time::sleep(Duration::from_millis(300)).await;
            send(3, "Runtime.evaluate", json!({ "expression": expression })).await?;
            // The expression may end the worker (that is often the point): its session is then
            // gone and these two fail, harmlessly.
            let _ = send(4, "Debugger.resume", json!({})).await;
            let _ = send(5, "Debugger.disable", json!({})).await;
        }
        Ok(workers.len())
    }

    /// Opens `url` (a page of the site, e.g. `…/#/train`) and waits until the active model is
    /// loaded (the layout's model status reads "Model: …").
    pub async fn open_page(&self, url: &str) -> Result<()> {
        // On any page but Predict, the first app shows #site-loading until the whole site has
        // taken over (src/first_load.rs); that one's model status is the one that counts.
        self.goto_until(
            url,
            "return !document.getElementById('site-loading')
                && !document.querySelector('.field-pending')
                && document.querySelector('.model-status')?.textContent.startsWith('Model:');",
            "the model",
        )
        .await?;
        Ok(())
    }

    /// Opens `url`, then [`Browser::until`] `script` returns something truthy: that.
    pub async fn goto_until(&self, url: &str, script: &str, what: &str) -> Result<Value> {
        self.client.goto(url).await?;
        self.until(script, what).await
    }

    /// Opens the embeddable widget at `url` (a `…widget.html?…`) and waits for its prediction.
    pub async fn open_widget(&self, url: &str) -> Result<()> {
        self.goto_until(
            url,
            "return document.getElementById('w-genre')?.textContent.trim();",
            "the widget's prediction",
        )
        .await?;
        Ok(())
    }

    /// The layout's model status line ("Model: <name> …").
    pub async fn model_status(&self) -> Result<String> {
        Ok(self.text(".model-status").await?.unwrap_or_default())
    }

    /// Clicks the element with this id, as a user does: scrolled to the middle of the window
    /// first, where no sticky bar covers it (WebDriver's own scrolling may leave it under one).
    pub async fn click_id(&self, id: &str) -> Result<()> {
        self.js_args(
            "document.getElementById(arguments[0])?.scrollIntoView({ block: 'center' }); return true;",
            vec![json!(id)],
        )
        .await?;
        self.find(fantoccini::Locator::Id(id))
            .await
            .map_err(|e| format!("#{id}: {e}"))?
            .click()
            .await?;
        Ok(())
    }

    /// [`Browser::click_id`], then [`Browser::until`] `script` returns something truthy: that.
    pub async fn click_until(&self, id: &str, script: &str, what: &str) -> Result<Value> {
        self.click_id(id).await?;
        self.until(script, what).await
    }

    /// Ticks or unticks the checkbox with this id by clicking it when needed.
    pub async fn set_checked(&self, id: &str, on: bool) -> Result<()> {
        let checked = self
            .js_args(
                "return document.getElementById(arguments[0]).checked;",
                vec![json!(id)],
            )
            .await?
            .as_bool()
            .unwrap_or(false);
        if checked != on {
            self.click_id(id).await?;
        }
        Ok(())
    }

    /// Picks `value` in the `<select>` with this id, as a user choosing an option does.
    pub async fn choose(&self, id: &str, value: &str) -> Result<()> {
        let found = self
            .js_args(
                "const s = document.getElementById(arguments[0]); if (!s || ![...s.options].some((o) => o.value === arguments[1])) return false; s.value = arguments[1]; s.dispatchEvent(new Event('change', { bubbles: true })); return true;",
                vec![json!(id), json!(value)],
            )
            .await?;
        if found != Value::Bool(true) {
            return Err(format!("#{id} has no option {value:?}").into());
        }
        Ok(())
    }

    /// Train page: only the random forest is ticked, with this many trees.
    pub async fn only_the_forest(&self, trees: u32) -> Result<()> {
        for m in ["bagging", "knn", "tree", "svc", "gbt"] {
            self.set_checked(&format!("model-{m}"), false).await?;
        }
        self.type_into("#opt-rf-trees", &trees.to_string()).await
    }

    /// Train page, a file read: trains only a forest of `trees` trees and makes it the active
    /// model ("Use this model", which also keeps it). Fails unless every job ends done.
    pub async fn train_and_use_a_forest(&self, trees: u32) -> Result<()> {
        self.only_the_forest(trees).await?;
        self.click_id("train-start").await?;
        let jobs = self.wait_jobs(PATIENCE).await?;
        if !jobs.iter().all(|(_, s)| s.contains("job-done")) {
            return Err(format!("training did not finish: {jobs:?}").into());
        }
        self.use_the_forest().await?;
        self.until(
            "return document.querySelector('#saved-list .saved.active');",
            "the kept model",
        )
        .await?;
        Ok(())
    }

    /// Train page, a forest trained: opens its details and clicks "Use this model".
    pub async fn use_the_forest(&self) -> Result<()> {
        self.click_until(
            "show-rf",
            "return document.getElementById('use-model');",
            "the forest's details",
        )
        .await?;
        self.click_id("use-model").await
    }

    /// Train page: reads the bundled data set and waits for its report.
    pub async fn use_bundled_data(&self) -> Result<()> {
        self.click_until(
            "use-bundled",
            "return document.getElementById('rows-kept')?.textContent;",
            "the bundled data's report",
        )
        .await?;
        Ok(())
    }

    /// Train page: waits until the forest's job reports its first trees (training is under way).
    pub async fn wait_first_trees(&self) -> Result<()> {
        self.until(
            "const s = document.querySelector('#job-rf .job-status')?.textContent || ''; return /^[1-9]/.test(s);",
            "the first trees",
        )
        .await?;
        Ok(())
    }

    /// Train page: waits until no job is queued or running; returns each job's id and its
    /// class list and status line.
    pub async fn wait_jobs(&self, timeout: Duration) -> Result<Vec<(String, String)>> {
        self.wait_js(
            "const j = [...document.querySelectorAll('#jobs .job')]; return j.length > 0 && j.every((e) => !e.className.includes('job-queued') && !e.className.includes('job-running'));",
            "training to end",
            timeout,
        )
        .await?;
        let v = self
            .js("return [...document.querySelectorAll('#jobs .job')].map((e) => [e.id, e.className + ' | ' + e.querySelector('.job-status').textContent]);")
            .await?;
        Ok(serde_json::from_value::<Vec<(String, String)>>(v)?)
    }

    /// [`Browser::upload`], then [`Browser::until`] `script` returns something truthy: that.
    pub async fn upload_then(
        &self,
        input_id: &str,
        path: &Path,
        script: &str,
        what: &str,
    ) -> Result<Value> {
        self.upload(input_id, path).await?;
        self.until(script, what).await
    }

    /// [`Browser::upload_then`], its result as text ("" if it is not a string).
    pub async fn upload_then_text(
        &self,
        input_id: &str,
        path: &Path,
        script: &str,
        what: &str,
    ) -> Result<String> {
        let got = self.upload_then(input_id, path, script, what).await?;
        Ok(got.as_str().unwrap_or_default().to_string())
    }

    /// Chooses `path` in the file input with this id, as a user picking a file does.
    pub async fn upload(&self, input_id: &str, path: &Path) -> Result<()> {
        let input = self.client.find(fantoccini::Locator::Id(input_id)).await?;
        input.send_keys(&path.display().to_string()).await?;
        Ok(())
    }
}

impl Browser {
    /// Starts a desktop session with the given window size (CSS pixels; at least 500 wide, the
    /// smallest window headless Chromium makes).
    pub async fn start(width: u32, height: u32) -> Result<Browser> {
        Browser::start_with(width, height, false).await
    }

    /// Starts a session emulating a phone screen of `width` x `height` CSS pixels (touch, mobile
    /// viewport), since a real window cannot be narrower than 500 px.
    pub async fn start_phone(width: u32, height: u32) -> Result<Browser> {
        Browser::start_with(width, height, true).await
    }

    async fn start_with(width: u32, height: u32, phone: bool) -> Result<Browser> {
        let port = free_port()?;
        let chromedriver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
        let mut driver = Command::new(&chromedriver)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .map_err(|e| format!("cannot start {chromedriver}: {e}"))?;
        let deadline = Instant::now() + Duration::from_secs(20);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if Instant::now() > deadline {
                let _ = driver.kill();
                return Err("chromedriver did not start listening within 20 s".into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        let profile =
            std::env::temp_dir().join(format!("genre-lens-chrome-{}-{}", std::process::id(), port));
        let _ = std::fs::remove_dir_all(&profile);
        std::fs::create_dir_all(&profile)?;
        let binary = std::env::var("CHROME").unwrap_or_else(|_| "/usr/bin/chromium".into());
        let mut options = json!({
                "binary": binary,
                "args": [
                    "--headless=new", "--no-sandbox", "--disable-gpu",
                    "--disable-background-networking", "--disable-component-update",
                    "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
                    "--hide-scrollbars",
                    format!("--window-size={width},{height}"),
                    format!("--user-data-dir={}", profile.display()),
                ]
        });
        if phone {
            options["mobileEmulation"] = json!({
                "deviceMetrics": { "width": width, "height": height, "pixelRatio": 1.0, "touch": true }
            });
        }
        let mut caps = serde_json::Map::new();
        caps.insert("goog:chromeOptions".into(), options);
        // The console, read by `console_problems`.
        caps.insert("goog:loggingPrefs".into(), json!({ "browser": "ALL" }));
        let client = match ClientBuilder::native()
            .capabilities(caps)
            .connect(&format!("http://127.0.0.1:{port}"))
            .await
        {
            Ok(c) => c,
            Err(e) => {
                let _ = driver.kill();
                return Err(format!("cannot open a Chromium session: {e}").into());
            }
        };
        let browser = Browser {
            client,
            driver,
            profile,
            expected_console: Mutex::new(Vec::new()),
        };
        // Every document of the session records what the look checks read, from its first line.
        browser
            .devtools(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": LOOK_RECORDER }),
            )
            .await?;
        Ok(browser)
    }

    /// Starts sampling the memory of this session's processes (see [`memory`]).
    pub fn watch_memory(&self) -> memory::MemoryWatch {
        memory::MemoryWatch::start(&self.profile)
    }

    /// Ends the WebDriver session (Chromium exits) and stops chromedriver.
    pub async fn close(mut self) -> Result<()> {
        let closed = self.client.clone().close().await;
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
        closed.map_err(|e| format!("closing the session: {e}").into())
    }

    pub async fn js(&self, script: &str) -> Result<Value> {
        Ok(self.client.execute(script, vec![]).await?)
    }

    /// [`Browser::js`], its result read as a `T`.
    pub async fn js_as<T: serde::de::DeserializeOwned>(&self, script: &str) -> Result<T> {
        Ok(serde_json::from_value(self.js(script).await?)?)
    }

    pub async fn js_args(&self, script: &str, args: Vec<Value>) -> Result<Value> {
        Ok(self.client.execute(script, args).await?)
    }

    /// Polls `script` (a function body returning a value) until it returns something truthy,
    /// and returns that value; fails with `what` after `timeout`.
    pub async fn wait_js(&self, script: &str, what: &str, timeout: Duration) -> Result<Value> {
        self.wait_js_args(script, vec![], what, timeout).await
    }

    /// [`Browser::wait_js`] with the usual patience ([`PATIENCE`]).
    pub async fn until(&self, script: &str, what: &str) -> Result<Value> {
        self.wait_js(script, what, PATIENCE).await
    }

    /// [`Browser::wait_js`] with arguments (`arguments[0]`, ... in the script).
    pub async fn wait_js_args(
        &self,
        script: &str,
        args: Vec<Value>,
        what: &str,
        timeout: Duration,
    ) -> Result<Value> {
        let deadline = Instant::now() + timeout;
        loop {
            let v = self.js_args(script, args.clone()).await?;
            let truthy = match &v {
                Value::Null => false,
                Value::Bool(b) => *b,
                Value::String(s) => !s.is_empty(),
                _ => true,
            };
            if truthy {
                return Ok(v);
            }
            if Instant::now() > deadline {
                return Err(format!("timed out after {timeout:?} waiting for {what}").into());
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// The trimmed text of the first element matching `css`, or None.
    pub async fn text(&self, css: &str) -> Result<Option<String>> {
        let v = self.on_css(css, "const e = document.querySelector(arguments[0]); return e ? e.textContent.trim() : null;").await?;
        Ok(v.as_str().map(str::to_string))
    }

    /// How many elements match `css`.
    pub async fn count(&self, css: &str) -> Result<u64> {
        let v = self
            .on_css(
                css,
                "return document.querySelectorAll(arguments[0]).length;",
            )
            .await?;
        Ok(serde_json::from_value(v)?)
    }

    /// Whether `css` matches an element that is rendered (not hidden).
    pub async fn visible(&self, css: &str) -> Result<bool> {
        let v = self.on_css(css, "const e = document.querySelector(arguments[0]); return !!(e && e.offsetParent !== null && !e.hidden);").await?;
        Ok(v.as_bool().unwrap_or(false))
    }

    /// Runs `script` with the selector `css` as `arguments[0]`.
    async fn on_css(&self, css: &str, script: &str) -> Result<Value> {
        self.js_args(script, vec![json!(css)]).await
    }

    /// The element `locator` finds, waiting up to [`PATIENCE`] for it to be in the page: the
    /// Predict page builds the fields below its first screen a task after the first answer.
    pub async fn find(
        &self,
        locator: fantoccini::Locator<'_>,
    ) -> std::result::Result<fantoccini::elements::Element, fantoccini::error::CmdError> {
        self.client
            .wait()
            .at_most(PATIENCE)
            .for_element(locator)
            .await
    }

    /// Types `text` into the input `css` as a user would: focus, select all, type.
    pub async fn type_into(&self, css: &str, text: &str) -> Result<()> {
        let el = self
            .find(fantoccini::Locator::Css(css))
            .await
            .map_err(|e| format!("{css}: {e}"))?;
        // Ctrl+A selects the old value so the typed text replaces it; U+E000 releases Ctrl.
        el.send_keys(&format!("\u{E009}a\u{E000}{text}")).await?;
        Ok(())
    }

    /// Sizes the window to the whole page (at `width`) and writes a PNG screenshot.
    pub async fn screenshot_full(&self, width: u32, path: &Path) -> Result<()> {
        // The window's height includes the browser's own frame: add it, or the page's bottom
        // is cut off.
        let h = self
            .js("return Math.ceil(document.documentElement.scrollHeight + Math.max(0, window.outerHeight - window.innerHeight));")
            .await?
            .as_u64()
            .unwrap_or(900)
            .clamp(400, 6000) as u32;
        self.client.set_window_size(width, h).await?;
        self.js("window.scrollTo(0, 0); return true;").await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        let png = self.client.screenshot().await?;
        std::fs::write(path, png)?;
        Ok(())
    }
}

// ---------------------------------------------------------------------------------------------
// Look checks: what the page draws, not only what it says

/// Injected into every document before its own scripts (DevTools, so the page's CSP does not
/// apply to it): records Content-Security-Policy violations and console errors.
const LOOK_RECORDER: &str = r#"(() => {
  const rec = { csp: [], errors: [] };
  Object.defineProperty(window, "__look", { value: rec });
  document.addEventListener("securitypolicyviolation", (e) =>
    rec.csp.push(`${e.violatedDirective} blocked ${e.blockedURI || "inline"} ${e.sample || ""}`.trim()));
  const error = console.error;
  console.error = function (...args) {
    rec.errors.push(args.map(String).join(" "));
    return error.apply(this, args);
  };
  window.addEventListener("error", (e) => rec.errors.push(`uncaught: ${e.message}`));
  window.addEventListener("unhandledrejection", (e) => rec.errors.push(`unhandled rejection: ${e.reason}`));
})();"#;

/// What a look check measures in the page (see [`Browser::look`]).
const LOOK_MEASURE: &str = r##"
const out = { csp: (window.__look || {}).csp || ["(recorder missing)"], errors: (window.__look || {}).errors || [],
  scrollWidth: document.documentElement.scrollWidth, innerWidth: window.innerWidth, wide: [], bars: [], small: [] };
// (b) What sticks out to the right, to name it when the page scrolls sideways.
if (out.scrollWidth > out.innerWidth) {
  for (const e of document.querySelectorAll("body *")) {
    const r = e.getBoundingClientRect();
    if (r.right > out.innerWidth + 0.5 && r.width > 0 && !(e.parentElement && e.parentElement.closest(".table-scroll, .chart-scroll, .cm-scroll"))) {
      out.wide.push(`${e.tagName.toLowerCase()}${e.id ? "#" + e.id : ""}.${[...e.classList].join(".")} right=${Math.round(r.right)}`);
      if (out.wide.length >= 8) break;
    }
  }
}
// (c) Bar charts: every [data-bars] holds bars with data-value; drawn lengths ∝ values.
for (const chart of document.querySelectorAll("[data-bars]")) {
  if (chart.getClientRects().length === 0) continue;
  const bars = [...chart.querySelectorAll("[data-value]")].map((b) => {
    const r = b.getBoundingClientRect();
    return { v: Math.abs(parseFloat(b.dataset.value)), w: chart.dataset.bars === "height" ? r.height : r.width };
  }).filter((b) => Number.isFinite(b.v));
  const top = bars.reduce((a, b) => (b.v > a.v ? b : a), { v: 0, w: 0 });
  if (top.v <= 0 || bars.length < 2) continue;
  const scale = top.w / top.v;
  const off = bars.filter((b) => Math.abs(b.w - b.v * scale) > Math.max(1.5, 0.02 * b.v * scale));
  out.bars.push({ chart: chart.id || chart.className.baseVal || chart.className, n: bars.length,
    wrong: off.slice(0, 4).map((b) => `${b.v} drawn ${b.w.toFixed(1)} px, expected ${(b.v * scale).toFixed(1)}`) });
}
// (d) Text in charts (SVG text, and the HTML bar lists) at least 11 px as drawn.
for (const t of document.querySelectorAll("svg text, [data-bars] *")) {
  if (t.getClientRects().length === 0 || !t.textContent.trim()) continue;
  if (!(t instanceof SVGTextElement) && [...t.childNodes].every((n) => n.nodeType !== 3)) continue;
  const size = parseFloat(getComputedStyle(t).fontSize);
  const m = t instanceof SVGGraphicsElement ? t.getScreenCTM() : null;
  const scale = m ? Math.hypot(m.a, m.b) : 1;
  const px = size * scale;
  if (px < 10.95) out.small.push(`"${t.textContent.trim().slice(0, 24)}" ${px.toFixed(1)} px`);
  if (out.small.length >= 8) break;
}
// (e) Charts marked [data-labels-apart]: no two of their texts overlap as drawn (rotated ones
// too: each text is the quadrilateral of its box on screen, compared by separating axes), and a
// value drawn in a cell (the text after a rect.cell) stays inside that cell.
out.overlaps = [];
const quad = (t) => {
  const b = t.getBBox(), m = t.getScreenCTM();
  return [[b.x, b.y], [b.x + b.width, b.y], [b.x + b.width, b.y + b.height], [b.x, b.y + b.height]]
    .map(([x, y]) => new DOMPoint(x, y).matrixTransform(m));
};
const apart = (p, q) => {
  for (const poly of [p, q]) {
    for (let i = 0; i < 4; i++) {
      const a = poly[i], b = poly[(i + 1) % 4];
      const nx = b.y - a.y, ny = a.x - b.x, len = Math.hypot(nx, ny) || 1;
      const proj = (s) => s.map((c) => (c.x * nx + c.y * ny) / len);
      const [pp, qq] = [proj(p), proj(q)];
      // Apart along this axis, allowing half a pixel of antialiasing.
      if (Math.max(...pp) <= Math.min(...qq) + 0.5 || Math.max(...qq) <= Math.min(...pp) + 0.5) return true;
    }
  }
  return false;
};
for (const chart of document.querySelectorAll("svg[data-labels-apart]")) {
  if (chart.getClientRects().length === 0) continue;
  const texts = [...chart.querySelectorAll("text")].filter((t) => t.textContent.trim())
    .map((t) => ({ text: t.textContent.trim(), q: quad(t), cell: t.previousElementSibling?.matches("rect.cell") ? t.previousElementSibling.getBoundingClientRect() : null }));
  for (let i = 0; i < texts.length; i++) {
    const a = texts[i];
    if (a.cell) {
      const xs = a.q.map((c) => c.x), ys = a.q.map((c) => c.y);
      if (Math.min(...xs) < a.cell.left - 0.5 || Math.max(...xs) > a.cell.right + 0.5 || Math.min(...ys) < a.cell.top - 0.5 || Math.max(...ys) > a.cell.bottom + 0.5)
        out.overlaps.push(`"${a.text}" (${(Math.max(...xs) - Math.min(...xs)).toFixed(1)} px) outside its ${a.cell.width.toFixed(1)} px cell`);
    }
    for (let j = i + 1; j < texts.length; j++) {
      if (!apart(a.q, texts[j].q)) out.overlaps.push(`"${a.text}" overlaps "${texts[j].text}"`);
    }
  }
  out.labelsChecked = (out.labelsChecked || 0) + texts.length;
}
// (f) A field's unit ("BPM", "beats/bar") is drawn whole: the label holding it is not cut off.
out.cutUnits = [...document.querySelectorAll("label .unit")]
  .filter((u) => u.getClientRects().length > 0 && u.parentElement.scrollWidth > u.parentElement.clientWidth + 1)
  .map((u) => `${u.parentElement.textContent.trim()} (${u.parentElement.scrollWidth} px in ${u.parentElement.clientWidth})`);
return out;
"##;

impl Browser {
    /// The look checks, on the page as it is now (its heaviest state is the
    /// caller's business), then a full-page screenshot `target/screenshots/<name>.png`:
    /// (a) no CSP violation and no console error since the document loaded; (b) no horizontal
    /// overflow; (c) every bar chart's drawn lengths proportional to its numbers; (d) chart text
    /// at least 11 px; (e) in a chart marked `data-labels-apart` (the correlation matrix), no
    /// two labels overlapping and each cell's value inside its cell; (f) no field label cut off
    /// with its unit; (g) axe-core's serious and critical violations, and the rules of
    /// [`axe::ALWAYS_FAIL`]. Fails naming every problem found.
    pub async fn look(&self, name: &str) -> Result<()> {
        // Let pending renders and transitions (bar widths animate) settle.
        tokio::time::sleep(Duration::from_millis(400)).await;
        let m = self.js(LOOK_MEASURE).await?;
        // From the top, so sticky bars are drawn where they belong.
        self.js("window.scrollTo(0, 0); return true;").await?;
        tokio::time::sleep(Duration::from_millis(150)).await;
        self.screenshot_page(&screenshot_dir().join(format!("{name}.png")))
            .await?;
        let mut problems = Vec::new();
        for (key, what) in [("csp", "CSP violations"), ("errors", "console errors")] {
            let list = m[key].as_array().cloned().unwrap_or_default();
            if !list.is_empty() {
                problems.push(format!("{} {what}: {list:?}", list.len()));
            }
        }
        let (sw, iw) = (
            m["scrollWidth"].as_f64().unwrap_or(0.0),
            m["innerWidth"].as_f64().unwrap_or(0.0),
        );
        if sw > iw {
            problems.push(format!(
                "the page scrolls sideways: {sw} px wide in a {iw} px window; sticking out: {}",
                m["wide"]
            ));
        }
        let charts = m["bars"].as_array().cloned().unwrap_or_default();
        for c in &charts {
            if c["wrong"].as_array().is_some_and(|w| !w.is_empty()) {
                problems.push(format!(
                    "bars of {} not proportional to their values: {}",
                    c["chart"], c["wrong"]
                ));
            }
        }
        if m["small"].as_array().is_some_and(|s| !s.is_empty()) {
            problems.push(format!("chart text under 11 px: {}", m["small"]));
        }
        if let Some(cut) = m["cutUnits"].as_array().filter(|c| !c.is_empty()) {
            problems.push(format!("field labels cut off with their unit: {cut:?}"));
        }
        if let Some(overlaps) = m["overlaps"].as_array().filter(|o| !o.is_empty()) {
            problems.push(format!(
                "{} chart label(s) overlapping or outside their cell: {:?}",
                overlaps.len(),
                overlaps.iter().take(8).collect::<Vec<_>>()
            ));
        }
        problems.extend(self.axe_problems().await?);
        println!(
            "LOOK {name}: {} bar chart(s), {} chart label(s) checked, {} problem(s)",
            charts.len(),
            m["labelsChecked"].as_u64().unwrap_or(0),
            problems.len()
        );
        if problems.is_empty() {
            Ok(())
        } else if std::env::var_os("GENRE_LENS_LOOK_REPORT_ONLY").is_some() {
            // Exploring a new build: list every problem of every state instead of stopping.
            println!("LOOK PROBLEMS {name}:\n  {}", problems.join("\n  "));
            Ok(())
        } else {
            Err(format!("look check {name}:\n  {}", problems.join("\n  ")).into())
        }
    }

    /// How many bar charts ([data-bars]) the page shows now.
    pub async fn bar_charts(&self) -> Result<u64> {
        Ok(self
            .js("return [...document.querySelectorAll('[data-bars]')].filter((c) => c.getClientRects().length > 0).length;")
            .await?
            .as_u64()
            .unwrap_or(0))
    }

    /// A screenshot of the whole page (beyond the window, at its own width) through DevTools,
    /// without resizing the window (which an emulated phone cannot do).
    pub async fn screenshot_page(&self, path: &Path) -> Result<()> {
        let shot = self
            .devtools(
                "Page.captureScreenshot",
                json!({ "format": "png", "captureBeyondViewport": true }),
            )
            .await?;
        let data = shot["data"]
            .as_str()
            .ok_or("Page.captureScreenshot: no data")?;
        std::fs::write(path, base64_decode(data)?)?;
        Ok(())
    }
}

/// Standard base64 (DevTools' screenshots), without a dependency for 20 lines.
fn base64_decode(text: &str) -> Result<Vec<u8>> {
    let value = |c: u8| -> Result<u32> {
        Ok(match c {
            b'A'..=b'Z' => c - b'A',
            b'a'..=b'z' => c - b'a' + 26,
            b'0'..=b'9' => c - b'0' + 52,
            b'+' => 62,
            b'/' => 63,
            _ => return Err(format!("not base64: {:?}", c as char).into()),
        } as u32)
    };
    let bytes: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(bytes.len() / 4 * 3);
    for chunk in bytes.chunks(4) {
        let digits: Vec<u8> = chunk.iter().copied().filter(|&c| c != b'=').collect();
        let mut n = 0u32;
        for (i, &c) in digits.iter().enumerate() {
            n |= value(c)? << (18 - 6 * i);
        }
        let keep = digits.len().saturating_sub(1);
        out.extend_from_slice(&n.to_be_bytes()[1..1 + keep]);
    }
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// Native side

/// The bundled model, decoded natively from `public/model.bin`.
pub fn native_model() -> Result<TrainedModel> {
    let bytes = std::fs::read(repo_root().join("public/model.bin"))?;
    Ok(TrainedModel::from_bytes(&bytes)?)
}

/// The bundled random forest (the Predict page's second model), decoded natively from
/// `public/forest.bin`.
pub fn native_forest() -> Result<TrainedModel> {
    let bytes = std::fs::read(repo_root().join("public/forest.bin"))?;
    Ok(TrainedModel::from_bytes(&bytes)?)
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExampleTrack {
    pub genre: String,
    #[serde(default)]
    pub name: String,
    /// `null` in the file (a missing value in the data set) becomes NaN.
    #[serde(deserialize_with = "nullable_f64s")]
    pub values: Vec<f64>,
}

impl ExampleTrack {
    pub fn is_complete(&self) -> bool {
        self.values.iter().all(|v| v.is_finite())
    }
}

fn nullable_f64s<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Vec<f64>, D::Error> {
    let v: Vec<Option<f64>> = Vec::deserialize(d)?;
    Ok(v.into_iter().map(|x| x.unwrap_or(f64::NAN)).collect())
}

#[derive(Debug, Clone, Deserialize)]
pub struct ExamplesFile {
    pub features: Vec<String>,
    pub tracks: Vec<ExampleTrack>,
}

/// `public/examples.json`: real holdout tracks, values in `Feature::ALL` order.
pub fn examples() -> Result<ExamplesFile> {
    let text = std::fs::read_to_string(repo_root().join("public/examples.json"))?;
    let file: ExamplesFile = serde_json::from_str(&text)?;
    let expected: Vec<&str> = genre_core::feature::Feature::ALL
        .iter()
        .map(|f| f.name())
        .collect();
    if file.features != expected {
        return Err(format!(
            "examples.json features {:?} are not Feature::ALL",
            file.features
        )
        .into());
    }
    Ok(file)
}

/// The examples with every value present, in the file's order.
pub fn complete_examples() -> Result<Vec<ExampleTrack>> {
    Ok(examples()?
        .tracks
        .into_iter()
        .filter(ExampleTrack::is_complete)
        .collect())
}

/// The same percentage text the page shows (the core owns it).
pub use genre_core::text::percent;

#[cfg(test)]
mod tests {
    #[test]
    fn base64_decodes_like_the_standard() {
        assert_eq!(super::base64_decode("aGVsbG8=").unwrap(), b"hello");
        assert_eq!(super::base64_decode("aGVsbG8h").unwrap(), b"hello!");
        assert_eq!(super::base64_decode("aGk=").unwrap(), b"hi");
        assert!(super::base64_decode("a$==").is_err());
    }
}
