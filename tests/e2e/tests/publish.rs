//! Publish a model in headless Chromium, across three origins:
//!
//! 1. the site (Train page): a small forest is trained, kept, and published: Publish downloads
//!    its file and writes both snippets for the address typed;
//! 2. a model host: serves that file with `Access-Control-Allow-Origin: *` (plus a file that is
//!    not a model, one from a newer format, and, from a second host without CORS, the same file);
//! 3. a host page: embeds the widget with `model=<URL>` as an iframe and as
//!    `<genre-lens-widget>`.
//!
//! The widget's probabilities equal the Predict page's with that model active, and the native
//! core's for the downloaded bytes; every bad URL (404, not a model, newer version, CORS
//! refused) and a `fields=` the model lacks show their message in the widget and send the host
//! an `error` message. A reload of the widget with the model host and the site both gone still
//! predicts with the published model (the Cache API copy). Screenshots: the Publish panel at
//! 1280 and 390 px, the widget's error state.

mod support;

use std::path::Path;

use fantoccini::Locator;
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::model::TrainedModel;
use genre_lens_e2e::{
    complete_examples, dist_dir, repo_root, screenshot_dir, with_browser, with_phone, Browser,
    Result, StaticServer, PATIENCE,
};
use serde_json::{json, Map, Value};
use support::{predict_page_probabilities, publish, set_feature, settle};

/// Iframes of the host page: id, the `model=` URL (filled in by the test), extra query.
const FRAMES: [(&str, &str); 6] = [
    ("good", ""),
    ("missing", ""),
    ("junk", ""),
    ("newer", ""),
    ("nocors", ""),
    ("fields", "&fields=danceability,tempo"),
];

/// The host page (third origin): one iframe per case, and the custom element with the published
/// model and with a missing one. Records every message and element event.
fn write_host_page(dir: &Path, site: &str, urls: &[(&str, String)]) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let enc = |u: &str| url::form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>();
    let url_of = |id: &str| {
        urls.iter()
            .find(|(k, _)| *k == id)
            .map(|(_, u)| u.clone())
            .unwrap_or_default()
    };
    let frames: String = FRAMES
        .iter()
        .map(|(id, extra)| {
            let model = if *id == "fields" { url_of("good") } else { url_of(id) };
            format!(
                r#"<iframe id="{id}" src="{site}widget.html?model={}{}" width="360" height="480"></iframe>
"#,
                enc(&model),
                extra.replace('&', "&amp;")
            )
        })
        .collect();
    let html = format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>publisher</title></head><body>
{frames}<genre-lens-widget id="el" model="{good}"></genre-lens-widget>
<genre-lens-widget id="el-missing" model="{missing}"></genre-lens-widget>
<script type="module" src="{site}genre-lens-widget.js"></script>
<script>
  window.msgs = [];
  window.addEventListener("message", (e) => {{
    const f = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === e.source);
    window.msgs.push({{ from: f ? f.id : "other", origin: e.origin, data: e.data }});
  }});
  window.events = [];
  for (const id of ["el", "el-missing"])
    for (const type of ["ready", "error", "prediction"])
      document.getElementById(id).addEventListener(type, (e) => window.events.push({{ id, type, detail: e.detail }}));
</script></body></html>"#,
        good = url_of("good"),
        missing = url_of("missing"),
    );
    std::fs::write(dir.join("host.html"), html)?;
    Ok(())
}

/// The model-order row and the message's `features` object of an example track.
fn track(features: &[Feature], values: &[f64]) -> (Value, Vec<f64>) {
    let mut obj = Map::new();
    let raw: Vec<f64> = features.iter().map(|f| values[f.index()]).collect();
    for (f, v) in features.iter().zip(&raw) {
        obj.insert(f.name().into(), json!(v));
    }
    (Value::Object(obj), raw)
}

/// The first message from frame `id` matching `type`.
async fn message_from(b: &Browser, id: &str, kind: &str) -> Result<Value> {
    b.until(
        &format!(
            "const m = window.msgs.find(m => m.from === {} && m.data.type === {}); return m ? m.data : null;",
            json!(id),
            json!(kind)
        ),
        &format!("a {kind} message from the {id} widget"),
    )
    .await
}

/// The text inside the iframe `id`'s element `css` (entered through WebDriver: cross-origin).
async fn frame_text(b: &Browser, id: &str, css: &str) -> Result<String> {
    b.client.find(Locator::Id(id)).await?.enter_frame().await?;
    let text = b
        .until(
            &format!(
                "return document.querySelector({})?.textContent || null;",
                json!(css)
            ),
            &format!("{css} in the {id} widget"),
        )
        .await;
    b.client.enter_parent_frame().await?;
    Ok(text?.as_str().unwrap_or_default().to_string())
}

