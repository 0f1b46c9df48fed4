//! Batch: a CSV of tracks in, a table of predictions out, scored against the file's genres when
//! it has them, downloadable as CSV. Reading and predicting run in slices on the main thread
//! (see `csv_upload::sliced` and `run::predict_all`), so even 100,000 rows never block the page
//! for more than a few milliseconds at a time.

mod download;
#[cfg(test)]
mod golden;
mod metrics_panel;
mod results;
pub mod run;
mod table;

use std::sync::Arc;

use genre_core::ingest::{IngestOptions, IngestReport, RecordSpans};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::browser::yield_now;
use crate::charts::fmt_count;
use crate::components::busy::{Busy, ReadingProgress};
use crate::components::rich_text::rich_text;
use crate::csv_upload::report::IngestReportView;
use crate::csv_upload::sliced::read_csv_sliced;
use crate::csv_upload::{read_file, FileDrop, Upload};
use crate::model_store::{ModelState, ModelStore};
use crate::perf::{mark, now};
use results::Results;
use run::{predict_all, score, Row, Score};

/// Everything a finished run shows.
pub struct BatchResult {
    pub file_name: String,
    pub report: IngestReport,
    /// Where each row of the file lies in it, for the download.
    pub spans: Arc<RecordSpans>,
    pub rows: Arc<Vec<Row>>,
    /// The model's genres (prediction indices) and the file's (truth indices).
    pub classes: Arc<Vec<String>>,
    pub file_classes: Arc<Vec<String>>,
    pub score: Option<Score>,
    pub model_name: String,
    /// The model's features, in the order of each row's `values`.
    pub features: Arc<Vec<genre_core::feature::Feature>>,
    pub read_ms: f64,
    pub predict_ms: f64,
}

#[derive(Clone)]
enum RunStatus {
    Idle,
    WaitingForModel,
    Reading {
        name: String,
        done: usize,
        total: usize,
    },
    Predicting {
        done: usize,
        total: usize,
    },
    Failed {
        message: String,
        report: Option<(String, IngestReport)>,
    },
    Done(Arc<BatchResult>),
}

/// The results on screen and the file they came from. A new file replaces them only once it
/// has been predicted: a file that cannot be used leaves them (and their download) as they were.
#[derive(Clone, Copy)]
struct Shown {
    outcome: RwSignal<Option<Arc<BatchResult>>>,
    upload: RwSignal<Option<Upload>>,
}

/// Reads, checks and predicts the upload with the active model. `generation` drops the results
/// of a run a newer upload (or model) has replaced; only a finished run replaces `shown`.
fn start_run(
    stage: RwSignal<RunStatus>,
    upload: Upload,
    store: ModelStore,
    generation: RwSignal<u64>,
    shown: Shown,
) {
    let model = match store.state.get_untracked() {
        ModelState::Ready(m) => m,
        ModelState::Loading => return stage.set(RunStatus::WaitingForModel),
        ModelState::Failed(e) => {
            return stage.set(RunStatus::Failed {
                message: format!("No model to predict with: {e}"),
                report: None,
            })
        }
    };
    generation.update(|g| *g += 1);
    let me = generation.get_untracked();
    let current = move || generation.get_untracked() == me;
    mark("batch-start");
    spawn_local(async move {
        let t0 = now();
        let total = upload.bytes.len();
        let name = upload.name.clone();
        stage.set(RunStatus::Reading {
            name: name.clone(),
            done: 0,
            total,
        });
        let mut on_read = |done, total| {
            if current() {
                stage.set(RunStatus::Reading {
                    name: name.clone(),
                    done,
                    total,
                });
            }
        };
        let read = read_csv_sliced(
            &upload.bytes,
            &IngestOptions::for_prediction(),
            &mut on_read,
        )
        .await;
        if !current() {
            return;
        }
        let data = match read {
            Ok(d) => d,
            Err(e) => {
                return stage.set(RunStatus::Failed {
                    message: format!("{}: {e}", upload.name),
                    report: None,
                })
            }
        };
        if let Err(e) = model.check_input(&data.present) {
            return stage.set(RunStatus::Failed {
                message: format!("{}: {e}", upload.name),
                report: Some((upload.name.clone(), data.report)),
            });
        }
        let t1 = now();
        let mut on_predict = |done, total| {
            if current() {
                stage.set(RunStatus::Predicting { done, total });
            }
        };
        let rows = predict_all(&model, &data, &mut on_predict).await;
        if !current() {
            return;
        }
        let t2 = now();
        // Scoring and the first render of the results are separate tasks.
        yield_now().await;
        let score = score(&rows, &data.classes, &model.classes);
        yield_now().await;
        if !current() {
            return;
        }
        let outcome = Arc::new(BatchResult {
            file_name: upload.name.clone(),
            report: data.report,
            spans: Arc::new(data.spans),
            rows: Arc::new(rows),
            classes: Arc::new(model.classes.clone()),
            file_classes: Arc::new(data.classes),
            score,
            model_name: model.meta.name.clone(),
            features: Arc::new(model.features().as_slice().to_vec()),
            read_ms: t1 - t0,
            predict_ms: t2 - t1,
        });
        stage.set(RunStatus::Done(outcome.clone()));
        // Replacing a big table is two tasks: take the old results down, then draw the new ones
        // (in one task the two together can pass the 50 ms long-task line).
        if shown.outcome.with_untracked(Option::is_some) {
            shown.outcome.set(None);
            yield_now().await;
            if !current() {
                return;
            }
        }
        shown.upload.set(Some(upload));
        shown.outcome.set(Some(outcome));
        // The scores are drawn in this task and the table in the next (see `Results`): mark
        // "shown" for the measurements once both are in the DOM.
        yield_now().await;
        yield_now().await;
        if current() {
            mark("batch-shown");
        }
    });
}

