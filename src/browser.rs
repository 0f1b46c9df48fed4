//! Small browser plumbing shared by every page: turning a thrown JavaScript value into a
//! sentence, offering bytes as a download, waiting for the next paint and giving the browser a
//! turn. One owner each, so that every page words a browser failure the same way, every download
//! lives as long as the browser needs it, every "after the first paint" means the same moment
//! and every long loop yields the same way.

use wasm_bindgen::{JsCast, JsValue};

/// The message of a thrown JavaScript value (an `Error`, a `DOMException`, a thrown string),
/// for a sentence such as "Could not read the file: {message}".
pub fn js_error_text(e: &JsValue) -> String {
    if let Some(d) = e.dyn_ref::<web_sys::DomException>() {
        return format!("{}: {}", d.name(), d.message());
    }
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| e.as_string())
        .unwrap_or_else(|| "unknown error".into())
}

/// How long a download's object URL stays valid. Revoking it at once can cancel the download
/// in some browsers (the click only starts it); a minute is ample and then frees the memory.
const DOWNLOAD_URL_LIFETIME_MS: u32 = 60_000;

/// Starts a browser download of `bytes` as `file_name`, from memory (a Blob and an object URL:
/// no request leaves the page).
pub fn download(file_name: &str, mime: &str, bytes: &[u8]) -> Result<(), String> {
    let url = gloo_file::ObjectUrl::from(gloo_file::Blob::new_with_options(bytes, Some(mime)));
    let a: web_sys::HtmlAnchorElement = gloo_utils::document()
        .create_element("a")
        .map_err(|e| {
            format!(
                "The browser could not start the download: {}",
                js_error_text(&e)
            )
        })?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    // The URL is revoked when `url` is dropped: keep it until the download has surely started.
    gloo_timers::callback::Timeout::new(DOWNLOAD_URL_LIFETIME_MS, move || drop(url)).forget();
    Ok(())
}

/// Runs `then` in the first task after the next frame is painted: `requestAnimationFrame` runs
/// just before the frame's style, layout and paint, and a zero timeout queued from there runs
/// after them. What a page shows first is painted before `then` adds the rest. Natively (the
/// app's native tests) `then` runs at once.
pub fn after_next_paint(then: impl FnOnce() + 'static) {
    #[cfg(target_arch = "wasm32")]
    leptos::prelude::request_animation_frame(move || {
        leptos::prelude::set_timeout(then, std::time::Duration::ZERO)
    });
    #[cfg(not(target_arch = "wasm32"))]
    then();
}

/// Gives the browser a turn (paint, input) before continuing. Natively (unit tests) it returns
/// at once.
///
/// Not `setTimeout(0)`: browsers clamp nested timeouts to 4 ms, which added a third to the time
/// of a sliced loop of 8 ms slices. `scheduler.yield()` (Chromium) resumes right after pending
/// input and paint; elsewhere a `MessageChannel` message does the same without the clamp.
pub async fn yield_now() {
    #[cfg(target_arch = "wasm32")]
    {
        let _ = wasm_bindgen_futures::JsFuture::from(yield_promise()).await;
    }
}

#[cfg(target_arch = "wasm32")]
fn yield_promise() -> js_sys::Promise {
    use js_sys::{Function, Promise, Reflect};
    use wasm_bindgen::JsCast;
    let global = js_sys::global();
    let scheduler = Reflect::get(&global, &"scheduler".into()).ok();
    let via_scheduler = scheduler.filter(|s| s.is_object()).and_then(|s| {
        let f = Reflect::get(&s, &"yield".into()).ok()?;
        let f = f.dyn_into::<Function>().ok()?;
        f.call0(&s).ok()?.dyn_into::<Promise>().ok()
    });
    if let Some(p) = via_scheduler {
        return p;
    }
    Promise::new(&mut |resolve, _| match web_sys::MessageChannel::new() {
        Ok(channel) => {
            channel.port1().set_onmessage(Some(&resolve));
            let _ = channel.port2().post_message(&wasm_bindgen::JsValue::NULL);
        }
        Err(_) => {
            let _ = resolve.call0(&wasm_bindgen::JsValue::NULL);
        }
    })
}