struct Seen {
    /// The Embed page: its preview's src, the preview's model name, the element snippet.
    embed: (Value, Value, String),
    file: Vec<u8>,
    iframe_snippet: String,
    element_snippet: String,
    predict_page: Map<String, Value>,
    replies: Vec<Value>,
    element_answer: Value,
    errors: Vec<(String, Value, String)>,
    fields_note: String,
    events: Value,
    offline_genre: String,
    offline_model: String,
    kept: Value,
}

#[tokio::test(flavor = "multi_thread")]
async fn a_published_model_runs_in_a_widget_on_a_third_origin() -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("genre-lens-publish-{}", std::process::id()));
    let (models_dir, host_dir) = (tmp.join("models"), tmp.join("host"));
    std::fs::create_dir_all(&models_dir)?;
    // Not a model (a CSV), and a model file from a newer format version.
    std::fs::write(
        models_dir.join("not-a-model.bin"),
        "energy,tempo,genre\n0.8,128,techno\n",
    )?;
    std::fs::copy(
        repo_root().join("tests/bad_inputs/model/newer_version.bin"),
        models_dir.join("newer.bin"),
    )?;
    let site = StaticServer::start(&dist_dir()?, "/")?;
    let models = StaticServer::start(&models_dir, "/")?;
    let nocors = StaticServer::start(&models_dir, "/")?;
    nocors.refuse_cors();
    let model_url = format!("{}published/forest.bin", models.url());
    let urls = [
        ("good", model_url.clone()),
        ("missing", format!("{}published/nowhere.bin", models.url())),
        ("junk", format!("{}not-a-model.bin", models.url())),
        ("newer", format!("{}newer.bin", models.url())),
        ("nocors", format!("{}published/forest.bin", nocors.url())),
    ];
    write_host_page(&host_dir, &site.url(), &urls)?;
    let host = StaticServer::start(&host_dir, "/")?;
    let origins = [site.origin(), models.origin(), host.origin()];
    assert!(origins[0] != origins[1] && origins[1] != origins[2] && origins[0] != origins[2]);

    let mut tracks = complete_examples()?;
    tracks.truncate(4);
    let data = repo_root().join("data/genres_v2.csv");
    let mut seen: Option<Seen> = None;
    with_browser(1280, 900, async |b| {
        // 1. Train a small forest on the Train page, keep it, publish it.
        b.open_page(&format!("{}#/train", site.url())).await?;
        b.upload("train-file", &data).await?;
        b.until("return document.getElementById('rows-kept')?.textContent;", "the report")
            .await?;
        b.train_and_use_a_forest(5).await?;
        let file = publish(b, &model_url).await?;
        std::fs::create_dir_all(models_dir.join("published"))?;
        std::fs::write(models_dir.join("published/forest.bin"), &file)?;
        let iframe_snippet = b.text("#snippet-publish-iframe").await?.unwrap_or_default();
        let element_snippet = b.text("#snippet-publish-element").await?.unwrap_or_default();
        b.js("document.getElementById('publish-panel').scrollIntoView({ block: 'center' }); return true;").await?;
        b.look("publish-panel-1280").await?;

        // 2. The Predict page with the published model active, for the first track.
        let model = TrainedModel::from_bytes(&file)?;
        let features = model.features().as_slice().to_vec();
        b.open_page(&site.url()).await?;
        b.until("return document.querySelector('.model-status')?.textContent.includes('Random forest');", "the kept forest on Predict")
            .await?;
        for &f in &features {
            set_feature(b, "field-", f, tracks[0].values[f.index()]).await?;
        }
        settle(b).await?;
        let predict_page = predict_page_probabilities(b).await?;

        // 3. The host page on the third origin.
        b.client.goto(&format!("{}host.html", host.url())).await?;
        let ready = message_from(b, "good", "ready").await?;
        assert_eq!(ready["model"], json!(model.meta.name), "{ready}");
        let mut replies = Vec::new();
        for (i, t) in tracks.iter().enumerate() {
            let (obj, _) = track(&features, &t.values);
            let id = format!("t{i}");
            b.js_args(
                "const f = document.getElementById('good'); f.contentWindow.postMessage(arguments[0], new URL(f.src).origin); return true;",
                vec![json!({"type": "predict", "id": id, "features": obj})],
            )
            .await?;
            replies.push(
                b.until(&format!("const m = window.msgs.find(m => m.from === 'good' && m.data.id === {}); return m ? m.data : null;", json!(id)), "the widget's reply")
                    .await?,
            );
        }
        let (obj, _) = track(&features, &tracks[0].values);
        let element_answer = b
            .js_args("return document.getElementById('el').predict(arguments[0]);", vec![obj])
            .await?;
        let mut errors = Vec::new();
        for id in ["missing", "junk", "newer", "nocors", "fields"] {
            let msg = message_from(b, id, "error").await?;
            let shown = if id == "fields" {
                frame_text(b, id, "#w-fields-note").await?
            } else {
                frame_text(b, id, "#w-error").await?
            };
            errors.push((id.to_string(), msg, shown));
        }
        let fields_note = errors.last().map(|e| e.2.clone()).unwrap_or_default();
        let events = b
            .until("const e = window.events.filter(e => e.type !== 'prediction'); return e.length >= 2 ? e : null;", "the elements' ready and error events")
            .await?;
        b.screenshot_full(1280, &screenshot_dir().join("publish-host.png")).await?;

        // 4. The Embed page: the model at a URL in its options, its preview and its snippets.
        b.open_page(&format!("{}#/embed", site.url())).await?;
        b.client
            .find(Locator::Id("embed-model"))
            .await?
            .select_by_value(":url")
            .await?;
        // Typed, then Tab: the preview reloads once the address is complete, not per key.
        b.type_into("#embed-model-url", &format!("{model_url}\u{E004}")).await?;
        let preview_src = b
            .until("const s = document.getElementById('embed-preview')?.getAttribute('src') || ''; return s.includes('model=http') ? s : null;", "the preview with the model URL")
            .await?;
        b.client.find(Locator::Id("embed-preview")).await?.enter_frame().await?;
        let preview_model = b
            .until("return document.querySelector('.w-model')?.textContent || null;", "the preview's model")
            .await?;
        b.client.enter_parent_frame().await?;
        let embed_snippet = b.text("#snippet-element").await?.unwrap_or_default();
        b.look("publish-embed-1280").await?;

        // 5. The widget's error state alone, and the published model offline.
        b.client
            .goto(&format!("{}widget.html?model={}", site.url(), urls[1].1))
            .await?;
        b.until("return document.getElementById('w-error-text');", "the 404 message").await?;
        b.look("publish-widget-error-1280").await?;
        b.open_widget(&format!("{}widget.html?model={}", site.url(), model_url))
            .await?;
        let kept = b
            .wait_js_args(
                "return (async () => {
                   const reg = await navigator.serviceWorker.getRegistration();
                   if (!reg || !reg.active || !navigator.serviceWorker.controller) return null;
                   const c = await caches.open('genre-lens-model-urls');
                   return (await c.match(arguments[0])) ? await caches.keys() : null;
                 })();",
                vec![json!(model_url)],
                "the service worker and the kept model file",
                PATIENCE,
            )
            .await?;
        site.stop();
        models.stop();
        b.client.refresh().await?;
        let offline_genre = b
            .until("return document.getElementById('w-genre')?.textContent.trim() || document.getElementById('w-error')?.textContent || null;", "the widget offline")
            .await?
            .as_str()
            .unwrap_or_default()
            .to_string();
        let offline_model = b.text(".w-model").await?.unwrap_or_default();
        seen = Some(Seen {
            embed: (preview_src, preview_model, embed_snippet),
            file,
            iframe_snippet,
            element_snippet,
            predict_page,
            replies,
            element_answer,
            errors,
            fields_note,
            events,
            offline_genre,
            offline_model,
            kept,
        });
        Ok(())
    })
    .await?;
    let seen = seen.ok_or("the browser part did not finish")?;

    // The published file is the model: native predictions of its bytes.
    let model = TrainedModel::from_bytes(&seen.file)?;
    let features = model.features().as_slice().to_vec();
    println!(
        "MEASURE publish: {} bytes, {} features, model {:?}",
        seen.file.len(),
        features.len(),
        model.meta.name
    );

    // The snippets load the model from the typed address.
    assert!(
        seen.iframe_snippet.contains(&format!(
            "{}widget.html?model={}",
            site.url(),
            js_encode(&model_url)
        )),
        "iframe snippet: {}",
        seen.iframe_snippet
    );
    assert!(
        seen.element_snippet
            .contains(&format!("model=\"{model_url}\"")),
        "element snippet: {}",
        seen.element_snippet
    );
    assert!(seen
        .element_snippet
        .contains(&format!("{}genre-lens-widget.js", site.url())));

    // The widget (third origin) = the core on the downloaded bytes, track by track.
    for (t, reply) in tracks.iter().zip(&seen.replies) {
        let (_, raw) = track(&features, &t.values);
        let native = model.predict_raw(&raw);
        assert_eq!(
            reply["genre"],
            json!(model.classes[native.class]),
            "{}",
            t.name
        );
        for (c, &p) in native.probabilities.iter().enumerate() {
            let got = reply["probabilities"][&model.classes[c]]
                .as_f64()
                .ok_or("a probability")?;
            assert!(
                (got - p as f64).abs() <= 1e-6,
                "{}: p({}) {got} vs {p}",
                t.name,
                model.classes[c]
            );
        }
    }
    // ... and = the Predict page with that model active, genre by genre.
    assert_eq!(
        seen.predict_page.len(),
        model.classes.len(),
        "{:?}",
        seen.predict_page
    );
    for class in &model.classes {
        let page = seen.predict_page[&display_name(class)]
            .as_f64()
            .ok_or("a bar")? as f32;
        let widget = seen.replies[0]["probabilities"][class]
            .as_f64()
            .ok_or("a probability")? as f32;
        assert_eq!(page, widget, "p({class}) on Predict vs in the widget");
    }
    assert_eq!(
        seen.element_answer["genre"], seen.replies[0]["genre"],
        "the custom element"
    );
    assert_eq!(
        seen.element_answer["probabilities"],
        seen.replies[0]["probabilities"]
    );

    // The Embed page previews and writes the published model.
    let (src, preview_model, snippet) = &seen.embed;
    assert!(
        src.as_str()
            .is_some_and(|s| s.contains(&format!("model={}", js_encode(&model_url)))),
        "{src}"
    );
    assert_eq!(
        preview_model,
        &json!(model.meta.name),
        "the preview runs the published model"
    );
    assert!(
        snippet.contains(&format!("model=\"{model_url}\"")),
        "{snippet}"
    );

    // Every failure: its message in the widget and as an `error` to the host.
    for (id, msg, shown) in &seen.errors {
        let text = msg["message"].as_str().unwrap_or_default();
        let needle = match id.as_str() {
            "missing" => "404",
            "junk" => "not a Genre Lens model file",
            "newer" => "newer version",
            "nocors" => "Access-Control-Allow-Origin",
            _ => "danceability",
        };
        println!("{id}: {text}");
        assert!(
            text.contains(needle),
            "{id}: the host's error {text:?} names {needle:?}"
        );
        assert!(
            shown.contains(needle),
            "{id}: the widget shows {shown:?}, naming {needle:?}"
        );
    }
    assert!(
        seen.fields_note.contains("does not use"),
        "{}",
        seen.fields_note
    );
    let events = seen.events.as_array().cloned().unwrap_or_default();
    assert!(
        events
            .iter()
            .any(|e| e["id"] == "el" && e["type"] == "ready"),
        "the element with the published model is ready: {events:?}"
    );
    assert!(
        events.iter().any(|e| e["id"] == "el-missing"
            && e["type"] == "error"
            && e["detail"]["message"]
                .as_str()
                .is_some_and(|m| m.contains("404"))),
        "the element with a missing model dispatches its error: {events:?}"
    );

    // Offline: the kept copy, with neither the site nor the model host answering.
    println!(
        "offline: caches {}, genre {:?}, model {:?}",
        seen.kept, seen.offline_genre, seen.offline_model
    );
    assert!(
        !seen.kept.is_null(),
        "the service worker controls the widget and the model file is kept"
    );
    assert_eq!(
        seen.offline_model, model.meta.name,
        "the published model, offline"
    );
    assert!(
        !seen.offline_genre.is_empty() && !seen.offline_genre.contains("could not"),
        "{}",
        seen.offline_genre
    );

    // The Publish panel on a phone: the file loaded as a model file, kept, published.
    let published = tmp.join("published.bin");
    std::fs::write(&published, &seen.file)?;
    let site = StaticServer::start(&dist_dir()?, "/")?;
    with_phone(390, 844, async |b| {
        b.open_page(&format!("{}#/train", site.url())).await?;
        b.upload("model-file", &published).await?;
        b.until("return document.querySelector('#saved-list .saved.active');", "the loaded model kept")
            .await?;
        publish(b, &model_url).await?;
        b.js("document.getElementById('publish-panel').scrollIntoView({ block: 'center' }); return true;").await?;
        b.look("publish-panel-390").await?;
        // A path relative to the widget: the site's own page, which is not a model.
        b.client
            .goto(&format!("{}widget.html?model=./index.html", site.url()))
            .await?;
        let shown = b
            .until("return document.getElementById('w-error-text')?.textContent;", "the not-a-model message")
            .await?;
        assert!(
            shown.as_str().is_some_and(|s| s.contains("not a Genre Lens model file") && s.contains("index.html")),
            "{shown}"
        );
        b.look("publish-widget-error-390").await?;
        Ok(())
    })
    .await?;
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// `encodeURIComponent`, as the page writes the `model=` value.
fn js_encode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z'
            | b'a'..=b'z'
            | b'0'..=b'9'
            | b'-'
            | b'_'
            | b'.'
            | b'!'
            | b'~'
            | b'*'
            | b'\''
            | b'('
            | b')' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect()
}
