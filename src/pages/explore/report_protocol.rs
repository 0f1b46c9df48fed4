//! "The original report, reproduced": the report's protocol (no de-duplication, SMOTE on the
//! whole file, then the split) next to the honest one, on the data Explore shows, in the
//! training workers. Each protocol's split is made by a worker (`PrepareProtocol`), its models
//! are trained by the scheduler like the Train page's, and the core writes the sentence on why
//! the two figures differ.

use genre_core::model::ModelKind;
use genre_core::text::{count, percent};
use genre_core::train::{why_they_differ, Leakage, ModelSpec, Protocol};
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::pages::train::{seconds, BUNDLED_NAME, BUNDLED_URL};
use crate::worker::calls::CsvInput;
use crate::worker::pool::{default_workers, trainer, WorkerError};
use crate::worker::scheduler::{self, JobEvent, RunEnd, RunPlan};

/// The seed of both protocols (the report's split is random; ours is seeded, as the CLI's).
const SEED: u64 = 42;

#[derive(Clone, Debug, PartialEq)]
enum JobState {
    Queued,
    Running { done: u64, total: u64 },
    Done { accuracy: f64, macro_f1: f64 },
    Failed(String),
    Cancelled,
}

/// One protocol's table: its split's figures once made, and a row per model.
#[derive(Clone)]
struct Side {
    protocol: Protocol,
    /// Training rows and what the test part holds, once split.
    split: RwSignal<Option<(usize, Leakage)>>,
    jobs: Vec<(ModelKind, RwSignal<JobState>)>,
}

#[derive(Clone, Debug, PartialEq)]
enum Phase {
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

fn now() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or_else(js_sys::Date::now, |p| p.now())
}

/// The comparison card. `file` is the upload Explore shows (`None`: the bundled data set) and
/// `name` its name.
#[component]
pub fn ReportComparison(
    file: StoredValue<Option<web_sys::File>, LocalStorage>,
    #[prop(into)] name: Signal<String>,
) -> impl IntoView {
    let chosen = RwSignal::new(Protocol::REPORT_MODELS.to_vec());
    let phase = RwSignal::new(Phase::Idle);
    let sides = RwSignal::new(Vec::<Side>::new());
    let why = RwSignal::new(None::<String>);
    let running = move || matches!(phase.get(), Phase::Reading { .. } | Phase::Training(_));
    let start = move |_| {
        let models = chosen.get_untracked();
        if models.is_empty() {
            return;
        }
        let new_sides: Vec<Side> = Protocol::BOTH
            .iter()
            .map(|&protocol| Side {
                protocol,
                split: RwSignal::new(None),
                jobs: models
                    .iter()
                    .map(|&k| (k, RwSignal::new(JobState::Queued)))
                    .collect(),
            })
            .collect();
        sides.set(new_sides.clone());
        why.set(None);
        let file = file.get_value();
        let data_file = name.get_untracked();
        spawn_local(run(new_sides, file, data_file, phase, why));
    };
    let cancel = move |_| {
        phase.set(Phase::Cancelled);
        scheduler::cancel();
        sides.with_untracked(|sides| {
            for (_, job) in sides.iter().flat_map(|s| &s.jobs) {
                if !matches!(
                    job.get_untracked(),
                    JobState::Done { .. } | JobState::Failed(_)
                ) {
                    job.set(JobState::Cancelled);
                }
            }
        });
    };
    let model_boxes = Protocol::REPORT_MODELS
        .iter()
        .map(|&kind| {
            let id = format!("report-model-{}", kind.code());
            let for_id = id.clone();
            view! {
                <label class="check" for=for_id>
                    <input
                        type="checkbox"
                        id=id
                        prop:checked=move || chosen.with(|c| c.contains(&kind))
                        disabled=running
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            chosen.update(|c| {
                                c.retain(|&k| k != kind);
                                if on {
                                    c.push(kind);
                                    c.sort_by_key(|k| Protocol::REPORT_MODELS.iter().position(|m| m == k));
                                }
                            });
                        }
                    />
                    {kind.label()}
                </label>
            }
        })
        .collect_view();
    view! {
        <section class="card report-protocol" aria-labelledby="h-report">
            <h2 id="h-report">"The original report, reproduced"</h2>
            <p class="card-sub">
                "The student report this project grew out of scored 77.27% with a random forest. \
                 It ran SMOTE on the whole file and split it 80/20 afterwards. Run its protocol \
                 beside the honest one on "
                <strong>{move || name.get()}</strong>
                ": the same 9 features, outlier capping, SMOTE and models; only the order of the \
                 steps (and the duplicates) differ."
            </p>
            <fieldset class="report-models" disabled=running>
                <legend>"Models (the report's five)"</legend>
                <div class="chips">{model_boxes}</div>
            </fieldset>
            <div class="run-actions">
                <button
                    type="button"
                    class="button"
                    id="report-run"
                    on:click=start
                    disabled=move || running() || chosen.with(Vec::is_empty)
                >
                    "Run both protocols"
                </button>
                <Show when=running>
                    <button type="button" class="button danger" id="report-cancel" on:click=cancel>
                        "Cancel"
                    </button>
                </Show>
                <span class="hint">
                    "In background workers. The random forest alone takes about a minute; all \
                     five several minutes (KNN and SVC on 55,000 training rows are slow)."
                </span>
            </div>
            {move || status(phase.get())}
            <div class="protocol-tables">
                {move || sides.get().into_iter().map(|side| view! { <SideTable side /> }).collect_view()}
            </div>
            {move || why.get().map(|w| view! { <p class="msg ok" id="report-why">{w}</p> })}
        </section>
    }
}

