//! LightGBM and XGBoost models imported on the Train page, in headless Chromium.
//!
//! The fixtures are the ones the core's tests read (`crates/genre-core/tests/fixtures/interop/`,
//! written by the libraries themselves). `lgb_multiclass.txt` is imported with the class names
//! of `classes.txt` pasted, `xgb_softprob.json` with them taken from a CSV's label column; each
//! becomes the active kept model, and a row of `rows.csv` typed on Predict shows the
//! probabilities the core gives natively for the same import (and the library's own, within
//! 1e-5); it is explained, predicts a Batch file, and its published file, served from a second
//! origin, gives the widget the same probabilities. A model with placeholder names needs the
//! feature picker; a wrong class count and a refused model each get their sentence and leave
//! what the user typed in place. Screenshots: the import panel at 1280 and 390 px.

mod support;

use std::path::{Path, PathBuf};

use fantoccini::Locator;
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::ingest::{read_csv, IngestOptions, Track};
use genre_core::interop::{class_names, import, read, ImportOptions};
use genre_core::model::TrainedModel;
use genre_lens_e2e::{
    dist_dir, repo_root, with_browser, with_phone, Browser, Result, StaticServer,
};
use serde_json::{json, Map, Value};
use support::{predict_page_probabilities, publish, set_feature, settle};

fn fixture(name: &str) -> PathBuf {
    repo_root()
        .join("crates/genre-core/tests/fixtures/interop")
        .join(name)
}

fn fixture_classes() -> Result<Vec<String>> {
    Ok(class_names(&std::fs::read_to_string(fixture(
        "classes.txt",
    ))?)?)
}

/// The model the core makes of `file` with the fixtures' class names: what the page must show.
fn native_import(file: &str) -> Result<TrainedModel> {
    let options = ImportOptions {
        classes: Some(fixture_classes()?),
        ..ImportOptions::default()
    };
    Ok(import(&std::fs::read(fixture(file))?, &options)?)
}

/// A row of `rows.csv` with every feature the models read present, and a key the note picker
/// offers (the fixtures tie some keys to the genre, up to 12).
fn typed_row(models: &[&TrainedModel]) -> Result<Track> {
    let rows = read_csv(
        std::fs::File::open(fixture("rows.csv"))?,
        &IngestOptions::for_prediction(),
    )?;
    rows.tracks
        .into_iter()
        .skip(5)
        .find(|t| {
            models.iter().all(|m| {
                m.features()
                    .as_slice()
                    .iter()
                    .all(|f| t.values[f.index()].is_finite())
            }) && (0.0..=11.0).contains(&t.values[Feature::Key.index()])
        })
        .ok_or_else(|| "no complete row in rows.csv".into())
}

/// The library's own `predict_proba` for spreadsheet row `row` of `rows.csv`.
fn library_probabilities(proba_file: &str, row: u64) -> Result<Vec<f64>> {
    let text = std::fs::read_to_string(fixture(proba_file))?;
    let line = text
        .lines()
        .nth(row as usize - 1)
        .ok_or("a row of the probabilities")?;
    Ok(line
        .split(',')
        .map(|c| c.parse().unwrap_or(f64::NAN))
        .collect())
}

/// Sets the text of the class-name box as a paste does (one `input` event).
async fn paste_classes(b: &Browser, text: &str) -> Result<()> {
    b.js_args(
        "const t = document.getElementById('import-classes'); t.value = arguments[0]; t.dispatchEvent(new Event('input', { bubbles: true })); return true;",
        vec![json!(text)],
    )
    .await?;
    settle(b).await?;
    Ok(())
}

/// Uploads a model file on Train and waits for the import panel.
async fn open_import(b: &Browser, path: &Path) -> Result<Value> {
    b.upload_then(
        "model-file",
        path,
        "return document.getElementById('import-panel') ? document.getElementById('import-read').textContent : null;",
        "the import panel",
    )
    .await
}

