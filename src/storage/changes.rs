//! Other tabs of the site hear of every change to what is kept (models, corrections), so a
//! list on screen follows a save made in another tab without a reload. A `BroadcastChannel`
//! reaches every other same-origin tab, never the tab that posts.

use std::cell::RefCell;

use gloo_events::EventListener;
use wasm_bindgen::{JsCast, JsValue};
use web_sys::BroadcastChannel;

/// The channel's name: one for the whole site.
const CHANNEL: &str = "genre-lens-storage";

/// What changed in storage.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Change {
    Models,
    Corrections,
}

impl Change {
    fn code(self) -> &'static str {
        match self {
            Change::Models => "models",
            Change::Corrections => "corrections",
        }
    }

    fn from_code(code: &str) -> Option<Change> {
        [Change::Models, Change::Corrections]
            .into_iter()
            .find(|c| c.code() == code)
    }
}

thread_local! {
    /// This tab's end of the channel and its listener: opened once, kept for the visit.
    static OPEN: RefCell<Option<(BroadcastChannel, Vec<EventListener>)>> = const { RefCell::new(None) };
}

/// Runs `f` with this tab's end of the channel (`None` in a browser without one: the lists
/// then follow other tabs at the next reload, as before).
fn with_channel<T>(f: impl FnOnce(&BroadcastChannel, &mut Vec<EventListener>) -> T) -> Option<T> {
    OPEN.with_borrow_mut(|open| {
        if open.is_none() {
            *open = BroadcastChannel::new(CHANNEL).ok().map(|c| (c, Vec::new()));
        }
        open.as_mut().map(|(c, listeners)| f(c, listeners))
    })
}

/// Tells the other tabs that `change` happened here.
pub fn announce(change: Change) {
    with_channel(|c, _| {
        let _ = c.post_message(&JsValue::from_str(change.code()));
    });
}

/// Calls `on_change` whenever another tab announces a change, for the rest of the visit.
pub fn listen(on_change: impl Fn(Change) + 'static) {
    with_channel(|c, listeners| {
        listeners.push(EventListener::new(c, "message", move |event| {
            let data = event
                .dyn_ref::<web_sys::MessageEvent>()
                .and_then(|m| m.data().as_string());
            if let Some(change) = data.as_deref().and_then(Change::from_code) {
                on_change(change);
            }
        }));
    });
}
