//! Step 6: models kept in this browser. List (newest first), use, rename, delete, download;
//! load a model file (validated by the core: a wrong, corrupt or newer file gets its message),
//! or a LightGBM or XGBoost model through the import panel (`import.rs`);
//! back to the bundled model. Storage problems are shown, never swallowed.

use genre_core::interop;
use genre_core::model::origin_phrase;
use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen_futures::JsFuture;

use super::import::ImportPanel;
use super::keep::keep_and_use;
use super::publish::PublishPanel;
use super::{figures, TrainState};

/// A model file's type for the browser (our own binary format).
pub const MODEL_FILE_TYPE: &str = "application/octet-stream";
use crate::browser;
use crate::components::rich_text::rich_text;
use crate::csv_upload::FileDrop;
use crate::model_store::{load, ModelSource, ModelState, ModelStore};
use crate::storage::{self, SavedModel, StorageError};

/// A kept model's file name: its name as a lower-case slug (letters and digits, one `-` between
/// words, a data file's `.csv` left out): "Random forest · genres_v2.csv" is
/// `random-forest-genres-v2.bin`.
pub fn model_file_name(name: &str) -> String {
    let mut name = name.trim().to_ascii_lowercase();
    for ext in [".csv.gz", ".csv", ".tsv", ".txt"] {
        if let Some(stem) = name.strip_suffix(ext) {
            name = stem.to_string();
            break;
        }
    }
    let words: Vec<&str> = name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .collect();
    if words.is_empty() {
        "model.bin".to_string()
    } else {
        format!("{}.bin", words.join("-"))
    }
}

/// What the model file input takes: our files, LightGBM's text and XGBoost's JSON.
const MODEL_FILE_ACCEPT: &str =
    ".bin,.txt,.json,.model,application/octet-stream,text/plain,application/json";

/// Downloads the kept model `id` as `file`, the bytes exactly as stored.
async fn download_kept(id: &str, file: &str) -> Result<(), String> {
    let bytes = storage::load(id).await.map_err(|e| e.to_string())?;
    browser::download(file, MODEL_FILE_TYPE, &bytes)
}

