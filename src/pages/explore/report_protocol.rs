//! "The original report, reproduced": the report's protocol (no de-duplication, SMOTE on the
//! whole file, then the split) next to the honest one, on the data Explore shows, in the
//! training workers. Each protocol's split is made by a worker (`PrepareProtocol`), its models
//! are trained by the scheduler like the Train page's, and the core writes the sentence on why
//! the two figures differ.

use crate::components::scroll_box::ScrollBox;
use genre_core::text::{count, percent};
use genre_core::train::Protocol;
use leptos::prelude::*;

use crate::components::start_cancel::StartCancel;
use leptos::task::spawn_local;

use super::report_run::{run, JobState, Phase, Side};
use crate::pages::explore::controls::ChoiceBox;
use crate::worker::pool::{Canceller, Lease};

/// The comparison's choices, progress and results: Explore's state (`ExploreState`), so a run
/// goes on, and its tables stay, while the user is on another page.
#[derive(Clone, Copy)]
pub struct Comparison {
    chosen: RwSignal<Vec<genre_core::model::ModelKind>>,
    phase: RwSignal<Phase>,
    sides: RwSignal<Vec<Side>>,
    why: RwSignal<Option<String>>,
    /// Cancels the comparison's own training workers (not a training on the Train page).
    trainers: StoredValue<Canceller, LocalStorage>,
}

impl Comparison {
    pub fn new() -> Comparison {
        Comparison {
            chosen: RwSignal::new(Protocol::REPORT_MODELS.to_vec()),
            phase: RwSignal::new(Phase::Idle),
            sides: RwSignal::new(Vec::new()),
            why: RwSignal::new(None),
            trainers: StoredValue::new_local(Canceller::default()),
        }
    }
}

/// The comparison card. `file` is the upload Explore shows (`None`: the bundled data set) and
/// `name` its name.
#[component]
pub fn ReportComparison(
    file: StoredValue<Option<web_sys::File>, LocalStorage>,
    #[prop(into)] name: Signal<String>,
    state: Comparison,
) -> impl IntoView {
    let Comparison {
        chosen,
        phase,
        sides,
        why,
        trainers,
    } = state;
    let running = move || matches!(phase.get(), Phase::Reading { .. } | Phase::Training(_));
    let start = move || {
        let models = chosen.get_untracked();
        if models.is_empty() {
            return;
        }
        let new_sides: Vec<Side> = Protocol::BOTH
            .iter()
            .map(|&protocol| Side {
                protocol,
                split: ArcRwSignal::new(None),
                jobs: models
                    .iter()
                    .map(|&k| (k, ArcRwSignal::new(JobState::Queued)))
                    .collect(),
            })
            .collect();
        sides.set(new_sides.clone());
        why.set(None);
        let file = file.get_value();
        let data_file = name.get_untracked();
        let lease = Lease::new();
        trainers.set_value(lease.canceller());
        spawn_local(run(new_sides, file, data_file, lease, phase, why));
    };
    let cancel = move || {
        phase.set(Phase::Cancelled);
        trainers.with_value(Canceller::cancel);
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
            view! {
                <ChoiceBox
                    id=format!("report-model-{}", kind.code())
                    class="check"
                    item=kind
                    chosen=chosen
                    rank=|k| Protocol::REPORT_MODELS.iter().position(|m| m == k).unwrap_or(usize::MAX)
                    disabled=Signal::derive(running)
                >
                    {kind.label()}
                </ChoiceBox>
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
                <StartCancel name="report" labels=("Run both protocols", "Cancel")
                    on_start=start on_cancel=cancel running=Signal::derive(running)
                    disabled=Signal::derive(move || running() || chosen.with(Vec::is_empty)) />
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
        Phase::Done { wall_ms } => line(format!("Both protocols done in {}.", genre_core::text::duration_ms(wall_ms)))
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
    // This view's handles on the run's signals: disposed with the view, the run's live on.
    let split = RwSignal::from(side.split);
    let rows = side
        .jobs
        .into_iter()
        .map(|(kind, job)| {
            let job = RwSignal::from(job);
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
            <ScrollBox label=format!("Scores: {}", side.protocol.label())>
                <table class="data-table compact">
                    <thead><tr><th>"Model"</th><th class="num-cell">"Accuracy"</th><th class="num-cell">"Macro F1"</th></tr></thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollBox>
        </div>
    }
}
