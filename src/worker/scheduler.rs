//! The training scheduler: runs a set of models on N long-lived training workers.
//!
//! The split (opaque bytes from the parser) goes to every worker once; each worker trains one
//! task at a time. A forest is cut into a few shares of trees per worker (tree i always uses
//! the seed derived for i, so the merged forest equals one run), taken in turn by whichever
//! worker is free, so workers of unequal speed finish together; each share's worker also walks
//! its trees on the test part, so the worker that finished the last share only merges the shares and adds up
//! their leaves to score the forest. Other models take one worker each. The run's workers are its own ([`Lease`]):
//! the page cancels it through the lease's `Canceller`, which terminates them (the one way to
//! stop a worker busy in wasm), and no other run's. The page learns what happens through
//! [`JobEvent`]s.

use std::cell::{Cell, RefCell};
use std::collections::{HashMap, VecDeque};
use std::ops::Range;
use std::rc::Rc;

use genre_core::train::ModelSpec;
use js_sys::Uint8Array;

use super::calls::{TrainJob, TrainedFile};
use super::pool::{Lease, Progress, WorkerClient, WorkerError};
use super::protocol::{share_count, shares};
use crate::perf::now;

/// What happens to one model of a run.
pub enum JobEvent {
    /// Work units (trees, rounds, epochs) done of `total`, since `started` (`performance.now()`);
    /// `stops_by`: where early stopping ends it unless it improves again.
    Progress {
        done: u64,
        total: u64,
        stops_by: Option<u64>,
        started: f64,
    },
    /// The model and its wall time from its first task's start to its arrival on the page.
    /// (Boxed: the figures are big beside the other events.)
    Trained {
        file: Box<TrainedFile>,
        wall_ms: f64,
    },
    /// The first failure of the model (or [`WorkerError::Cancelled`]).
    Failed(WorkerError),
}

/// A training run: the models, what to call them, and how many workers share the forests.
pub struct RunPlan {
    pub specs: Vec<ModelSpec>,
    pub names: Vec<String>,
    pub trained_at: String,
    pub workers: usize,
    /// Appended to every model file's settings line (an auto-tuned run's search result).
    pub note: String,
}

/// How a run ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RunEnd {
    Finished,
    Cancelled,
}

enum Task {
    Whole(usize),
    Share(usize, usize, Range<usize>),
    Finish(usize),
}

impl Task {
    fn job(&self) -> usize {
        match self {
            Task::Whole(j) | Task::Share(j, ..) | Task::Finish(j) => *j,
        }
    }
}

type Events = Box<dyn Fn(usize, JobEvent)>;

struct Run {
    jobs: Vec<TrainJob>,
    data: Uint8Array,
    queue: RefCell<VecDeque<Task>>,
    /// Per job: finished shares (in share order) and trees done per share.
    shares: RefCell<Vec<Vec<Option<Uint8Array>>>>,
    share_done: RefCell<HashMap<(usize, usize), u64>>,
    started: RefCell<Vec<Option<f64>>>,
    /// Jobs that failed: their remaining tasks are skipped, later failures not reported.
    failed: RefCell<Vec<bool>>,
    lease: Lease,
    /// Per worker: the worker and the job whose forest share it is training right now, so a
    /// failed share can stop its sibling shares instead of letting them run to the end.
    workers: Vec<WorkerClient>,
    sharing: RefCell<Vec<Option<usize>>>,
    events: Events,
}

thread_local! {
    static DATA_ID: Cell<u64> = const { Cell::new(1) };
}

/// A fresh name for a split sent to the training workers (runs and searches share the count,
/// so a worker never mistakes one split for another).
pub(super) fn next_data_id() -> u64 {
    DATA_ID.with(|d| {
        let v = d.get();
        d.set(v + 1);
        v
    })
}

