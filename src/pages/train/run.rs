//! Step 4: training. The parser worker splits the data (it holds the file); the split goes, as
//! opaque bytes, to N long-lived training workers ("lanes"). A forest is cut into N shares of
//! trees (tree i always uses the seed derived for i, so the merged forest equals one run), then
//! merged and scored by whichever lane finished the last share; other models take one lane each.
//! Cancel terminates the training workers, which really stops the work; the active model is
//! never touched by training (only "use this model" changes it).

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::rc::Rc;
use std::sync::Arc;
use std::time::Duration;

use genre_core::model::ModelKind;
use genre_core::train::ModelSpec;
use js_sys::Uint8Array;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{logic, JobStatus, JobView, ModelResult, TrainState};
use crate::components::rich_text::rich_text;
use crate::worker::pool::{self, parser, trainer, Answer, WorkerClient, WorkerError};
use crate::worker::protocol::{shares, Request, Response};

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

enum Task {
    Whole(usize),
    Share(usize, usize, std::ops::Range<usize>),
    Finish(usize),
}

struct Plan {
    jobs: Vec<JobView>,
    specs: Vec<ModelSpec>,
    names: Vec<String>,
    trained_at: String,
    data_id: u64,
    data: Uint8Array,
    queue: RefCell<VecDeque<Task>>,
    /// Per job: finished shares (in share order) and trees done per share.
    shares: RefCell<Vec<Vec<Option<Uint8Array>>>>,
    share_done: RefCell<HashMap<(usize, usize), u64>>,
    started: RefCell<Vec<Option<f64>>>,
    cancelled: Cell<bool>,
    /// Per lane: the worker and the job whose forest share it is training right now, so a
    /// failed share can stop its sibling shares instead of letting them run to the end.
    lanes: Vec<WorkerClient>,
    sharing: RefCell<Vec<Option<usize>>>,
}

thread_local! {
    static CURRENT: RefCell<Option<Rc<Plan>>> = const { RefCell::new(None) };
    static DATA_ID: Cell<u64> = const { Cell::new(1) };
}

impl Plan {
    fn next_task(&self) -> Option<Task> {
        if self.cancelled.get() {
            return None;
        }
        let mut q = self.queue.borrow_mut();
        // Skip the remaining tasks of a job that already failed.
        while let Some(t) = q.pop_front() {
            let j = match &t {
                Task::Whole(j) | Task::Share(j, ..) | Task::Finish(j) => *j,
            };
            if matches!(self.jobs[j].status.get_untracked(), JobStatus::Failed(_)) {
                continue;
            }
            return Some(t);
        }
        None
    }

    fn start(&self, j: usize) -> f64 {
        let mut s = self.started.borrow_mut();
        *s[j].get_or_insert_with(now)
    }

    fn progress(&self, j: usize, share: Option<usize>, done: u64, total: u64) {
        let started = self.start(j);
        let (done, total) = match share {
            None => (done, total),
            Some(k) => {
                let mut d = self.share_done.borrow_mut();
                d.insert((j, k), done);
                let sum = d
                    .iter()
                    .filter(|((jj, _), _)| *jj == j)
                    .map(|(_, v)| *v)
                    .sum();
                (sum, self.specs[j].work_units() as u64)
            }
        };
        self.jobs[j].status.set(JobStatus::Running {
            done,
            total,
            started,
        });
    }

    fn failed(&self, j: usize, e: WorkerError) {
        if matches!(self.jobs[j].status.get_untracked(), JobStatus::Failed(_)) {
            // The first failure is the one to show: a sibling share stopped because of it
            // comes back as cancelled.
            return;
        }
        let status = match e {
            WorkerError::Cancelled => JobStatus::Cancelled,
            e => JobStatus::Failed(e.to_string()),
        };
        let failed = matches!(status, JobStatus::Failed(_));
        self.jobs[j].status.set(status);
        if failed {
            // The forest cannot be completed: stop the lanes still training its other shares
            // (their workers restart for their next task).
            let busy: Vec<usize> = self
                .sharing
                .borrow()
                .iter()
                .enumerate()
                .filter(|(_, s)| **s == Some(j))
                .map(|(lane, _)| lane)
                .collect();
            for lane in busy {
                self.lanes[lane].terminate();
            }
        }
    }

