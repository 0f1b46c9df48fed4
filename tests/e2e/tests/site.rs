//! End-to-end tests of the built site (`dist/`, from `trunk build --release`) in headless
//! Chromium: what a user sees on the Predict page, every page's deep link, the requests the page
//! makes, and a screenshot of each page in `target/screenshots/`.
//!
//! Every test returns its error instead of panicking while the browser is open, so the browser
//! is always closed (a panic would leave Chromium running), and asserts afterwards.

use std::time::Duration;

use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_lens_e2e::{
    complete_examples, dist_dir, examples, native_model, percent, screenshot_dir, with_browser,
    with_phone, Browser, Result, StaticServer, PATIENCE,
};
use serde_json::{json, Value};

mod support;

const UPDATE: Duration = Duration::from_secs(5);

/// [`Browser::wait_js`] for what follows an input at once (within [`UPDATE`]).
async fn soon(b: &Browser, script: &str, what: &str) -> Result<Value> {
    b.wait_js(script, what, UPDATE).await
}

/// [`soon`]: the text of the element with this id, once it is there and not empty.
async fn soon_text(b: &Browser, id: &str, what: &str) -> Result<Value> {
    let script =
        format!("const e = document.getElementById('{id}'); return e ? e.textContent : '';");
    soon(b, &script, what).await
}

/// Opens `url` and waits until the first prediction is on screen.
async fn open_predict(b: &Browser, url: &str) -> Result<String> {
    b.client.goto(url).await?;
    let genre = b
        .until(
            "const e = document.getElementById('top-genre'); return e ? e.textContent.trim() : '';",
            "the first prediction",
        )
        .await?;
    Ok(genre.as_str().unwrap_or_default().to_string())
}

/// Sets one track's values (model features) in the form as a user does (the key's note picker,
/// the mode's switch, durations as m:ss.fff, numbers typed) and returns the shown genre and
/// confidence once the page has caught up with the last change.
async fn enter_track(b: &Browser, values: &[(Feature, f64)]) -> Result<(String, String)> {
    for &(f, v) in values {
        support::set_feature(b, "field-", f, v).await?;
    }
    // The page predicts on every keystroke; wait until the fields hold exactly what was set.
    let wanted: Vec<String> = values
        .iter()
        .map(|&(f, v)| match f {
            Feature::DurationMs => support::mss_exact(v),
            _ => v.to_string(),
        })
        .collect();
    let ids: Vec<String> = values
        .iter()
        .map(|(f, _)| format!("field-{}", f.name()))
        .collect();
    let typed = format!(
        "{} const ids = {}; const want = {}; return ids.every((id, i) => read(id) === want[i]);",
        support::READ_FIELD,
        json!(ids),
        json!(wanted)
    );
    soon(b, &typed, "the typed values").await?;
    // Rendering follows the input event in a microtask; give it a frame.
    support::settle(b).await?;
    let genre = b.text("#top-genre").await?.unwrap_or_default();
    let confidence = b.text("#confidence").await?.unwrap_or_default();
    Ok((genre, confidence))
}

