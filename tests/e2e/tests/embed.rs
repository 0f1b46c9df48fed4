//! The embeddable widget in headless Chromium, from a host page on another origin (another local
//! port): the iframe's postMessage API and the `<genre-lens-widget>` custom element give the
//! core's own prediction, bad messages get error replies, a request sent before the widget is
//! ready is answered once it is, the origin allow-list holds, host
//! styles do not reach the widget; and the site served from a sub-path works on every page.
//! Screenshots: the Embed page, the widget light and dark, the example page.

use std::path::Path;
use std::time::Duration;

use fantoccini::Locator;
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_lens_e2e::{
    complete_examples, dist_dir, native_model, screenshot_dir, with_browser, Browser, Result,
    StaticServer,
};
use serde_json::{json, Map, Value};

/// A host page (served from its own port) embedding the widget twice, plus a third iframe that
/// only accepts messages from an origin the host does not have. Its styles try hard to leak in.
fn write_host_page(dir: &Path, site: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let html = format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>host</title>
<style>* {{ color: red !important; font-size: 40px !important; font-family: serif !important; line-height: 3 !important }}
iframe {{ width: 360px; height: 480px }}</style></head><body>
<iframe id="frame" src="{site}widget.html?model=bundled&amp;theme=light"></iframe>
<iframe id="locked" src="{site}widget.html?origin=http://example.invalid"></iframe>
<genre-lens-widget id="el" model="bundled" theme="light"></genre-lens-widget>
<script type="module" src="{site}genre-lens-widget.js"></script>
<script>
  window.msgs = [];
  window.addEventListener("message", (e) => {{
    const from = e.source === document.getElementById("frame").contentWindow ? "frame"
      : e.source === document.getElementById("locked").contentWindow ? "locked" : "other";
    window.msgs.push({{ from, origin: e.origin, data: e.data }});
  }});
  window.events = [];
  document.getElementById("el").addEventListener("prediction", (e) => window.events.push(e.detail));
</script></body></html>"#
    );
    std::fs::write(dir.join("host.html"), html)?;
    Ok(())
}

/// Features of a complete example track as the message's object, and the model-order row.
fn track_features(features: &[Feature], values: &[f64]) -> (Value, Vec<f64>) {
    let mut obj = Map::new();
    let mut raw = Vec::new();
    for &f in features {
        let v = values[f.index()];
        obj.insert(f.name().into(), json!(v));
        raw.push(v);
    }
    (Value::Object(obj), raw)
}

/// Posts `msg` to the iframe `#frame` and waits for the reply carrying `id`.
async fn ask_frame(b: &Browser, msg: Value, id: &str) -> Result<Value> {
    b.js_args(
        "const f = document.getElementById('frame'); f.contentWindow.postMessage(arguments[0], new URL(f.src).origin); return true;",
        vec![msg],
    )
    .await?;
    b.wait_js(
        &format!(
            "const m = window.msgs.find(m => m.from === 'frame' && m.data.id === {}); return m ? m.data : null;",
            json!(id)
        ),
        &format!("the widget's reply to {id}"),
        Duration::from_secs(5),
    )
    .await
}

/// The widget's computed text styles (genre line, a field label) in the current frame.
async fn widget_styles(b: &Browser) -> Result<Value> {
    b.until("const g = document.getElementById('w-genre'); return g && g.textContent.trim() ? true : false;", "the widget's first prediction")
    .await?;
    b.js("const s = (e) => { const c = getComputedStyle(e); return [c.color, c.fontSize, c.fontFamily, c.lineHeight]; };
          return { genre: s(document.getElementById('w-genre')), label: s(document.querySelector('.w-field label')),
                   input: s(document.querySelector('.w-field input')), width: document.documentElement.clientWidth };")
        .await
}

struct Outcome {
    checks: Vec<(String, Value, Value)>,
    notes: Vec<String>,
}

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-6
}

