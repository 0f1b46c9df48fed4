//! Helpers shared by the e2e tests (`site.rs`, `predict_look.rs`, `publish.rs`, `import.rs`):
//! setting a feature through the control a user uses for it, reading back what a field shows,
//! the Predict page's probabilities, and publishing the active kept model on Train. The
//! m:ss formatting is written here again on purpose, not taken from the app, so the tests check
//! the app's wording instead of repeating it.
#![allow(dead_code)]

use fantoccini::Locator;
use genre_core::feature::Feature;
use genre_core::model::TrainedModel;
use genre_lens_e2e::{dist_dir, native_model, Browser, Result, StaticServer};
use serde_json::{json, Map, Value};

/// The bundled model, the site served at `/` (kept running while the tuple is held) and its URL.
pub fn model_and_site() -> Result<(TrainedModel, StaticServer, String)> {
    let model = native_model()?;
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    Ok((model, server, url))
}

/// Milliseconds as a music player shows them: "3:43" (seconds rounded down).
pub fn mss(ms: f64) -> String {
    let s = (ms / 1000.0).floor() as i64;
    format!("{}:{:02}", s / 60, s % 60)
}

/// Milliseconds as "m:ss.fff" (trailing zeros dropped), which the duration field accepts.
pub fn mss_exact(ms: f64) -> String {
    let whole = mss(ms);
    let rest = (ms.round() as i64) % 1000;
    if rest == 0 {
        whole
    } else {
        format!("{whole}.{}", format!("{rest:03}").trim_end_matches('0'))
    }
}

/// "m:ss" or "m:ss.fff" back to milliseconds.
pub fn parse_mss(text: &str) -> Option<f64> {
    let (m, s) = text.trim().split_once(':')?;
    let m: f64 = m.parse().ok()?;
    let s: f64 = s.parse().ok()?;
    Some(((m * 60.0 + s) * 1000.0).round())
}

/// The twelve notes as the key picker names them (Spotify's key 0..11).
#[allow(unused_imports)] // Not every test binary that shares this module picks a key.
pub use genre_core::feature::NOTE_NAMES as NOTES;

/// What the Predict page's text field shows for `v` set by the page (an example, a default).
pub fn shown_text(f: Feature, v: f64) -> String {
    match f {
        Feature::DurationMs => mss(v),
        _ => v.to_string(),
    }
}

/// Sets feature `f` to `v` on the Predict page as a user does: picks the note, clicks Major or
/// Minor, types a duration as m:ss.fff, types any other number. `prefix` is "field-" on the
/// page and "w-field-" in the widget.
pub async fn set_feature(b: &Browser, prefix: &str, f: Feature, v: f64) -> Result<()> {
    let id = format!("{prefix}{}", f.name());
    match f {
        Feature::Key => {
            b.find(Locator::Id(&id))
                .await?
                .select_by_value(&v.to_string())
                .await?;
        }
        Feature::Mode => {
            let which = if v == 1.0 { "major" } else { "minor" };
            b.find(Locator::Css(&format!("label[for='{id}-{which}']")))
                .await?
                .click()
                .await?;
        }
        Feature::DurationMs => b.type_into(&format!("#{id}"), &mss_exact(v)).await?,
        _ => b.type_into(&format!("#{id}"), &v.to_string()).await?,
    }
    Ok(())
}

/// JavaScript reading the value a field's control holds, as text: the select's value for key,
/// "1" or "0" for the checked mode, the text field's value otherwise. Takes the element id.
pub const READ_FIELD: &str = "const read = (id) => {
    const e = document.getElementById(id);
    if (!e) return null;
    if (e.tagName === 'SELECT') return e.value;
    if (e.tagName === 'INPUT') return e.value;
    const c = e.querySelector('input:checked');
    return c ? c.value : '';
};";

/// The text every listed feature's control holds, in order.
pub async fn read_fields(b: &Browser, prefix: &str, features: &[Feature]) -> Result<Vec<String>> {
    let ids: Vec<String> = features
        .iter()
        .map(|f| format!("{prefix}{}", f.name()))
        .collect();
    // Every field is in the page (the Predict page builds those below its first screen a task
    // after the first answer).
    b.until(
        "return !document.querySelector('.field-pending');",
        "every field",
    )
    .await?;
    let v = b
        .js_args(
            &format!("{READ_FIELD} return arguments[0].map(read);"),
            vec![json!(ids)],
        )
        .await?;
    Ok(v.as_array()
        .map(|a| {
            a.iter()
                .map(|x| x.as_str().unwrap_or("").to_string())
                .collect()
        })
        .unwrap_or_default())
}

/// A field's text as the model's number: m:ss for durations, a plain number otherwise.
pub fn field_number(f: Feature, text: &str) -> Option<f64> {
    match f {
        Feature::DurationMs => parse_mss(text),
        _ => text.trim().parse().ok(),
    }
}

/// Waits a frame after the last input event, so the page has rendered its reaction.
pub async fn settle(b: &Browser) -> Result<Value> {
    b.js(
        "return await new Promise(r => requestAnimationFrame(() => setTimeout(() => r(true), 0)));",
    )
    .await
}

/// Train page: presses Publish on the kept model (the active row), captures the model file
/// the page downloads, and types `url` as the file's address.
pub async fn publish(b: &Browser, url: &str) -> Result<Vec<u8>> {
    b.js("window.__blobs = []; const orig = URL.createObjectURL; URL.createObjectURL = (x) => { window.__blobs.push(x); return orig.call(URL, x); }; return true;")
        .await?;
    b.js("const p = document.querySelector('#saved-list .saved.active .saved-publish'); p.scrollIntoView({ block: 'center' }); return true;")
        .await?;
    b.client
        .find(Locator::Css("#saved-list .saved.active .saved-publish"))
        .await?
        .click()
        .await?;
    b.until(
        "return window.__blobs.length > 0 && document.getElementById('publish-panel');",
        "the published file",
    )
    .await?;
    let bytes = b
        .client
        .execute_async(
            "const done = arguments[arguments.length - 1]; window.__blobs[0].arrayBuffer().then((a) => done(Array.from(new Uint8Array(a))));",
            vec![],
        )
        .await?;
    b.type_into("#publish-url", url).await?;
    settle(b).await?;
    Ok(serde_json::from_value(bytes)?)
}

/// The Predict page's probabilities by the genre's shown name (the bar chart's data-value).
pub async fn predict_page_probabilities(b: &Browser) -> Result<Map<String, Value>> {
    let v = b
        .js("const out = {}; for (const g of document.querySelectorAll('svg.bar-chart g')) out[g.querySelector('.bar-label').textContent.trim()] = parseFloat(g.querySelector('.bar').dataset.value); return out;")
        .await?;
    Ok(v.as_object().cloned().unwrap_or_default())
}
