//! Step 4: training. The parser worker splits the data (it holds the file); the split goes, as
//! opaque bytes, to the training workers, where `worker::scheduler` runs the models (forests in
//! shares, a few per worker). This page starts and cancels the run and shows each model's
//! progress. The active model is never touched by training (only "use this model" changes it).

use std::sync::Arc;
use std::time::Duration;

use genre_core::corrections::Correction;
use genre_core::model::ModelKind;
use genre_core::train::{self, ModelSpec, TrainOptions};
use js_sys::Uint8Array;
use leptos::prelude::*;

use crate::components::start_cancel::StartCancel;
use leptos::task::spawn_local;

use super::{figures, JobStatus, JobView, ModelResult, TrainState};
use crate::components::busy::progress_bar_transform;
use crate::components::rich_text::rich_text;
use crate::perf::now;
use crate::storage::StoredCorrection;
use crate::worker::pool::Canceller;
use crate::worker::pool::{Lease, WorkerError};
use crate::worker::protocol::DataSummary;
use crate::worker::scheduler::{self, JobEvent, RunEnd, RunPlan};

/// The first thing that stops a training of `options` on the data read (the core's
/// `blockers`), in words: the run and the search refuse to start on it alike.
pub(super) fn first_blocker(summary: &DataSummary, options: &TrainOptions) -> Option<String> {
    train::blockers(
        &summary.report.class_counts,
        options.test_fraction,
        options.balance,
    )
    .first()
    .map(ToString::to_string)
}

/// Shows what the scheduler reports about `job` (the model called `name`).
fn show(job: &JobView, name: &str, event: JobEvent) {
    let status = match event {
        JobEvent::Progress {
            done,
            total,
            stops_by,
            started,
        } => JobStatus::Running {
            done,
            total,
            stops_by,
            started,
        },
        // The details (a confusion matrix of every genre pair) open when the user picks a
        // model, not by themselves mid-training: drawing them is the one costly render here.
        JobEvent::Trained { file, wall_ms } => JobStatus::Done(Arc::new(ModelResult {
            kind: job.kind,
            name: name.to_string(),
            summary: file.summary,
            file: file.file,
            wall_ms,
            saved_id: ArcRwSignal::new(None),
        })),
        JobEvent::Failed(WorkerError::Cancelled) => JobStatus::Cancelled,
        JobEvent::Failed(e) => JobStatus::Failed(e),
    };
    job.status.set(status);
}

/// Starts a training run with the current options (does nothing visible but an error if the
/// options or the data do not allow it).
pub fn start_training(page: TrainState) {
    start_run(page, Vec::new());
}

/// The same with the user's corrections added to the training part (see
/// `genre_core::train::add_corrections`).
pub fn start_training_with_corrections(page: TrainState) {
    let corrections = page.corrections.get_untracked();
    if corrections.is_empty() {
        return page
            .run_error
            .set(Some("There are no corrections to train with.".into()));
    }
    start_run(page, corrections);
}

fn start_run(page: TrainState, corrections: Vec<StoredCorrection>) {
    if page.working_untracked() {
        return;
    }
    let Some(summary) = page.summary() else {
        return;
    };
    // Option problems are shown at their fields and summed up by `RunCard` while they last.
    let Some((options, specs, workers)) = page.options.build() else {
        return page.run_error.set(None);
    };
    if let Some(b) = first_blocker(&summary, &options) {
        return page.run_error.set(Some(b));
    }
    page.run_error.set(None);
    page.running.set(true);
    let jobs = new_jobs(page, &specs);
    page.run_corrections
        .set(corrections.iter().map(|c| c.id.clone()).collect());
    let data_file = summary.file_name.clone();
    let with = match corrections.len() {
        0 => String::new(),
        1 => " + 1 correction".to_string(),
        n => format!(" + {n} corrections"),
    };
    let corrections: Vec<Correction> = corrections.into_iter().map(|c| c.correction).collect();
    spawn_local(async move {
        let split = super::data_in::split_for_training(
            page,
            options,
            data_file.clone(),
            corrections,
            workers,
        )
        .await;
        let (split, workers) = match split {
            Ok(split) => split,
            Err(e) => {
                if e != WorkerError::Cancelled {
                    page.run_error.set(Some(e.to_string()));
                }
                jobs.iter().for_each(|j| j.status.set(JobStatus::Cancelled));
                return page.running.set(false);
            }
        };
        if !page.running.get_untracked() {
            return; // cancelled while splitting
        }
        let names: Vec<String> = specs
            .iter()
            .map(|s| format!("{} · {}{with}", s.kind().label(), data_file))
            .collect();
        let plan = RunPlan {
            names,
            specs,
            trained_at: crate::storage::timestamp(),
            workers,
            note: String::new(),
        };
        train_jobs(page, jobs, split.data, plan).await;
    });
}

/// The jobs of a new run, queued, in place of the last run's.
pub(super) fn new_jobs(page: TrainState, specs: &[ModelSpec]) -> Vec<JobView> {
    let jobs: Vec<JobView> = specs
        .iter()
        .map(|s| JobView {
            kind: s.kind(),
            status: ArcRwSignal::new(JobStatus::Queued),
        })
        .collect();
    page.jobs.set(jobs.clone());
    page.selected.set(None);
    jobs
}

