//! Explore: the original report's EDA, interactive. For the bundled data it shows the summaries
//! `genre-lens train` wrote at build time (`eda.json`, about 36 KB gzipped: the data set itself
//! is never downloaded); for an uploaded CSV it reads the file and summarises it in the tab.

mod controls;
mod eda_charts;
mod preview;
mod report_protocol;
mod report_run;

use std::sync::Arc;

use genre_core::eda::{summarize, EdaSummary};
use genre_core::ingest::{IngestOptions, IngestReport};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_now;
use crate::charts::fmt_count;
use crate::charts::{width_for_window, ChartWidth, CHART_W};
use crate::components::busy::{Busy, ReadingProgress};
use crate::components::rich_text::rich_text;
use crate::csv_upload::report::IngestReportView;
use crate::csv_upload::sliced::read_csv_sliced;
use crate::csv_upload::{read_file, FileDrop};
use crate::fetch::fetch_text;
use eda_charts::Charts;
use preview::DataPreview;
use report_protocol::ReportComparison;

/// The uploaded file Explore shows (`None`: the bundled data set), for the report comparison
/// to read again in a worker.
type UploadFile = StoredValue<Option<web_sys::File>, LocalStorage>;

pub const EDA_URL: &str = "eda.json";
/// The seed of the scatter sample for uploads (the CLI uses the model's seed, 42, too).
const SAMPLE_SEED: u64 = 42;

/// What the page shows.
#[derive(Clone)]
enum Data {
    Loading(String),
    /// Reading an upload: bytes read so far and the file's size.
    Reading {
        name: String,
        done: usize,
        total: usize,
    },
    Ready {
        summary: Arc<EdaSummary>,
        /// `None` for the bundled data; the file name and what was understood for an upload.
        upload: Option<(String, IngestReport)>,
    },
    Failed(String),
}

/// Explore reads the label when there is one, but a file without genres still gets its
/// correlations; duplicates are dropped as for training, so the bundled figures are comparable.
fn explore_options() -> IngestOptions {
    IngestOptions {
        require_label: false,
        keep_duplicates: false,
        ..IngestOptions::default()
    }
}

fn load_bundled(data: RwSignal<Data>, upload_file: UploadFile) {
    upload_file.set_value(None);
    data.set(Data::Loading("Loading the data set's summaries…".into()));
    spawn_local(async move {
        let result = fetch_text(EDA_URL)
            .await
            .map_err(|e| e.sentence(EDA_URL))
            .and_then(|text| {
                serde_json::from_str::<EdaSummary>(&text)
                    .map_err(|e| format!("{EDA_URL} could not be read: {e}"))
            });
        data.set(match result {
            Ok(summary) => Data::Ready {
                summary: Arc::new(summary),
                upload: None,
            },
            Err(e) => Data::Failed(e),
        });
    });
}

/// Reads an upload and shows its charts. A file that cannot be used leaves the charts shown
/// before in place, with the file's problem above them.
fn load_upload(
    data: RwSignal<Data>,
    error: RwSignal<Option<String>>,
    upload_file: UploadFile,
    file: web_sys::File,
) {
    let name = file.name();
    let previous = data.get_untracked();
    error.set(None);
    let fail = move |message: String| {
        if matches!(previous, Data::Ready { .. }) {
            data.set(previous.clone());
            error.set(Some(message));
        } else {
            data.set(Data::Failed(message));
        }
    };
    data.set(Data::Reading {
        name: name.clone(),
        done: 0,
        total: file.size() as usize,
    });
    spawn_local(async move {
        let upload = match read_file(&file).await {
            Ok(u) => u,
            Err(e) => return fail(e),
        };
        let total = upload.bytes.len();
        let mut progress = |done, _| {
            data.set(Data::Reading {
                name: name.clone(),
                done,
                total,
            })
        };
        let ingested = match read_csv_sliced(&upload.bytes, &explore_options(), &mut progress).await
        {
            Ok(i) => i,
            Err(e) => return fail(format!("{}: {e}", upload.name)),
        };
        // One synchronous pass of the core (tens of ms for 40,000 rows); let the progress bar
        // paint first.
        yield_now().await;
        let summary = summarize(&ingested, SAMPLE_SEED);
        upload_file.set_value(Some(file));
        data.set(Data::Ready {
            summary: Arc::new(summary),
            upload: Some((upload.name, ingested.report)),
        });
    });
}

