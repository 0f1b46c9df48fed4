//! Offline: after one visit the service worker has cached the build, so with the server gone a
//! reload still predicts (the site and the widget), from a sub-path. 127.0.0.1 is a secure
//! context, so service workers run there without HTTPS.

use std::time::Duration;

use genre_lens_e2e::{dist_dir, Browser, Result, StaticServer, PATIENCE};
use serde_json::{json, Value};

/// True once a service worker controls the page and its cache holds the model.
const CACHED: &str = "return (async () => {
  const reg = await navigator.serviceWorker.getRegistration();
  if (!reg || !reg.active || !navigator.serviceWorker.controller) return false;
  const keys = await caches.keys();
  for (const k of keys) {
    const c = await caches.open(k);
    if (await c.match('model.bin')) return keys;
  }
  return false;
})();";

async fn top_genre(b: &Browser, css: &str) -> Result<Value> {
    b.until(
        &format!(
            "const e = document.querySelector({}); return e ? e.textContent.trim() : '';",
            json!(css)
        ),
        &format!("a prediction in {css}"),
    )
    .await
}

#[tokio::test(flavor = "multi_thread")]
async fn a_reload_without_the_server_still_predicts() -> Result<()> {
    let site = StaticServer::start(&dist_dir()?, "/some/path/")?;
    let url = site.url();
    let browser = Browser::start(1000, 800).await?;
    let outcome: Result<(Value, Value, Value, Value, Value)> = async {
        let b = &browser;
        b.client.goto(&url).await?;
        let online = top_genre(b, "#top-genre").await?;
        // The first visit installs the worker; the page is controlled once it has claimed it.
        let caches = b
            .wait_js(CACHED, "the service worker's cache", PATIENCE)
            .await?;

        site.stop();
        b.client.refresh().await?;
        let offline = top_genre(b, "#top-genre").await?;
        // Still live: typing a new value predicts again.
        let field = b.find(fantoccini::Locator::Css("#field-tempo")).await?;
        field.send_keys("\u{E009}a\u{E000}60").await?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let typed = top_genre(b, "#top-genre").await?;
        // The rest of the site (loaded on demand, src/first_load.rs) comes from the cache too.
        b.click_id("nav-train").await?;
        b.until(
            "const m = document.querySelector('main'); return !document.getElementById('site-loading')
                && m.dataset.page === 'train' && !!m.querySelector('h1');",
            "the Train page offline",
        )
        .await?;
        // The widget, with a query it was never fetched with, from the same cache.
        b.client
            .goto(&format!("{url}widget.html?theme=dark&fields=tempo,energy"))
            .await?;
        let widget = top_genre(b, "#w-genre").await?;
        Ok((online, offline, typed, widget, caches))
    }
    .await;
    let closed = browser.close().await;
    let (online, offline, typed, widget, caches) = outcome?;
    closed?;
    assert_eq!(online, offline, "the offline reload predicts the same");
    assert!(typed.as_str().is_some_and(|s| !s.is_empty()));
    assert!(widget.as_str().is_some_and(|s| !s.is_empty()));
    // One versioned cache for this build.
    let keys = caches.as_array().cloned().unwrap_or_default();
    assert_eq!(keys.len(), 1, "{keys:?}");
    assert!(
        keys[0].as_str().unwrap_or("").starts_with("genre-lens-"),
        "{keys:?}"
    );
    Ok(())
}
