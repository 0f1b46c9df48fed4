//! In-browser tests (wasm-bindgen-test in headless Chromium, run by `./x test`).
//!
//! 1. The bundled model, decoded and run inside the browser, gives bit for bit what the core
//!    computes natively for the same rows: `target/expected-predictions.json` is written by the
//!    native `expected` program from the same `public/model.bin` just before this test is built
//!    (both sides compute; nothing is typed in by hand). Class, boosting raw scores and
//!    contributions and probabilities must be identical bits (the core's softmax uses libm's
//!    portable `expf`, not the platform's).
//! 2. The Predict page, mounted with that model, shows the expected genre for typed values and
//!    keeps it when a field becomes invalid.
//! 3. Prediction latency in the browser (printed; debug build of the app, optimised core).
//! 4. The worker protocol's envelope carries requests and answers unchanged across the JS
//!    boundary (serde-wasm-bindgen), byte payloads included.
//! 5. The one model-loading path: the bundled model loaded from each `ModelSource` (bundled,
//!    kept in IndexedDB, a URL, bytes) is the same model and predicts the native rows alike.
//! 6. Storage: a database of the previous version (1: kept models only) is upgraded with the
//!    corrections store and keeps its models; corrections are kept, listed in order, deleted;
//!    a track corrected again is replaced in one transaction (a reader never sees it missing
//!    or twice).
#![cfg(target_arch = "wasm32")]

use std::sync::Arc;

use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::model::{Estimator, TrainedModel};
use genre_core::tree::flat::EnsembleKind;
use genre_lens::model_store::{
    load, ExamplesState, LoadedModel, ModelSource, ModelState, ModelStore,
};
use genre_lens::pages::predict::PredictPage;
use leptos::prelude::*;
use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

const MODEL: &[u8] = include_bytes!("../public/model.bin");
const EXPECTED: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/target/expected-predictions.json"
));

#[derive(Deserialize)]
struct Expected {
    model_crc32: u32,
    model_len: usize,
    rows: Vec<Row>,
}

#[derive(Deserialize)]
struct Row {
    name: String,
    raw: Vec<Option<f64>>,
    class: usize,
    genre: String,
    probability_bits: Vec<u32>,
    raw_score_bits: Option<Vec<u32>>,
    contribution_bits: Option<Vec<u64>>,
}

impl Row {
    fn raw(&self) -> Vec<f64> {
        self.raw.iter().map(|v| v.unwrap_or(f64::NAN)).collect()
    }
}

fn load_reference() -> (TrainedModel, Expected) {
    let expected: Expected = serde_json::from_str(EXPECTED).expect("expected-predictions.json");
    let model = TrainedModel::from_bytes(MODEL).expect("public/model.bin decodes in the browser");
    (model, expected)
}

#[wasm_bindgen_test]
fn browser_predictions_equal_native_bit_for_bit() {
    let (model, expected) = load_reference();
    assert_eq!(
        (expected.model_len, expected.model_crc32),
        (MODEL.len(), genre_core::format::crc32(MODEL)),
        "expected-predictions.json was computed from another model.bin: rerun the expected program"
    );
    assert!(
        expected.rows.len() >= 20,
        "too few rows: {}",
        expected.rows.len()
    );
    for row in &expected.rows {
        let raw = row.raw();
        let p = model.predict_raw(&raw);
        assert_eq!(p.class, row.class, "class of “{}”", row.name);
        assert_eq!(model.classes[p.class], row.genre);
        let raw_scores = match &model.estimator {
            Estimator::Trees(t) if t.kind == EnsembleKind::Boosted => {
                let mut out = vec![0.0f32; model.n_classes()];
                t.raw_scores_into(&model.preprocessor.transform(&raw), &mut out);
                Some(out.iter().map(|x| x.to_bits()).collect::<Vec<u32>>())
            }
            _ => None,
        };
        assert_eq!(
            raw_scores, row.raw_score_bits,
            "raw scores of “{}”",
            row.name
        );
        let contrib = model.explain_raw(&raw, p.class).map(|e| {
            e.contributions
                .iter()
                .map(|x| x.to_bits())
                .collect::<Vec<u64>>()
        });
        assert_eq!(
            contrib, row.contribution_bits,
            "contributions of “{}”",
            row.name
        );
        let bits: Vec<u32> = p.probabilities.iter().map(|x| x.to_bits()).collect();
        assert_eq!(
            bits, row.probability_bits,
            "probabilities of “{}”",
            row.name
        );
    }
    console_log!(
        "{} rows: class, raw scores, contributions and probabilities bit-identical",
        expected.rows.len()
    );
}

