//! The auto-tuning search on the training workers: the unit of work is one trial (candidate
//! `index` → its accuracy on each cross-validation fold, `genre_core::tune::run_trial`), so N
//! workers run N trials at once. The candidates and the folds are the core's
//! (`candidate`, `stratified_folds`), computed inside the worker from `(options, index)`: this
//! side only hands out indices, in order, and reports what comes back. Trials finish out of
//! order; the core's `Leaderboard::add` (ties to the lower index) makes the board, and so the
//! best, the same whatever the arrival order.
//!
//! The budget: once it is spent no worker takes a new trial, but the trials in flight finish
//! and count. Stopping them would throw away work that is nearly always well under way (a
//! trial is the smallest unit that gives a score at all), and it guarantees a result for any
//! budget: each worker's first trial always ends (with the first two being the defaults of the
//! boosted trees and of the forest, the best is never worse than an untuned run). So a search
//! can overrun its budget by up to one trial; cancelling (the lease's `Canceller`) is the way to
//! stop at once. It terminates the search's training workers: trials in flight are dropped,
//! finished ones are kept.

use std::cell::Cell;
use std::rc::Rc;

use genre_core::train::ModelSpec;
use genre_core::tune::{candidate, Trial, TuneOptions};
use js_sys::Uint8Array;

use super::pool::{Lease, WorkerError};
use super::scheduler::next_data_id;
use crate::perf::now;

/// What the search covers and for how long.
pub struct SearchPlan {
    pub options: TuneOptions,
    /// No trial starts after this long (ms from the search's start).
    pub budget_ms: f64,
    pub workers: usize,
}

/// What happens to one trial.
pub enum TrialEvent {
    /// A worker took trial `index` (whose settings are `spec`) at `started` (`performance.now()`).
    Started {
        index: usize,
        spec: ModelSpec,
        started: f64,
    },
    /// Its score per fold, and its wall time on the page's clock.
    Scored { trial: Trial, wall_ms: f64 },
    /// It could not be scored (not a cancel); its worker takes no further trial.
    Failed { index: usize, error: WorkerError },
}

/// How a search ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SearchEnd {
    /// The budget was spent and the trials in flight finished (or every worker failed).
    Budget,
    Cancelled,
}

struct Search {
    options: TuneOptions,
    data: Uint8Array,
    data_id: u64,
    deadline: f64,
    next: Cell<usize>,
    lease: Lease,
    events: Box<dyn Fn(TrialEvent)>,
}

/// Runs trials 0, 1, 2 … of `plan.options` on the split `data` over `plan.workers` of
/// `lease`'s training workers until the budget is spent or the lease is cancelled, reporting
/// each trial to `events`.
pub async fn search(
    data: Uint8Array,
    plan: SearchPlan,
    lease: Lease,
    events: impl Fn(TrialEvent) + 'static,
) -> SearchEnd {
    let workers = plan.workers.max(1);
    let search = Rc::new(Search {
        options: plan.options,
        data,
        data_id: next_data_id(),
        deadline: now() + plan.budget_ms,
        next: Cell::new(0),
        lease,
        events: Box::new(events),
    });
    futures::future::join_all((0..workers).map(|w| work(search.clone(), w))).await;
    if search.lease.is_cancelled() {
        SearchEnd::Cancelled
    } else {
        SearchEnd::Budget
    }
}

/// One worker's loop: the next trial index while the budget lasts.
async fn work(search: Rc<Search>, w: usize) {
    // Each worker's first trial carries a copy of the split, made a slice per task (see the
    // scheduler).
    crate::browser::yield_now().await;
    let worker = search.lease.worker(w);
    while !search.lease.is_cancelled() && now() < search.deadline {
        let index = search.next.get();
        search.next.set(index + 1);
        let started = now();
        (search.events)(TrialEvent::Started {
            index,
            spec: candidate(&search.options, index),
            started,
        });
        let answer = worker
            .trial(search.data_id, &search.options, index, &search.data)
            .await;
        if search.lease.is_cancelled() {
            return; // an answer that raced the cancel is dropped with the rest
        }
        match answer {
            Ok((trial, _)) => (search.events)(TrialEvent::Scored {
                trial,
                wall_ms: now() - started,
            }),
            Err(WorkerError::Cancelled) => return,
            Err(error) => {
                (search.events)(TrialEvent::Failed { index, error });
                return;
            }
        }
    }
}
