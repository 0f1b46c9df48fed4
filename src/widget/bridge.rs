//! The widget's side of postMessage: listens for requests, answers the sender, announces to the
//! embedding page. The protocol itself (validation, message shapes) is in `message.rs`.
//!
//! Origins: a reply goes to the sender's window with the sender's origin as the target, so only
//! that page can read it. With `origin=` in the widget's URL, messages from other origins are
//! dropped without an answer (answering would tell a stranger the widget is there), and
//! announcements go only to the allowed origins. Without it, announcements go to the embedding
//! page's origin (`location.ancestorOrigins`, else the referrer), never to `*`.

use std::cell::RefCell;
use std::sync::Arc;

use genre_core::model::TrainedModel;
use leptos::prelude::*;
use serde_json::Value;
use wasm_bindgen::JsCast;
use web_sys::MessageEvent;

use super::message::{self, Incoming, Source};
use super::options::WidgetOptions;
use crate::model_store::ModelState;

thread_local! {
    /// Requests that arrived before the model was loaded, answered once it is (or has failed).
    static QUEUE: RefCell<Vec<MessageEvent>> = const { RefCell::new(Vec::new()) };
    /// The origin of the last host that sent a valid request (an announcement target of last
    /// resort when the browser reveals no ancestor origin and no referrer).
    static HOST_ORIGIN: RefCell<Option<String>> = const { RefCell::new(None) };
}

/// Most queued requests before the model loads; later ones get an error at once.
const MAX_QUEUED: usize = 64;

/// Host requests shown in the form: the values of a valid request (model order, NaN = median).
pub type HostValues = RwSignal<Option<Vec<f64>>>;

/// Starts listening; lives as long as the page.
pub fn install(options: Arc<WidgetOptions>, state: RwSignal<ModelState>, host_values: HostValues) {
    let opts = options.clone();
    let receive = move |ev: MessageEvent| {
        if !opts.allows(&ev.origin()) {
            return;
        }
        match state.get_untracked() {
            ModelState::Ready(model) => handle(&ev, &model, host_values),
            ModelState::Failed(reason) => reply(
                &ev,
                &message::error(None, &format!("the widget has no model: {reason}")),
            ),
            ModelState::Loading => {
                let full = QUEUE.with(|q| {
                    let mut q = q.borrow_mut();
                    q.push(ev.clone());
                    q.len() > MAX_QUEUED
                });
                if full {
                    QUEUE.with(|q| q.borrow_mut().pop());
                    reply(
                        &ev,
                        &message::error(None, "too many requests before the model loaded"),
                    );
                }
            }
        }
    };
    let listener = window_event_listener(leptos::ev::message, receive.clone());
    // Never removed: the widget page is the listener's whole lifetime.
    std::mem::forget(listener);
    // What a host sent before this code ran (public/boot.js kept it): answered like the rest.
    for ev in early_messages() {
        receive(ev);
    }

    // Once the model is there: tell the parent, then answer what waited.
    Effect::new(move |_| match state.get() {
        ModelState::Loading => {}
        ModelState::Ready(model) => {
            announce(&options, &message::ready(&model));
            if let Some(note) = options.fields_note(model.features().as_slice()) {
                // Not fatal (the widget works with the fields it has), but the host asked for
                // something the widget cannot show: tell it, as the widget's note tells the visitor.
                announce(&options, &message::error(None, &note));
            }
            for ev in QUEUE.with(|q| std::mem::take(&mut *q.borrow_mut())) {
                handle(&ev, &model, host_values);
            }
        }
        ModelState::Failed(reason) => {
            let msg = message::error(None, &format!("the widget has no model: {reason}"));
            announce(&options, &msg);
            for ev in QUEUE.with(|q| std::mem::take(&mut *q.borrow_mut())) {
                reply(&ev, &msg);
            }
        }
    });
}

