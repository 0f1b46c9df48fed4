//! "Find the best settings" (auto-tune): the search's state and its run. The parser worker
//! splits the data as for a training run; `worker::search` runs the core's trials on the
//! training workers until the budget is spent or the user cancels; the core's `Leaderboard`
//! orders what comes back. Then the best settings go through the one training path
//! (`run::train_jobs`) on the whole training part, so the tuned model is an ordinary result:
//! scored on the test part, usable, kept, downloaded, with the search's result in its file's
//! settings line (`genre_core::tune::tuned_note`). The card is `tune_card.rs`.

use genre_core::model::ModelKind;
use genre_core::train::ModelSpec;
use genre_core::tune::{default_folds, tuned_note, Leaderboard, TuneOptions};
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::option_fields::parse_budget;
use super::run::{cancel_training, first_blocker, new_jobs, train_jobs};
use super::{JobStatus, TrainState};
use crate::perf::now;
use crate::worker::pool::{Canceller, Lease};
use crate::worker::scheduler::RunPlan;
use crate::worker::search::{self, SearchEnd, SearchPlan, TrialEvent};

/// Where the search is.
#[derive(Clone, Debug, PartialEq)]
pub enum TunePhase {
    Idle,
    /// The parser worker is splitting the data.
    Preparing,
    /// Trials are running; no new one starts after `deadline` (`performance.now()`).
    Searching {
        deadline: f64,
    },
    /// The best settings are being trained on the whole training part.
    Training {
        trial: usize,
        kind: ModelKind,
    },
    /// The tuned model is in the results; these settings chose it.
    Done {
        /// The trial trained: the core's choice (`Leaderboard::choice`).
        trial: usize,
        cv_accuracy: f64,
        spec: ModelSpec,
        /// The trial with the highest CV accuracy, when it is not the one trained (ahead of the
        /// defaults by less than the folds' noise), and its accuracy.
        passed_over: Option<(usize, f64)>,
    },
    /// Ended without a tuned model; the sentence says why.
    Stopped(String),
}

/// What one trial's row shows.
#[derive(Clone, Debug, PartialEq)]
pub enum TrialState {
    Running {
        started: f64,
    },
    Scored {
        cv_accuracy: f64,
        wall_ms: f64,
    },
    Failed(String),
    /// Under way when the user cancelled: dropped.
    Dropped,
}

#[derive(Clone, Debug, PartialEq)]
pub struct TrialRow {
    /// 0-based (shown from 1).
    pub index: usize,
    pub spec: ModelSpec,
    pub state: TrialState,
}

/// The auto-tune card's state, part of [`TrainState`] (kept across navigation like the rest).
#[derive(Clone, Copy)]
pub struct TuneView {
    /// The time budget as typed, in minutes.
    pub budget: RwSignal<String>,
    /// The budget's problem, shown at the field.
    pub budget_error: RwSignal<Option<String>>,
    /// A problem with the search as a whole (no data, options to fix, blockers).
    pub error: RwSignal<Option<String>>,
    pub phase: RwSignal<TunePhase>,
    /// Every trial started, in start order.
    pub rows: RwSignal<Vec<TrialRow>>,
    /// The finished trials, best first (the core's ordering).
    pub board: RwSignal<Leaderboard>,
}

impl TuneView {
    pub fn new() -> TuneView {
        TuneView {
            budget: RwSignal::new("2".into()),
            budget_error: RwSignal::new(None),
            error: RwSignal::new(None),
            phase: RwSignal::new(TunePhase::Idle),
            rows: RwSignal::new(Vec::new()),
            board: RwSignal::new(Leaderboard::default()),
        }
    }

    /// A search (or its final training) is under way.
    pub fn busy(&self) -> bool {
        self.phase.with(Self::is_busy)
    }

    pub fn is_busy(phase: &TunePhase) -> bool {
        matches!(
            phase,
            TunePhase::Preparing | TunePhase::Searching { .. } | TunePhase::Training { .. }
        )
    }

    fn set_row(&self, index: usize, state: TrialState) {
        self.rows.update(|rows| {
            if let Some(r) = rows.iter_mut().find(|r| r.index == index) {
                r.state = state;
            }
        });
    }

    fn on_event(&self, event: TrialEvent) {
        match event {
            TrialEvent::Started {
                index,
                spec,
                started,
            } => self.rows.update(|rows| {
                rows.push(TrialRow {
                    index,
                    spec,
                    state: TrialState::Running { started },
                })
            }),
            TrialEvent::Scored { trial, wall_ms } => {
                let (index, cv_accuracy) = (trial.index, trial.cv_accuracy);
                self.board.update(|b| b.add(trial));
                self.set_row(
                    index,
                    TrialState::Scored {
                        cv_accuracy,
                        wall_ms,
                    },
                );
            }
            TrialEvent::Failed { index, error } => {
                self.set_row(index, TrialState::Failed(error.to_string()))
            }
        }
    }
}

impl Default for TuneView {
    fn default() -> Self {
        Self::new()
    }
}

