//! The first load: a first visit to the Predict page downloads the `predict` binary only; the
//! rest of the site (the `app` binary and its styles) loads when the visitor goes to another
//! page, takes over the page, and comes from the service worker's cache once it has been
//! precached. The precache starts after the first prediction and does not download again what
//! the page already has; the site takes over the model the first app fetched. A site that cannot load says so and can be tried again.

use genre_lens_e2e::{
    dist_dir, repo_root, screenshot_dir, with_browser, Browser, Result, StaticServer, PATIENCE,
};
use serde_json::Value;

/// What the page fetched itself before the first prediction was on screen (resource timing:
/// the service worker's own fetches are not in it).
const BEFORE_FIRST_PREDICTION: &str = "const m = performance.getEntriesByName('first-prediction');
    if (!m.length) return null;
    return performance.getEntriesByType('resource')
        .filter(e => e.startTime < m[0].startTime)
        .map(e => new URL(e.name).pathname);";

/// True once a service worker controls the page and its cache holds the whole site's wasm.
const SITE_PRECACHED: &str = "return (async () => {
  const reg = await navigator.serviceWorker.getRegistration();
  if (!reg || !reg.active || !navigator.serviceWorker.controller) return false;
  const wasm = document.getElementById('genre-lens-boot').dataset.siteWasm;
  for (const k of await caches.keys()) {
    if (await (await caches.open(k)).match(new URL(wasm, document.baseURI).href)) return true;
  }
  return false;
})();";

/// The page named by `<main data-page>` once its heading is there and the first app has
/// stepped aside: `[h1, number of site headers, number of <main>s]`.
fn shown(slug: &str) -> String {
    format!(
        "const m = document.querySelector('main');
         const h = !document.getElementById('site-loading') && m && m.dataset.page === '{slug}' && m.querySelector('h1');
         return h ? [h.textContent.trim(), document.querySelectorAll('header.site-header').length,
                     document.querySelectorAll('main').length] : null;"
    )
}

fn count(paths: &[String], part: &str) -> usize {
    paths.iter().filter(|p| p.contains(part)).count()
}

const TOP_GENRE: &str =
    "const e = document.getElementById('top-genre'); return e ? e.textContent.trim() : '';";

#[tokio::test(flavor = "multi_thread")]
async fn predict_loads_alone_and_the_site_when_asked_from_the_cache() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let mut before: Vec<String> = Vec::new();
    let mut downloads_after_precache = Vec::new();
    let mut train = Value::Null;
    let mut back = Value::Null;
    let mut site_styles = Value::Null;
    with_browser(1280, 900, async |b: &Browser| {
        b.client.goto(&url).await?;
        before = serde_json::from_value(
            b.until(BEFORE_FIRST_PREDICTION, "the first prediction")
                .await?,
        )?;
        b.wait_js(SITE_PRECACHED, "the service worker's precache", PATIENCE)
            .await?;
        downloads_after_precache = server.downloads();
        b.click_id("nav-train").await?;
        train = b.until(&shown("train"), "the Train page").await?;
        site_styles = b
            .js("return document.querySelectorAll('link[rel=stylesheet][href*=\"site-\"]').length;")
            .await?;
        b.click_id("nav-predict").await?;
        back = b
            .until(TOP_GENRE, "a prediction after the hand-over")
            .await?;
        Ok(())
    })
    .await?;

    // Before the first prediction: the first app and the model, nothing of the other pages.
    assert_eq!(count(&before, "/predict-"), 2, "{before:?}");
    assert_eq!(count(&before, "/model.bin"), 1, "{before:?}");
    assert_eq!(count(&before, "/app-"), 0, "{before:?}");
    assert_eq!(count(&before, "/site-"), 0, "{before:?}");
    assert_eq!(count(&before, "/worker"), 0, "{before:?}");
    // The precache took what the page had from the HTTP cache (or a 304): each file once.
    let downloads = &downloads_after_precache;
    assert_eq!(count(downloads, "/predict-"), 2, "{downloads:?}");
    assert_eq!(count(downloads, "/model.bin"), 1, "{downloads:?}");
    assert_eq!(
        count(downloads, "/app-"),
        2,
        "the site, precached once: {downloads:?}"
    );
    // The site came from the service worker's cache, and took the page over alone.
    let after = server.downloads();
    assert_eq!(count(&after, "/app-"), 2, "{after:?}");
    assert!(train[0].as_str().is_some_and(|h| !h.is_empty()), "{train}");
    assert_eq!(
        (train[1].as_u64(), train[2].as_u64()),
        (Some(1), Some(1)),
        "{train}"
    );
    assert_eq!(site_styles.as_u64(), Some(1));
    assert!(back.as_str().is_some_and(|g| !g.is_empty()), "{back}");
    Ok(())
}