fn document() -> web_sys::Document {
    web_sys::window().unwrap().document().unwrap()
}

fn text(id: &str) -> String {
    document()
        .get_element_by_id(id)
        .and_then(|e| e.text_content())
        .unwrap_or_default()
        .trim()
        .to_string()
}

/// Sets an input's value and fires `input`, as typing does.
fn type_value(id: &str, value: &str) {
    let input: web_sys::HtmlInputElement = document()
        .get_element_by_id(id)
        .unwrap_or_else(|| panic!("#{id}"))
        .dyn_into()
        .unwrap();
    input.set_value(value);
    let init = web_sys::EventInit::new();
    init.set_bubbles(true);
    let event = web_sys::Event::new_with_event_init_dict("input", &init).unwrap();
    input.dispatch_event(&event).unwrap();
}

/// Sets one feature on the Predict page as a user does: the key's note picker, the mode's
/// switch, a duration typed as minutes and seconds (to the millisecond), a number typed.
/// Waits (a few seconds at most) until the Predict page has built every field: those below the
/// first screen come a task after the first answer is painted.
async fn every_field_built() {
    for _ in 0..300 {
        if document()
            .query_selector(".field-pending")
            .unwrap()
            .is_none()
        {
            return;
        }
        let later = js_sys::Promise::new(&mut |resolve, _| {
            web_sys::window()
                .unwrap()
                .set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, 10)
                .unwrap();
        });
        wasm_bindgen_futures::JsFuture::from(later).await.unwrap();
    }
    panic!("the Predict page's fields were still being built after 3 s");
}

fn set_feature(f: Feature, v: f64) {
    let id = format!("field-{}", f.name());
    match f {
        Feature::Key => {
            let select: web_sys::HtmlSelectElement = document()
                .get_element_by_id(&id)
                .unwrap_or_else(|| panic!("#{id}"))
                .dyn_into()
                .unwrap();
            select.set_value(&v.to_string());
            let init = web_sys::EventInit::new();
            init.set_bubbles(true);
            let event = web_sys::Event::new_with_event_init_dict("change", &init).unwrap();
            select.dispatch_event(&event).unwrap();
        }
        Feature::Mode => {
            let which = if v == 1.0 { "major" } else { "minor" };
            let radio: web_sys::HtmlElement = document()
                .get_element_by_id(&format!("{id}-{which}"))
                .unwrap_or_else(|| panic!("#{id}-{which}"))
                .dyn_into()
                .unwrap();
            radio.click();
        }
        Feature::DurationMs => type_value(&id, &genre_lens::form::format_duration_exact(v)),
        _ => type_value(&id, &v.to_string()),
    }
}

#[wasm_bindgen_test]
async fn predict_page_shows_the_native_genre_and_keeps_it_on_invalid_input() {
    let (model, expected) = load_reference();
    let features = model.features().as_slice().to_vec();
    let model = Arc::new(model);
    let host = document().create_element("div").unwrap();
    document().body().unwrap().append_child(&host).unwrap();
    let m = model.clone();
    let _handle = leptos::mount::mount_to(host.unchecked_into(), move || {
        ModelStore::provide_with(ModelState::Ready(m.clone()), ExamplesState::Loading);
        view! { <PredictPage /> }
    });
    leptos::task::tick().await;
    every_field_built().await;

    let complete: Vec<&Row> = expected
        .rows
        .iter()
        .filter(|r| r.raw.iter().all(|v| v.is_some()))
        .take(8)
        .collect();
    assert!(complete.len() >= 5);
    for row in complete {
        for (&f, v) in features.iter().zip(row.raw()) {
            set_feature(f, v);
        }
        leptos::task::tick().await;
        assert_eq!(
            text("top-genre"),
            display_name(&row.genre),
            "genre shown for “{}”",
            row.name
        );
    }

    let before = (text("top-genre"), text("confidence"));
    type_value("field-energy", "loud");
    leptos::task::tick().await;
    assert_eq!(
        text("error-energy"),
        "“loud” is not a number. The prediction keeps the last valid value."
    );
    assert_eq!((text("top-genre"), text("confidence")), before);
}