    fn trained(&self, j: usize, answer: Answer) {
        let Answer { response, bytes } = answer;
        let (Response::Trained(summary), Some(file)) = (response, bytes.first()) else {
            return self.failed(
                j,
                WorkerError::Failed("Unexpected answer from the worker.".into()),
            );
        };
        let started = self.started.borrow()[j].unwrap_or_else(now);
        let result = ModelResult {
            kind: self.specs[j].kind(),
            name: self.names[j].clone(),
            summary,
            file: file.to_vec(),
            wall_ms: now() - started,
            saved_id: RwSignal::new(None),
        };
        // The details (a confusion matrix of every genre pair) open when the user picks a model,
        // not by themselves mid-training: drawing them is the one costly render on this page.
        self.jobs[j].status.set(JobStatus::Done(Arc::new(result)));
    }

    fn train_request(&self, j: usize, share: Option<std::ops::Range<usize>>) -> Request {
        Request::Train {
            data_id: self.data_id,
            spec: self.specs[j].clone(),
            share,
            name: self.names[j].clone(),
            trained_at: self.trained_at.clone(),
        }
    }
}

async fn lane(plan: Rc<Plan>, lane: usize) {
    let worker = plan.lanes[lane].clone();
    while let Some(task) = plan.next_task() {
        match task {
            Task::Whole(j) => {
                plan.start(j);
                let p = plan.clone();
                let r = worker
                    .request(
                        &plan.train_request(j, None),
                        None,
                        std::slice::from_ref(&plan.data),
                        move |d, t| p.progress(j, None, d, t),
                    )
                    .await;
                match r {
                    Ok(a) => plan.trained(j, a),
                    Err(e) => plan.failed(j, e),
                }
            }
            Task::Share(j, k, range) => {
                plan.start(j);
                let p = plan.clone();
                plan.sharing.borrow_mut()[lane] = Some(j);
                let r = worker
                    .request(
                        &plan.train_request(j, Some(range)),
                        None,
                        std::slice::from_ref(&plan.data),
                        move |d, t| p.progress(j, Some(k), d, t),
                    )
                    .await;
                plan.sharing.borrow_mut()[lane] = None;
                match r {
                    Ok(Answer { bytes, .. }) if !bytes.is_empty() => {
                        let all_done = {
                            let mut s = plan.shares.borrow_mut();
                            s[j][k] = Some(bytes[0].clone());
                            s[j].iter().all(Option::is_some)
                        };
                        if all_done {
                            // Merge and score next, on this lane, before other waiting work.
                            plan.queue.borrow_mut().push_front(Task::Finish(j));
                        }
                    }
                    Ok(_) => plan.failed(
                        j,
                        WorkerError::Failed("A forest share came back empty.".into()),
                    ),
                    Err(e) => plan.failed(j, e),
                }
            }
            Task::Finish(j) => {
                // The shares go to the merging worker (moved, not copied: they are big and
                // the page has no further use for them); the split is copied, lanes reuse it.
                let shares: Vec<Uint8Array> = plan.shares.borrow_mut()[j]
                    .iter_mut()
                    .filter_map(Option::take)
                    .collect();
                let request = Request::Finish {
                    data_id: plan.data_id,
                    spec: plan.specs[j].clone(),
                    name: plan.names[j].clone(),
                    trained_at: plan.trained_at.clone(),
                };
                let answer = worker
                    .request_moving(
                        &request,
                        None,
                        std::slice::from_ref(&plan.data),
                        &shares,
                        |_, _| {},
                    )
                    .await;
                match answer {
                    Ok(a) => plan.trained(j, a),
                    Err(e) => plan.failed(j, e),
                }
            }
        }
    }
}

