//! Saved models in IndexedDB: survive reloads, listed with their figures, renamed, deleted;
//! plus which model is active, so a reload comes back to it.
//!
//! Four object stores: `models` (small JSON descriptions, listed without loading any model),
//! `files` (the model files, same key), `settings` (`active` = the active model's key; absent
//! means the bundled model) and `corrections` (version 2: the user's corrections, JSON, see
//! [`StoredCorrection`]). Opening an older database adds the missing stores and keeps the
//! others as they are. Every failure (private mode, quota, a blocked upgrade) comes back as a
//! [`StorageError`], shown as its sentence; nothing fails silently.

pub mod changes;
mod error;
mod presence;

use std::cell::RefCell;

use changes::{announce, Change};
use error::fail;
pub use error::{Refusal, StorageError};
use genre_core::corrections::{place, Correction, Placement};
use genre_core::format::ModelInfo;
use gloo_events::EventListener;
use js_sys::{Promise, Uint8Array};
pub use presence::kept_model_may_be_active;
use serde::{Deserialize, Serialize};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{
    IdbDatabase, IdbObjectStore, IdbOpenDbRequest, IdbRequest, IdbTransaction, IdbTransactionMode,
};

type Result<T, E = StorageError> = std::result::Result<T, E>;

const DB_NAME: &str = "genre-lens";
/// 1: models, files, settings; 2: corrections added.
const DB_VERSION: u32 = 2;
const MODELS: &str = "models";
const FILES: &str = "files";
const SETTINGS: &str = "settings";
const CORRECTIONS: &str = "corrections";
/// Every store of the current version.
pub const STORES: [&str; 4] = [MODELS, FILES, SETTINGS, CORRECTIONS];
const ACTIVE: &str = "active";

/// What the list shows about a saved model (the model file itself is loaded on demand).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SavedModel {
    pub id: String,
    pub name: String,
    pub kind: String,
    /// When it was saved (ISO 8601, UTC).
    pub saved_at: String,
    pub trained_at: String,
    pub data_file: String,
    /// Trained elsewhere and imported (`ModelMeta::imported`); entries kept before this was
    /// recorded read as trained.
    #[serde(default)]
    pub imported: bool,
    pub accuracy: Option<f64>,
    pub macro_f1: Option<f64>,
    pub size: usize,
}

impl SavedModel {
    /// The description of a model file about to be kept, from what the file itself records
    /// (read without decoding the model; see `genre_core::format::read_info`).
    pub fn describing(info: &ModelInfo) -> SavedModel {
        let holdout = info.meta.holdout.as_ref();
        SavedModel {
            id: String::new(),
            name: info.meta.name.clone(),
            kind: info.meta.kind.label().to_string(),
            saved_at: timestamp(),
            trained_at: info.meta.trained_at.clone(),
            data_file: info.meta.data_file.clone(),
            imported: info.meta.imported(),
            accuracy: holdout.map(|h| h.accuracy),
            macro_f1: holdout.map(|h| h.macro_f1),
            size: info.file_bytes,
        }
    }
}

/// A correction the user made ("the genre is actually …"), with what was predicted, by which
/// model, where and when.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredCorrection {
    pub id: String,
    /// The track's feature values and the right genre (a label as the model spells it).
    pub correction: Correction,
    /// What the model said: its genre label and probability.
    pub predicted: String,
    pub probability: f32,
    /// The model's name (as "About this model" gives it).
    pub model: String,
    /// Where the correction was made: "Predict", or "Batch · file.csv row 12".
    pub source: String,
    pub saved_at: String,
}

/// "2025-06-01 12:34 UTC": now, as models are stamped (when trained, when saved).
pub fn timestamp() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    format!("{} UTC", iso.get(..16).unwrap_or(&iso).replace('T', " "))
}

thread_local! {
    static DB: RefCell<Option<IdbDatabase>> = const { RefCell::new(None) };
}

/// Waits for a request; its result or its error.
async fn done(req: &IdbRequest) -> Result<JsValue, JsValue> {
    let promise = Promise::new(&mut |resolve, reject| {
        req.set_onsuccess(Some(&resolve));
        req.set_onerror(Some(&reject));
    });
    match JsFuture::from(promise).await {
        Ok(_) => req.result(),
        Err(_) => Err(req
            .error()
            .ok()
            .flatten()
            .map(JsValue::from)
            .unwrap_or(JsValue::NULL)),
    }
}