/// Trains `plan`'s models on the split `data` and shows what happens to each of `jobs`: the
/// one training path, for a run and for the auto-tuned model (`tune.rs`).
pub(super) async fn train_jobs(
    page: TrainState,
    jobs: Vec<JobView>,
    data: Uint8Array,
    plan: RunPlan,
) -> RunEnd {
    let names = plan.names.clone();
    let lease = Lease::new();
    page.trainers.set_value(lease.canceller());
    let end = scheduler::run(data, plan, lease, move |j, event| {
        show(&jobs[j], &names[j], event)
    })
    .await;
    if end == RunEnd::Finished {
        page.running.set(false);
    }
    end
}

/// Stops the run now: its training workers are terminated (and respawned on the next run).
pub fn cancel_training(page: TrainState) {
    page.trainers.with_value(Canceller::cancel);
    page.jobs.with_untracked(|jobs| {
        for j in jobs {
            if !matches!(
                j.status.get_untracked(),
                JobStatus::Done(_) | JobStatus::Failed(_)
            ) {
                j.status.set(JobStatus::Cancelled);
            }
        }
    });
    page.running.set(false);
}

fn unit(kind: ModelKind) -> &'static str {
    match kind {
        ModelKind::RandomForest | ModelKind::Bagging => "trees",
        ModelKind::GradientBoosting => "rounds",
        ModelKind::Svc => "epochs",
        ModelKind::Knn | ModelKind::DecisionTree => "steps",
    }
}

#[component]
fn JobRow(job: JobView, tick: RwSignal<f64>) -> impl IntoView {
    // This view's handle on the run's status: disposed with the view, the status lives on.
    let status = RwSignal::from(job.status);
    let kind = job.kind;
    let fraction = move || match status.get() {
        JobStatus::Running { done, total, .. } if total > 0 => done as f64 / total as f64,
        JobStatus::Done(_) => 1.0,
        _ => 0.0,
    };
    let text = move || {
        let t = tick.get();
        match status.get() {
            JobStatus::Queued => "Waiting for a worker…".to_string(),
            JobStatus::Running {
                done,
                total,
                stops_by,
                started,
            } => {
                let elapsed = (t.max(now()) - started).max(0.0);
                format!(
                    "{done} / {total} {} · {}{}",
                    unit(kind),
                    figures::seconds(elapsed),
                    figures::time_left(elapsed, done, total, stops_by)
                )
            }
            JobStatus::Done(r) => format!(
                "Done in {} · accuracy {}",
                figures::seconds(r.wall_ms),
                figures::pct(r.summary.metrics.accuracy)
            ),
            JobStatus::Failed(e) => e.to_string(),
            JobStatus::Cancelled => "Cancelled".to_string(),
        }
    };
    let state = move || match status.get() {
        JobStatus::Queued => "queued",
        JobStatus::Running { .. } => "running",
        JobStatus::Done(_) => "done",
        JobStatus::Failed(_) => "failed",
        JobStatus::Cancelled => "cancelled",
    };
    view! {
        <li
            class=move || format!("job job-{}", state())
            id=format!("job-{}", kind.code())
            data-wall-ms=move || match status.get() {
                JobStatus::Done(r) => Some(format!("{:.0}", r.wall_ms)),
                _ => None,
            }
        >
            <span class="job-name">{kind.label()}</span>
            <div
                class="progress"
                role="progressbar"
                aria-label=format!("{} progress", kind.label())
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", fraction() * 100.0)
            >
                <div class="progress-bar" style:transform=move || progress_bar_transform(fraction())></div>
            </div>
            <span class="job-status">{move || rich_text(&text())}</span>
        </li>
    }
}

#[component]
pub fn RunCard() -> impl IntoView {
    let page = TrainState::use_state();
    let tick = RwSignal::new(now());
    // Elapsed times move even while a model reports no progress (a decision tree fits in one go).
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if page.running.get_untracked() {
                tick.set(now());
            }
        },
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let jobs = move || {
        page.jobs
            .get()
            .into_iter()
            .map(|job| view! { <JobRow job=job tick=tick /> })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="run-title">
            <h2 id="run-title"><super::StepNumber step=super::Step::Run />"Train"</h2>
            <div class="run-actions">
                <StartCancel name="train" labels=("Train the selected models", "Cancel")
                    on_start=move || start_training(page) on_cancel=move || cancel_training(page)
                    disabled=Signal::derive(move || page.working() || page.training_blocked())
                    running=page.running />
                <span class="hint">
                    {move || format!(
                        "Runs in background workers ({} for the forests); the page stays usable.",
                        page.options.fields.with(|f| f.get("workers").cloned().unwrap_or_default())
                    )}
                </span>
            </div>
            {move || page.workers_note.get().map(|n| view! { <p class="msg info" id="workers-note" role="status">{n}</p> })}
            {move || {
                let options_invalid = page.summary().is_some()
                    && !page.options.errors.with(|e| e.is_empty());
                options_invalid.then(|| view! {
                    <p class="msg error" id="options-error" role="alert">
                        "Some options need fixing (see the marked fields)."
                    </p>
                })
            }}
            {move || page.run_error.get().map(|e| view! { <p class="msg error" id="run-error" role="alert">{rich_text(&e)}</p> })}
            <ul class="jobs" id="jobs">{jobs}</ul>
        </section>
    }
}
