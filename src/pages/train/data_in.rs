//! Step 1: the data. A file picker, a drop zone and "use the bundled data set"; the file is
//! read by the parser worker, with progress, and can be cancelled.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

use super::{logic, DataState, SourceRef, TrainState};
use crate::worker::pool::{parser, WorkerError};
use crate::worker::protocol::{Request, Response, Source};

/// The bundled data set, gzip-compressed at build time by `./x` (fetched only on request).
pub const BUNDLED_URL: &str = "data/genres_v2.csv.gz";
pub const BUNDLED_NAME: &str = "genres_v2.csv";

/// The parse request and file for a source.
fn parse_request(st: TrainState, src: &SourceRef) -> (Request, Option<web_sys::Blob>, String) {
    let (source, blob, name) = match src {
        SourceRef::File(f) => (
            Source::File { name: f.name() },
            Some(f.clone().unchecked_into::<web_sys::Blob>()),
            f.name(),
        ),
        SourceRef::Bundled => (
            Source::Bundled {
                url: BUNDLED_URL.into(),
                name: BUNDLED_NAME.into(),
            },
            None,
            BUNDLED_NAME.to_string(),
        ),
    };
    let request = Request::Parse {
        source,
        label_column: st.label_column.get_untracked(),
    };
    (request, blob, name)
}

/// Reads `src` in the parser worker (a read in progress is stopped first).
pub fn start_parse(st: TrainState, src: SourceRef) {
    let p = parser();
    // A newer choice wins: stop the old read for real (its answer would be dropped anyway).
    p.terminate();
    st.source.set_value(Some(src.clone()));
    let (request, blob, name) = parse_request(st, &src);
    let total = match &src {
        SourceRef::File(f) => f.size() as u64,
        SourceRef::Bundled => 0,
    };
    st.data.set(DataState::Parsing {
        name: name.clone(),
        done: 0,
        total,
    });
    spawn_local(async move {
        let progress_name = name.clone();
        let on_progress = move |done, total| {
            st.data.set(DataState::Parsing {
                name: progress_name.clone(),
                done,
                total,
            })
        };
        match p.request(&request, blob.as_ref(), &[], on_progress).await {
            Ok(answer) => match answer.response {
                Response::Parsed(summary) => {
                    st.parsed_in.set_value(p.generation());
                    st.options.select_features(&summary.present);
                    st.data.set(DataState::Ready(Arc::new(summary)));
                }
                other => st.data.set(DataState::Failed {
                    name,
                    message: format!("Unexpected answer from the worker: {other:?}"),
                }),
            },
            Err(WorkerError::Cancelled) => {}
            Err(e) => st.data.set(DataState::Failed {
                name,
                message: e.to_string(),
            }),
        }
    });
}

/// Makes sure the parser worker still holds the data the page shows: if it was restarted
/// since (it crashed), the same file is read again, without touching the report or the
/// options, so training goes on instead of asking the user to choose the file again.
pub async fn ensure_parsed(st: TrainState) -> Result<(), WorkerError> {
    let p = parser();
    if p.generation() == st.parsed_in.get_value() {
        return Ok(());
    }
    let Some(src) = st.source.get_value() else {
        return Ok(());
    };
    let (request, blob, _) = parse_request(st, &src);
    match p
        .request(&request, blob.as_ref(), &[], |_, _| {})
        .await?
        .response
    {
        Response::Parsed(_) => {
            st.parsed_in.set_value(p.generation());
            Ok(())
        }
        other => Err(WorkerError::Failed(format!(
            "Unexpected answer from the worker: {other:?}"
        ))),
    }
}

fn first_file(files: Option<web_sys::FileList>) -> Option<web_sys::File> {
    files.and_then(|f| f.get(0))
}