#[component]
fn SavedRow(
    m: SavedModel,
    /// The storage key of the model whose Publish panel is open (one at a time).
    publishing: RwSignal<Option<String>>,
) -> impl IntoView {
    let page = TrainState::use_state();
    let store = ModelStore::use_store();
    let error = RwSignal::new(None::<String>);
    let editing = RwSignal::new(false);
    let draft = RwSignal::new(m.name.clone());
    let id = StoredValue::new(m.id.clone());
    let is_active = move || store.saved_id.get().as_deref() == Some(id.get_value().as_str());
    let use_it = move |_| {
        spawn_local(async move {
            match load(ModelSource::Saved(id.get_value())).await {
                Ok(loaded) => store.activate(loaded),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let file = StoredValue::new(model_file_name(&m.name));
    let download_it = move |_| {
        spawn_local(async move {
            if let Err(e) = download_kept(&id.get_value(), &file.get_value()).await {
                error.set(Some(e));
            }
        });
    };
    // Publish: the file to put on a web server (downloaded now), and the snippets for it.
    let publish_open = move || publishing.get().as_deref() == Some(id.get_value().as_str());
    let publish_it = move |_| {
        if publish_open() {
            return publishing.set(None);
        }
        publishing.set(Some(id.get_value()));
        spawn_local(async move {
            if let Err(e) = download_kept(&id.get_value(), &file.get_value()).await {
                error.set(Some(e));
            }
        });
    };
    let delete_it = move |_| {
        spawn_local(async move {
            let was_active =
                store.saved_id.get_untracked().as_deref() == Some(id.get_value().as_str());
            match storage::delete(&id.get_value()).await {
                Ok(()) => {
                    if was_active {
                        store.back_to_bundled();
                    }
                    page.saved_version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
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
                    page.saved_version.update(|v| *v += 1);
                }
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let rename_click = move |_| rename();
    let details = format!(
        "{} · {} · saved {}",
        m.kind,
        origin_phrase(m.imported, &m.trained_at, &m.data_file),
        m.saved_at
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
                <button class="button secondary small saved-publish" on:click=publish_it
                    aria-expanded=move || publish_open().to_string()>"Publish"</button>
                <button class="button secondary small danger-text saved-delete" on:click=delete_it>"Delete"</button>
            </div>
            {move || error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            <Show when=publish_open>
                <PublishPanel file=file.get_value() />
            </Show>
        </li>
    }
}

#[component]
pub fn SavedModels() -> impl IntoView {
    let page = TrainState::use_state();
    let store = ModelStore::use_store();
    let list: RwSignal<Option<Result<Vec<SavedModel>, StorageError>>> = RwSignal::new(None);
    Effect::new(move |_| {
        page.saved_version.track();
        spawn_local(async move {
            list.set(Some(storage::list().await));
        });
    });
    let publishing = RwSignal::new(None::<String>);
    let file_message: RwSignal<Option<(bool, String)>> = RwSignal::new(None);
    let on_model_file = Callback::new(move |file: web_sys::File| {
        spawn_local(async move {
            let name = file.name();
            let bytes = match JsFuture::from(file.array_buffer()).await {
                Ok(b) => js_sys::Uint8Array::new(&b).to_vec(),
                Err(_) => {
                    return file_message.set(Some((false, format!("{name} could not be read."))))
                }
            };
            // A LightGBM or XGBoost model opens the import panel; anything else is ours (or
            // gets our decoder's message).
            if interop::is_foreign(&bytes) {
                file_message.set(None);
                if let Err(e) = page.import.open(name.clone(), bytes).await {
                    file_message.set(Some((false, format!("{name}: {e}"))));
                }
                return;
            }
            page.import.draft.set(None);
            file_message.set(Some(
                keep_and_use((page, store), &name, "Loaded", bytes)
                    .await
                    .message(),
            ));
        });
    });
    let current = move || match store.state.get() {
        ModelState::Ready(m) => {
            let which = if store.saved_id.get().is_some() {
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
        Some(Err(e)) => view! { <p class="msg error" id="storage-error" role="alert">{e.to_string()}</p> }.into_any(),
        Some(Ok(v)) if v.is_empty() => {
            view! { <p class="hint" id="saved-empty">"No saved models yet. Train one above, or load a model file."</p> }.into_any()
        }
        Some(Ok(v)) => view! {
            <ul class="saved-list" id="saved-list">
                {v.into_iter().map(|m| view! { <SavedRow m=m publishing /> }).collect_view()}
            </ul>
        }
        .into_any(),
    }
    };
    view! {
        <section class="card" aria-labelledby="saved-title">
            <h2 id="saved-title"><super::StepNumber step=super::Step::Saved />"Saved models"</h2>
            <p class="active-model" id="active-model">{current}</p>
            {move || store.storage_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            {rows}
            <div class="model-file-drop">
                <FileDrop
                    id="model-file"
                    label="Load a model file"
                    hint="A Genre Lens .bin, a LightGBM text model (model.txt) or an XGBoost JSON model (model.json)"
                    accept=MODEL_FILE_ACCEPT
                    on_file=on_model_file
                    disabled=Signal::derive(move || page.import.busy.get())
                />
            </div>
            {move || file_message.get().map(|(ok, m)| view! {
                <p class=if ok { "msg ok" } else { "msg error" } id="model-file-message" role="status">{rich_text(&m)}</p>
            })}
            <ImportPanel file_message />
            <div class="saved-tools">
                <button class="button secondary" id="back-to-bundled" on:click=move |_| store.back_to_bundled()>
                    "Back to the bundled model"
                </button>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_model_file_is_named_by_a_clean_slug() {
        assert_eq!(
            model_file_name("Random forest · genres_v2.csv"),
            "random-forest-genres-v2.bin"
        );
        assert_eq!(model_file_name("  My model (v2)!  "), "my-model-v2.bin");
        assert_eq!(model_file_name("···"), "model.bin");
    }
}
