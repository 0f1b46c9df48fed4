//! Step 6: models kept in this browser. List (newest first), use, rename, delete, download;
//! load a model file (validated by the core: a wrong, corrupt or newer file gets its message);
//! back to the bundled model. Storage problems are shown, never swallowed.

use genre_core::model::TrainedModel;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use super::active::{activate, back_to_bundled, ActiveSaved};
use super::{figures, ModelResult, TrainState};
use crate::components::rich_text::rich_text;
use crate::model_store::{ModelState, ModelStore};
use crate::storage::{self, SavedModel};

/// The description stored with a trained result.
pub fn saved_meta(r: &ModelResult) -> SavedModel {
    SavedModel {
        id: String::new(),
        name: r.name.clone(),
        kind: r.kind.label().to_string(),
        saved_at: super::run::timestamp(),
        trained_at: String::new(),
        data_file: String::new(),
        accuracy: Some(r.summary.metrics.accuracy),
        macro_f1: Some(r.summary.metrics.macro_f1),
        size: r.file.len(),
    }
    .with_model_meta(&r.file)
}

trait WithMeta {
    fn with_model_meta(self, file: &[u8]) -> Self;
}

impl WithMeta for SavedModel {
    /// Fills what the model file itself records (trained when, on what).
    fn with_model_meta(mut self, file: &[u8]) -> Self {
        if let Ok(m) = TrainedModel::from_bytes(file) {
            self.trained_at = m.meta.trained_at.clone();
            self.data_file = m.meta.data_file.clone();
        }
        self
    }
}

/// Offers `bytes` as a file download (a Blob URL, revoked right after the click).
pub fn download(bytes: &[u8], file_name: &str) -> Result<(), String> {
    let fail = |_| "The download could not be started.".to_string();
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let opts = web_sys::BlobPropertyBag::new();
    opts.set_type("application/octet-stream");
    let blob =
        web_sys::Blob::new_with_u8_array_sequence_and_options(&parts, &opts).map_err(fail)?;
    let url = web_sys::Url::create_object_url_with_blob(&blob).map_err(fail)?;
    let a: web_sys::HtmlAnchorElement = document()
        .create_element("a")
        .map_err(fail)?
        .unchecked_into();
    a.set_href(&url);
    a.set_download(file_name);
    a.click();
    let _ = web_sys::Url::revoke_object_url(&url);
    Ok(())
}