#[component]
pub fn DataIn() -> impl IntoView {
    let st = TrainState::use_state();
    let dragging = RwSignal::new(false);
    let pick = move |file: Option<web_sys::File>| {
        if let Some(f) = file {
            // A new file: its own label column will be detected again.
            st.label_column.set(None);
            start_parse(st, SourceRef::File(f));
        }
    };
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        pick(first_file(input.files()));
        // Choosing the same file again must read it again.
        input.set_value("");
    };
    let on_drop = move |ev: web_sys::DragEvent| {
        ev.prevent_default();
        dragging.set(false);
        pick(first_file(ev.data_transfer().and_then(|d| d.files())));
    };
    let bundled = move |_| {
        st.label_column.set(None);
        start_parse(st, SourceRef::Bundled);
    };
    let cancel = move |_| {
        parser().terminate();
        st.data.set(DataState::Empty);
    };
    let parsing = move || matches!(st.data.get(), DataState::Parsing { .. });

    let status = move || match st.data.get() {
        DataState::Empty => None,
        DataState::Parsing { name, done, total } => {
            let pct = if total > 0 {
                (done as f64 / total as f64).clamp(0.0, 1.0)
            } else {
                0.0
            };
            let what = if total > 0 {
                format!(
                    "Reading {name}: {} of {} ({})",
                    logic::bytes(done),
                    logic::bytes(total),
                    logic::pct(pct)
                )
            } else {
                format!("Downloading and unpacking {name}…")
            };
            Some(
                view! {
                    <div class="parse-status" id="parse-status" role="status">
                        <p>{what}</p>
                        <div class="progress" aria-hidden="true">
                            <div class="progress-bar" style=format!("width: {:.1}%", pct * 100.0)></div>
                        </div>
                        <button class="button secondary" id="parse-cancel" on:click=cancel>"Cancel"</button>
                    </div>
                }
                .into_any(),
            )
        }
        DataState::Ready(s) => Some(
            view! {
                <p
                    class="msg ok"
                    id="parse-done"
                    role="status"
                    data-parse-ms=format!("{:.0}", s.parse_ms)
                    data-heap-bytes=s.heap_bytes.to_string()
                >
                    {format!(
                        "Read {} ({}) in {}.",
                        s.file_name,
                        logic::bytes(s.file_bytes),
                        logic::seconds(s.parse_ms)
                    )}
                </p>
            }
            .into_any(),
        ),
        DataState::Failed { name, message } => Some(
            view! {
                <div class="msg error" id="parse-error" role="alert">
                    <strong>{format!("{name} could not be used. ")}</strong>
                    {message}
                </div>
            }
            .into_any(),
        ),
    };

    view! {
        <section class="card" aria-labelledby="data-title">
            <h2 id="data-title"><span class="step">"1"</span>"Data"</h2>
            <p class="card-sub">
                "A CSV with a genre column and Spotify audio features (the Kaggle "
                <code>"genres_v2.csv"</code>" layout, or an Exportify export with a genre column). "
                "It is read in a background worker and never leaves this tab."
            </p>
            <label
                class="dropzone"
                class:dragging=move || dragging.get()
                on:dragover=move |ev: web_sys::DragEvent| {
                    ev.prevent_default();
                    dragging.set(true);
                }
                on:dragleave=move |_| dragging.set(false)
                on:drop=on_drop
            >
                <input
                    type="file"
                    id="train-file"
                    accept=".csv,.tsv,.txt,text/csv"
                    class="visually-hidden"
                    on:change=on_change
                    disabled=parsing
                />
                <span class="dropzone-title">"Drop a CSV here or "<u>"choose a file"</u></span>
                <span class="dropzone-hint">"Comma, semicolon or tab separated; UTF-8. Big files are fine: they are read in slices."</span>
            </label>
            <div class="data-actions">
                <span class="or">"or"</span>
                <button class="button secondary" id="use-bundled" on:click=bundled disabled=parsing>
                    "Use the bundled data set (genres_v2.csv, 42,305 tracks)"
                </button>
            </div>
            {status}
        </section>
    }
}
