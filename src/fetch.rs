//! Fetching the site's own static files, relative to the document so a sub-path deploy works.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

fn js_error(what: &str, e: wasm_bindgen::JsValue) -> String {
    let detail = e
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into());
    format!("{what}: {detail}")
}

/// GETs `url` (relative to the page) and returns the body. Uses the browser's default fetch mode,
/// which matches the `<link rel="preload" as="fetch" crossorigin>` in index.html, so the preloaded
/// response is reused instead of downloaded twice.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|e| js_error(&format!("Could not download {url}"), e))?;
    let response: web_sys::Response = response
        .dyn_into()
        .map_err(|_| format!("Could not download {url}: not a response"))?;
    if !response.ok() {
        return Err(format!(
            "Could not download {url}: the server answered {} {}",
            response.status(),
            response.status_text()
        ));
    }
    let buffer = response
        .array_buffer()
        .map_err(|e| js_error(&format!("Could not read {url}"), e))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|e| js_error(&format!("Could not read {url}"), e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// Same, as UTF-8 text.
pub async fn fetch_text(url: &str) -> Result<String, String> {
    let bytes = fetch_bytes(url).await?;
    String::from_utf8(bytes).map_err(|_| format!("{url} is not UTF-8 text"))
}