#[wasm_bindgen_test]
fn prediction_latency_in_the_browser() {
    let (model, _) = load_reference();
    let perf = web_sys::window().unwrap().performance().unwrap();
    let rows = genre_lens::perf::bench_rows(&model, 10_000);
    let t0 = perf.now();
    let one = model.predict_raw(&rows[0]);
    let t1 = perf.now();
    let mut sum = 0usize;
    for r in &rows {
        sum += model.predict_raw(r).class;
    }
    let t2 = perf.now();
    assert!(one.probabilities.iter().all(|p| p.is_finite()) && sum > 0);
    console_log!(
        "predict latency (test build): 1 track {:.3} ms, 10,000 tracks {:.1} ms",
        t1 - t0,
        t2 - t1
    );
}

/// Every `ModelSource` gives the same model, predicting the native rows alike. The test page is
/// served by wasm-bindgen-test-runner, which answers unknown paths from the crate's directory:
/// `public/model.bin` is the URL source, and a `<base href="public/">` stands for a site whose
/// page sits next to its `model.bin` while the bundled source is fetched.
#[wasm_bindgen_test]
async fn a_model_from_every_source_predicts_identically() {
    let (reference, expected) = load_reference();
    let base = document().create_element("base").unwrap();
    base.set_attribute("href", "public/").unwrap();
    document().head().unwrap().append_child(&base).unwrap();
    let bundled = load(ModelSource::Bundled).await;
    base.remove();
    let info = genre_core::format::read_info(MODEL).unwrap();
    let kept = genre_lens::storage::save(genre_lens::storage::SavedModel::describing(&info), MODEL)
        .await
        .expect("IndexedDB works in the test browser");
    let saved = load(ModelSource::Saved(kept.id.clone())).await;
    genre_lens::storage::delete(&kept.id).await.unwrap();
    let sources = [
        ("bundled", bundled, None),
        ("saved", saved, Some(kept.id.clone())),
        (
            "url",
            load(ModelSource::Url("public/model.bin".into())).await,
            None,
        ),
        (
            "bytes",
            load(ModelSource::Bytes(MODEL.to_vec())).await,
            None,
        ),
    ];
    for (name, loaded, saved_id) in sources {
        let LoadedModel {
            model,
            saved_id: id,
        } = loaded.unwrap_or_else(|e| panic!("{name}: {e}"));
        assert_eq!(id, saved_id, "{name}: its storage key");
        assert_eq!(model, reference, "{name}: the same model");
        for row in &expected.rows {
            let p = model.predict_raw(&row.raw());
            let bits: Vec<u32> = p.probabilities.iter().map(|x| x.to_bits()).collect();
            assert_eq!(
                (p.class, bits),
                (row.class, row.probability_bits.clone()),
                "{name}: “{}”",
                row.name
            );
        }
    }
    // A source that fails says why, as a sentence.
    let missing = load(ModelSource::Url("public/no-such-model.bin".into()))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        missing.starts_with("There is no model file at public/no-such-model.bin")
            && missing.contains("404"),
        "{missing}"
    );
    let bad = load(ModelSource::Bytes(b"genre,tempo".to_vec()))
        .await
        .unwrap_err()
        .to_string();
    assert!(bad.contains("not a Genre Lens model file"), "{bad}");
}

