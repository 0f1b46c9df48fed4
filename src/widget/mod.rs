//! The embeddable widget: a compact predictor at its own URL (`widget.html`, no site chrome),
//! driven by its query options and by postMessage from the page that embeds it.
//!
//! `widget.html` is `index.html` with `data-view="widget"` on `<html>` (written at build time by
//! `scripts/post-build.sh`), so it loads the very same wasm and JS as the site's first load (the
//! `predict` binary: one download, cached once by the service worker), which mounts
//! [`WidgetApp`] instead of the Predict page.
//!
//! Modules: `options` (the query), `message` (the protocol, pure), `bridge` (postMessage),
//! `view` (the compact form and result), `connect` (the page's fetch policy narrowed to the one
//! model URL it was given).

pub mod bridge;
pub mod connect;
pub mod message;
pub mod options;
pub mod snippets;
pub mod view;

use std::sync::Arc;

use genre_core::error::ModelFileError;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::busy::Busy;
use crate::components::rich_text::rich_text;
use crate::model_store::{self, LoadError, ModelSource, ModelState};
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
    // Before any fetch: from here on the page may reach its own origin and, when `model=` names
    // a file elsewhere, that file's origin, nothing else (widget.html's own policy is wider,
    // see scripts/post-build.sh).
    let model_url = match &options.model {
        ModelChoice::Url(typed) => Some(connect::resolve(typed)),
        _ => None,
    };
    connect::narrow(model_url.as_ref().and_then(|u| u.as_ref().ok()));
    load(options.model.clone(), model_url, state);

    // The page's one landmark: a host's frame shows nothing else.
    view! {
        <main class="w-main">
        {move || match state.get() {
            ModelState::Loading => view! { <Busy class="w-status" text="Loading the model…" /> }.into_any(),
            // Never a blank box: what failed, in the widget's own box (the host gets the same
            // sentence as an `error` message).
            ModelState::Failed(message) => view! {
                <div class="w-status w-error" role="alert" id="w-error">
                    <h1 class="w-error-title">"This widget could not load its model"</h1>
                    <p class="w-error-text" id="w-error-text">{rich_text(&message)}</p>
                </div>
            }
            .into_any(),
            ModelState::Ready(model) => {
                let options = options.clone();
                view! { <view::Widget model options host_values /> }.into_any()
            }
        }}
        </main>
    }
}

/// Why the widget has no model; shown in the widget (and sent to the host) as its sentence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
enum WidgetError {
    #[error(transparent)]
    Url(#[from] connect::UrlError),
    #[error(transparent)]
    Load(#[from] LoadError),
    /// The core's sentence says what is wrong with the bytes; this says which file.
    #[error("The file at {url} cannot be used: {error}")]
    BadFile { url: String, error: ModelFileError },
    #[error(
        "No model named “{0}” is saved in this browser; use model=bundled or save one on the \
         Train page."
    )]
    NotSaved(String),
}

fn load(
    choice: ModelChoice,
    model_url: Option<Result<connect::ModelUrl, connect::UrlError>>,
    state: RwSignal<ModelState>,
) {
    spawn_local(async move {
        let result: Result<_, WidgetError> = match (choice, model_url) {
            (_, Some(Err(e))) => Err(e.into()),
            (_, Some(Ok(url))) => model_store::load(ModelSource::Url(url.href.clone()))
                .await
                .map_err(|e| match e {
                    LoadError::File(error) => WidgetError::BadFile {
                        url: url.href,
                        error,
                    },
                    other => other.into(),
                }),
            (ModelChoice::BundledForest, None) => model_store::load(ModelSource::BundledForest)
                .await
                .map_err(WidgetError::from),
            (ModelChoice::Saved(name), None) => match saved_source(&name).await {
                Ok(source) => model_store::load(source).await.map_err(WidgetError::from),
                Err(e) => Err(e),
            },
            (_, None) => model_store::load(ModelSource::Bundled)
                .await
                .map_err(WidgetError::from),
        };
        state.set(match result {
            Ok(loaded) => {
                let model = Arc::new(loaded.model);
                crate::perf::set_bench_model(model.clone());
                ModelState::Ready(model)
            }
            Err(e) => ModelState::Failed(e.to_string()),
        });
    });
}

/// A model the Train page saved in this browser, by name (the newest if names repeat). The
/// widget's storage is the embedding browser's storage for this site's origin (partitioned by
/// the top-level site in browsers that partition third-party storage).
async fn saved_source(name: &str) -> Result<ModelSource, WidgetError> {
    match crate::storage::find_named(name)
        .await
        .map_err(LoadError::from)?
    {
        Some(saved) => Ok(ModelSource::Saved(saved.id)),
        None => Err(WidgetError::NotSaved(name.to_string())),
    }
}