/// Trains `plan`'s models on the split `data` on `lease`'s workers, reporting to
/// `events(job index, event)`, and resolves when every model is trained, failed or cancelled
/// (through the lease's `Canceller`).
pub async fn run(
    data: Uint8Array,
    plan: RunPlan,
    lease: Lease,
    events: impl Fn(usize, JobEvent) + 'static,
) -> RunEnd {
    let RunPlan {
        specs,
        names,
        trained_at,
        workers,
        note,
    } = plan;
    let workers = workers.max(1);
    let mut queue = VecDeque::new();
    let mut share_slots = Vec::new();
    for (j, spec) in specs.iter().enumerate() {
        match spec {
            ModelSpec::Forest(_) | ModelSpec::Bagging(_) if workers > 1 => {
                let units = spec.work_units();
                let parts = shares(units, share_count(units, workers));
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
    // Names the split, so a worker decodes it once per run.
    let data_id = next_data_id();
    let n_jobs = specs.len();
    let jobs = specs
        .into_iter()
        .zip(names)
        .map(|(spec, name)| TrainJob {
            data_id,
            spec,
            name,
            trained_at: trained_at.clone(),
            note: note.clone(),
        })
        .collect();
    let run = Rc::new(Run {
        jobs,
        data,
        queue: RefCell::new(queue),
        shares: RefCell::new(share_slots),
        share_done: RefCell::new(HashMap::new()),
        started: RefCell::new(vec![None; n_jobs]),
        failed: RefCell::new(vec![false; n_jobs]),
        workers: (0..workers).map(|w| lease.worker(w)).collect(),
        lease,
        sharing: RefCell::new(vec![None; workers]),
        events: Box::new(events),
    });
    futures::future::join_all((0..workers).map(|w| work(run.clone(), w))).await;
    if run.lease.is_cancelled() {
        RunEnd::Cancelled
    } else {
        RunEnd::Finished
    }
}

impl Run {
    fn next_task(&self) -> Option<Task> {
        if self.lease.is_cancelled() {
            return None;
        }
        let mut q = self.queue.borrow_mut();
        // Skip the remaining tasks of a job that already failed.
        while let Some(t) = q.pop_front() {
            if !self.failed.borrow()[t.job()] {
                return Some(t);
            }
        }
        None
    }

    fn start(&self, j: usize) -> f64 {
        let mut s = self.started.borrow_mut();
        *s[j].get_or_insert_with(now)
    }

    fn progress(&self, j: usize, share: Option<usize>, p: Progress) {
        let started = self.start(j);
        let Progress {
            done,
            total,
            stops_by,
        } = p;
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
                (sum, self.jobs[j].spec.work_units() as u64)
            }
        };
        (self.events)(
            j,
            JobEvent::Progress {
                done,
                total,
                stops_by,
                started,
            },
        );
    }

    fn failed(&self, j: usize, e: WorkerError) {
        if self.failed.borrow()[j] {
            // The first failure is the one to show: a sibling share stopped because of it
            // comes back as cancelled.
            return;
        }
        let failed = e != WorkerError::Cancelled;
        self.failed.borrow_mut()[j] = failed;
        (self.events)(j, JobEvent::Failed(e));
        if failed {
            // The forest cannot be completed: stop the workers still training its other
            // shares (they restart for their next task).
            let busy: Vec<usize> = self
                .sharing
                .borrow()
                .iter()
                .enumerate()
                .filter(|(_, s)| **s == Some(j))
                .map(|(w, _)| w)
                .collect();
            for w in busy {
                self.workers[w].terminate();
            }
        }
    }

    fn finished(&self, j: usize, result: Result<TrainedFile, WorkerError>) {
        match result {
            Ok(file) => {
                let started = self.started.borrow()[j].unwrap_or_else(now);
                let wall_ms = now() - started;
                (self.events)(
                    j,
                    JobEvent::Trained {
                        file: Box::new(file),
                        wall_ms,
                    },
                );
            }
            Err(e) => self.failed(j, e),
        }
    }
}

/// One worker's loop: takes the next task until there is none.
async fn work(run: Rc<Run>, w: usize) {
    let worker = run.workers[w].clone();
    // Each worker's first request carries a copy of the split (75 MB at a million rows), made
    // a slice per task (`calls::sliced_copy`); start after the task that started the run.
    crate::browser::yield_now().await;
    while let Some(task) = run.next_task() {
        match task {
            Task::Whole(j) => {
                run.start(j);
                let r = run.clone();
                let result = worker
                    .train(&run.jobs[j], &run.data, move |p| r.progress(j, None, p))
                    .await;
                run.finished(j, result);
            }
            Task::Share(j, k, range) => {
                run.start(j);
                let r = run.clone();
                run.sharing.borrow_mut()[w] = Some(j);
                let result = worker
                    .train_share(&run.jobs[j], range, &run.data, move |p| {
                        r.progress(j, Some(k), p)
                    })
                    .await;
                run.sharing.borrow_mut()[w] = None;
                match result {
                    Ok(share) => {
                        let all_done = {
                            let mut s = run.shares.borrow_mut();
                            s[j][k] = Some(share);
                            s[j].iter().all(Option::is_some)
                        };
                        if all_done {
                            // Merge and score next, on this worker, before other waiting work.
                            run.queue.borrow_mut().push_front(Task::Finish(j));
                        }
                    }
                    Err(e) => run.failed(j, e),
                }
            }
            Task::Finish(j) => {
                let shares: Vec<Uint8Array> = run.shares.borrow_mut()[j]
                    .iter_mut()
                    .filter_map(Option::take)
                    .collect();
                let result = worker.finish_forest(&run.jobs[j], &run.data, &shares).await;
                run.finished(j, result);
            }
        }
    }
}