#[tokio::test(flavor = "multi_thread")]
async fn host_on_another_origin_gets_the_cores_predictions() -> Result<()> {
    let model = native_model()?;
    let features = model.features().as_slice().to_vec();
    let mut tracks = complete_examples()?;
    tracks.truncate(4);
    let site = StaticServer::start(&dist_dir()?, "/some/path/")?;
    let host_dir = std::env::temp_dir().join(format!("genre-lens-host-{}", std::process::id()));
    write_host_page(&host_dir, &site.url())?;
    let host = StaticServer::start(&host_dir, "/")?;
    assert_ne!(site.origin(), host.origin());
    let shots = screenshot_dir();

    let mut out = Outcome {
        checks: Vec::new(),
        notes: Vec::new(),
    };
    with_browser(1000, 900, async |b| {
        // The widget alone (reference styles), light and dark.
        b.client
            .goto(&format!("{}widget.html?model=bundled&theme=light", site.url()))
            .await?;
        let reference = widget_styles(b).await?;
        // Cold first load of the widget (fresh profile): navigation to first prediction.
        let first = b
            .js("const m = performance.getEntriesByName('first-prediction')[0]; return m ? m.startTime : null;")
            .await?;
        println!("widget first prediction: {first} ms after navigation");
        b.client.set_window_size(360, 480).await.ok();
        b.screenshot_full(500, &shots.join("widget-light.png")).await?;
        b.client
            .goto(&format!("{}widget.html?model=bundled&theme=dark", site.url()))
            .await?;
        widget_styles(b).await?;
        b.screenshot_full(500, &shots.join("widget-dark.png")).await?;
        b.client.set_window_size(1000, 900).await?;

        b.client.goto(&format!("{}host.html", host.url())).await?;
        let ready = b
            .until("const m = window.msgs.find(m => m.from === 'frame' && m.data.type === 'ready'); return m || null;", "the iframe's ready message")
            .await?;
        out.checks.push((
            "ready comes from the site's origin".into(),
            ready["origin"].clone(),
            json!(site.origin()),
        ));

        // 1. The iframe: the core's answer for real tracks.
        for (i, t) in tracks.iter().enumerate() {
            let (obj, raw) = track_features(&features, &t.values);
            let native = model.predict_raw(&raw);
            let id = format!("t{i}");
            let reply = ask_frame(b, json!({"type": "predict", "id": id, "features": obj}), &id).await?;
            out.checks.push((
                format!("iframe genre for {}", t.name),
                reply["genre"].clone(),
                json!(model.classes[native.class]),
            ));
            for (c, &p) in native.probabilities.iter().enumerate() {
                let got = reply["probabilities"][&model.classes[c]].as_f64().unwrap_or(-1.0);
                if !close(got, p as f64) {
                    out.notes.push(format!("{}: p({}) {got} vs native {p}", t.name, model.classes[c]));
                }
            }
        }
        // The form shows what the host asked for (the last track).
        b.client.enter_frame(0).await?;
        let shown = b.text("#w-genre").await?;
        b.client.enter_parent_frame().await?;
        let last = tracks.last().map(|t| model.predict_raw(&track_features(&features, &t.values).1));
        out.checks.push((
            "the widget shows the host's prediction".into(),
            json!(shown),
            json!(last.map(|p| display_name(&model.classes[p.class]))),
        ));

        // 2. Malformed messages: an error reply naming the problem, and the widget still works.
        for (id, msg, needle) in [
            ("b1", json!({"type": "predict", "id": "b1", "features": {"energy": "loud"}}), "finite"),
            ("b2", json!({"type": "predict", "id": "b2", "features": {"nope": 1}}), "unknown feature"),
            ("b3", json!({"type": "launch", "id": "b3"}), "unknown message type"),
            ("b4", json!({"type": "predict", "id": "b4", "features": []}), "features"),
        ] {
            let reply = ask_frame(b, msg, id).await?;
            out.checks.push((format!("{id} is an error"), reply["type"].clone(), json!("error")));
            let text = reply["message"].as_str().unwrap_or_default();
            if !text.contains(needle) {
                out.notes.push(format!("{id}: message {text:?} lacks {needle:?}"));
            }
        }
        // Not even an object, so no id to answer with: the error has none.
        b.js("const f = document.getElementById('frame'); f.contentWindow.postMessage('hello', new URL(f.src).origin); return true;").await?;
        let plain = b
            .wait_js(
                "const m = window.msgs.find(m => m.from === 'frame' && m.data.type === 'error' && m.data.id === undefined); return m ? m.data.message : null;",
                "the error for a string message",
                Duration::from_secs(5),
            )
            .await?;
        out.notes.extend(
            (!plain.as_str().unwrap_or("").contains("object")).then(|| format!("string message error: {plain}")),
        );
        let (obj, raw) = track_features(&features, &tracks[0].values);
        let again = ask_frame(b, json!({"type": "predict", "id": "after", "features": obj}), "after").await?;
        out.checks.push((
            "still predicts after bad messages".into(),
            again["genre"].clone(),
            json!(model.classes[model.predict_raw(&raw).class]),
        ));
        // Missing features take the training median, like a missing cell.
        let partial = ask_frame(b, json!({"type": "predict", "id": "partial", "features": {"tempo": 174}}), "partial").await?;
        let mut row = vec![f64::NAN; features.len()];
        if let Some(j) = features.iter().position(|&f| f == Feature::Tempo) {
            row[j] = 174.0;
        }
        out.checks.push((
            "a partial request imputes medians".into(),
            partial["genre"].clone(),
            json!(model.classes[model.predict_raw(&row).class]),
        ));

        // 3. The origin allow-list: a widget limited to another origin stays silent.
        b.until("return !!document.getElementById('locked').contentWindow;", "the locked frame")
        .await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        b.js_args(
            "const f = document.getElementById('locked'); f.contentWindow.postMessage(arguments[0], new URL(f.src).origin); return true;",
            vec![json!({"type": "predict", "id": "locked", "features": obj})],
        )
        .await?;
        tokio::time::sleep(Duration::from_millis(1500)).await;
        let locked = b.js("return window.msgs.filter(m => m.from === 'locked').length;").await?;
        out.checks.push(("a widget locked to another origin says nothing".into(), locked, json!(0)));

        // 4. The custom element: predict() resolves to the core's answer; a prediction event.
        let answer = b
            .js_args(
                "return document.getElementById('el').predict(arguments[0]);",
                vec![obj.clone()],
            )
            .await?;
        out.checks.push((
            "element predict() genre".into(),
            answer["genre"].clone(),
            json!(model.classes[model.predict_raw(&raw).class]),
        ));
        let events = b.js("return window.events.length;").await?;
        out.checks.push(("element fired a prediction event".into(), json!(events.as_u64() >= Some(1)), json!(true)));
        let rejected = b
            .js("return document.getElementById('el').predict({energy: 'x'}).then(() => 'resolved', (e) => e.message);")
            .await?;
        out.notes.extend(
            (!rejected.as_str().unwrap_or("").contains("finite")).then(|| format!("element rejection: {rejected}")),
        );

        // 5. Host styles reach neither widget: same computed styles as the widget alone.
        b.client.enter_frame(0).await?;
        let in_frame = widget_styles(b).await?;
        b.client.enter_parent_frame().await?;
        let el = b.client.find(Locator::Css("#el")).await?;
        let inner = el.shadow_root().await?.find(Locator::Css("iframe")).await?;
        inner.enter_frame().await?;
        let in_element = widget_styles(b).await?;
        b.client.enter_parent_frame().await?;
        for (what, got) in [("iframe", &in_frame), ("element", &in_element)] {
            for key in ["genre", "label", "input"] {
                out.checks.push((format!("{what} {key} style"), got[key].clone(), reference[key].clone()));
            }
        }
        let height = b.js("return Math.round(document.getElementById('el').getBoundingClientRect().height);").await?;
        out.checks.push(("element keeps its 480 px height".into(), height, json!(480)));
        Ok(())
    })
    .await?;
    let _ = std::fs::remove_dir_all(&host_dir);

    for (what, got, want) in &out.checks {
        assert_eq!(got, want, "{what}");
    }
    assert!(out.notes.is_empty(), "{:#?}", out.notes);
    Ok(())
}