/// Requests and answers come out of the envelope as they went in (u64 seeds beyond 2^53
/// included), with the byte payloads in order; a message that is not one is refused.
#[wasm_bindgen_test]
fn worker_messages_round_trip_through_the_envelope() {
    use genre_core::train::{ModelSpec, TrainOptions};
    use genre_lens::worker::protocol::{Envelope, Request, Response};

    let train = Request::Train {
        data_id: 3,
        spec: ModelSpec::default_for(genre_core::model::ModelKind::Knn, 5),
        share: Some(0..10),
        name: "x".into(),
        trained_at: "t".into(),
        note: "; auto-tuned".into(),
    };
    let tuned = genre_core::tune::TuneOptions {
        seed: u64::MAX - 1,
        ..Default::default()
    };
    let trial = Request::Trial {
        data_id: 4,
        options: tuned.clone(),
        index: 9,
    };
    let prepare = Request::Prepare {
        options: TrainOptions {
            seed: u64::MAX,
            ..TrainOptions::default()
        },
        data_file: "f.csv".into(),
        corrections: vec![genre_core::corrections::Correction {
            values: vec![(Feature::Energy, 0.8), (Feature::Tempo, 174.5)],
            genre: "dnb".into(),
        }],
    };
    for request in [train, trial, prepare] {
        let envelope = Envelope {
            bytes: vec![
                js_sys::Uint8Array::from(&[1u8, 2][..]),
                js_sys::Uint8Array::from(&[3u8][..]),
            ],
            ..Envelope::new(7, request.clone())
        };
        let (js, transfer) = envelope.encode(1);
        assert_eq!(
            transfer.length(),
            1,
            "only the arrays from index 1 are moved"
        );
        let back = Envelope::<Request>::decode(&js).unwrap();
        assert_eq!((back.id, back.msg), (7, request));
        let bytes: Vec<Vec<u8>> = back.bytes.iter().map(|b| b.to_vec()).collect();
        assert_eq!(bytes, [vec![1, 2], vec![3]]);
    }
    let scored = Response::Scored {
        trial: genre_core::tune::Trial::scored(
            9,
            genre_core::tune::candidate(&tuned, 9),
            vec![0.61, 0.625, 0.6],
        ),
        fit_ms: 1234.5,
    };
    // Failures cross typed, with their fields (the page makes the sentence).
    use genre_core::error::{IngestError, TrainError};
    use genre_lens::worker::failure::{Failure, WorkError};
    let no_label = Response::Failed(Failure::Ingest(IngestError::MissingLabelColumn {
        found: "`energy`, `style`".into(),
        columns: vec!["energy".into(), "style".into()],
    }));
    let too_small = Response::Failed(Failure::Train(TrainError::ClassTooSmall {
        class: "Emo".into(),
        count: 1,
        needed: 2,
        purpose: "to put one in the training part and one in the test part".into(),
    }));
    let unreadable = Response::Failed(Failure::Work(WorkError::UnreadableData {
        reason: "unexpected end".into(),
    }));
    for answer in [scored, no_label, too_small, unreadable] {
        let (js, _) = Envelope::new(9, answer.clone()).encode(0);
        assert_eq!(Envelope::<Response>::decode(&js).unwrap().msg, answer);
    }
    let (js, _) = Envelope::new(9, "not a response").encode(0);
    assert!(Envelope::<Response>::decode(&js).is_err());
}

/// Waits for an IndexedDB request (or a transaction, by its `complete` event); its result.
async fn idb_done(target: &web_sys::EventTarget, ok: &str) -> wasm_bindgen::JsValue {
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        target
            .add_event_listener_with_callback(ok, &resolve)
            .unwrap();
        target
            .add_event_listener_with_callback("error", &reject)
            .unwrap();
    });
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .expect("the IndexedDB request succeeds");
    js_sys::Reflect::get(target, &"result".into()).unwrap_or(wasm_bindgen::JsValue::UNDEFINED)
}

/// The database as version 1 of the app left it (models, files, settings, one kept model)
/// opens at the current version with the corrections store added and the model untouched.
#[wasm_bindgen_test]
async fn storage_upgrades_a_version_1_database_and_keeps_its_models() {
    use wasm_bindgen::closure::Closure;
    use wasm_bindgen::JsValue;
    use web_sys::{IdbDatabase, IdbOpenDbRequest, IdbTransactionMode};

    let name = "genre-lens-upgrade-test";
    let factory = web_sys::window().unwrap().indexed_db().unwrap().unwrap();
    idb_done(&factory.delete_database(name).unwrap(), "success").await;
    let open: IdbOpenDbRequest = factory.open_with_u32(name, 1).unwrap();
    let create = Closure::once(move |ev: web_sys::Event| {
        let db: IdbDatabase = ev
            .target()
            .unwrap()
            .unchecked_into::<IdbOpenDbRequest>()
            .result()
            .unwrap()
            .unchecked_into();
        for store in ["models", "files", "settings"] {
            db.create_object_store(store).unwrap();
        }
    });
    open.set_onupgradeneeded(Some(create.as_ref().unchecked_ref()));
    let v1: IdbDatabase = idb_done(&open, "success").await.unchecked_into();
    let description = r#"{"id":"m1","name":"kept forest"}"#;
    let tx = v1
        .transaction_with_str_sequence_and_mode(
            &js_sys::Array::of3(&"models".into(), &"files".into(), &"settings".into()),
            IdbTransactionMode::Readwrite,
        )
        .unwrap();
    let key = JsValue::from_str("m1");
    tx.object_store("models")
        .unwrap()
        .put_with_key(&description.into(), &key)
        .unwrap();
    tx.object_store("files")
        .unwrap()
        .put_with_key(&js_sys::Uint8Array::from(&[7u8, 8, 9][..]), &key)
        .unwrap();
    tx.object_store("settings")
        .unwrap()
        .put_with_key(&key, &"active".into())
        .unwrap();
    idb_done(&tx, "complete").await;
    v1.close();

    let v2 = genre_lens::storage::open_database(name)
        .await
        .expect("the upgrade succeeds");
    assert_eq!(v2.version() as u32, 2);
    let names = v2.object_store_names();
    for store in genre_lens::storage::STORES {
        assert!(names.contains(store), "store {store} after the upgrade");
    }
    let tx = v2
        .transaction_with_str_sequence(&js_sys::Array::of3(
            &"models".into(),
            &"files".into(),
            &"settings".into(),
        ))
        .unwrap();
    let get = |store: &str, key: &str| {
        tx.object_store(store)
            .unwrap()
            .get(&JsValue::from_str(key))
            .unwrap()
    };
    let (model, file, active) = (
        get("models", "m1"),
        get("files", "m1"),
        get("settings", "active"),
    );
    assert_eq!(
        idb_done(&model, "success").await.as_string().as_deref(),
        Some(description)
    );
    let bytes = js_sys::Uint8Array::new(&idb_done(&file, "success").await).to_vec();
    assert_eq!(bytes, [7, 8, 9]);
    assert_eq!(
        idb_done(&active, "success").await.as_string().as_deref(),
        Some("m1")
    );
    v2.close();
    idb_done(&factory.delete_database(name).unwrap(), "success").await;
}