/// Starts a training run with the current options (does nothing visible but an error if the
/// options or the data do not allow it).
pub fn start_training(st: TrainState) {
    if st.running.get_untracked() {
        return;
    }
    let Some(summary) = st.summary() else {
        return;
    };
    // Option problems are shown at their fields and summed up by `RunCard` while they last.
    let Ok((options, specs, workers)) = st.options.build() else {
        return st.run_error.set(None);
    };
    let blockers = logic::blockers(
        &summary.report.class_counts,
        options.test_fraction,
        options.balance,
    );
    if let Some(b) = blockers.first() {
        return st.run_error.set(Some(b.clone()));
    }
    st.run_error.set(None);
    st.running.set(true);
    let jobs: Vec<JobView> = specs
        .iter()
        .map(|s| JobView {
            kind: s.kind(),
            status: RwSignal::new(JobStatus::Queued),
        })
        .collect();
    st.jobs.set(jobs.clone());
    st.selected.set(None);
    let data_file = summary.file_name.clone();
    spawn_local(async move {
        let prepared = async {
            super::data_in::ensure_parsed(st).await?;
            parser()
                .request(
                    &Request::Prepare {
                        options,
                        data_file: data_file.clone(),
                    },
                    None,
                    &[],
                    |_, _| {},
                )
                .await
        }
        .await;
        let data = match prepared {
            Ok(Answer { bytes, .. }) if !bytes.is_empty() => bytes[0].clone(),
            Ok(_) => {
                st.run_error
                    .set(Some("The data could not be split.".into()));
                jobs.iter().for_each(|j| j.status.set(JobStatus::Cancelled));
                return st.running.set(false);
            }
            Err(e) => {
                if e != WorkerError::Cancelled {
                    st.run_error.set(Some(e.to_string()));
                }
                jobs.iter().for_each(|j| j.status.set(JobStatus::Cancelled));
                return st.running.set(false);
            }
        };
        if !st.running.get_untracked() {
            return; // cancelled while splitting
        }
        let mut queue = VecDeque::new();
        let mut share_slots = Vec::new();
        for (j, spec) in specs.iter().enumerate() {
            match spec {
                ModelSpec::Forest(p) | ModelSpec::Bagging(p) if workers > 1 => {
                    let parts = shares(p.0.n_trees, workers);
                    share_slots.push(vec![None; parts.len()]);
                    for (k, r) in parts.into_iter().enumerate() {
                        queue.push_back(Task::Share(j, k, r));
                    }
                }
                _ => {
                    share_slots.push(Vec::new());
                    queue.push_back(Task::Whole(j));
                }
            }
        }
        let data_id = DATA_ID.with(|d| {
            let v = d.get();
            d.set(v + 1);
            v
        });
        let n_jobs = specs.len();
        let plan = Rc::new(Plan {
            names: specs
                .iter()
                .map(|s| format!("{} · {}", s.kind().label(), data_file))
                .collect(),
            jobs,
            specs,
            trained_at: crate::storage::timestamp(),
            data_id,
            data,
            queue: RefCell::new(queue),
            shares: RefCell::new(share_slots),
            share_done: RefCell::new(HashMap::new()),
            started: RefCell::new(vec![None; n_jobs]),
            cancelled: Cell::new(false),
            lanes: (0..workers).map(trainer).collect(),
            sharing: RefCell::new(vec![None; workers]),
        });
        CURRENT.with_borrow_mut(|c| *c = Some(plan.clone()));
        let lanes = (0..workers).map(|i| lane(plan.clone(), i));
        futures::future::join_all(lanes).await;
        CURRENT.with_borrow_mut(|c| {
            if c.as_ref().is_some_and(|p| Rc::ptr_eq(p, &plan)) {
                *c = None;
            }
        });
        if !plan.cancelled.get() {
            st.running.set(false);
        }
    });
}