/// A first visit to another page than Predict: the first app starts fetching the model, and
/// the whole site, which takes over at once, takes its bytes instead of fetching them again.
#[tokio::test(flavor = "multi_thread")]
async fn the_site_takes_over_the_model_the_first_app_fetched() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let fetched: Vec<String> = with_browser(1280, 900, async |b: &Browser| {
        b.client.goto(&format!("{url}#/train")).await?;
        b.until(&shown("train"), "the Train page").await?;
        b.until(
            "return document.querySelector('.model-status')?.textContent.startsWith('Model:') || null;",
            "the site's model",
        )
        .await?;
        b.js_as("return performance.getEntriesByType('resource').map(e => new URL(e.name).pathname);")
            .await
    })
    .await?;
    assert_eq!(
        count(&fetched, "/app-"),
        2,
        "the site took over: {fetched:?}"
    );
    assert_eq!(
        count(&fetched, "/model.bin"),
        1,
        "the page fetched the model once: {fetched:?}"
    );
    let downloads = server.downloads();
    assert_eq!(count(&downloads, "/model.bin"), 1, "{downloads:?}");
    Ok(())
}

/// A copy of the built site's files (not its folders) in `target/<name>`, and their names.
fn copy_of_site(name: &str) -> Result<(std::path::PathBuf, Vec<String>)> {
    let copy = repo_root().join("target").join(name);
    let _ = std::fs::remove_dir_all(&copy);
    std::fs::create_dir_all(&copy)?;
    let mut names = Vec::new();
    for entry in std::fs::read_dir(dist_dir()?)? {
        let path = entry?.path();
        if path.is_file() {
            let name = path
                .file_name()
                .unwrap_or_default()
                .to_string_lossy()
                .to_string();
            std::fs::copy(&path, copy.join(&name))?;
            names.push(name);
        }
    }
    Ok((copy, names))
}

#[tokio::test(flavor = "multi_thread")]
async fn a_site_that_cannot_load_says_so_and_loads_when_tried_again() -> Result<()> {
    // A copy of the site whose second binary is missing, then back.
    let (copy, names) = copy_of_site("e2e-first-load")?;
    let site_js = names
        .into_iter()
        .find(|n| n.starts_with("app-") && n.ends_with(".js"))
        .ok_or("dist has no app-*.js")?;
    std::fs::rename(copy.join(&site_js), copy.join("aside.js"))?;
    let server = StaticServer::start(&copy, "/")?;
    let url = server.url();
    let (mut error, mut predict, mut train) = (Value::Null, Value::Null, Value::Null);
    with_browser(1280, 900, async |b: &Browser| {
        b.client.goto(&format!("{url}#/train")).await?;
        let failed =
            "const e = document.querySelector('main .load-error'); return e ? e.textContent : '';";
        error = b.until(failed, "the message").await?;
        for width in [1280, 390] {
            let shot = screenshot_dir().join(format!("first-load-error-{width}.png"));
            b.screenshot_full(width, &shot).await?;
        }
        b.client.set_window_size(1280, 900).await?;
        b.click_id("nav-predict").await?;
        predict = b.until(TOP_GENRE, "the Predict page").await?;
        b.click_id("nav-train").await?;
        b.until(failed, "the message again").await?;
        std::fs::rename(copy.join("aside.js"), copy.join(&site_js))?;
        b.client
            .find(fantoccini::Locator::Css("main .load-error button"))
            .await?
            .click()
            .await?;
        train = b.until(&shown("train"), "the Train page").await?;
        Ok(())
    })
    .await?;
    let error = error.as_str().unwrap_or_default();
    assert!(error.contains("The Train page could not load"), "{error}");
    assert!(error.contains("Try again"), "{error}");
    assert!(predict.as_str().is_some_and(|g| !g.is_empty()), "{predict}");
    assert_eq!(
        (train[1].as_u64(), train[2].as_u64()),
        (Some(1), Some(1)),
        "{train}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn an_app_that_cannot_start_says_so_in_the_sites_frame() -> Result<()> {
    // A copy of the site without the first binary's wasm: index.html's frame shows (its links
    // work without the app), then says the app could not start instead of loading forever.
    let (copy, names) = copy_of_site("e2e-no-start")?;
    for name in names {
        if name.starts_with("predict-") && name.ends_with("_bg.wasm") {
            std::fs::remove_file(copy.join(name))?;
        }
    }
    let server = StaticServer::start(&copy, "/")?;
    let mut seen = Value::Null;
    with_browser(390, 844, async |b: &Browser| {
        b.client.goto(&server.url()).await?;
        seen = b
            .until(
                "const s = document.getElementById('shell-status'); \
                 return s && s.getAttribute('role') === 'alert' \
                   ? [s.textContent, document.querySelectorAll('#shell nav a').length] : null;",
                "the frame's message",
            )
            .await?;
        b.screenshot_full(390, &screenshot_dir().join("cannot-start-390.png"))
            .await?;
        Ok(())
    })
    .await?;
    let text = seen[0].as_str().unwrap_or_default();
    assert!(text.starts_with("Genre Lens could not start: "), "{text}");
    assert!(text.ends_with("Reload the page to try again."), "{text}");
    assert_eq!(seen[1].as_u64(), Some(5), "the frame's five page links");
    Ok(())
}