/// Waits until a write transaction is committed (quota errors surface here, as an abort);
/// an error says it could not do `what`.
async fn committed(tx: &IdbTransaction, what: &'static str) -> Result<()> {
    let promise = Promise::new(&mut |resolve, reject| {
        tx.set_oncomplete(Some(&resolve));
        tx.set_onerror(Some(&reject));
        tx.set_onabort(Some(&reject));
    });
    match JsFuture::from(promise).await {
        Ok(_) => Ok(()),
        Err(_) => Err(fail(
            what,
            &tx.error().map(JsValue::from).unwrap_or(JsValue::NULL),
        )),
    }
}

/// One change to `store`, the request `change` makes, committed.
async fn write(
    store: &str,
    what: &'static str,
    change: impl FnOnce(&IdbObjectStore) -> Result<IdbRequest, JsValue>,
) -> Result<()> {
    let db = db().await?;
    let t = tx(&db, &[store], true)?;
    t.object_store(store)
        .and_then(|s| change(&s))
        .map_err(|e| fail(what, &e))?;
    committed(&t, what).await
}

/// The value under `key` in `store` (undefined when there is none).
async fn get(store: &str, key: &str, what: &'static str) -> Result<JsValue> {
    let db = db().await?;
    let t = tx(&db, &[store], false)?;
    let req = t
        .object_store(store)
        .and_then(|s| s.get(&JsValue::from_str(key)))
        .map_err(|e| fail(what, &e))?;
    done(&req).await.map_err(|e| fail(what, &e))
}

/// Every record of `store` (JSON text) that reads as a `T`, in key order.
async fn get_all<T: serde::de::DeserializeOwned>(
    store: &str,
    what: &'static str,
) -> Result<Vec<T>> {
    let db = db().await?;
    let t = tx(&db, &[store], false)?;
    let req = t
        .object_store(store)
        .and_then(|s| s.get_all())
        .map_err(|e| fail(what, &e))?;
    let all = done(&req).await.map_err(|e| fail(what, &e))?;
    Ok(records(&all))
}

/// The records of a `getAll` answer (JSON text) that read as a `T`, in key order.
fn records<T: serde::de::DeserializeOwned>(all: &JsValue) -> Vec<T> {
    js_sys::Array::from(all)
        .iter()
        .filter_map(|v| v.as_string())
        .filter_map(|s| serde_json::from_str(&s).ok())
        .collect()
}

async fn db() -> Result<IdbDatabase> {
    if let Some(db) = DB.with_borrow(Clone::clone) {
        return Ok(db);
    }
    let db = open_database(DB_NAME).await?;
    DB.with_borrow_mut(|d| *d = Some(db.clone()));
    Ok(db)
}

/// Opens (creating or upgrading to [`DB_VERSION`]) the database `name`: the app's is
/// `genre-lens`; the upgrade test opens one of its own.
pub async fn open_database(name: &str) -> Result<IdbDatabase> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or(StorageError::Unavailable)?;
    let open: IdbOpenDbRequest = factory
        .open_with_u32(name, DB_VERSION)
        .map_err(|e| fail("open the model storage", &e))?;
    // Creates the stores a first use or an older version lacks (existing ones keep their
    // contents); removed when dropped, once the open is done.
    let upgrade = EventListener::new(&open, "upgradeneeded", move |ev| {
        let Some(req) = ev
            .target()
            .and_then(|t| t.dyn_into::<IdbOpenDbRequest>().ok())
        else {
            return;
        };
        let Ok(db) = req.result().and_then(|r| r.dyn_into::<IdbDatabase>()) else {
            return;
        };
        let names = db.object_store_names();
        for store in STORES {
            if !names.contains(store) {
                let _ = db.create_object_store(store);
            }
        }
    });
    let result = done(&open).await;
    drop(upgrade);
    result
        .map_err(|e| fail("open the model storage", &e))?
        .dyn_into()
        .map_err(|v| fail("open the model storage", &v))
}