/// What each feature select holds ("" where none is picked) and whether it is marked missing.
async fn feature_picks(b: &Browser) -> Result<Vec<(String, bool)>> {
    let v = b
        .js("return [...document.querySelectorAll('#import-map select')].map(s => [s.value, s.getAttribute('aria-invalid') === 'true']);")
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// Presses Import and waits for the saved-models message (the panel closed) or the panel's
/// error: `(true, message)` when imported.
async fn press_import(b: &Browser) -> Result<(bool, String)> {
    b.click_id("import-button").await?;
    let v = b
        .until(
            "const e = document.getElementById('import-error'); if (e) return [false, e.textContent];
             const m = document.getElementById('model-file-message');
             return !document.getElementById('import-panel') && m ? [true, m.textContent] : null;",
            "the import's answer",
        )
        .await?;
    Ok(serde_json::from_value(v)?)
}

/// What one imported model showed: on Predict (probabilities by shown genre name, whether an
/// explanation was drawn), on Batch, and its published file.
struct Shown {
    read: String,
    message: String,
    predict: Map<String, Value>,
    explained: Value,
    batch: String,
    file: Vec<u8>,
}

/// Predict with the active model: types `row`, reads the probabilities and the explanation.
async fn on_predict(
    b: &Browser,
    site: &str,
    model: &TrainedModel,
    row: &Track,
) -> Result<(Map<String, Value>, Value)> {
    b.open_page(site).await?;
    b.until(
        &format!(
            "return document.querySelector('.model-status')?.textContent.includes({});",
            json!(model.meta.name)
        ),
        "the imported model on Predict",
    )
    .await?;
    for &f in model.features().as_slice() {
        set_feature(b, "field-", f, row.values[f.index()]).await?;
    }
    settle(b).await?;
    let probabilities = predict_page_probabilities(b).await?;
    let explained = b
        .until(
            "const c = document.querySelector('.why-card'); return c && !c.hidden ? c.querySelectorAll('[data-bars] [data-value]').length : null;",
            "the explanation",
        )
        .await?;
    Ok((probabilities, explained))
}

/// Batch with the active model: `rows.csv` predicted, the summary line.
async fn on_batch(b: &Browser, site: &str) -> Result<String> {
    b.open_page(&format!("{site}#/batch")).await?;
    let summary = b
        .upload_then(
            "batch-file",
            &fixture("rows.csv"),
            "const s = document.getElementById('batch-summary')?.textContent; return s && s.includes('rows predicted') ? s : null;",
            "the batch predictions",
        )
        .await?;
    Ok(summary.as_str().unwrap_or_default().to_string())
}

/// The active model used everywhere: Predict with `row` (probabilities, explanation), Batch,
/// then Publish on Train as `url` (its file).
async fn use_it(
    b: &Browser,
    site: &str,
    model: &TrainedModel,
    row: &Track,
    url: &str,
) -> Result<((Map<String, Value>, Value), String, Vec<u8>)> {
    let predict = on_predict(b, site, model, row).await?;
    let batch = on_batch(b, site).await?;
    b.open_page(&format!("{site}#/train")).await?;
    b.until(
        "return document.querySelector('#saved-list .saved.active');",
        "the kept model",
    )
    .await?;
    Ok((predict, batch, publish(b, url).await?))
}

fn shown(
    read: Value,
    message: String,
    ((predict, explained), batch, file): ((Map<String, Value>, Value), String, Vec<u8>),
) -> Shown {
    Shown {
        read: read.as_str().unwrap_or_default().into(),
        message,
        predict,
        explained,
        batch,
        file,
    }
}

/// A page on the models' origin embedding the widget once per published model, recording
/// every reply.
fn write_host_page(dir: &Path, site: &str, models: &[(&str, String)]) -> Result<()> {
    let enc = |u: &str| url::form_urlencoded::byte_serialize(u.as_bytes()).collect::<String>();
    let frames: String = models
        .iter()
        .map(|(id, url)| {
            format!(
                r#"<iframe id="{id}" src="{site}widget.html?model={}" width="360" height="480"></iframe>"#,
                enc(url)
            )
        })
        .collect();
    std::fs::write(
        dir.join("host.html"),
        format!(
            r#"<!doctype html><html><head><meta charset="utf-8"><title>host</title></head><body>{frames}
<script>
  window.msgs = [];
  window.addEventListener("message", (e) => {{
    const f = [...document.querySelectorAll("iframe")].find((f) => f.contentWindow === e.source);
    window.msgs.push({{ from: f ? f.id : "other", data: e.data }});
  }});
</script></body></html>"#
        ),
    )?;
    Ok(())
}

/// The widget `id`'s probabilities for `row` (its reply to a `predict` message).
async fn widget_probabilities(
    b: &Browser,
    id: &str,
    model: &TrainedModel,
    row: &Track,
) -> Result<Value> {
    b.until(
        &format!(
            "return window.msgs.find(m => m.from === {} && m.data.type === 'ready') || null;",
            json!(id)
        ),
        "the widget ready",
    )
    .await?;
    let mut features = Map::new();
    for f in model.features().as_slice() {
        features.insert(f.name().into(), json!(row.values[f.index()]));
    }
    b.js_args(
        "const f = document.getElementById(arguments[0]); f.contentWindow.postMessage(arguments[1], new URL(f.src).origin); return true;",
        vec![json!(id), json!({"type": "predict", "id": format!("{id}-row"), "features": features})],
    )
    .await?;
    let reply = b
        .until(
            &format!("const m = window.msgs.find(m => m.from === {} && m.data.id === {}); return m ? m.data : null;", json!(id), json!(format!("{id}-row"))),
            "the widget's reply",
        )
        .await?;
    Ok(reply["probabilities"].clone())
}

/// The page's, the widget's and the library's probabilities against the core's, class by class.
fn check_probabilities(
    what: &str,
    model: &TrainedModel,
    row: &Track,
    shown: &Shown,
    widget: &Value,
    proba_file: &str,
) -> Result<()> {
    let raw: Vec<f64> = model
        .features()
        .as_slice()
        .iter()
        .map(|f| row.values[f.index()])
        .collect();
    let native = model.predict_raw(&raw);
    let library = library_probabilities(proba_file, row.row)?;
    assert_eq!(
        shown.predict.len(),
        model.classes.len(),
        "{what}: {:?}",
        shown.predict
    );
    for (c, class) in model.classes.iter().enumerate() {
        let want = native.probabilities[c];
        let page = shown.predict[&display_name(class)]
            .as_f64()
            .ok_or("a bar")? as f32;
        let from_widget = widget[class].as_f64().ok_or("a probability")?;
        println!(
            "{what} p({class}): core {want}, Predict {page}, widget {from_widget}, library {}",
            library[c]
        );
        assert_eq!(page, want, "{what}: p({class}) on Predict vs the core");
        assert!(
            (from_widget - want as f64).abs() <= 1e-6,
            "{what}: p({class}) in the widget {from_widget} vs {want}"
        );
        assert!(
            (page as f64 - library[c]).abs() <= 1e-5,
            "{what}: p({class}) {page} vs the library's {}",
            library[c]
        );
    }
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn imported_models_predict_as_the_core_on_predict_batch_and_in_the_widget() -> Result<()> {
    let lgb = native_import("lgb_multiclass.txt")?;
    let xgb = native_import("xgb_softprob.json")?;
    let row = typed_row(&[&lgb, &xgb])?;
    let tmp = std::env::temp_dir().join(format!("genre-lens-import-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    // A data file whose genres come in no order, twice over: the page must sort them as
    // LabelEncoder does to get the library's class order back.
    let labels = tmp.join("labelled.csv");
    std::fs::write(
        &labels,
        "energy,genre\n0.9,hardstyle\n0.5,Underground Rap\n0.8,dnb\n0.4,Dark Trap\n0.7,dnb\n0.6,hardstyle\n",
    )?;
    let rows_kept = read_csv(
        std::fs::File::open(fixture("rows.csv"))?,
        &IngestOptions::for_prediction(),
    )?
    .tracks
    .len();
    let site = StaticServer::start(&dist_dir()?, "/")?;
    let models = StaticServer::start(&tmp, "/")?;
    let urls = [
        ("lgb", format!("{}lgb.bin", models.url())),
        ("xgb", format!("{}xgb.bin", models.url())),
    ];
    write_host_page(&tmp, &site.url(), &urls)?;
    let mut seen = Vec::new();
    let mut widget = Vec::new();
    let mut wrong_count = (String::new(), String::new());
    with_browser(1280, 900, async |b| {
        // LightGBM, the class names pasted: first one short, then all of them.
        b.open_page(&format!("{}#/train", site.url())).await?;
        let read = open_import(b, &fixture("lgb_multiclass.txt")).await?;
        let picks = feature_picks(b).await?;
        let names = read_model_names("lgb_multiclass.txt")?;
        assert_eq!(picks.iter().map(|p| p.0.clone()).collect::<Vec<_>>(), names, "matched by name");
        assert!(picks.iter().all(|p| !p.1), "nothing to pick: {picks:?}");
        paste_classes(b, "Dark Trap\nUnderground Rap\ndnb").await?;
        b.js("document.getElementById('import-panel').scrollIntoView({ block: 'start' }); return true;").await?;
        b.look("import-panel-1280").await?;
        let (ok, message) = press_import(b).await?;
        assert!(!ok, "three names for four classes imported: {message}");
        let kept_text = b.js("return document.getElementById('import-classes').value;").await?;
        wrong_count = (message, kept_text.as_str().unwrap_or_default().to_string());
        paste_classes(b, &std::fs::read_to_string(fixture("classes.txt"))?).await?;
        b.type_into("#import-name", &lgb_name()).await?;
        let (ok, message) = press_import(b).await?;
        assert!(ok, "{message}");
        let used = use_it(b, &site.url(), &named(&lgb, &lgb_name()), &row, &urls[0].1).await?;
        std::fs::write(tmp.join("lgb.bin"), &used.2)?;
        seen.push(shown(read, message, used));

        // XGBoost, the class names from a CSV's label column.
        let read = open_import(b, &fixture("xgb_softprob.json")).await?;
        b.upload("import-classes-csv", &labels).await?;
        b.until("return document.getElementById('import-classes-note')?.textContent;", "the classes from the CSV").await?;
        let box_text = b.js("return document.getElementById('import-classes').value;").await?;
        assert_eq!(box_text, json!(fixture_classes()?.join("\n")), "LabelEncoder's order");
        let (ok, message) = press_import(b).await?;
        assert!(ok, "{message}");
        let name = "XGBoost model (xgb_softprob.json)";
        let used = use_it(b, &site.url(), &named(&xgb, name), &row, &urls[1].1).await?;
        std::fs::write(tmp.join("xgb.bin"), &used.2)?;
        seen.push(shown(read, message, used));
        let kept = b.count("#saved-list .saved").await?;
        assert_eq!(kept, 2, "both imports kept");
        let details = b
            .js("return [...document.querySelectorAll('#saved-list .saved-details')].map(e => e.textContent);")
            .await?;
        for d in details.as_array().into_iter().flatten() {
            let d = d.as_str().unwrap_or_default();
            assert!(d.contains(" · imported ") && d.contains(" from "), "{d}");
        }

        // The published files in the widget, on the models' origin.
        b.client.goto(&format!("{}host.html", models.url())).await?;
        widget.push(widget_probabilities(b, "lgb", &lgb, &row).await?);
        widget.push(widget_probabilities(b, "xgb", &xgb, &row).await?);
        Ok(())
    })
    .await?;

    println!("wrong count: {:?}", wrong_count);
    assert!(
        wrong_count
            .0
            .contains("3 class names were given, but the model has 4 classes"),
        "{}",
        wrong_count.0
    );
    assert_eq!(
        wrong_count.1, "Dark Trap\nUnderground Rap\ndnb",
        "the user's input stays after an error"
    );
    for ((what, model, proba), (shown, widget)) in [
        ("LightGBM", &lgb, "lgb_multiclass.proba.csv"),
        ("XGBoost", &xgb, "xgb_softprob.proba.csv"),
    ]
    .iter()
    .zip(seen.iter().zip(&widget))
    {
        println!(
            "{what}: read {:?}; {:?}; batch {:?}; explanation bars {}",
            shown.read, shown.message, shown.batch, shown.explained
        );
        assert!(
            shown.read.contains(what) && shown.read.contains("4 classes"),
            "{}",
            shown.read
        );
        assert!(
            shown
                .read
                .contains(&format!("{} trees", model_trees(model))),
            "{}",
            shown.read
        );
        assert!(shown.message.starts_with("Imported "), "{}", shown.message);
        assert!(
            shown.explained.as_u64().is_some_and(|n| n >= 2),
            "{what}: contributions drawn: {}",
            shown.explained
        );
        assert!(
            shown.batch.contains(&format!(
                "{} rows predicted",
                genre_core::text::count(rows_kept as u64)
            )),
            "{what}: {}",
            shown.batch
        );
        // The published file is the core's import, prediction for prediction.
        let published = TrainedModel::from_bytes(&shown.file)?;
        assert_eq!(published.classes, model.classes);
        assert_eq!(published.features(), model.features());
        assert_eq!(
            published.estimator, model.estimator,
            "{what}: the trees as the core imports them"
        );
        check_probabilities(what, model, &row, shown, widget, proba)?;
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

#[tokio::test(flavor = "multi_thread")]
async fn placeholder_names_need_the_picker_and_a_refused_model_gets_its_sentence() -> Result<()> {
    let tmp = std::env::temp_dir().join(format!("genre-lens-import-bad-{}", std::process::id()));
    std::fs::create_dir_all(&tmp)?;
    let regression = tmp.join("lgb_regression.txt");
    std::fs::write(
        &regression,
        std::fs::read_to_string(fixture("lgb_multiclass.txt"))?.replacen(
            "objective=multiclass num_class:4",
            "objective=regression",
            1,
        ),
    )?;
    let names = read_model_names("lgb_multiclass.txt")?;
    let classes = fixture_classes()?;
    let site = StaticServer::start(&dist_dir()?, "/")?;
    for (width, phone) in [(1280u32, false), (390, true)] {
        let body = async |b: &Browser| -> Result<()> {
            b.open_page(&format!("{}#/train", site.url())).await?;
            let before = b.model_status().await?;
            // A model kind the core refuses: its sentence, the active model unchanged.
            b.upload("model-file", &regression).await?;
            let refused = b
                .until(
                    "return document.getElementById('model-file-message')?.textContent || null;",
                    "the refusal",
                )
                .await?;
            println!("{width}: {refused}");
            assert!(
                refused
                    .as_str()
                    .is_some_and(|m| m.starts_with("lgb_regression.txt: ")
                        && m.contains("objective regression does not predict")
                        && m.contains("class probabilities")),
                "{refused}"
            );
            assert_eq!(b.count("#import-panel").await?, 0);
            assert_eq!(b.model_status().await?, before);

            // Placeholder names: nothing picked, every used column marked.
            let read = open_import(b, &fixture("lgb_unnamed.txt")).await?;
            assert!(
                read.as_str().is_some_and(|r| r.contains("LightGBM")),
                "{read}"
            );
            let picks = feature_picks(b).await?;
            assert_eq!(picks.len(), names.len());
            assert!(picks.iter().all(|p| p.0.is_empty()), "{picks:?}");
            assert!(
                picks.iter().any(|p| p.1),
                "used columns are marked: {picks:?}"
            );
            paste_classes(b, &classes.join(", ")).await?;
            b.js("document.getElementById('import-panel').scrollIntoView({ block: 'start' }); return true;").await?;
            b.look(&format!("import-panel-unnamed-{width}")).await?;
            let (ok, message) = press_import(b).await?;
            assert!(!ok, "imported without features: {message}");
            assert!(
                message.contains("Column_") && message.contains("feature picker"),
                "{message}"
            );
            // Picked in the model's column order (the data frame's, which the file forgot).
            for (i, name) in names.iter().enumerate() {
                b.client
                    .find(Locator::Id(&format!("import-feature-{i}")))
                    .await?
                    .select_by_value(name)
                    .await?;
            }
            let picks = feature_picks(b).await?;
            assert!(picks.iter().all(|p| !p.1), "all picked: {picks:?}");
            assert_eq!(
                b.js("return document.getElementById('import-classes').value;")
                    .await?,
                json!(classes.join(", ")),
                "the class names stay after the error"
            );
            let (ok, message) = press_import(b).await?;
            assert!(ok, "{message}");
            assert!(message.starts_with("Imported lgb_unnamed.txt"), "{message}");
            b.until(
                "return document.querySelector('#saved-list .saved.active');",
                "the kept model",
            )
            .await?;
            Ok(())
        };
        if phone {
            with_phone(width, 844, body).await?;
        } else {
            with_browser(width, 900, body).await?;
        }
    }
    let _ = std::fs::remove_dir_all(&tmp);
    Ok(())
}

/// The feature names of a fixture as the file gives them (`rows.csv`'s columns).
fn read_model_names(file: &str) -> Result<Vec<String>> {
    Ok(read(&std::fs::read(fixture(file))?)?.feature_names)
}

fn lgb_name() -> String {
    "LightGBM genres".to_string()
}

/// `model` under the name the page gave it.
fn named(model: &TrainedModel, name: &str) -> TrainedModel {
    let mut m = model.clone();
    m.meta.name = name.to_string();
    m
}

/// How many trees an imported model has, as the panel counts them.
fn model_trees(model: &TrainedModel) -> usize {
    match &model.estimator {
        genre_core::model::Estimator::Imported(t) => t.trees.len(),
        _ => 0,
    }
}