/// The messages that reached the widget page before the widget started, in order: public/boot.js
/// listens from the page's first script (a host may post as soon as the frame has loaded, while
/// the wasm is still downloading) and hands them over once, here.
fn early_messages() -> Vec<MessageEvent> {
    let take = js_sys::Reflect::get(&window(), &"genreLensTakeEarlyMessages".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok());
    let Some(list) = take.and_then(|f| f.call0(&wasm_bindgen::JsValue::UNDEFINED).ok()) else {
        return Vec::new();
    };
    js_sys::Array::from(&list)
        .iter()
        .filter_map(|m| m.dyn_into::<MessageEvent>().ok())
        .collect()
}

fn handle(ev: &MessageEvent, model: &TrainedModel, host_values: HostValues) {
    // Incoming data is read as JSON text, not with serde-wasm-bindgen: the text bounds the size
    // before anything is parsed, and anything exotic (functions, cycles, BigInt, getters that
    // throw) becomes a clean rejection instead of a half-read object.
    let text = js_sys::JSON::stringify(&ev.data())
        .ok()
        .and_then(|s| s.as_string());
    let incoming = match text {
        Some(t) => message::parse(&t, model.features().as_slice()),
        None => Incoming::Reject {
            id: None,
            message: "message is not plain JSON data".into(),
        },
    };
    match incoming {
        Incoming::Ignore => {}
        Incoming::Reject { id, message } => reply(ev, &message::error(id, &message)),
        Incoming::Predict { id, values } => {
            let p = model.predict_raw(&values);
            reply(
                ev,
                &message::prediction(id, Source::Host, model, &values, &p),
            );
            HOST_ORIGIN.with(|o| *o.borrow_mut() = Some(ev.origin()));
            host_values.set(Some(values));
        }
    }
}

/// A message as the plain JavaScript object a host reads (objects, not `Map`s: the
/// JSON-compatible serializer).
fn to_js(v: &Value) -> wasm_bindgen::JsValue {
    use serde::Serialize;
    v.serialize(&serde_wasm_bindgen::Serializer::json_compatible())
        .unwrap_or(wasm_bindgen::JsValue::NULL)
}

/// Answers the window that sent `ev`, readable only by its origin.
fn reply(ev: &MessageEvent, msg: &Value) {
    // Not `dyn_into`: the sender's window is another realm's (often cross-origin) WindowProxy,
    // which fails an `instanceof Window` check against this realm. A MessagePort source would
    // make post_message throw, which is ignored below.
    let Some(source) = ev.source().map(|s| s.unchecked_into::<web_sys::Window>()) else {
        return;
    };
    // An opaque origin ("null": a sandboxed frame or a file:// page) cannot be named as a
    // target; the reply still goes only to that one window.
    let origin = ev.origin();
    let target = if origin == "null" {
        "*"
    } else {
        origin.as_str()
    };
    let _ = source.post_message(&to_js(msg), target);
}

/// Posts `msg` to the embedding page (if any), to the origins it may go to.
pub fn announce(options: &WidgetOptions, msg: &Value) {
    let window = window();
    let Ok(Some(parent)) = window.parent() else {
        return;
    };
    if parent == window {
        return; // Opened on its own, not embedded.
    }
    let data = to_js(msg);
    for target in announce_targets(options) {
        let _ = parent.post_message(&data, &target);
    }
}

fn announce_targets(options: &WidgetOptions) -> Vec<String> {
    if !options.origins.is_empty() {
        return options
            .origins
            .iter()
            .filter(|o| *o != "*")
            .cloned()
            .collect();
    }
    // `location.ancestorOrigins` (Chromium, Safari; not in web-sys): the embedder's origin even
    // when its referrer policy hides the referrer.
    let ancestor = js_sys::Reflect::get(&window().location(), &"ancestorOrigins".into())
        .ok()
        .filter(|list| !list.is_undefined())
        .and_then(|list| js_sys::Reflect::get(&list, &0.into()).ok())
        .and_then(|o| o.as_string());
    let referrer = || {
        let r = document().referrer();
        web_sys::Url::new(&r).ok().map(|u| u.origin())
    };
    ancestor
        .or_else(referrer)
        .or_else(|| HOST_ORIGIN.with(|o| o.borrow().clone()))
        .filter(|o| o != "null")
        .into_iter()
        .collect()
}