#[tokio::test(flavor = "multi_thread")]
async fn predicts_known_tracks_like_the_core_from_a_sub_path() -> Result<()> {
    let model = native_model()?;
    let server = StaticServer::start(&dist_dir()?, "/some/path/")?;
    let url = server.url();
    let features: Vec<Feature> = model.features().as_slice().to_vec();

    // One complete track per genre (the first listed), so every class name is checked once.
    let examples = complete_examples()?;
    let cases: Vec<_> = model
        .classes
        .iter()
        .filter_map(|genre| examples.iter().find(|t| &t.genre == genre).cloned())
        .collect();
    assert!(
        cases.len() >= 10,
        "examples.json should cover most genres, has {}",
        cases.len()
    );

    let mut seen = Vec::new();
    with_browser(1280, 900, async |b| {
        open_predict(b, &url).await?;
        for t in &cases {
            let values: Vec<(Feature, f64)> =
                features.iter().map(|&f| (f, t.values[f.index()])).collect();
            let raw: Vec<f64> = values.iter().map(|&(_, v)| v).collect();
            let native = model.predict_raw(&raw);
            let shown = enter_track(b, &values).await?;
            seen.push((
                t.name.clone(),
                (
                    display_name(&model.classes[native.class]),
                    percent(native.confidence()),
                ),
                shown,
            ));
        }
        Ok(())
    })
    .await?;

    for (name, expected, shown) in &seen {
        assert_eq!(&shown.0, &expected.0, "genre shown for “{name}”");
        assert_eq!(&shown.1, &expected.1, "confidence shown for “{name}”");
    }
    // Everything came from the site's own folder: no request outside the sub-path but the
    // browser's automatic /favicon.ico probe (which the <link rel=icon> should prevent anyway).
    let outside: Vec<String> = server
        .requests()
        .into_iter()
        .filter(|p| !p.starts_with("/some/path/") && p != "/favicon.ico")
        .collect();
    assert!(
        outside.is_empty(),
        "requests outside /some/path/: {outside:?}"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn warns_out_of_range_and_keeps_the_last_prediction_on_invalid_input() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let mut report = serde_json::Map::new();

    with_browser(1280, 900, async |b| {
            open_predict(b, &server.url()).await?;
            let invalid = "abc".to_string();
            // Out of range: a tempo far above anything in the data set.
            b.type_into("#field-tempo", "400").await?;
            let warn = soon_text(b, "warn-tempo", "the tempo warning").await?;
            report.insert("warn".into(), warn);
            let before = b.text("#top-genre").await?;
            let before_conf = b.text("#confidence").await?;
            report.insert("before".into(), json!([before, before_conf]));

            // Invalid: text, then empty, then NaN. The prediction must not change.
            for (text, key) in [(invalid.as_str(), "text"), ("", "empty"), ("NaN", "nan")] {
                b.type_into("#field-energy", text).await?;
                if text.is_empty() {
                    // Ctrl+A then nothing leaves the selection; delete it.
                    b.type_into("#field-energy", "\u{E003}").await?;
                }
                let msg = soon_text(b, "error-energy", "the energy error").await?;
                let state = b
                    .js("return [document.getElementById('field-energy').getAttribute('aria-invalid'),
                                 !document.getElementById('stale-note').hidden,
                                 document.getElementById('top-genre').textContent.trim(),
                                 document.getElementById('confidence').textContent.trim()];")
                    .await?;
                report.insert(key.into(), json!([msg, state]));
                if key == "text" {
                    b.screenshot_full(1280, &screenshot_dir().join("predict-invalid.png")).await?;
                }
            }
            // Fixing the field clears the message.
            b.type_into("#field-energy", "0.5").await?;
            let cleared = soon(b, "return !document.getElementById('error-energy') && document.getElementById('stale-note').hidden;", "the error to clear").await?;
            report.insert("cleared".into(), cleared);
            // Enter submits the form: it must neither reload the page nor add a query string.
            b.js("window.__stillHere = true; return true;").await?;
            b.type_into("#field-energy", "0.6\u{E007}").await?;
            let after_enter = soon(b, "return document.getElementById('field-energy').value === '0.6' ? [window.__stillHere === true, location.search] : null;", "the value after Enter").await?;
            report.insert("enter".into(), after_enter);
            Ok(())
    })
    .await?;

    let warn = report["warn"].as_str().unwrap();
    assert!(warn.contains("above the highest training value"), "{warn}");
    let before = &report["before"];
    for (key, expected) in [
        ("text", "“abc” is not a number."),
        ("empty", "Enter a number."),
        ("nan", "NaN"),
    ] {
        let (msg, state) = (&report[key][0], &report[key][1]);
        assert!(msg.as_str().unwrap().contains(expected), "{key}: {msg}");
        assert_eq!(state[0], "true", "{key}: aria-invalid");
        assert_eq!(state[1], true, "{key}: the stale-prediction note is shown");
        assert_eq!(state[2], before[0], "{key}: the genre stays");
        assert_eq!(state[3], before[1], "{key}: the confidence stays");
    }
    assert_eq!(report["cleared"], true);
    assert_eq!(
        report["enter"],
        json!([true, ""]),
        "Enter keeps the page (no reload, no query)"
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn random_example_fills_the_form_and_matches_the_core() -> Result<()> {
    let (model, _server, url) = support::model_and_site()?;
    let features = model.features().as_slice().to_vec();
    let mut got = serde_json::Value::Null;
    let mut texts = Vec::new();

    with_browser(1280, 900, async |b| {
            open_predict(b, &url).await?;
            b.until("return !document.getElementById('example-fill').disabled;", "examples")
                .await?;
            // Pick the second genre in the list, so the select's change handler is exercised.
            b.js("const s = document.getElementById('example-genre'); s.selectedIndex = 1; s.dispatchEvent(new Event('change')); return true;")
                .await?;
            b.client.find(fantoccini::Locator::Id("example-fill")).await?.click().await?;
            soon(b, "return document.getElementById('example-note').textContent.startsWith('Filled');", "the fill")
                .await?;
            b.js("return await new Promise(r => requestAnimationFrame(() => setTimeout(() => r(true), 0)));").await?;
            got = b
                .js("return { genre: document.getElementById('example-genre').value,
                              note: document.getElementById('example-note').textContent,
                              shown: document.getElementById('top-genre').textContent.trim() };")
                .await?;
            texts = support::read_fields(b, "field-", &features).await?;
            Ok(())
    })
    .await?;

    let genre = got["genre"].as_str().unwrap();
    assert_eq!(genre, model.classes[1], "the second genre was chosen");
    assert!(
        got["note"]
            .as_str()
            .unwrap()
            .contains(&format!("({})", display_name(genre))),
        "{}",
        got["note"]
    );
    let shown: Vec<f64> = features
        .iter()
        .zip(&texts)
        .map(|(&f, t)| support::field_number(f, t).expect("filled values are numbers"))
        .collect();
    // The filled values are a real track of that genre from examples.json (a missing value
    // filled with the training median, which is what the model imputes for it); a duration is
    // shown as m:ss, its seconds rounded down.
    let ex = examples()?;
    let medians = &model.preprocessor.medians;
    let same = |f: Feature, v: f64, shown: f64| match f {
        Feature::DurationMs => (v / 1000.0).floor() * 1000.0 == shown,
        _ => v == shown,
    };
    let track = ex.tracks.iter().find(|t| {
        t.genre == genre
            && features.iter().enumerate().all(|(j, &f)| {
                let v = t.values[f.index()];
                same(f, if v.is_finite() { v } else { medians[j] }, shown[j])
            })
    });
    let track =
        track.unwrap_or_else(|| panic!("the form holds an example track of {genre}: {texts:?}"));
    // The page shows the prediction the core gives the track itself, missing values and all (the
    // field keeps the duration's milliseconds behind its m:ss).
    let with_missing: Vec<f64> = features.iter().map(|f| track.values[f.index()]).collect();
    let native = model.predict_raw(&with_missing);
    assert_eq!(
        got["shown"].as_str().unwrap(),
        display_name(&model.classes[native.class])
    );
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn every_page_deep_links_stays_on_origin_and_is_photographed() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let origin = server.origin();
    let shots = screenshot_dir();
    let pages = [
        ("batch", "Batch"),
        ("explore", "Explore"),
        ("train", "Train"),
        ("embed", "Embed"),
    ];
    let mut seen = Vec::new();
    let mut resources = serde_json::Value::Null;
    // The page is shown when <main data-page> names it and its heading has rendered; returns the
    // heading (the pages' own wording belongs to their issues, so it is only required non-empty).
    let shown = |slug: &str| {
        format!(
            "const m = document.querySelector('main'); const h = m && m.dataset.page === '{slug}' && m.querySelector('h1');
             return h ? h.textContent.trim() : '';"
        )
    };

    with_browser(1280, 900, async |b| {
        open_predict(b, &url).await?;
        b.screenshot_full(1280, &shots.join("predict.png")).await?;
        // Navigation by clicking the nav, then by deep link (a fresh load of #/page).
        for (slug, title) in pages {
            b.client.set_window_size(1280, 900).await?;
            b.client
                .find(fantoccini::Locator::Id(&format!("nav-{slug}")))
                .await?
                .click()
                .await?;
            let h1 = soon(b, &shown(slug), title).await?;
            let current = b
                .js("return [location.hash, document.querySelector('nav a[aria-current=page]').textContent, document.title];")
                .await?;
            // Let the page settle (data it loads on open) before the picture.
            tokio::time::sleep(Duration::from_millis(500)).await;
            b.screenshot_full(1280, &shots.join(format!("{slug}.png"))).await?;
            b.client.goto(&format!("{url}#/{slug}")).await?;
            b.client.refresh().await?;
            let deep = b.wait_js(&shown(slug), "the deep-linked page", PATIENCE).await?;
            seen.push((slug, title, h1, current, deep));
        }
        resources = b
            .js("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);")
            .await?;
        Ok(())
    })
    .await?;

    for (slug, title, h1, current, deep) in &seen {
        assert!(
            !h1.as_str().unwrap_or("").is_empty(),
            "{slug} has a heading"
        );
        assert_eq!(current[0], format!("#/{slug}"));
        assert_eq!(current[1], *title, "the nav marks the current page");
        assert_eq!(current[2], format!("{title} · Genre Lens"));
        assert_eq!(deep, h1, "deep link #/{slug} shows the same page");
    }
    let resources = resources.as_array().unwrap();
    assert!(resources.len() >= 5, "{resources:?}");
    for r in resources {
        let r = r.as_str().unwrap();
        assert!(
            r.starts_with(&format!("{origin}/")),
            "cross-origin resource: {r}"
        );
    }
    let logged = server.requests();
    assert!(logged.iter().any(|p| p == "/model.bin"), "{logged:?}");
    assert!(logged.iter().all(|p| p.starts_with('/')), "{logged:?}");
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn phone_layout_fits_390_pixels() -> Result<()> {
    let server = StaticServer::start(&dist_dir()?, "/")?;
    let url = server.url();
    let mut widths = serde_json::Value::Null;
    // A phone is emulated (a real window cannot be that narrow); its viewport cannot be resized
    // afterwards, so measure the page first, then photograph it in a viewport of its full height.
    with_phone(390, 844, async |b| {
        open_predict(b, &url).await?;
        widths = b
            .js("return [window.innerWidth, document.documentElement.scrollWidth, document.documentElement.scrollHeight];")
            .await?;
        Ok(())
    })
    .await?;
    let height = widths[2].as_u64().unwrap_or(3000).clamp(844, 8000) as u32;
    with_phone(390, height, async |b| {
        open_predict(b, &url).await?;
        let png = b.client.screenshot().await?;
        std::fs::write(screenshot_dir().join("predict-phone.png"), png)?;
        Ok(())
    })
    .await?;
    let inner = widths[0].as_u64().unwrap();
    let scroll = widths[1].as_u64().unwrap();
    assert_eq!(inner, 390, "the viewport is phone-sized");
    assert!(
        scroll <= inner,
        "no horizontal scrolling at {inner}px: page is {scroll}px wide"
    );
    Ok(())
}