/// Stops the run now: the training workers are terminated (and respawned on the next run).
pub fn cancel_training(st: TrainState) {
    if let Some(plan) = CURRENT.with_borrow_mut(Option::take) {
        plan.cancelled.set(true);
    }
    pool::cancel_training();
    st.jobs.with_untracked(|jobs| {
        for j in jobs {
            if !matches!(
                j.status.get_untracked(),
                JobStatus::Done(_) | JobStatus::Failed(_)
            ) {
                j.status.set(JobStatus::Cancelled);
            }
        }
    });
    st.running.set(false);
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
    let status = job.status;
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
                started,
            } => {
                let elapsed = (t.max(now()) - started).max(0.0);
                let eta = if done > 0 && done < total {
                    format!(
                        " · about {} left",
                        logic::seconds(elapsed * (total - done) as f64 / done as f64)
                    )
                } else if done >= total && total > 0 {
                    " · scoring on the test part".to_string()
                } else {
                    String::new()
                };
                format!(
                    "{done} / {total} {} · {}{eta}",
                    unit(job.kind),
                    logic::seconds(elapsed)
                )
            }
            JobStatus::Done(r) => format!(
                "Done in {} · accuracy {}",
                logic::seconds(r.wall_ms),
                logic::pct(r.summary.metrics.accuracy)
            ),
            JobStatus::Failed(e) => e,
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
            id=format!("job-{}", job.kind.code())
            data-wall-ms=move || match status.get() {
                JobStatus::Done(r) => Some(format!("{:.0}", r.wall_ms)),
                _ => None,
            }
        >
            <span class="job-name">{job.kind.label()}</span>
            <div
                class="progress"
                role="progressbar"
                aria-label=format!("{} progress", job.kind.label())
                aria-valuemin="0"
                aria-valuemax="100"
                aria-valuenow=move || format!("{:.0}", fraction() * 100.0)
            >
                <div class="progress-bar" style:width=move || format!("{:.1}%", fraction() * 100.0)></div>
            </div>
            <span class="job-status">{move || rich_text(&text())}</span>
        </li>
    }
}

#[component]
pub fn RunCard() -> impl IntoView {
    let st = TrainState::use_state();
    let tick = RwSignal::new(now());
    // Elapsed times move even while a model reports no progress (a decision tree fits in one go).
    if let Ok(handle) = set_interval_with_handle(
        move || {
            if st.running.get_untracked() {
                tick.set(now());
            }
        },
        Duration::from_millis(500),
    ) {
        on_cleanup(move || handle.clear());
    }
    let blocked = move || {
        st.summary().is_none_or(|s| {
            !logic::blockers(
                &s.report.class_counts,
                st.options.test_fraction_value(),
                st.options.balance.get(),
            )
            .is_empty()
        })
    };
    let jobs = move || {
        st.jobs
            .get()
            .into_iter()
            .map(|job| view! { <JobRow job=job tick=tick /> })
            .collect_view()
    };
    view! {
        <section class="card" aria-labelledby="run-title">
            <h2 id="run-title"><super::StepNumber step=super::Step::Run />"Train"</h2>
            <div class="run-actions">
                <button
                    class="button"
                    id="train-start"
                    on:click=move |_| start_training(st)
                    disabled=move || st.running.get() || blocked()
                >
                    "Train the selected models"
                </button>
                <Show when=move || st.running.get()>
                    <button class="button danger" id="train-cancel" on:click=move |_| cancel_training(st)>
                        "Cancel"
                    </button>
                </Show>
                <span class="hint">
                    {move || format!(
                        "Runs in background workers ({} for the forests); the page stays usable.",
                        st.options.fields.with(|f| f.get("workers").cloned().unwrap_or_default())
                    )}
                </span>
            </div>
            {move || {
                let options_invalid = st.summary().is_some()
                    && !st.options.errors.with(|e| e.is_empty());
                options_invalid.then(|| view! {
                    <p class="msg error" id="options-error" role="alert">
                        "Some options need fixing (see the marked fields)."
                    </p>
                })
            }}
            {move || st.run_error.get().map(|e| view! { <p class="msg error" id="run-error" role="alert">{rich_text(&e)}</p> })}
            <ul class="jobs" id="jobs">{jobs}</ul>
        </section>
    }
}