/// Starts a search with the options form's data options and seed (problems are shown at the
/// budget field or on the card, and nothing starts).
pub fn start_tune(page: TrainState) {
    let t = page.tune;
    if page.working_untracked() {
        return;
    }
    t.error.set(None);
    let budget = parse_budget(&t.budget.get_untracked());
    t.budget_error
        .set(budget.as_ref().err().map(ToString::to_string));
    let Ok(minutes) = budget else { return };
    let Some(summary) = page.summary() else {
        return t
            .error
            .set(Some("Choose a data set first (step 1).".into()));
    };
    let Some((options, _, workers)) = page.options.build() else {
        return t.error.set(Some(
            "Some options need fixing (see the marked fields).".into(),
        ));
    };
    if let Some(b) = first_blocker(&summary, &options) {
        return t.error.set(Some(b));
    }
    // The boosted trees and the forest, taking turns, the form's seed; the folds once the
    // training part's size is known.
    let tune_options = TuneOptions {
        seed: options.seed,
        ..TuneOptions::default()
    };
    t.rows.set(Vec::new());
    t.board.set(Leaderboard::default());
    t.phase.set(TunePhase::Preparing);
    let data_file = summary.file_name.clone();
    spawn_local(async move {
        let split = super::data_in::split_for_training(
            page,
            options,
            data_file.clone(),
            Vec::new(),
            workers,
        )
        .await;
        if t.phase.get_untracked() != TunePhase::Preparing {
            return; // cancelled while splitting
        }
        let (split, workers) = match split {
            Ok(split) => split,
            Err(e) => return t.phase.set(TunePhase::Stopped(e.to_string())),
        };
        // 3 folds, or 5 on a small training part: the core's rule, as the CLI's.
        let tune_options = TuneOptions {
            folds: default_folds(split.summary.train_rows),
            ..tune_options
        };
        let budget_ms = minutes * 60_000.0;
        t.phase.set(TunePhase::Searching {
            deadline: now() + budget_ms,
        });
        let plan = SearchPlan {
            options: tune_options.clone(),
            budget_ms,
            workers,
        };
        let lease = Lease::new();
        page.trainers.set_value(lease.canceller());
        let end = search::search(split.data.clone(), plan, lease, move |e| t.on_event(e)).await;
        // The core's choice: the defaults unless a trial beats them by more than the noise.
        let (best, passed_over) = t.board.with_untracked(|b| {
            let top = b.best().map(|t| (t.index, t.cv_accuracy));
            let chosen = b.choice().cloned();
            let passed_over = top.filter(|&(i, _)| chosen.as_ref().is_some_and(|c| c.index != i));
            (chosen, passed_over)
        });
        let Some(best) = best else {
            return t.phase.set(TunePhase::Stopped(
                match end {
                    SearchEnd::Cancelled => "Cancelled before any trial finished: nothing to keep.",
                    SearchEnd::Budget => "No trial could be scored (see the leaderboard).",
                }
                .into(),
            ));
        };
        // The best settings on the whole training part, exactly as a training run trains.
        let kind = best.spec.kind();
        t.phase.set(TunePhase::Training {
            trial: best.index,
            kind,
        });
        page.run_error.set(None);
        page.run_corrections.set(Vec::new());
        page.running.set(true);
        let jobs = new_jobs(page, std::slice::from_ref(&best.spec));
        let plan = RunPlan {
            specs: vec![best.spec.clone()],
            names: vec![format!("{} (auto-tuned) · {data_file}", kind.label())],
            trained_at: crate::storage::timestamp(),
            workers,
            note: tuned_note(&best, tune_options.folds),
        };
        train_jobs(page, jobs.clone(), split.data, plan).await;
        let outcome = jobs.first().map(|j| j.status.get_untracked());
        t.phase.set(match outcome {
            // Not opened by itself: drawing a model's details (its confusion matrix) is the one
            // costly render, left to the user's click as after any run.
            Some(JobStatus::Done(_)) => TunePhase::Done {
                trial: best.index,
                cv_accuracy: best.cv_accuracy,
                spec: best.spec,
                passed_over,
            },
            Some(JobStatus::Failed(e)) => TunePhase::Stopped(e.to_string()),
            _ => TunePhase::Stopped(
                "The tuned model's training was cancelled; the leaderboard stays.".into(),
            ),
        });
    });
}

/// Stops the search now and keeps the best finished trial (which is then trained), or stops
/// the tuned model's training.
pub fn cancel_tune(page: TrainState) {
    let t = page.tune;
    match t.phase.get_untracked() {
        TunePhase::Preparing => t.phase.set(TunePhase::Stopped("Cancelled.".into())),
        TunePhase::Searching { .. } => {
            page.trainers.with_value(Canceller::cancel);
            t.rows.update(|rows| {
                rows.iter_mut()
                    .filter(|r| matches!(r.state, TrialState::Running { .. }))
                    .for_each(|r| r.state = TrialState::Dropped)
            });
        }
        TunePhase::Training { .. } => cancel_training(page),
        _ => {}
    }
}