fn tx(db: &IdbDatabase, stores: &[&str], write: bool) -> Result<IdbTransaction> {
    let names = js_sys::Array::new();
    stores.iter().for_each(|s| {
        names.push(&JsValue::from_str(s));
    });
    let mode = if write {
        IdbTransactionMode::Readwrite
    } else {
        IdbTransactionMode::Readonly
    };
    db.transaction_with_str_sequence_and_mode(&names, mode)
        .map_err(|e| fail("use the model storage", &e))
}

/// A fresh key: time plus randomness, so two tabs saving at once never collide.
fn new_id() -> String {
    format!(
        "m{:x}-{:x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e9) as u64
    )
}

/// Saves a model file with its description; returns the description (with its key).
pub async fn save(mut meta: SavedModel, file: &[u8]) -> Result<SavedModel> {
    let db = db().await?;
    meta.id = new_id();
    meta.size = file.len();
    let t = tx(&db, &[MODELS, FILES], true)?;
    let json = serde_json::to_string(&meta).expect("a description serialises");
    let put = |store: &str, value: &JsValue| -> Result<()> {
        t.object_store(store)
            .and_then(|s| s.put_with_key(value, &JsValue::from_str(&meta.id)))
            .map(|_| ())
            .map_err(|e| fail("save the model", &e))
    };
    put(MODELS, &JsValue::from_str(&json))?;
    put(FILES, &Uint8Array::from(file).into())?;
    committed(&t, "save the model").await?;
    announce(Change::Models);
    Ok(meta)
}

/// All saved models, newest first.
pub async fn list() -> Result<Vec<SavedModel>> {
    let mut out: Vec<SavedModel> = get_all(MODELS, "list the saved models").await?;
    out.sort_by(|a, b| b.saved_at.cmp(&a.saved_at));
    Ok(out)
}

/// The model file saved under `id`.
pub async fn load(id: &str) -> Result<Vec<u8>> {
    let v = get(FILES, id, "load the model").await?;
    if v.is_undefined() {
        return Err(StorageError::Gone);
    }
    Ok(Uint8Array::new(&v).to_vec())
}

pub async fn rename(id: &str, name: &str) -> Result<()> {
    let db = db().await?;
    let t = tx(&db, &[MODELS], true)?;
    let store = t
        .object_store(MODELS)
        .map_err(|e| fail("rename the model", &e))?;
    let req = store
        .get(&JsValue::from_str(id))
        .map_err(|e| fail("rename the model", &e))?;
    let v = done(&req).await.map_err(|e| fail("rename the model", &e))?;
    let mut meta: SavedModel = v
        .as_string()
        .and_then(|s| serde_json::from_str(&s).ok())
        .ok_or(StorageError::Gone)?;
    meta.name = name.to_string();
    let json = serde_json::to_string(&meta).expect("a description serialises");
    store
        .put_with_key(&JsValue::from_str(&json), &JsValue::from_str(id))
        .map_err(|e| fail("rename the model", &e))?;
    committed(&t, "rename the model").await?;
    announce(Change::Models);
    Ok(())
}

pub async fn delete(id: &str) -> Result<()> {
    let db = db().await?;
    let t = tx(&db, &[MODELS, FILES, SETTINGS], true)?;
    let key = JsValue::from_str(id);
    for store in [MODELS, FILES] {
        t.object_store(store)
            .and_then(|s| s.delete(&key))
            .map_err(|e| fail("delete the model", &e))?;
    }
    committed(&t, "delete the model").await?;
    announce(Change::Models);
    if active().await.ok().flatten().as_deref() == Some(id) {
        set_active(None).await?;
    }
    Ok(())
}

/// Remembers which saved model is active (`None`: the bundled one).
pub async fn set_active(id: Option<&str>) -> Result<()> {
    let key = JsValue::from_str(ACTIVE);
    write(SETTINGS, "remember the active model", |store| match id {
        Some(id) => store.put_with_key(&JsValue::from_str(id), &key),
        None => store.delete(&key),
    })
    .await?;
    presence::remember_kept_active(id.is_some());
    Ok(())
}

