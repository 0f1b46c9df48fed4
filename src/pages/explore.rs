//! Explore: the original report's EDA, interactive. For the bundled data it shows the summaries
//! `genre-lens train` wrote at build time (`eda.json`, about 36 KB gzipped: the data set itself
//! is never downloaded); for an uploaded CSV it reads the file and summarises it in the tab.

mod controls;
mod preview;
mod report_protocol;

use std::sync::Arc;

use genre_core::eda::{summarize, EdaSummary};
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::ingest::{IngestOptions, IngestReport};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::charts::box_plot::BoxPlot;
use crate::charts::class_counts::ClassCounts;
use crate::charts::fmt_count;
use crate::charts::heatmap::CorrelationHeatmap;
use crate::charts::histogram::Histogram;
use crate::charts::scatter::Scatter;
use crate::charts::{width_for_window, ChartWidth, CHART_W};
use crate::components::busy::{Busy, ReadingProgress};
use crate::components::rich_text::rich_text;
use crate::csv_upload::report::IngestReportView;
use crate::csv_upload::sliced::read_csv_sliced;
use crate::csv_upload::{read_file, yield_now, FileDrop};
use crate::fetch::fetch_text;
use controls::{FeatureSelect, GenrePicker};
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
        let result = fetch_text(EDA_URL).await.and_then(|text| {
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

#[component]
pub fn ExplorePage() -> impl IntoView {
    // The charts are laid out for this window's width when the page opens (a phone gets
    // narrower charts, not cut-off ones).
    let inner = web_sys::window()
        .and_then(|w| w.inner_width().ok())
        .and_then(|v| v.as_f64())
        .unwrap_or(CHART_W);
    provide_context(ChartWidth(width_for_window(inner)));
    let data = RwSignal::new(Data::Loading(String::new()));
    let upload_file: UploadFile = StoredValue::new_local(None);
    load_bundled(data, upload_file);
    let busy =
        Signal::derive(move || matches!(data.get(), Data::Loading(_) | Data::Reading { .. }));
    let error = RwSignal::new(None::<String>);
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
                    <ReportComparison file=upload_file name=Signal::stored(name) />
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

/// The charts for one summary. Controls keep their state while the summary stays the same.
#[component]
fn Charts(summary: Arc<EdaSummary>) -> impl IntoView {
    let features: Vec<Feature> = summary.features.iter().map(|f| f.feature).collect();
    let has_classes = !summary.classes.is_empty();
    let first = |wanted: Feature| {
        if features.contains(&wanted) {
            wanted
        } else {
            features.first().copied().unwrap_or(wanted)
        }
    };
    let feature = RwSignal::new(first(Feature::Energy));
    let capped = RwSignal::new(false);
    let can_cap = summary.features.iter().any(|f| !f.capped_boxes.is_empty());
    let x_feature = RwSignal::new(first(Feature::Tempo));
    let y_feature = RwSignal::new(first(Feature::Danceability));
    // A few contrasting genres to start with: the largest four.
    let mut by_size: Vec<usize> = (0..summary.classes.len()).collect();
    by_size.sort_by(|&a, &b| summary.class_counts[b].cmp(&summary.class_counts[a]));
    let mut start: Vec<usize> = by_size.into_iter().take(4).collect();
    start.sort_unstable();
    let selected = RwSignal::new(start);
    let s = StoredValue::new(summary.clone());

    let feature_summary = move || {
        s.with_value(|s| {
            s.features
                .iter()
                .find(|f| f.feature == feature.get())
                .cloned()
        })
    };
    // The box plot shows the boxes after the report's 1.5×IQR capping when asked.
    let box_summary = move || {
        feature_summary().map(|mut fs| {
            if capped.get() && !fs.capped_boxes.is_empty() {
                fs.boxes = std::mem::take(&mut fs.capped_boxes);
            }
            fs
        })
    };
    let no_labels = (!has_classes).then(|| {
        view! {
            <p class="msg warn" id="explore-no-genre">
                "This file has no genre column, so the per-genre charts (class counts, box plots, \
                 distributions, scatter) are left out; the correlations below use every row."
            </p>
        }
    });
    let classes: Vec<String> = summary.classes.iter().map(|c| display_name(c)).collect();
    let per_genre = has_classes.then(|| {
        let c1 = classes.clone();
        let c2 = classes.clone();
        let c3 = classes.clone();
        view! {
            <section class="card" aria-labelledby="h-counts">
                <h2 id="h-counts">"Class counts"</h2>
                <ClassCounts classes=classes.clone() counts=summary.class_counts.clone() />
            </section>
            <section class="card" aria-labelledby="h-feature">
                <div class="card-head">
                    <h2 id="h-feature">"One feature, genre by genre"</h2>
                    <div class="controls">
                        <FeatureSelect id="explore-feature" label="Feature" features=features.clone() value=feature />
                        {can_cap.then(|| view! {
                            <label class="check" for="explore-capped">
                                <input
                                    type="checkbox"
                                    id="explore-capped"
                                    prop:checked=move || capped.get()
                                    on:change=move |ev| capped.set(event_target_checked(&ev))
                                />
                                "After 1.5×IQR capping"
                            </label>
                        })}
                    </div>
                </div>
                {move || capped.get().then(|| view! {
                    <p class="card-sub" id="explore-capped-note">
                        "Each feature capped at Q1 − 1.5 IQR and Q3 + 1.5 IQR over all tracks, as \
                         the report did before training (the model's outlier capping uses the same \
                         limits, fitted on its training part)."
                    </p>
                })}
                {move || box_summary().map(|fs| view! { <BoxPlot classes=c1.clone() summary=fs /> })}
                <GenrePicker classes=c2.clone() selected />
                {move || feature_summary().map(|fs| view! { <Histogram classes=c3.clone() summary=fs selected=selected.get() /> })}
            </section>
        }
    });
    let c4 = classes.clone();
    let scatter = has_classes.then(|| {
        view! {
            <section class="card" aria-labelledby="h-scatter">
                <div class="card-head">
                    <h2 id="h-scatter">"Two features at once"</h2>
                    <div class="controls">
                        <FeatureSelect id="scatter-x" label="Across" features=features.clone() value=x_feature />
                        <FeatureSelect id="scatter-y" label="Up" features=features.clone() value=y_feature />
                    </div>
                </div>
                <p class="card-sub">"The genres ticked under “Genres to compare” above."</p>
                {move || view! {
                    <Scatter
                        classes=c4.clone()
                        sample=s.with_value(|s| s.scatter.clone())
                        x_feature=x_feature.get()
                        y_feature=y_feature.get()
                        selected=selected.get()
                    />
                }}
            </section>
        }
    });
    view! {
        {no_labels}
        {per_genre}
        <section class="card" aria-labelledby="h-corr">
            <h2 id="h-corr">"Which features move together"</h2>
            <CorrelationHeatmap features=summary.correlation_features.clone() matrix=summary.correlation.clone() />
        </section>
        {scatter}
    }
}
