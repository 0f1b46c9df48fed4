//! Whether the site's database exists, asked without creating it.
//!
//! Opening a database that does not exist creates it (its stores, on disk): on a first visit
//! that is most of the time before the first prediction, spent to learn that no kept model is
//! waiting. `indexedDB.databases()` lists what exists without creating anything; the browser
//! still takes 100 ms or more to answer on a first visit, so `public/boot.js` asks as the page
//! starts and leaves the promise in `window.genreLensDatabases` for the first question here.

use js_sys::{Array, Function, Promise, Reflect};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;

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