#[component]
fn SavedRow(m: SavedModel) -> impl IntoView {
    let st = TrainState::use_state();
    let store = ModelStore::use_store();
    let active = ActiveSaved::use_context();
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(m.name.clone());
    let id = StoredValue::new(m.id.clone());
    let is_active = move || active.id.get().as_deref() == Some(id.get_value().as_str());
    let use_it = move |_| {
        spawn_local(async move {
            let result = storage::load(&id.get_value())
                .await
                .and_then(|b| TrainedModel::from_bytes(&b).map_err(|e| e.to_string()));
            match result {
                Ok(model) => activate(store, active, model, Some(id.get_value())),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let name_for_file = m.name.clone();
    let download_it = move |_| {
        let file = format!(
            "{}.bin",
            name_for_file
                .chars()
                .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
                .collect::<String>()
        );
        spawn_local(async move {
            match storage::load(&id.get_value()).await {
                Ok(b) => {
                    if let Err(e) = download(&b, &file) {
                        error.set(Some(e));
                    }
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let delete_it = move |_| {
        spawn_local(async move {
            let was_active = active.id.get_untracked().as_deref() == Some(id.get_value().as_str());
            match storage::delete(&id.get_value()).await {
                Ok(()) => {
                    if was_active {
                        back_to_bundled(store, active);
                    }
                    st.saved_version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let rename = move || {
        let name = draft.get_untracked().trim().to_string();
        if name.is_empty() {
            return error.set(Some("A name cannot be empty.".into()));
        }
        spawn_local(async move {
            match storage::rename(&id.get_value(), &name).await {
                Ok(()) => {
                    editing.set(false);
                    st.saved_version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let rename_click = move |_| rename();
    let details = format!(
        "{} · trained {} on {} · saved {}",
        m.kind, m.trained_at, m.data_file, m.saved_at
    );
    let score = m
        .accuracy
        .map(|a| {
            format!(
                "accuracy {} · {}",
                figures::pct(a),
                figures::bytes(m.size as u64)
            )
        })
        .unwrap_or_else(|| figures::bytes(m.size as u64));
    let name = m.name.clone();
    view! {
        <li class="saved" class:active=is_active>
            <div class="saved-main">
                <Show
                    when=move || editing.get()
                    fallback=move || view! {
                        <span class="saved-name">{name.clone()}</span>
                        <Show when=is_active><span class="badge active-badge">"active"</span></Show>
                    }
                >
                    <input
                        class="num rename-input"
                        aria-label="New name"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev: web_sys::KeyboardEvent| {
                            if ev.key() == "Enter" {
                                rename();
                            }
                        }
                    />
                    <button class="button secondary small" on:click=rename_click>"Save name"</button>
                </Show>
                <span class="saved-details">{details}</span>
                <span class="saved-score">{score}</span>
            </div>
            <div class="saved-actions">
                <button class="button small saved-use" on:click=use_it disabled=is_active>"Use"</button>
                <button class="button secondary small" on:click=move |_| editing.update(|e| *e = !*e)>"Rename"</button>
                <button class="button secondary small" on:click=download_it>"Download"</button>
                <button class="button secondary small danger-text saved-delete" on:click=delete_it>"Delete"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
        </li>
    }
}

#[component]
pub fn SavedModels() -> impl IntoView {
    let st = TrainState::use_state();
    let store = ModelStore::use_store();
    let active = ActiveSaved::use_context();
    let list: RwSignal<Option<Result<Vec<SavedModel>, String>>> = RwSignal::new(None);
    Effect::new(move |_| {
        st.saved_version.track();
        spawn_local(async move {
            list.set(Some(storage::list().await));
        });
    });
    let file_message: RwSignal<Option<(bool, String)>> = RwSignal::new(None);
    let on_model_file = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let name = file.name();
            let bytes = match JsFuture::from(file.array_buffer()).await {
                Ok(b) => js_sys::Uint8Array::new(&b).to_vec(),
                Err(_) => {
                    return file_message.set(Some((false, format!("{name} could not be read."))))
                }
            };
            let model = match TrainedModel::from_bytes(&bytes) {
                Ok(m) => m,
                Err(e) => return file_message.set(Some((false, format!("{name}: {e}")))),
            };
            let meta = SavedModel {
                id: String::new(),
                name: model.meta.name.clone(),
                kind: model.meta.kind.label().to_string(),
                saved_at: super::run::timestamp(),
                trained_at: model.meta.trained_at.clone(),
                data_file: model.meta.data_file.clone(),
                accuracy: model.meta.holdout.as_ref().map(|h| h.accuracy),
                macro_f1: model.meta.holdout.as_ref().map(|h| h.macro_f1),
                size: bytes.len(),
            };
            let label = model.meta.name.clone();
            match storage::save(meta, &bytes).await {
                Ok(saved) => {
                    activate(store, active, model, Some(saved.id));
                    st.saved_version.update(|v| *v += 1);
                    file_message.set(Some((
                        true,
                        format!("Loaded {name}: \"{label}\" is now the active model."),
                    )));
                }
                Err(e) => {
                    activate(store, active, model, None);
                    file_message.set(Some((
                        false,
                        format!("\"{label}\" is active in this tab, but not kept: {e}"),
                    )));
                }
            }
        });
    };
    let current = move || match store.state.get() {
        ModelState::Ready(m) => {
            let which = if active.id.get().is_some() {
                "saved"
            } else {
                "bundled or unsaved"
            };
            format!("Active model: {} ({which})", m.meta.name)
        }
        ModelState::Loading => "Loading the model…".into(),
        ModelState::Failed(e) => format!("No model loaded: {e}"),
    };
    let rows = move || {
        match list.get() {
        None => view! { <p class="hint">"Loading saved models…"</p> }.into_any(),
        Some(Err(e)) => view! { <p class="msg error" id="storage-error" role="alert">{e}</p> }.into_any(),
        Some(Ok(v)) if v.is_empty() => {
            view! { <p class="hint" id="saved-empty">"No saved models yet. Train one above, or load a model file."</p> }.into_any()
        }
        Some(Ok(v)) => view! {
            <ul class="saved-list" id="saved-list">
                {v.into_iter().map(|m| view! { <SavedRow m=m /> }).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card" aria-labelledby="saved-title">
            <h2 id="saved-title"><super::StepNumber step=super::Step::Saved />"Saved models"</h2>
            <p class="active-model" id="active-model">{current}</p>
            {move || active.error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            {rows}
            <div class="saved-tools">
                <label class="button secondary file-button">
                    "Load a model file…"
                    <input type="file" id="model-file" accept=".bin,application/octet-stream" class="visually-hidden" on:change=on_model_file />
                </label>
                <button class="button secondary" id="back-to-bundled" on:click=move |_| back_to_bundled(store, active)>
                    "Back to the bundled model"
                </button>
            </div>
            {move || file_message.get().map(|(ok, m)| view! {
                <p class=if ok { "msg ok" } else { "msg error" } id="model-file-message" role="status">{rich_text(&m)}</p>
            })}
        </section>
    }
}
