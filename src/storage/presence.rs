//! Whether the site's database exists, asked without creating it, and whether a kept model may
//! be active, answered at once.
//!
//! Opening a database that does not exist creates it (its stores, on disk): on a first visit
//! that is most of the time before the first prediction, spent to learn that no kept model is
//! waiting. `indexedDB.databases()` lists what exists without creating anything; the browser
//! still takes 100 ms or more to answer on a first visit, so `public/boot.js` asks as the page
//! starts and leaves the promise in `window.genreLensDatabases` for the first question here.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

/// localStorage's hint, beside the database, that a kept model is the active one ("1"; absent:
/// the bundled model is). Written with every change of the active model (`set_active`).
const KEPT_ACTIVE_HINT: &str = "genre-lens:kept-model-active";

/// Whether a model kept in this browser may be the active one, answered synchronously from
/// localStorage: the Predict page's bundled model waits for the database's answer only then.
/// On a first visit the database takes 100 ms or more to answer, after the bundled model is
/// decoded. `true` when localStorage cannot say (none, or blocked). A kept model made active
/// by a version without the hint is still restored, only after the bundled one has shown.
pub fn kept_model_may_be_active() -> bool {
    match local_storage() {
        Some(storage) => storage.get_item(KEPT_ACTIVE_HINT).ok().flatten().is_some(),
        None => true,
    }
}

/// Keeps the hint true to the database (called once the database has the change).
pub(super) fn remember_kept_active(active: bool) {
    if let Some(storage) = local_storage() {
        // Without localStorage (full, or blocked) the next visit simply waits for the database.
        let _ = match active {
            true => storage.set_item(KEPT_ACTIVE_HINT, "1"),
            false => storage.remove_item(KEPT_ACTIVE_HINT),
        };
    }
}

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window()?.local_storage().ok().flatten()
}

/// Where `public/boot.js` leaves the listing it asked for.
const EARLY_LISTING: &str = "genreLensDatabases";

/// `Some(false)`: this browser has no database `name`, so nothing is kept in it. `None`: the
/// browser cannot say (no `indexedDB.databases()`, as in Firefox before 126, or it failed);
/// the caller opens the database as before, which also reports why storage is unavailable.
pub(super) async fn database_exists(name: &str) -> Option<bool> {
    let listed = JsFuture::from(early_listing().or_else(list_now)?)
        .await
        .ok()?;
    let found = Array::from(&listed).iter().any(|db| {
        Reflect::get(&db, &"name".into())
            .ok()
            .and_then(|n| n.as_string())
            .is_some_and(|n| n == name)
    });
    Some(found)
}

/// The listing boot.js asked for, taken once: a later question asks again, as the database
/// may exist by then.
fn early_listing() -> Option<Promise> {
    let window: JsValue = web_sys::window()?.into();
    let key = JsValue::from_str(EARLY_LISTING);
    let listing = Reflect::get(&window, &key)
        .ok()?
        .dyn_into::<Promise>()
        .ok()?;
    let _ = Reflect::delete_property(window.unchecked_ref::<js_sys::Object>(), &key);
    Some(listing)
}

fn list_now() -> Option<Promise> {
    let factory: JsValue = web_sys::window()?.indexed_db().ok().flatten()?.into();
    let databases: Function = Reflect::get(&factory, &"databases".into())
        .ok()?
        .dyn_into()
        .ok()?;
    databases.call0(&factory).ok()?.dyn_into().ok()
}