/// What Explore shows and runs, kept at the app's level: going to another page and back keeps
/// the upload, its charts and a comparison of the protocols (which goes on running meanwhile).
#[derive(Clone, Copy)]
pub struct ExploreState {
    data: RwSignal<Data>,
    upload_file: UploadFile,
    error: RwSignal<Option<String>>,
    comparison: report_protocol::Comparison,
}

/// Explore's state: the app's (see [`ExploreState`]), made on the first call.
pub fn provide_explore_state() -> ExploreState {
    if let Some(state) = use_context::<ExploreState>() {
        return state;
    }
    let data = RwSignal::new(Data::Loading(String::new()));
    let upload_file: UploadFile = StoredValue::new_local(None);
    let state = ExploreState {
        data,
        upload_file,
        error: RwSignal::new(None),
        comparison: report_protocol::Comparison::new(),
    };
    provide_context(state);
    state
}

#[component]
pub fn ExplorePage() -> impl IntoView {
    // The charts are laid out for this window's width when the page opens (a phone gets
    // narrower charts, not cut-off ones).
    let inner = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(CHART_W);
    provide_context(ChartWidth(width_for_window(inner)));
    let ExploreState {
        data,
        upload_file,
        error,
        comparison,
    } = provide_explore_state();
    // The bundled summaries on the first visit (they are the same for the whole visit).
    if matches!(data.get_untracked(), Data::Loading(ref t) if t.is_empty()) {
        load_bundled(data, upload_file);
    }
    let busy =
        Signal::derive(move || matches!(data.get(), Data::Loading(_) | Data::Reading { .. }));
    let on_file = Callback::new(move |file| load_upload(data, error, upload_file, file));
    let showing_upload = move || {
        matches!(
            data.get(),
            Data::Ready {
                upload: Some(_),
                ..
            }
        )
    };

    view! {
        <section class="page-intro">
            <h1>"Explore the data"</h1>
            <p class="lead">
                "The tracks behind the model, genre by genre: how many there are, how each audio \
                 feature is spread, which features move together. Upload your own CSV to see the \
                 same charts for it, computed in this tab."
            </p>
        </section>
        <section class="card source-card" aria-labelledby="explore-source">
            <div class="card-head">
                <h2 id="explore-source">"Data"</h2>
                <button
                    type="button"
                    class="button secondary"
                    id="explore-bundled"
                    hidden=move || !showing_upload()
                    on:click=move |_| {
                        error.set(None);
                        load_bundled(data, upload_file)
                    }
                >
                    "Back to the bundled data set"
                </button>
            </div>
            <FileDrop
                id="explore-file"
                label="Explore your own CSV"
                hint="The genres_v2.csv layout, an Exportify export, or any CSV with audio-feature columns. It stays in this tab."
                on_file=on_file
                disabled=busy
                current=Signal::derive(move || match data.get() {
                    Data::Ready { upload: Some((name, _)), .. } => Some(name),
                    _ => None,
                })
            />
            {move || error.get().map(|e| view! {
                <div class="msg error" id="explore-error" role="alert">
                    {rich_text(&e)}
                    <p class="kept-note">"The charts below are still those of the data shown before."</p>
                </div>
            })}
            {move || status_view(data.get())}
        </section>
        {move || match data.get() {
            Data::Ready { summary, upload } => {
                let name = upload.map_or_else(|| "the bundled genres_v2.csv".to_string(), |(n, _)| n);
                view! {
                    <DataPreview summary=summary.clone() />
                    <Charts summary />
                    <ReportComparison file=upload_file name=Signal::stored(name) state=comparison />
                }
                .into_any()
            }
            _ => ().into_any(),
        }}
    }
}

fn status_view(d: Data) -> AnyView {
    match d {
        Data::Loading(text) => view! {
            <Busy class="loading" text />
        }
        .into_any(),
        Data::Reading { name, done, total } => view! {
            <ReadingProgress id="explore-progress" name done total />
        }
        .into_any(),
        Data::Failed(message) => view! { <p class="msg error" id="explore-error" role="alert">{rich_text(&message)}</p> }.into_any(),
        Data::Ready { summary, upload: None } => view! {
            <p class="source-note" id="explore-source-note">
                {format!(
                    "Showing the bundled data set: {} tracks (after removing exact duplicates) in {} genres, summarised when the model was built.",
                    fmt_count(summary.rows),
                    summary.classes.len()
                )}
            </p>
        }
        .into_any(),
        Data::Ready { summary, upload: Some((name, report)) } => view! {
            <p class="source-note" id="explore-source-note">
                {format!("Showing {name}: {} tracks in {} genres.", fmt_count(summary.rows), summary.classes.len())}
            </p>
            <IngestReportView file_name=name report />
        }
        .into_any(),
    }
}