fn status(phase: Phase) -> Option<AnyView> {
    let line = |text: String| view! { <p class="hint" id="report-status" role="status">{text}</p> };
    Some(match phase {
        Phase::Idle => return None,
        Phase::Reading {
            protocol,
            done,
            total,
        } => view! {
            <div class="progress-line" role="status" id="report-status">
                <label for="report-progress">
                    {format!("Reading and splitting the file as {} protocol does…", protocol_name(protocol))}
                </label>
                <progress id="report-progress" max=total.max(1) value=done></progress>
            </div>
        }
        .into_any(),
        Phase::Training(protocol) => {
            line(format!("Training under {} protocol…", protocol_name(protocol))).into_any()
        }
        Phase::Done { wall_ms } => line(format!("Both protocols done in {}.", seconds(wall_ms)))
            .into_any(),
        Phase::Failed(message) => {
            view! { <p class="msg error" id="report-error" role="alert">{message}</p> }.into_any()
        }
        Phase::Cancelled => line("Cancelled.".to_string()).into_any(),
    })
}

fn protocol_name(protocol: Protocol) -> &'static str {
    match protocol {
        Protocol::Report => "the report's",
        Protocol::Honest => "the honest",
    }
}

#[component]
fn SideTable(side: Side) -> impl IntoView {
    let code = side.protocol.code();
    let split = side.split;
    let rows = side
        .jobs
        .iter()
        .map(|&(kind, job)| {
            let cell = move || match job.get() {
                JobState::Queued => ("…".to_string(), String::new()),
                JobState::Running { done, total } => (format!("{done}/{total}"), String::new()),
                JobState::Done { accuracy, macro_f1 } => (percent(accuracy), percent(macro_f1)),
                JobState::Failed(e) => (e, String::new()),
                JobState::Cancelled => ("cancelled".to_string(), String::new()),
            };
            view! {
                <tr>
                    <td>{kind.label()}</td>
                    <td class="num-cell" id=format!("{code}-acc-{}", kind.code())>{move || cell().0}</td>
                    <td class="num-cell">{move || cell().1}</td>
                </tr>
            }
        })
        .collect_view();
    view! {
        <div class="protocol-side" id=format!("protocol-{code}")>
            <h3>{side.protocol.label()}</h3>
            <p class="hint">
                {move || split.get().map(|(train, leak)| format!(
                    "{} training rows; {} test rows: {} synthetic, {} twins of training rows.{}",
                    count(train as u64),
                    count(leak.test_rows as u64),
                    count(leak.synthetic_test_rows as u64),
                    count(leak.twin_test_rows as u64),
                    match leak.incomplete_rows_dropped {
                        0 => String::new(),
                        n => format!(" {} rows with a missing value left out.", count(n as u64)),
                    },
                ))}
            </p>
            <div class="table-scroll">
                <table class="data-table compact">
                    <thead><tr><th>"Model"</th><th class="num-cell">"Accuracy"</th><th class="num-cell">"Macro F1"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </div>
        </div>
    }
}

/// Splits and trains under each protocol in turn, the report's first.
async fn run(
    sides: Vec<Side>,
    file: Option<web_sys::File>,
    data_file: String,
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
            None => CsvInput::Bundled {
                url: BUNDLED_URL,
                name: BUNDLED_NAME,
            },
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
        let split = trainer(0)
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
                .map(|&(k, _)| ModelSpec::default_for(k, SEED))
                .collect(),
            names: jobs
                .iter()
                .map(|(k, _)| format!("{} · {}", k.label(), protocol.code()))
                .collect(),
            trained_at: String::new(),
            workers: default_workers(),
            note: String::new(),
        };
        let end = scheduler::run(split.split.data, plan, move |j, event| {
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