/// The key of the active saved model, if one is.
pub async fn active() -> Result<Option<String>> {
    Ok(get(SETTINGS, ACTIVE, "read the active model")
        .await?
        .as_string())
}

/// The description of the saved model that was active at the last visit.
/// `Ok(None)`: the bundled model is the active one.
pub async fn active_model() -> Result<Option<SavedModel>> {
    // A first visit: nothing was ever kept, and opening would create the database.
    if presence::database_exists(DB_NAME).await == Some(false) {
        return Ok(None);
    }
    let Some(id) = active().await? else {
        return Ok(None);
    };
    let meta = list().await?.into_iter().find(|m| m.id == id);
    let Some(meta) = meta else {
        // It was deleted (maybe in another tab): fall back to the bundled model.
        set_active(None).await?;
        return Ok(None);
    };
    Ok(Some(meta))
}

/// The saved model named `name` (the newest if names repeat), if there is one.
pub async fn find_named(name: &str) -> Result<Option<SavedModel>> {
    Ok(list().await?.into_iter().find(|m| m.name == name))
}

thread_local! {
    static CORRECTIONS_MADE: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// A correction's key: the time (fixed-width hex, so keys sort as times do), then a counter
/// for two in the same millisecond, then randomness for two tabs.
fn new_correction_id() -> String {
    let n = CORRECTIONS_MADE.with(|c| {
        c.set(c.get() + 1);
        c.get()
    });
    format!(
        "c{:012x}-{n:06x}-{:x}",
        js_sys::Date::now() as u64,
        (js_sys::Math::random() * 1e9) as u64
    )
}

/// Keeps a correction, one per track ([`genre_core::corrections::place`]): the same track with
/// the same genre is not kept twice, and with another genre the newer word replaces the older.
/// Returns the correction as kept (with its key) and where it went. Keys grow with time, so
/// [`corrections`] lists them in the order they were made.
///
/// All in one transaction: the list read, the older correction deleted and the new one put
/// commit together or not at all. Nothing (another tab reading, a failed write) ever sees the
/// track with no correction or with two, and two tabs correcting the same track at once are
/// placed one after the other.
pub async fn add_correction(mut c: StoredCorrection) -> Result<(StoredCorrection, Placement)> {
    const WHAT: &str = "keep the correction";
    let db = db().await?;
    let t = tx(&db, &[CORRECTIONS], true)?;
    let store = t.object_store(CORRECTIONS).map_err(|e| fail(WHAT, &e))?;
    let all = store.get_all().map_err(|e| fail(WHAT, &e))?;
    let kept: Vec<StoredCorrection> = records(&done(&all).await.map_err(|e| fail(WHAT, &e))?);
    let existing: Vec<Correction> = kept.iter().map(|k| k.correction.clone()).collect();
    let placement = place(&existing, &c.correction);
    match placement {
        // Nothing to change: the transaction ends with the read.
        Placement::AlreadyKept(i) => return Ok((kept[i].clone(), placement)),
        Placement::Replaces(i) => {
            store
                .delete(&JsValue::from_str(&kept[i].id))
                .map_err(|e| fail(WHAT, &e))?;
        }
        Placement::New => {}
    }
    c.id = new_correction_id();
    c.saved_at = timestamp();
    let json = serde_json::to_string(&c).expect("a correction serialises");
    store
        .put_with_key(&JsValue::from_str(&json), &JsValue::from_str(&c.id))
        .map_err(|e| fail(WHAT, &e))?;
    committed(&t, WHAT).await?;
    announce(Change::Corrections);
    Ok((c, placement))
}

/// All kept corrections, oldest first (the numbering training errors use).
pub async fn corrections() -> Result<Vec<StoredCorrection>> {
    // `getAll` answers in key order, and keys grow with time.
    get_all(CORRECTIONS, "list the corrections").await
}

/// Deletes one correction (`Some(id)`) or all of them (`None`).
pub async fn delete_corrections(id: Option<&str>) -> Result<()> {
    write(CORRECTIONS, "delete the correction", |store| match id {
        Some(id) => store.delete(&JsValue::from_str(id)),
        None => store.clear(),
    })
    .await?;
    announce(Change::Corrections);
    Ok(())
}
