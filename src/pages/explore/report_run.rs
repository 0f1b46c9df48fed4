//! The comparison's work: each protocol's split in a training worker, then its models by the
//! scheduler, and the sentence on why the two figures differ. The card is `report_protocol`.

use genre_core::model::ModelKind;
use genre_core::train::{why_they_differ, ModelSpec, Protocol};
use leptos::prelude::*;

use crate::perf::now;
use crate::worker::calls::CsvInput;
use crate::worker::pool::{default_workers, Lease, WorkerError};
use crate::worker::scheduler::{self, JobEvent, RunEnd, RunPlan};
use genre_core::train::Leakage;

/// The seed of both protocols (the report's split is random; ours is seeded, as the CLI's).
pub(super) const SEED: u64 = genre_core::split::DEFAULT_SEED;

#[derive(Clone, Debug, PartialEq)]
pub(super) enum JobState {
    Queued,
    Running { done: u64, total: u64 },
    Done { accuracy: f64, macro_f1: f64 },
    Failed(String),
    Cancelled,
}

/// One protocol's table: its split's figures once made, and a row per model. Reference-counted
/// signals: the run outlives the card's views when the user goes to another page.
#[derive(Clone)]
pub(super) struct Side {
    pub(super) protocol: Protocol,
    /// Training rows and what the test part holds, once split.
    pub(super) split: ArcRwSignal<Option<(usize, Leakage)>>,
    pub(super) jobs: Vec<(ModelKind, ArcRwSignal<JobState>)>,
}

#[derive(Clone, Debug, PartialEq)]
pub(super) enum Phase {
    Idle,
    Reading {
        protocol: Protocol,
        done: u64,
        total: u64,
    },
    Training(Protocol),
    Done {
        wall_ms: f64,
    },
    Failed(String),
    Cancelled,
}

/// Splits and trains under each protocol in turn, the report's first, on `lease`'s workers.
pub(super) async fn run(
    sides: Vec<Side>,
    file: Option<web_sys::File>,
    data_file: String,
    lease: Lease,
    phase: RwSignal<Phase>,
    why: RwSignal<Option<String>>,
) {
    let started = now();
    let options = Protocol::report_options(SEED);
    let mut duplicates = 0;
    let mut leaks = Vec::new();
    for side in &sides {
        let protocol = side.protocol;
        phase.set(Phase::Reading {
            protocol,
            done: 0,
            total: 0,
        });
        let input = match &file {
            Some(f) => CsvInput::File(f),
            None => CsvInput::BUNDLED,
        };
        let progress = move |done, total| {
            if matches!(phase.get_untracked(), Phase::Reading { .. }) {
                phase.set(Phase::Reading {
                    protocol,
                    done,
                    total,
                });
            }
        };
        // The split is made by a training worker, so that cancelling stops it too and the
        // Train page's parser keeps its file.
        let split = lease
            .worker(0)
            .prepare_protocol(
                protocol,
                input,
                None,
                options.clone(),
                data_file.clone(),
                progress,
            )
            .await;
        let split = match split {
            Ok(s) => s,
            Err(WorkerError::Cancelled) => return,
            Err(e) => return phase.set(Phase::Failed(e.to_string())),
        };
        if phase.get_untracked() == Phase::Cancelled {
            return;
        }
        if protocol == Protocol::Honest {
            duplicates = split.duplicates_dropped;
        }
        side.split
            .set(Some((split.split.summary.train_rows, split.leakage)));
        leaks.push(split.leakage);
        phase.set(Phase::Training(protocol));
        let jobs = side.jobs.clone();
        let plan = RunPlan {
            specs: jobs
                .iter()
                .map(|&(k, _)| ModelSpec::report_model(k, SEED))
                .collect(),
            names: jobs
                .iter()
                .map(|(k, _)| format!("{} · {}", k.label(), protocol.code()))
                .collect(),
            trained_at: String::new(),
            workers: default_workers(),
            note: String::new(),
        };
        let end = scheduler::run(split.split.data, plan, lease.clone(), move |j, event| {
            jobs[j].1.set(match event {
                JobEvent::Progress { done, total, .. } => JobState::Running { done, total },
                JobEvent::Trained { file, .. } => JobState::Done {
                    accuracy: file.summary.metrics.accuracy,
                    macro_f1: file.summary.metrics.macro_f1,
                },
                JobEvent::Failed(WorkerError::Cancelled) => JobState::Cancelled,
                JobEvent::Failed(e) => JobState::Failed(e.to_string()),
            })
        })
        .await;
        if end == RunEnd::Cancelled || phase.get_untracked() == Phase::Cancelled {
            return;
        }
    }
    phase.set(Phase::Done {
        wall_ms: now() - started,
    });
    // The sentence is about the random forest (the report's headline) when it ran, else the
    // first model both protocols trained.
    let accuracy = |side: &Side, kind: ModelKind| {
        side.jobs
            .iter()
            .find(|(k, _)| *k == kind)
            .and_then(|(_, j)| match j.get_untracked() {
                JobState::Done { accuracy, .. } => Some(accuracy),
                _ => None,
            })
    };
    let kinds: Vec<ModelKind> = sides[0].jobs.iter().map(|(k, _)| *k).collect();
    let pick = std::iter::once(ModelKind::RandomForest)
        .chain(kinds)
        .find_map(|k| Some((k, accuracy(&sides[0], k)?, accuracy(&sides[1], k)?)));
    if let (Some((kind, report, honest)), [report_leak, honest_leak]) = (pick, leaks.as_slice()) {
        why.set(Some(why_they_differ(
            kind,
            (report, report_leak),
            (honest, honest_leak),
            duplicates,
        )));
    }
}
