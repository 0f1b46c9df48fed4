//! The embeddable widget: a compact predictor at its own URL (`widget.html`, no site chrome),
//! driven by its query options and by postMessage from the page that embeds it.
//!
//! `widget.html` is `index.html` with `data-view="widget"` on `<html>` (written at build time by
//! `scripts/post-build.sh`), so it loads the very same wasm and JS as the site (one download,
//! cached once by the service worker) and `main.rs` mounts [`WidgetApp`] instead of the site.
//!
//! Modules: `options` (the query), `message` (the protocol, pure), `bridge` (postMessage),
//! `view` (the compact form and result).

pub mod bridge;
pub mod message;
pub mod options;
pub mod view;

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::busy::Busy;
use crate::model_store::{self, ModelSource, ModelState};
use options::{ModelChoice, WidgetOptions};

/// Whether this page is the widget (`<html data-view="widget">`).
pub fn is_widget_page() -> bool {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.document_element())
        .and_then(|e| e.get_attribute("data-view"))
        .is_some_and(|v| v == "widget")
}

#[component]
pub fn WidgetApp() -> impl IntoView {
    let search = window().location().search().unwrap_or_default();
    let options = Arc::new(WidgetOptions::parse(&search));
    if let Some(root) = document().document_element() {
        let _ = root.set_attribute("data-theme", options.theme.attr());
    }
    let state = RwSignal::new(ModelState::Loading);
    let host_values = RwSignal::new(None);
    bridge::install(options.clone(), state, host_values);
    load(options.model.clone(), state);

    view! {
        {move || match state.get() {
            ModelState::Loading => view! { <Busy class="w-status" text="Loading the model…" /> }.into_any(),
            ModelState::Failed(message) => view! {
                <div class="w-status w-error" role="alert" id="w-error">{message}</div>
            }
            .into_any(),
            ModelState::Ready(model) => {
                let options = options.clone();
                view! { <view::Widget model options host_values /> }.into_any()
            }
        }}
    }
}

fn load(choice: ModelChoice, state: RwSignal<ModelState>) {
    spawn_local(async move {
        let result = match choice {
            ModelChoice::Bundled => Ok(ModelSource::Bundled),
            ModelChoice::BundledForest => Ok(ModelSource::BundledForest),
            ModelChoice::Saved(name) => saved_source(&name).await,
        };
        let result = match result {
            Ok(source) => model_store::load(source).await.map_err(|e| e.to_string()),
            Err(e) => Err(e),
        };
        state.set(match result {
            Ok(loaded) => ModelState::Ready(Arc::new(loaded.model)),
            Err(e) => ModelState::Failed(e),
        });
    });
}

/// A model the Train page saved in this browser, by name (the newest if names repeat). The
/// widget's storage is the embedding browser's storage for this site's origin (partitioned by
/// the top-level site in browsers that partition third-party storage).
async fn saved_source(name: &str) -> Result<ModelSource, String> {
    match crate::storage::find_named(name).await? {
        Some(saved) => Ok(ModelSource::Saved(saved.id)),
        None => Err(format!(
            "No model named “{name}” is saved in this browser; use model=bundled or save one on the Train page."
        )),
    }
}
