//! The one way a model file becomes a model: [`load`] a [`ModelSource`].
//!
//! The store (bundled model, restore at start), the saved-models list, the training results and
//! the widget all go through here, so a model is fetched, read from storage and decoded the same
//! way everywhere, and every failure is a [`LoadError`] written as a sentence for the user.

use genre_core::model::TrainedModel;

use super::error::LoadError;
use crate::storage;

/// Where the bundled model lives, relative to the page (so a sub-path deploy works).
pub const MODEL_URL: &str = "model.bin";

/// Where the bundled random forest lives, relative to the page. Fetched only when chosen (the
/// Predict page's chooser, a link with `model=forest`, the widget's `model=forest`): the first
/// load stays the boosted model's.
pub const FOREST_URL: &str = "forest.bin";

/// The two models that ship with the site.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum BundledModel {
    /// Gradient-boosted trees (`model.bin`): the most accurate, and the default.
    Boosted,
    /// The random forest (`forest.bin`): the original report's model with the forest's
    /// defaults, whose limits make it more accurate than fully grown trees and keep its file
    /// under 1 MB gzip.
    Forest,
}

impl BundledModel {
    /// How links and the widget name it (`model=forest`); the default has no name in a link.
    pub fn code(self) -> &'static str {
        match self {
            BundledModel::Boosted => "boosted",
            BundledModel::Forest => "forest",
        }
    }

    /// Reads a link's or the widget's `model=` value (case-insensitive); `bundled` is the
    /// boosted model, as it always was.
    pub fn from_code(code: &str) -> Option<BundledModel> {
        let c = code.trim();
        if c.eq_ignore_ascii_case("forest") {
            Some(BundledModel::Forest)
        } else if c.eq_ignore_ascii_case("boosted") || c.eq_ignore_ascii_case("bundled") {
            Some(BundledModel::Boosted)
        } else {
            None
        }
    }

    pub fn source(self) -> ModelSource {
        match self {
            BundledModel::Boosted => ModelSource::Bundled,
            BundledModel::Forest => ModelSource::BundledForest,
        }
    }
}

/// Where a model comes from.
#[derive(Debug, Clone, PartialEq)]
pub enum ModelSource {
    /// The model that ships with the site (`model.bin`, or compiled in with `embed-model`).
    Bundled,
    /// The random forest that ships with the site (`forest.bin`), fetched when chosen.
    BundledForest,
    /// A model kept in this browser, by its storage key.
    Saved(String),
    /// A model file at a URL: on the site (relative to the page) or on another origin that
    /// allows it with CORS (a host's published model, the widget's `model=https://…`). Fetched
    /// without credentials and kept for offline use once it decodes (`remote.rs`).
    Url(String),
    /// A model file already in memory (a training result, a file the user chose).
    Bytes(Vec<u8>),
}

/// A decoded model and where it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct LoadedModel {
    pub model: TrainedModel,
    /// Its storage key when it is kept in this browser: what is remembered as the active model
    /// (`None`: the bundled model, or one not kept).
    pub saved_id: Option<String>,
}

/// Fetches or reads the model file of `source` and decodes it.
pub async fn load(source: ModelSource) -> Result<LoadedModel, LoadError> {
    let (bytes, saved_id) = match source {
        ModelSource::Bundled => (bundled_model_bytes().await?, None),
        ModelSource::BundledForest => (download(FOREST_URL).await?, None),
        ModelSource::Url(url) => {
            let (bytes, fresh) = super::remote::bytes(&url).await?;
            // Decoded before it is kept: the cache only ever holds files the widget can use.
            let model = decode(&bytes).await?;
            if fresh {
                super::remote::keep(&url, &bytes).await;
            }
            return Ok(LoadedModel {
                model,
                saved_id: None,
            });
        }
        ModelSource::Saved(id) => {
            let bytes = storage::load(&id).await.map_err(LoadError::Storage)?;
            (bytes, Some(id))
        }
        ModelSource::Bytes(bytes) => (bytes, None),
    };
    Ok(LoadedModel {
        model: decode(&bytes).await?,
        saved_id,
    })
}

/// Decodes a model file; the page's first decoded model is a phase of its first answer.
///
/// Decoding is a task of its own, with a turn for the browser before and after it: the bundled
/// model's bytes are usually in memory when the app first asks, so without the turns the wasm's
/// start, the page's first render, the decoding and the form built from the model ran as one
/// task of 60–100 ms, with no paint and no input in between.
async fn decode(bytes: &[u8]) -> Result<TrainedModel, LoadError> {
    crate::perf::FirstAnswer::ModelBytes.reached();
    crate::browser::yield_now().await;
    let model = TrainedModel::from_bytes(bytes)?;
    crate::perf::FirstAnswer::ModelDecoded.reached();
    crate::browser::yield_now().await;
    Ok(model)
}

async fn download(url: &str) -> Result<Vec<u8>, LoadError> {
    crate::fetch::fetch_bytes(url)
        .await
        .map_err(|e| LoadError::Download(e.sentence(url)))
}

/// Where a page keeps its one download of the bundled model: a promise of its bytes on
/// `window`, which `public/boot.js` starts as the page starts (so the bytes are in memory when
/// the app asks), or else the first app to want them. The first app (`predict` binary) and the
/// whole site (`app` binary) run one after the other in the same page (src/first_load.rs) and
/// cannot share Rust values; through this the site takes the same bytes instead of fetching
/// them again.
#[cfg(not(feature = "embed-model"))]
const BUNDLED_BYTES_SLOT: &str = "genreLensBundledModel";

/// The bundled model's bytes: fetched once per page (index.html preloads them while the wasm
/// compiles), then shared ([`BUNDLED_BYTES_SLOT`]); compiled into the wasm with the
/// `embed-model` feature, for comparison (see docs/benchmarks.md).
#[cfg(not(feature = "embed-model"))]
async fn bundled_model_bytes() -> Result<Vec<u8>, LoadError> {
    use wasm_bindgen::{JsCast, JsValue};

    let global = js_sys::global();
    let slot = JsValue::from_str(BUNDLED_BYTES_SLOT);
    let shared = js_sys::Reflect::get(&global, &slot)
        .ok()
        .and_then(|v| v.dyn_into::<js_sys::Promise>().ok());
    let promise = shared.unwrap_or_else(|| {
        let fetching = wasm_bindgen_futures::future_to_promise(async {
            download(MODEL_URL)
                .await
                .map(|bytes| js_sys::Uint8Array::from(bytes.as_slice()).into())
                .map_err(|e| JsValue::from_str(&e.to_string()))
        });
        let _ = js_sys::Reflect::set(&global, &slot, &fetching);
        fetching
    });
    match wasm_bindgen_futures::JsFuture::from(promise.clone()).await {
        Ok(bytes) => Ok(js_sys::Uint8Array::new(&bytes).to_vec()),
        Err(why) => {
            // A failed download is not kept: "Try again" fetches anew.
            let kept = js_sys::Reflect::get(&global, &slot).unwrap_or(JsValue::UNDEFINED);
            if js_sys::Object::is(&kept, &promise) {
                let _ = js_sys::Reflect::delete_property(
                    global.unchecked_ref::<js_sys::Object>(),
                    &slot,
                );
            }
            Err(LoadError::Download(why.as_string().unwrap_or_default()))
        }
    }
}

#[cfg(feature = "embed-model")]
async fn bundled_model_bytes() -> Result<Vec<u8>, LoadError> {
    Ok(include_bytes!("../../public/model.bin").to_vec())
}