/// A correction made on Predict of the bundled model's "Rap": the track `values` is `genre`.
fn correction_of(
    values: Vec<(Feature, f64)>,
    genre: &str,
) -> genre_lens::storage::StoredCorrection {
    genre_lens::storage::StoredCorrection {
        id: String::new(),
        correction: genre_core::corrections::Correction {
            values,
            genre: genre.into(),
        },
        predicted: "Rap".into(),
        probability: 0.5,
        model: "bundled".into(),
        source: "Predict".into(),
        saved_at: String::new(),
    }
}

/// Corrections are kept with their record, listed oldest first, deleted one or all.
#[wasm_bindgen_test]
async fn corrections_are_kept_listed_in_order_and_deleted() {
    use genre_lens::storage;

    storage::delete_corrections(None).await.unwrap();
    // Two tracks (one correction per track: the same track again would replace the first).
    let make = |genre: &str| {
        let energy = if genre == "dnb" { 0.25 } else { 0.75 };
        correction_of(
            vec![(Feature::Energy, energy), (Feature::DurationMs, 201_000.0)],
            genre,
        )
    };
    let (first, _) = storage::add_correction(make("dnb")).await.unwrap();
    let (second, _) = storage::add_correction(make("trap")).await.unwrap();
    assert!(!first.id.is_empty() && first.id != second.id);
    let list = storage::corrections().await.unwrap();
    assert_eq!(list, vec![first.clone(), second.clone()]);
    storage::delete_corrections(Some(&first.id)).await.unwrap();
    assert_eq!(storage::corrections().await.unwrap(), vec![second]);
    storage::delete_corrections(None).await.unwrap();
    assert!(storage::corrections().await.unwrap().is_empty());
}

#[wasm_bindgen_test]
async fn a_replaced_correction_is_never_missing_nor_kept_twice() {
    use genre_core::corrections::Placement;
    use genre_lens::storage;

    storage::delete_corrections(None).await.unwrap();
    // One track, its genre changed again and again: each correction replaces the last.
    let make =
        |genre: &str| correction_of(vec![(Feature::Energy, 0.5), (Feature::Tempo, 128.0)], genre);
    storage::add_correction(make("dnb")).await.unwrap();
    let replacing_done = std::cell::Cell::new(false);
    let replacing = async {
        for genre in ["trap", "dnb"].repeat(6) {
            let (_, placement) = storage::add_correction(make(genre)).await.unwrap();
            assert!(matches!(placement, Placement::Replaces(0)), "{placement:?}");
        }
        replacing_done.set(true);
    };
    // Meanwhile the store is listed again and again, as another tab would.
    let reading = async {
        let mut seen = Vec::new();
        while !replacing_done.get() {
            seen.push(storage::corrections().await.unwrap().len());
        }
        seen
    };
    let ((), seen) = futures::join!(replacing, reading);
    assert!(seen.len() >= 6, "read while replacing: {seen:?}");
    assert!(
        seen.iter().all(|&n| n == 1),
        "the track has exactly one correction at every read: {seen:?}"
    );
    let kept = storage::corrections().await.unwrap();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].correction.genre, "dnb");
    storage::delete_corrections(None).await.unwrap();
}