/// A host that posts its request the moment the widget's frame has loaded, before the widget
/// has said it is ready (the wasm is still on its way then): the request is answered once the
/// widget is ready, with the core's prediction.
#[tokio::test(flavor = "multi_thread")]
async fn a_request_sent_before_the_widget_is_ready_is_answered() -> Result<()> {
    let model = native_model()?;
    let features = model.features().as_slice().to_vec();
    let track = complete_examples()?
        .into_iter()
        .next()
        .ok_or("no example")?;
    let (obj, raw) = track_features(&features, &track.values);
    let native = model.predict_raw(&raw);
    let site = StaticServer::start(&dist_dir()?, "/")?;
    let host_dir = std::env::temp_dir().join(format!("genre-lens-early-{}", std::process::id()));
    std::fs::create_dir_all(&host_dir)?;
    let request = json!({"type": "predict", "id": "early", "features": obj});
    std::fs::write(
        host_dir.join("early.html"),
        format!(
            r#"<!doctype html><html><head><meta charset="utf-8"><title>early host</title></head><body>
<script>
  window.msgs = [];
  window.readyBeforeSending = null;
  window.addEventListener("message", (e) => window.msgs.push(e.data));
  const frame = document.createElement("iframe");
  frame.src = "{site}widget.html";
  frame.addEventListener("load", () => {{
    window.readyBeforeSending = window.msgs.some((m) => m && m.type === "ready");
    frame.contentWindow.postMessage({request}, new URL(frame.src).origin);
  }});
  document.body.append(frame);
</script></body></html>"#,
            site = site.url()
        ),
    )?;
    let host = StaticServer::start(&host_dir, "/")?;
    let (ready_before, reply, order) = with_browser(1000, 800, async |b| {
        b.client.goto(&format!("{}early.html", host.url())).await?;
        let reply = b
            .until(
                "return window.msgs.find((m) => m && m.id === 'early') || null;",
                "the reply to the early request",
            )
            .await?;
        let order: Vec<String> = b.js_as("return window.msgs.map((m) => m.type);").await?;
        let ready_before = b.js("return window.readyBeforeSending;").await?;
        Ok((ready_before, reply, order))
    })
    .await?;
    assert_eq!(
        ready_before,
        Value::Bool(false),
        "the request left before the widget was ready: {order:?}"
    );
    assert_eq!(reply["type"], json!("prediction"), "{reply}");
    assert_eq!(
        reply["genre"],
        json!(model.classes[native.class]),
        "{reply}"
    );
    assert_eq!(
        order.iter().filter(|t| *t == "prediction").count(),
        1,
        "answered once: {order:?}"
    );
    Ok(())
}

