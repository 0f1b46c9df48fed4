//! Fetching the site's own static files, relative to the document so a sub-path deploy works,
//! and a model file at a URL the user or host page names (`model_store::load(ModelSource::Url)`).

use gloo_net::http::Request;

/// Why a fetch failed, kept apart so a caller can tell "the server said no" from "no answer"
/// (a network failure, a CORS refusal and a CSP block all look the same to a page: a TypeError).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FetchError {
    /// No response reached the page: offline, server down, CORS refused, or blocked by the CSP.
    /// Holds the browser's own words.
    Network(String),
    /// The server answered with an error status (404 Not Found, ...).
    Status { code: u16, text: String },
    /// The response body could not be read to the end.
    Read(String),
}

impl FetchError {
    /// The sentence the site's own files use ("Could not download model.bin: ...").
    pub fn sentence(&self, url: &str) -> String {
        match self {
            FetchError::Network(reason) => format!("Could not download {url}: {reason}"),
            FetchError::Status { code, text } => {
                format!("Could not download {url}: the server answered {code} {text}")
            }
            FetchError::Read(reason) => format!("Could not read {url}: {reason}"),
        }
    }
}

/// GETs `url` (relative to the page) and returns the body. Uses the browser's default fetch mode,
/// which matches the `<link rel="preload" as="fetch" crossorigin>` in index.html, so the preloaded
/// response is reused instead of downloaded twice.
pub async fn fetch_bytes(url: &str) -> Result<Vec<u8>, FetchError> {
    fetch(Request::get(url)).await
}

/// GETs a file on another origin as a CORS request without credentials (no cookies go to the
/// host of a model file), refusing a body announced as longer than `max_bytes`.
pub async fn fetch_cross_origin(url: &str, max_bytes: u64) -> Result<Vec<u8>, FetchError> {
    let request = Request::get(url)
        .mode(web_sys::RequestMode::Cors)
        .credentials(web_sys::RequestCredentials::Omit);
    let response = send(request).await?;
    let announced = response
        .headers()
        .get("content-length")
        .and_then(|n| n.trim().parse::<u64>().ok());
    if announced.is_some_and(|n| n > max_bytes) {
        return Err(FetchError::Read(format!(
            "the file is larger than {} MB",
            max_bytes / 1_000_000
        )));
    }
    response
        .binary()
        .await
        .map_err(|e| FetchError::Read(reason(e)))
}

/// GETs `url` (relative to the page, or to the worker's script) and returns its body as a stream,
/// for a caller that pipes it on (the worker inflating the bundled data set).
pub async fn fetch_stream(url: &str) -> Result<web_sys::ReadableStream, FetchError> {
    send(Request::get(url))
        .await?
        .body()
        .ok_or_else(|| FetchError::Read("the answer is empty".into()))
}

async fn fetch(request: gloo_net::http::RequestBuilder) -> Result<Vec<u8>, FetchError> {
    send(request)
        .await?
        .binary()
        .await
        .map_err(|e| FetchError::Read(reason(e)))
}

/// Sends `request`: its response when the server answered with a success status.
async fn send(
    request: gloo_net::http::RequestBuilder,
) -> Result<gloo_net::http::Response, FetchError> {
    let response = request
        .send()
        .await
        .map_err(|e| FetchError::Network(reason(e)))?;
    check_status(&response)?;
    Ok(response)
}

fn check_status(response: &gloo_net::http::Response) -> Result<(), FetchError> {
    if response.ok() {
        Ok(())
    } else {
        Err(FetchError::Status {
            code: response.status(),
            text: response.status_text(),
        })
    }
}

/// Same, as UTF-8 text.
pub async fn fetch_text(url: &str) -> Result<String, FetchError> {
    let bytes = fetch_bytes(url).await?;
    String::from_utf8(bytes).map_err(|_| FetchError::Read("it is not UTF-8 text".into()))
}

/// The browser's own words for a failed fetch ("Failed to fetch", "NetworkError when
/// attempting to fetch resource."), without gloo's prefixes.
fn reason(e: gloo_net::Error) -> String {
    match e {
        gloo_net::Error::JsError(js) => js.message,
        other => other.to_string(),
    }
}
