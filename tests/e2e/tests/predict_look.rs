//! What the user sees on the Predict page and in the widget, checked in headless Chromium
//! against the core:
//!
//! - the widget's fields show exactly the values a host's partial request was predicted for
//!   (the training medians for the features it left out), and the genre the core gives them;
//! - sliders (and the widget's number fields) move a round step per arrow key;
//! - on a 390 px phone a field's error is never under the sticky prediction bar, and the bar
//!   (genre and probability) stays in view while the last field is edited;
//! - readable range hints, durations as m:ss (typed as m:ss or seconds), the key as a note
//!   picker and the mode as a major/minor switch that feed the model, genres by their display
//!   names everywhere, no Markdown backticks in what the page says;
//! - screenshots of the Predict page and the widget at 1280 and 390 px.
//!
//! Like the other e2e tests, each test collects what it saw while the browser is open and
//! asserts after it is closed.

use std::path::Path;
use std::time::Duration;

use fantoccini::Locator;
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::model::TrainedModel;
use genre_lens_e2e::{
    dist_dir, native_model, percent, screenshot_dir, with_browser, with_phone, Browser, Result,
    StaticServer, PATIENCE,
};
use serde_json::{json, Value};

mod support;
use support::{mss, read_fields, set_feature, settle, NOTES};

const UPDATE: Duration = Duration::from_secs(5);
const ARROW_RIGHT: &str = "\u{E014}";
const ARROW_UP: &str = "\u{E013}";

/// Opens the Predict page and waits for the first prediction and every field (those below the
/// first screen are built a task after the answer).
async fn open_predict(b: &Browser, url: &str) -> Result<()> {
    b.client.goto(url).await?;
    b.until("const e = document.getElementById('top-genre'); return e && e.textContent.trim() && !document.querySelector('.field-pending') ? true : null;", "the first prediction")
    .await?;
    Ok(())
}

/// The page's full height in CSS pixels (844, a phone screen's, if the browser does not say).
async fn page_height(b: &Browser) -> Result<u32> {
    let height = b
        .js("return document.documentElement.scrollHeight;")
        .await?;
    Ok(height.as_u64().unwrap_or(844) as u32)
}

/// The model's default row: every feature at its training median.
fn medians(model: &TrainedModel) -> Vec<f64> {
    model.preprocessor.medians.clone()
}

fn position(model: &TrainedModel, f: Feature) -> usize {
    model
        .features()
        .as_slice()
        .iter()
        .position(|&g| g == f)
        .unwrap_or_else(|| panic!("the bundled model uses {}", f.name()))
}

/// What the page shows for a native prediction: display name and percentage.
fn shown(model: &TrainedModel, row: &[f64]) -> (String, String) {
    let p = model.predict_raw(row);
    (
        display_name(&model.classes[p.class]),
        percent(p.confidence()),
    )
}

async fn page_result(b: &Browser) -> Result<(String, String)> {
    settle(b).await?;
    Ok((
        b.text("#top-genre").await?.unwrap_or_default(),
        b.text("#confidence").await?.unwrap_or_default(),
    ))
}

// ---------------------------------------------------------------------------------------------
// Item 6: the widget's fields show what was predicted.

