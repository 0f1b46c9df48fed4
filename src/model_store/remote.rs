//! A model file at a URL the user or a host page names (the widget's `model=https://…`): fetched
//! with CORS and no credentials, and kept in the Cache API once it decodes, so a reload without
//! a network still has it.
//!
//! Why the Cache API from the page, not the service worker (`public/sw.js`): the first visit's
//! fetch happens before the service worker controls the page, so it would miss the one download
//! that matters; the worker's caches are also per build and deleted with it, while a host's
//! model must outlive our deploys. The page keeps the bytes it has validated itself, under
//! [`CACHE_NAME`], which `sw.js` leaves alone.
//!
//! The network comes first (a host that replaces its file is seen on the next load); the kept
//! copy is used only when no answer arrives at all. A server's error status (404) is its answer
//! and is reported, never papered over with an old copy.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::error::LoadError;
use crate::fetch::{fetch_cross_origin, FetchError};

/// The Cache API cache holding model files fetched from URLs (kept by `sw.js` across builds).
pub const CACHE_NAME: &str = "genre-lens-model-urls";

/// Larger files are refused before they are read: a real model is well under 10 MB.
pub const MAX_MODEL_BYTES: u64 = 64_000_000;

/// The file's bytes, and whether they came from the network (to be kept once they decode).
pub async fn bytes(url: &str) -> Result<(Vec<u8>, bool), LoadError> {
    match fetch_cross_origin(url, MAX_MODEL_BYTES).await {
        Ok(bytes) => Ok((bytes, true)),
        Err(FetchError::Network(reason)) => match kept(url).await {
            Some(bytes) => Ok((bytes, false)),
            None => Err(LoadError::Download(no_answer(url, &reason))),
        },
        Err(FetchError::Status { code: 404, text }) => Err(LoadError::Download(format!(
            "There is no model file at {url}: the server answered 404 {text}. Check the \
             address and that the file is uploaded there."
        ))),
        Err(FetchError::Status { code, text }) => Err(LoadError::Download(format!(
            "Could not download the model file {url}: the server answered {code} {text}."
        ))),
        Err(FetchError::Read(reason)) => Err(LoadError::Download(format!(
            "Could not read the model file {url}: {reason}."
        ))),
    }
}

/// No response at all: the page cannot tell offline from a refused CORS request (browsers hide
/// which on purpose), so the sentence names both and what the file's host must send.
fn no_answer(url: &str, reason: &str) -> String {
    format!(
        "Could not download the model file {url}: no answer could be read ({reason}). Either \
         the server cannot be reached, or it does not let other sites read the file: it must \
         send the header `Access-Control-Allow-Origin: *`."
    )
}

/// Keeps validated bytes for offline use. Best effort: without the Cache API (an insecure
/// page, storage blocked) the widget still works online, so failures are ignored.
pub async fn keep(url: &str, bytes: &[u8]) {
    let _ = try_keep(url, bytes).await;
}

async fn try_keep(url: &str, bytes: &[u8]) -> Result<(), wasm_bindgen::JsValue> {
    let cache = open().await?;
    let mut body = bytes.to_vec();
    let response = web_sys::Response::new_with_opt_u8_array(Some(&mut body))?;
    JsFuture::from(cache.put_with_str(url, &response)).await?;
    Ok(())
}

/// The copy kept for `url`, if any.
async fn kept(url: &str) -> Option<Vec<u8>> {
    let cache = open().await.ok()?;
    let found = JsFuture::from(cache.match_with_str(url)).await.ok()?;
    let response = found.dyn_into::<web_sys::Response>().ok()?;
    let buffer = JsFuture::from(response.array_buffer().ok()?).await.ok()?;
    Some(js_sys::Uint8Array::new(&buffer).to_vec())
}

async fn open() -> Result<web_sys::Cache, wasm_bindgen::JsValue> {
    let caches = web_sys::window()
        .ok_or_else(|| wasm_bindgen::JsValue::from_str("no window"))?
        .caches()?;
    JsFuture::from(caches.open(CACHE_NAME))
        .await?
        .dyn_into::<web_sys::Cache>()
}