/// Batch's state, kept at the app's level: going to another page and back keeps the
/// predictions and their download, and a run under way goes on.
#[derive(Clone, Copy)]
pub struct BatchState {
    stage: RwSignal<RunStatus>,
    shown: Shown,
    /// The file chosen last, to run once the model has loaded (it may not be the one shown).
    pending: RwSignal<Option<Upload>>,
    generation: RwSignal<u64>,
    /// The model the shown predictions were made with, to predict again only when it changes.
    predicted_with: StoredValue<Option<ModelState>>,
}

/// Batch's state: the app's (see [`BatchState`]), made on the first call.
pub fn provide_batch_state() -> BatchState {
    if let Some(state) = use_context::<BatchState>() {
        return state;
    }
    let state = BatchState {
        stage: RwSignal::new(RunStatus::Idle),
        shown: Shown {
            outcome: RwSignal::new(None),
            upload: RwSignal::new(None),
        },
        pending: RwSignal::new(None),
        generation: RwSignal::new(0),
        predicted_with: StoredValue::new(None),
    };
    provide_context(state);
    state
}

#[component]
pub fn BatchPage() -> impl IntoView {
    let store = ModelStore::use_store();
    let BatchState {
        stage,
        shown,
        pending,
        generation,
        predicted_with,
    } = provide_batch_state();

    // Predict again whenever the active model changes (Train's "use this model", a reload), but
    // not merely because the page is shown again.
    Effect::new(move |_| {
        let model = store.state.get();
        if predicted_with.with_value(|m| m.as_ref() == Some(&model)) {
            return;
        }
        predicted_with.set_value(Some(model));
        let waiting = pending.try_update(Option::take).flatten();
        if let Some(u) = waiting.or_else(|| shown.upload.get_untracked()) {
            start_run(stage, u, store, generation, shown);
        }
    });

    let on_file = Callback::new(move |file: web_sys::File| {
        spawn_local(async move {
            match read_file(&file).await {
                Ok(u) => {
                    if matches!(store.state.get_untracked(), ModelState::Loading) {
                        pending.set(Some(u.clone()));
                    }
                    start_run(stage, u, store, generation, shown);
                }
                Err(e) => stage.set(RunStatus::Failed {
                    message: e,
                    report: None,
                }),
            }
        });
    });
    let busy = Signal::derive(move || {
        matches!(
            stage.get(),
            RunStatus::Reading { .. } | RunStatus::Predicting { .. }
        )
    });

    view! {
        <section class="page-intro">
            <h1>"Predict a whole file"</h1>
            <p class="lead">
                "Choose a CSV of tracks: every row gets a genre, a confidence and the runners-up. \
                 If the file has a genre column, you also see how often the model was right. \
                 The file stays in this tab."
            </p>
        </section>
        <section class="card" aria-labelledby="h-batch-file">
            <h2 id="h-batch-file">"Your file"</h2>
            <FileDrop
                id="batch-file"
                label="Choose a CSV of tracks"
                hint="The genres_v2.csv layout, an Exportify playlist export, or any CSV with the audio-feature columns."
                on_file=on_file
                disabled=busy
                current=Signal::derive(move || shown.upload.with(|u| u.as_ref().map(|u| u.name.clone())))
            />
            {move || stage_view(stage.get(), shown.outcome.get())}
        </section>
        {move || shown.outcome.get().map(|o| view! { <Results outcome=o upload=shown.upload /> })}
    }
}

fn stage_view(s: RunStatus, shown: Option<Arc<BatchResult>>) -> AnyView {
    match s {
        RunStatus::Idle => ().into_any(),
        RunStatus::WaitingForModel => view! {
            <Busy class="loading" text="Waiting for the model to load…" />
        }
        .into_any(),
        RunStatus::Reading { name, done, total } => view! {
            <ReadingProgress id="batch-progress" name done total />
        }
        .into_any(),
        RunStatus::Predicting { done, total } => view! {
            <div class="progress-line" role="status">
                <label for="batch-progress">{format!("Predicting {} of {} rows…", fmt_count(done as u64), fmt_count(total as u64))}</label>
                <progress id="batch-progress" max=total.max(1) value=done></progress>
            </div>
        }
        .into_any(),
        RunStatus::Failed { message, report } => view! {
            <div class="msg error" id="batch-error" role="alert">
                {rich_text(&message)}
                {shown.map(|o| view! {
                    <p class="kept-note" id="batch-kept">
                        {format!("The predictions below are still those of {}.", o.file_name)}
                    </p>
                })}
            </div>
            {report.map(|(name, report)| view! { <IngestReportView file_name=name report /> })}
        }
        .into_any(),
        RunStatus::Done(o) => view! {
            <IngestReportView file_name=o.file_name.clone() report=o.report.clone() />
        }
        .into_any(),
    }
}