fn write_host_page(dir: &Path, site: &str) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    let html = format!(
        r#"<!doctype html><html><head><meta charset="utf-8"><title>host</title>
<style>iframe {{ width: 360px; height: 640px; border: 0 }}</style></head><body>
<iframe id="frame" src="{site}widget.html?fields=all&amp;theme=light"></iframe>
<script>
  window.msgs = [];
  window.addEventListener("message", (e) => window.msgs.push(e.data));
</script></body></html>"#
    );
    std::fs::write(dir.join("host.html"), html)?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn widget_fields_show_the_values_a_partial_request_was_predicted_for() -> Result<()> {
    let model = native_model()?;
    let features = model.features().as_slice().to_vec();
    let site = StaticServer::start(&dist_dir()?, "/")?;
    let host_dir = std::env::temp_dir().join(format!("genre-lens-look-{}", std::process::id()));
    write_host_page(&host_dir, &site.url())?;
    let host = StaticServer::start(&host_dir, "/")?;

    // The visitor's own edits first, far from the medians, so stale values would show.
    let edits = [
        (Feature::Danceability, 0.123),
        (Feature::Loudness, -21.5),
        (Feature::Key, 2.0),
        (Feature::Mode, 0.0),
        (Feature::DurationMs, 61_000.0),
        (Feature::Valence, 0.987),
    ];
    let mut before = Vec::new();
    let mut after = Vec::new();
    let mut reply = Value::Null;
    let mut genre_shown = (String::new(), String::new());
    with_browser(1000, 900, async |b| {
        b.client.goto(&format!("{}host.html", host.url())).await?;
        b.until("return window.msgs.some(m => m && m.type === 'ready') || null;", "the widget's ready message")
        .await?;
        b.client.enter_frame(0).await?;
        for &(f, v) in &edits {
            set_feature(b, "w-field-", f, v).await?;
        }
        settle(b).await?;
        before = read_fields(b, "w-field-", &features).await?;
        b.client.enter_parent_frame().await?;

        b.js("const f = document.getElementById('frame');
              f.contentWindow.postMessage({type: 'predict', id: 'partial', features: {energy: 0.8, tempo: 128}}, new URL(f.src).origin);
              return true;")
            .await?;
        reply = b
            .wait_js(
                "return window.msgs.find(m => m && m.id === 'partial') || null;",
                "the reply to the partial request",
                UPDATE,
            )
            .await?;
        b.client.enter_frame(0).await?;
        settle(b).await?;
        after = read_fields(b, "w-field-", &features).await?;
        genre_shown = (
            b.text("#w-genre").await?.unwrap_or_default(),
            b.text("#w-confidence").await?.unwrap_or_default(),
        );
        b.client.enter_parent_frame().await?;
        Ok(())
    })
    .await?;
    let _ = std::fs::remove_dir_all(&host_dir);

    // The edits took (the test would prove nothing if the fields already held the medians).
    for &(f, v) in &edits {
        let j = position(&model, f);
        let want = match f {
            Feature::DurationMs => mss(v),
            _ => v.to_string(),
        };
        assert_eq!(
            before[j],
            want,
            "the visitor's {} before the request",
            f.name()
        );
    }
    // Every field now shows what the prediction was made for: the host's two values, the
    // training median for the rest.
    let mut row = medians(&model);
    row[position(&model, Feature::Energy)] = 0.8;
    row[position(&model, Feature::Tempo)] = 128.0;
    for (j, &f) in features.iter().enumerate() {
        let want = match f {
            Feature::DurationMs => mss(row[j]),
            _ => row[j].to_string(),
        };
        assert_eq!(after[j], want, "{} shows the predicted value", f.name());
    }
    // The reply and the widget give the core's answer for exactly those values, and the same
    // answer as for the request with its features missing (imputed at the same medians).
    let mut missing = vec![f64::NAN; features.len()];
    missing[position(&model, Feature::Energy)] = 0.8;
    missing[position(&model, Feature::Tempo)] = 128.0;
    let native = model.predict_raw(&row);
    assert_eq!(model.predict_raw(&missing).class, native.class);
    assert_eq!(reply["type"], "prediction", "{reply}");
    assert_eq!(reply["genre"], json!(model.classes[native.class]));
    assert_eq!(
        reply["genreName"],
        json!(display_name(&model.classes[native.class]))
    );
    assert_eq!(reply["features"]["danceability"], Value::Null, "{reply}");
    assert_eq!(genre_shown, shown(&model, &row));
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Item 7: keyboard steps and the sticky bar on a phone.

#[tokio::test(flavor = "multi_thread")]
async fn arrow_keys_move_sliders_and_widget_fields_by_round_steps() -> Result<()> {
    let (model, _server, url) = support::model_and_site()?;
    // Start value typed in the field, and the value after twenty presses on its slider.
    let cases = [
        (Feature::Energy, "0.5", "0.01", "0.7"),
        (Feature::Loudness, "-10", "0.5", "0"),
        (Feature::Tempo, "120", "1", "140"),
        (Feature::DurationMs, "3:00", "10000", "6:20"),
    ];
    let mut seen = Vec::new();
    let mut widget = Vec::new();
    with_browser(1280, 900, async |b| {
        open_predict(b, &url).await?;
        for (f, start, _, _) in cases {
            let name = f.name();
            b.type_into(&format!("#field-{name}"), start).await?;
            let slider = b.client.find(Locator::Id(&format!("slider-{name}"))).await?;
            // Focus without a click (a click would move the thumb to the pointer).
            b.js(&format!("document.getElementById('slider-{name}').focus(); return true;"))
                .await?;
            slider.send_keys(&ARROW_RIGHT.repeat(20)).await?;
            settle(b).await?;
            let got = b
                .js(&format!(
                    "const s = document.getElementById('slider-{name}');
                     return [s.step, document.getElementById('field-{name}').value];"
                ))
                .await?;
            seen.push((f, got));
        }
        // The widget has number fields, not sliders: Arrow Up steps them by the same amount.
        b.client
            .goto(&format!("{url}widget.html?theme=light"))
            .await?;
        b.until("const g = document.getElementById('w-genre'); return g && g.textContent.trim() ? true : null;", "the widget's first prediction")
        .await?;
        for (f, start, _, _) in cases {
            let css = format!("#w-field-{}", f.name());
            b.type_into(&css, start).await?;
            b.client
                .find(Locator::Css(&css))
                .await?
                .send_keys(&ARROW_UP.repeat(20))
                .await?;
            settle(b).await?;
            widget.push(b.js(&format!("return document.querySelector('{css}').value;")).await?);
        }
        Ok(())
    })
    .await?;

    for ((f, _, step, end), got) in cases.iter().zip(&seen) {
        assert_eq!(got.1[0], json!(step), "{} slider step", f.name());
        assert_eq!(
            got.1[1],
            json!(end),
            "{}: twenty presses of ArrowRight",
            f.name()
        );
        // A sensible step: about a hundredth of the training range.
        let (lo, hi) = model.preprocessor.ranges[position(&model, *f)];
        let s: f64 = step.parse().unwrap();
        let positions = (hi - lo) / s;
        assert!(
            (40.0..=400.0).contains(&positions),
            "{}: {positions} positions",
            f.name()
        );
    }
    for ((f, _, _, end), got) in cases.iter().zip(&widget) {
        assert_eq!(
            got,
            &json!(end),
            "widget {}: twenty presses of ArrowUp",
            f.name()
        );
    }
    Ok(())
}

/// Where an element is relative to the sticky prediction bar, and whether a click at its centre
/// reaches it (nothing painted over it).
const COVER_PROBE: &str = "const e = document.getElementById(arguments[0]);
    const r = e.getBoundingClientRect();
    const bar = document.querySelector('.mini-result').getBoundingClientRect();
    const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
    return { reached: !!hit && (hit === e || e.contains(hit)), top: r.top, bottom: r.bottom,
             barTop: bar.top, barBottom: bar.bottom, height: innerHeight };";

/// Recorded from the document's first line: when the first prediction appears, where each field
/// still to be built (`.field-pending`) is and how tall the window is.
const AT_FIRST_ANSWER: &str = "new MutationObserver((_, observer) => {
    const genre = document.getElementById('top-genre');
    if (!genre || !genre.textContent.trim()) return;
    observer.disconnect();
    window.__atFirstAnswer = {
        built: document.querySelectorAll('.field:not(.field-pending)').length,
        pendingTops: [...document.querySelectorAll('.field-pending')]
            .map((e) => e.getBoundingClientRect().top),
        height: innerHeight,
    };
}).observe(document, { childList: true, subtree: true, characterData: true });";

