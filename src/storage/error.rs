//! Why the storage failed: each failure a value, shown as its sentence where it is shown.

use wasm_bindgen::{JsCast, JsValue};

/// Why the storage failed. Each is shown as a sentence (its `Display`) where it is shown.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum StorageError {
    /// No IndexedDB in this browser here.
    #[error(
        "Saving models is not available: this browser has no IndexedDB here (private mode or \
         storage disabled)."
    )]
    Unavailable,
    /// A request or a transaction failed while the storage was asked to `what`.
    #[error("Could not {what}: {reason}.")]
    Failed { what: &'static str, reason: Refusal },
    /// The saved model (or its description) is no longer there.
    #[error("This saved model is gone (deleted in another tab?).")]
    Gone,
}

/// Why the browser refused a storage request.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum Refusal {
    #[error("the browser's storage is full (quota exceeded): delete saved models or free space")]
    Full,
    #[error("this browser does not allow storage here (private mode?)")]
    NotAllowed,
    /// Another failure, in the browser's words.
    #[error("{0}")]
    Other(String),
}

impl Refusal {
    fn of(e: &JsValue) -> Refusal {
        if let Some(d) = e.dyn_ref::<web_sys::DomException>() {
            return match d.name().as_str() {
                "QuotaExceededError" => Refusal::Full,
                "InvalidStateError" | "SecurityError" => Refusal::NotAllowed,
                _ => Refusal::Other(format!("{}: {}", d.name(), d.message())),
            };
        }
        Refusal::Other(crate::browser::js_error_text(e))
    }
}

/// The storage could not do `what`, for the browser's reason `e`.
pub(super) fn fail(what: &'static str, e: &JsValue) -> StorageError {
    StorageError::Failed {
        what,
        reason: Refusal::of(e),
    }
}