/// Clicks the element matching `css`, then waits up to 5 s for `script` to return something
/// truthy: whether it did.
async fn click_answers(b: &Browser, css: &str, script: &str, what: &str) -> Result<bool> {
    b.client.find(Locator::Css(css)).await?.click().await?;
    Ok(b.wait_js(script, what, Duration::from_secs(5))
        .await
        .is_ok())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_works_from_a_sub_path_and_the_embed_page_writes_snippets() -> Result<()> {
    let site = StaticServer::start(&dist_dir()?, "/deep/sub/path/")?;
    let url = site.url();
    let shots = screenshot_dir();
    let mut checks: Vec<(String, bool)> = Vec::new();
    with_browser(1280, 900, async |b| {
        for (hash, heading_css) in [
            ("#/", "main h1"),
            ("#/batch", "main h1"),
            ("#/explore", "main h1"),
            ("#/train", "main h1"),
            ("#/embed", "main h1"),
        ] {
            b.client.goto(&format!("{url}{hash}")).await?;
            let h = b
                .until(&format!("const e = document.querySelector({}); return e ? e.textContent.trim() : '';", json!(heading_css)), &format!("the heading of {hash}"))
                .await;
            checks.push((format!("{hash} shows its heading"), h.is_ok()));
        }
        // The Embed page: snippets for this very URL, and a live preview.
        let snippet = b.text("#snippet-iframe").await?.unwrap_or_default();
        checks.push((
            format!("iframe snippet names {url}widget.html"),
            snippet.contains(&format!("{url}widget.html?model=bundled")),
        ));
        let element = b.text("#snippet-element").await?.unwrap_or_default();
        checks.push((
            "element snippet loads genre-lens-widget.js".into(),
            element.contains(&format!("{url}genre-lens-widget.js")) && element.contains("<genre-lens-widget"),
        ));
        let dark = click_answers(b, "#embed-theme-dark", "return document.getElementById('embed-preview').getAttribute('src').includes('theme=dark');", "the preview to follow the theme").await?;
        checks.push(("preview follows the theme option".into(), dark));
        let preview = b.client.find(Locator::Css("#embed-preview")).await?;
        preview.enter_frame().await?;
        let genre = b
            .until("const g = document.getElementById('w-genre'); return g ? g.textContent.trim() : '';", "the preview's prediction")
            .await;
        checks.push(("preview predicts".into(), genre.is_ok()));
        b.client.enter_parent_frame().await?;
        b.client.find(Locator::Css("#embed-theme-light")).await?.click().await?;
        tokio::time::sleep(Duration::from_millis(800)).await;
        b.screenshot_full(1280, &shots.join("embed.png")).await?;

        // The example page: both widgets answer its buttons.
        b.client.set_window_size(1100, 900).await?;
        b.client.goto(&format!("{url}embed-example.html")).await?;
        b.until("return document.getElementById('frame-log').textContent.startsWith('ready');", "the example iframe")
        .await?;
        let frame_log = click_answers(b, "#send-frame", "const t = document.getElementById('frame-log').textContent; return t.startsWith('host:') ? t : '';", "the example iframe's answer").await?;
        checks.push(("example iframe answers".into(), frame_log));
        b.client.find(Locator::Css("#send-element")).await?.click().await?;
        let el_log = b
            .until("const t = document.getElementById('element-log').textContent; return t.startsWith('predict() →') ? t : (t.startsWith('predict() failed') ? 'FAILED ' + t : '');", "the example element's answer")
            .await;
        let el_ok = matches!(&el_log, Ok(v) if !v.as_str().unwrap_or("").starts_with("FAILED"));
        checks.push((format!("example element answers: {el_log:?}"), el_ok));
        tokio::time::sleep(Duration::from_millis(300)).await;
        b.screenshot_full(1100, &shots.join("embed-example.png")).await?;
        Ok(())
    })
    .await?;
    let requests = site.requests();
    let failed: Vec<&(String, bool)> = checks.iter().filter(|(_, ok)| !ok).collect();
    assert!(failed.is_empty(), "failed: {failed:#?}");
    assert!(
        requests.iter().all(|r| r.starts_with("/deep/sub/path/")),
        "a request left the sub-path: {requests:?}"
    );
    Ok(())
}