/// The first answer builds only the fields the first screen can show: the others are blank
/// placeholders below the window's bottom, built a task later, and then every field is there.
#[tokio::test(flavor = "multi_thread")]
async fn fields_below_the_first_screen_come_after_the_answer_never_on_screen() -> Result<()> {
    let (model, _server, url) = support::model_and_site()?;
    let n = model.features().len();
    for (width, height, phone) in [(1280, 900, false), (390, 844, true)] {
        let check = async |b: &Browser| -> Result<Value> {
            b.devtools(
                "Page.addScriptToEvaluateOnNewDocument",
                json!({ "source": AT_FIRST_ANSWER }),
            )
            .await?;
            open_predict(b, &url).await?;
            let fields = b
                .js("return document.querySelectorAll('.fields > .field').length;")
                .await?;
            assert_eq!(fields, json!(n), "every field once the page has settled");
            b.js("return window.__atFirstAnswer;").await
        };
        let seen = if phone {
            with_phone(width, height, check).await?
        } else {
            with_browser(width, height, check).await?
        };
        let built = seen["built"]
            .as_u64()
            .expect("recorded at the first answer") as usize;
        let tops: Vec<f64> = seen["pendingTops"]
            .as_array()
            .expect("recorded")
            .iter()
            .filter_map(Value::as_f64)
            .collect();
        let window = seen["height"].as_f64().expect("recorded");
        assert_eq!(built + tops.len(), n, "{width} px: {seen}");
        assert!(
            !tops.is_empty() && built >= 2,
            "{width} px: some fields come with the answer, the rest after: {seen}"
        );
        assert!(
            tops.iter().all(|&t| t >= window),
            "{width} px: a field still to be built was on the first screen: {seen}"
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn on_a_phone_errors_stay_clear_of_the_sticky_bar_which_stays_in_view() -> Result<()> {
    let (model, _server, url) = support::model_and_site()?;
    let features = model.features().as_slice().to_vec();
    let typed: Vec<Feature> = features
        .iter()
        .copied()
        .filter(|f| !matches!(f, Feature::Key | Feature::Mode))
        .collect();
    let last = *features.last().unwrap();
    let mut errors = Vec::new();
    let mut bars = Vec::new();
    let mut result = (String::new(), String::new());
    with_phone(390, 844, async |b| {
        open_predict(b, &url).await?;
        // A user who typed a wrong value and scrolls back to its message: the message is below
        // the bar, not under it. From below (scrolled to the end) and from above (the top).
        for &f in &typed {
            let name = f.name();
            let was = b
                .js(&format!("return document.getElementById('field-{name}').value;"))
                .await?;
            b.type_into(&format!("#field-{name}"), "oops").await?;
            b.wait_js(
                &format!("return document.getElementById('error-{name}') ? true : null;"),
                "the field's error",
                UPDATE,
            )
            .await?;
            for from in ["document.documentElement.scrollHeight", "0"] {
                b.js(&format!(
                    "window.scrollTo(0, {from}); document.getElementById('error-{name}').scrollIntoView(); return true;"
                ))
                .await?;
                settle(b).await?;
                let probe = b.js_args(COVER_PROBE, vec![json!(format!("error-{name}"))]).await?;
                errors.push((name, probe));
            }
            b.type_into(&format!("#field-{name}"), was.as_str().unwrap_or_default())
                .await?;
        }
        // Editing the last field (scrolled into view by focusing it): the compact result is on
        // screen and is the page's prediction.
        b.js("window.scrollTo(0, 0); return true;").await?;
        set_feature(b, "field-", last, 3.0).await?;
        settle(b).await?;
        for (what, script) in [
            ("last field focused", format!("document.getElementById('field-{}').focus(); return true;", last.name())),
            ("last field at the bottom", format!("document.getElementById('field-{}').scrollIntoView({{block: 'end'}}); return true;", last.name())),
            ("last field at the top", format!("document.getElementById('field-{}').scrollIntoView({{block: 'start'}}); return true;", last.name())),
        ] {
            b.js(&script).await?;
            settle(b).await?;
            let probe = b
                .js("const m = document.querySelector('.mini-result'); const r = m.getBoundingClientRect();
                     const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
                     return { top: r.top, bottom: r.bottom, height: innerHeight, reached: !!hit && m.contains(hit),
                              genre: m.querySelector('.mini-genre').textContent.trim(),
                              conf: m.querySelector('.mini-conf').textContent.trim(),
                              focused: document.activeElement && document.activeElement.id };")
                .await?;
            bars.push((what, probe));
        }
        result = page_result(b).await?;
        Ok(())
    })
    .await?;

    assert_eq!(errors.len(), typed.len() * 2);
    for (name, p) in &errors {
        assert_eq!(
            p["reached"], true,
            "{name}: the error is under something: {p}"
        );
        let (top, bottom) = (p["top"].as_f64().unwrap(), p["bottom"].as_f64().unwrap());
        assert!(
            top >= p["barBottom"].as_f64().unwrap() - 0.5,
            "{name}: error under the bar: {p}"
        );
        assert!(
            bottom <= p["height"].as_f64().unwrap(),
            "{name}: error below the screen: {p}"
        );
    }
    let mut row = medians(&model);
    row[position(&model, last)] = 3.0;
    let want = shown(&model, &row);
    assert_eq!(result, want, "the page predicts for the edited last field");
    for (what, p) in &bars {
        assert_eq!(
            p["reached"], true,
            "{what}: the compact result is covered: {p}"
        );
        assert!(p["top"].as_f64().unwrap() >= 0.0, "{what}: {p}");
        assert!(
            p["bottom"].as_f64().unwrap() <= p["height"].as_f64().unwrap(),
            "{what}: {p}"
        );
        assert_eq!(p["genre"], json!(want.0), "{what}");
        assert_eq!(p["conf"], json!(want.1), "{what}");
    }
    assert_eq!(
        bars[0].1["focused"],
        json!(format!("field-{}", last.name()))
    );
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Item 8: how values and genres read.

#[tokio::test(flavor = "multi_thread")]
async fn durations_keys_modes_hints_and_genre_names_read_as_people_expect() -> Result<()> {
    let (model, _server, url) = support::model_and_site()?;
    let features = model.features().as_slice().to_vec();
    let base = medians(&model);
    let jd = position(&model, Feature::DurationMs);
    let jk = position(&model, Feature::Key);
    let jm = position(&model, Feature::Mode);

    // A key and mode whose prediction differs from the default row's, so the page must pass
    // the picker's choice to the model for the test to pass.
    let default_shown = shown(&model, &base);
    let (key, mode) = (0..12)
        .flat_map(|k| [(k as f64, 0.0), (k as f64, 1.0)])
        .find(|&(k, m)| {
            let mut r = base.clone();
            r[jk] = k;
            r[jm] = m;
            shown(&model, &r) != default_shown
        })
        .expect("some key and mode change the prediction");
    let mut with_key = base.clone();
    with_key[jk] = key;
    with_key[jm] = mode;

    let mut seen = serde_json::Map::new();
    with_browser(1280, 900, async |b| {
        open_predict(b, &url).await?;
        seen.insert("initial".into(), json!(read_fields(b, "field-", &features).await?));
        seen.insert(
            "controls".into(),
            b.js("const k = document.getElementById('field-key');
                  const m = document.getElementById('field-mode');
                  return { keyTag: k.tagName, keyOptions: [...k.options].map(o => [o.value, o.textContent.trim()]),
                           modeChoices: [...m.querySelectorAll('input[type=radio]')].map(i => [i.value, document.querySelector(`label[for='${i.id}']`).textContent.trim()]),
                           modeRole: m.getAttribute('role'),
                           sliders: ['key', 'mode'].filter(n => document.getElementById('slider-' + n)),
                           durationUnit: document.querySelector('#label-duration_ms .unit').textContent,
                           hints: [...document.querySelectorAll('.hint')].map(h => h.textContent) };")
                .await?,
        );

        // Key and mode feed the model.
        set_feature(b, "field-", Feature::Key, key).await?;
        set_feature(b, "field-", Feature::Mode, mode).await?;
        seen.insert("key-mode".into(), json!(page_result(b).await?));
        // Back to the defaults, then durations typed as m:ss and as seconds.
        set_feature(b, "field-", Feature::Key, base[jk]).await?;
        set_feature(b, "field-", Feature::Mode, base[jm]).await?;
        for (key, text) in [("mss", "3:43"), ("seconds", "223"), ("exact", "3:43.794")] {
            b.type_into("#field-duration_ms", text).await?;
            let r = page_result(b).await?;
            let err = b.js("return !!document.getElementById('error-duration_ms');").await?;
            let contrib = b
                .js("return [...document.querySelectorAll('.why-card title')].map(t => t.textContent).join(' | ');")
                .await?;
            seen.insert(key.into(), json!([r, err, contrib]));
        }
        b.type_into("#field-duration_ms", "3:75").await?;
        settle(b).await?;
        seen.insert("bad-duration".into(), json!(b.text("#error-duration_ms").await?));

        // Genre names: the chart, the answer, the runner-up, the bar, the picker, the about card.
        seen.insert(
            "genres".into(),
            b.js("return { bars: [...document.querySelectorAll('.bar-chart .bar-label')].map(t => t.textContent.trim()),
                           top: document.getElementById('top-genre').textContent.trim(),
                           mini: document.querySelector('.mini-genre').textContent.trim(),
                           runnerUp: document.querySelector('.runner-up').textContent.trim(),
                           why: document.getElementById('why-title').textContent.trim(),
                           options: [...document.getElementById('example-genre').options].map(o => [o.value, o.textContent.trim()]),
                           about: document.getElementById('about-genres').textContent,
                           text: document.body.innerText };")
                .await?,
        );
        // A filled example names its genre the same way.
        b.until("return !document.getElementById('example-fill').disabled || null;", "examples")
            .await?;
        // At the top: a click scrolled to would put the button under the sticky header.
        b.js("window.scrollTo(0, 0); return true;").await?;
        b.client.find(Locator::Id("example-fill")).await?.click().await?;
        b.wait_js("return document.getElementById('example-note').textContent.startsWith('Filled') || null;", "the fill", UPDATE)
            .await?;
        seen.insert("note".into(), json!(b.text("#example-note").await?));

        // The widget: its answer and top three by display name.
        b.client.goto(&format!("{url}widget.html?theme=light&fields=all")).await?;
        b.until("const g = document.getElementById('w-genre'); return g && g.textContent.trim() ? true : null;", "the widget's first prediction")
        .await?;
        seen.insert(
            "widget".into(),
            b.js("return { genre: document.getElementById('w-genre').textContent.trim(),
                           top: [...document.querySelectorAll('.w-top-name')].map(e => e.textContent.trim()),
                           keyTag: document.getElementById('w-field-key').tagName,
                           modes: document.querySelectorAll('#w-field-mode input[type=radio]').length,
                           duration: document.getElementById('w-field-duration_ms').value,
                           text: document.body.innerText };")
                .await?,
        );
        Ok(())
    })
    .await?;

    // Initial fields: the medians, the duration as m:ss.
    let initial = seen["initial"].as_array().unwrap();
    assert_eq!(initial[jd], json!(mss(base[jd])), "duration shown as m:ss");
    assert_eq!(initial[jk], json!(base[jk].to_string()));
    // Key: a select of the twelve notes with Spotify's numbers; mode: Major (1) / Minor (0).
    let c = &seen["controls"];
    assert_eq!(c["keyTag"], "SELECT");
    let want_notes: Vec<Value> = NOTES
        .iter()
        .enumerate()
        .map(|(k, n)| json!([k.to_string(), n]))
        .collect();
    assert_eq!(c["keyOptions"], json!(want_notes));
    assert_eq!(c["modeChoices"], json!([["1", "Major"], ["0", "Minor"]]));
    assert_eq!(c["modeRole"], "radiogroup");
    assert_eq!(c["sliders"], json!([]), "no sliders for key and mode");
    assert_eq!(c["durationUnit"], "m:ss");
    // Hints: no number with more than two decimals, no exponent; the duration's in m:ss.
    for h in c["hints"].as_array().unwrap() {
        let h = h.as_str().unwrap();
        assert!(!h.contains("e-"), "{h}");
        for word in h.split(|ch: char| !(ch.is_ascii_digit() || ch == '.')) {
            if let Some((_, decimals)) = word.trim_matches('.').split_once('.') {
                assert!(decimals.len() <= 2, "unreadable number in hint {h:?}");
            }
        }
    }
    let jdur = c["hints"].as_array().unwrap()[jd]
        .as_str()
        .unwrap()
        .to_string();
    let (lo, hi) = model.preprocessor.ranges[jd];
    assert!(
        jdur.contains(&format!("{} to {}", mss(lo), mss(hi))),
        "{jdur}"
    );

    assert_eq!(
        seen["key-mode"],
        json!(shown(&model, &with_key)),
        "key {key}, mode {mode}"
    );
    let mut d = base.clone();
    d[jd] = 223_000.0;
    let at_223 = shown(&model, &d);
    d[jd] = 223_794.0;
    let exact = shown(&model, &d);
    assert_eq!(seen["mss"][0], json!(at_223), "3:43 is 223,000 ms");
    assert_eq!(seen["seconds"][0], json!(at_223), "223 is seconds");
    assert_eq!(seen["exact"][0], json!(exact), "3:43.794 is 223,794 ms");
    for k in ["mss", "seconds", "exact"] {
        assert_eq!(seen[k][1], false, "{k}: no error");
        assert!(
            seen[k][2].as_str().unwrap().contains("3:43"),
            "{k}: chart value {}",
            seen[k][2]
        );
    }
    assert!(
        seen["bad-duration"].as_str().unwrap_or("").contains("59"),
        "{}",
        seen["bad-duration"]
    );

    let names: Vec<String> = model.classes.iter().map(|c| display_name(c)).collect();
    let g = &seen["genres"];
    let mut bars: Vec<String> = serde_json::from_value(g["bars"].clone()).unwrap();
    bars.sort();
    let mut sorted = names.clone();
    sorted.sort();
    assert_eq!(bars, sorted, "the chart's genres");
    let top = g["top"].as_str().unwrap();
    assert!(names.iter().any(|n| n == top), "{top}");
    assert_eq!(g["mini"], json!(top));
    assert_eq!(g["why"], json!(format!("Why {top}?")));
    let runner = g["runnerUp"].as_str().unwrap();
    assert!(
        names
            .iter()
            .any(|n| runner.starts_with(&format!("Next: {n} ("))),
        "{runner}"
    );
    let options: Vec<(String, String)> = serde_json::from_value(g["options"].clone()).unwrap();
    for (raw, text) in &options {
        assert_eq!(text, &display_name(raw), "picker option {raw}");
    }
    for n in &names {
        assert!(
            g["about"].as_str().unwrap().contains(n.as_str()),
            "about lists {n}"
        );
    }
    let note = seen["note"].as_str().unwrap();
    assert!(
        names
            .iter()
            .any(|n| note.contains(&format!("({n})")) || note.contains(&format!("a {n} track"))),
        "{note}"
    );
    let w = &seen["widget"];
    assert!(
        names.iter().any(|n| w["genre"] == json!(n)),
        "{}",
        w["genre"]
    );
    for t in w["top"].as_array().unwrap() {
        assert!(names.iter().any(|n| t == &json!(n)), "widget top {t}");
    }
    assert_eq!(w["keyTag"], "SELECT");
    assert_eq!(w["modes"], 2);
    assert_eq!(w["duration"], json!(mss(base[jd])));
    // No raw label that reads differently ("dnb", "techhouse", "trap") and no Markdown
    // backticks in what the page or the widget says.
    for text in [g["text"].as_str().unwrap(), w["text"].as_str().unwrap()] {
        assert!(!text.contains('`'), "a backtick on the page");
        for raw in &model.classes {
            if display_name(raw) != *raw {
                let words: Vec<&str> = text.split(|c: char| !c.is_alphanumeric()).collect();
                assert!(
                    !words.contains(&raw.as_str()),
                    "raw genre label {raw:?} shown"
                );
            }
        }
    }
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// Screenshots.

#[tokio::test(flavor = "multi_thread")]
async fn photographs_the_predict_page_and_the_widget() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let shots = screenshot_dir();
    let widget = format!("{url}widget.html?theme=light&fields=all");
    let wait_widget = "const g = document.getElementById('w-genre'); return g && g.textContent.trim() ? true : null;";
    with_browser(1280, 900, async |b| {
        open_predict(b, &url).await?;
        b.type_into("#field-energy", "abc").await?;
        b.type_into("#field-tempo", "400").await?;
        b.screenshot_full(1280, &shots.join("predict-look-1280.png"))
            .await?;
        b.client.set_window_size(1280, 900).await?;
        b.client.goto(&widget).await?;
        b.wait_js(wait_widget, "the widget", PATIENCE).await?;
        b.screenshot_full(1280, &shots.join("widget-look-1280.png"))
            .await?;
        Ok(())
    })
    .await?;
    // A phone viewport cannot be resized after emulation starts: measure, then photograph.
    let mut heights = (844u32, 844u32);
    with_phone(390, 844, async |b| {
        open_predict(b, &url).await?;
        heights.0 = page_height(b).await?;
        b.client.goto(&widget).await?;
        b.wait_js(wait_widget, "the widget", PATIENCE).await?;
        heights.1 = page_height(b).await?;
        // The sticky bar over the form on the phone, with an error just below it.
        b.client.goto(&url).await?;
        open_predict(b, &url).await?;
        b.type_into("#field-valence", "oops").await?;
        b.js("document.getElementById('error-valence').scrollIntoView(); return true;")
            .await?;
        settle(b).await?;
        let png = b.client.screenshot().await?;
        std::fs::write(shots.join("predict-look-390-error.png"), png)?;
        Ok(())
    })
    .await?;
    with_phone(390, heights.0.clamp(844, 8000), async |b| {
        open_predict(b, &url).await?;
        let png = b.client.screenshot().await?;
        std::fs::write(shots.join("predict-look-390.png"), png)?;
        Ok(())
    })
    .await?;
    with_phone(390, heights.1.clamp(480, 4000), async |b| {
        b.client.goto(&widget).await?;
        b.wait_js(wait_widget, "the widget", PATIENCE).await?;
        let png = b.client.screenshot().await?;
        std::fs::write(shots.join("widget-look-390.png"), png)?;
        Ok(())
    })
    .await?;
    Ok(())
}
