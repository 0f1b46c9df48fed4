//! Fetching the site's own static files, relative to the document so a sub-path deploy works.

use gloo_net::http::Request;

/// GETs `url` (relative to the page) and returns the body. Uses the browser's default fetch mode,
/// which matches the `<link rel="preload" as="fetch" crossorigin>` in index.html, so the preloaded
/// response is reused instead of downloaded twice.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let response = Request::get(url)
        .send()
        .await
        .map_err(|e| format!("Could not download {url}: {}", reason(e)))?;
    if !response.ok() {
        return Err(format!(
            "Could not download {url}: the server answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    response
        .binary()
        .await
        .map_err(|e| format!("Could not read {url}: {}", reason(e)))
}

/// Same, as UTF-8 text.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let bytes = fetch_bytes(url).await?;
    String::from_utf8(bytes).map_err(|_| format!("{url} is not UTF-8 text"))
}

/// The browser's own words for a failed fetch ("Failed to fetch", "NetworkError when
/// attempting to fetch resource."), without gloo's prefixes.
fn reason(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.message,
        other => other.to_string(),
    }
}
