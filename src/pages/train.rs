//! The Train page: data in → what was understood → options → training in Web Workers →
//! compare → keep. Each step is a submodule; they share [`TrainState`] through context.
//!
//! Nothing here decodes big data on the main thread: files are read by a worker, the split is
//! forwarded to the training workers as opaque bytes, and a model file is decoded only when the
//! user makes it the active model.

mod corrections;
mod data_in;
mod figures;
mod import;
mod keep;
mod model_fields;
mod option_fields;
mod options;
mod options_card;
mod publish;
mod report;
mod results;
mod run;
mod saved;
mod too_large;
mod tune;
mod tune_card;

use std::sync::Arc;

use genre_core::capacity::TooLarge;
use genre_core::ingest::RowSample;
use genre_core::model::ModelKind;
use leptos::prelude::*;

use crate::components::page_intro::PageIntro;
use crate::storage::changes::Change;
use crate::storage::StoredCorrection;
use crate::worker::pool::{Canceller, WorkerError};
use crate::worker::protocol::{DataSummary, TrainedSummary};

/// What the page is for, under its title.
const LEAD: &str =
    "Retrain the model on your own CSV, in this tab: nothing is uploaded. Check what was \
    understood, choose features and models, train them side by side in background workers, \
    and keep the best.";

pub use options::Options;

/// Where the current data came from, to read it again with another label column.
#[derive(Clone)]
pub enum SourceRef {
    File(web_sys::File),
    Bundled,
}

/// The data set the page uses. A file that cannot be used, or whose reading is cancelled, does
/// not replace it: its problem is a [`ParseFailure`] shown beside it.
#[derive(Clone, Debug, PartialEq)]
pub enum DataState {
    Empty,
    Ready(Arc<DataSummary>),
}

/// A file being read by the parser worker (the data set in use stays in use meanwhile).
#[derive(Clone, Debug, PartialEq)]
pub struct Reading {
    pub name: String,
    pub done: u64,
    pub total: u64,
}

/// Why the last file chosen could not be used.
#[derive(Clone)]
pub struct ParseFailure {
    pub name: String,
    /// Why (made a sentence where it is shown).
    pub problem: WorkerError,
    /// When no genre column was recognised: the file's columns, offered as the label.
    pub columns: Vec<String>,
    /// The file, to read again with the label the user picks.
    pub source: SourceRef,
    /// The sample it was read with.
    pub sample: Option<RowSample>,
    /// The file is too large for the tab: what it would need, and the sample to offer.
    pub too_large: Option<TooLarge>,
}

/// One trained model, as the results show it.
#[derive(Debug, PartialEq)]
pub struct ModelResult {
    pub kind: ModelKind,
    pub name: String,
    pub summary: TrainedSummary,
    /// The model file (what is saved, downloaded, or decoded to use it).
    pub file: Vec<u8>,
    /// Wall time from the first task's start to the model's arrival on the page.
    pub wall_ms: f64,
    /// Its key in storage once saved. (Not owned by a component: the results outlive the
    /// page's views, and a signal a view owned would be disposed when the user leaves Train.)
    pub saved_id: ArcRwSignal<Option<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JobStatus {
    Queued,
    Running {
        done: u64,
        total: u64,
        /// Where early stopping ends the run unless it improves again.
        stops_by: Option<u64>,
        started: f64,
    },
    Done(Arc<ModelResult>),
    Failed(WorkerError),
    Cancelled,
}

/// A model in the current (or last) training run. Its status is reference-counted, not owned
/// by the view that started the run: the run goes on, and its results stay, when the user goes
/// to another page (whose views, and the signals they own, are disposed).
#[derive(Clone, Debug)]
pub struct JobView {
    pub kind: ModelKind,
    pub status: ArcRwSignal<JobStatus>,
}

#[derive(Clone, Copy)]
pub struct TrainState {
    pub data: RwSignal<DataState>,
    /// The file being read, if any.
    pub reading: RwSignal<Option<Reading>>,
    /// The last read was cancelled: the file's name.
    pub read_cancelled: RwSignal<Option<String>>,
    pub parse_error: RwSignal<Option<ParseFailure>, LocalStorage>,
    pub source: StoredValue<Option<SourceRef>, LocalStorage>,
    /// The sample `source` was read with (a file too large for the tab), if any.
    pub sample: StoredValue<Option<RowSample>>,
    /// The parser worker's generation when it read `source` (see `data_in::ensure_parsed`).
    pub parsed_in: StoredValue<u32>,
    pub label_column: RwSignal<Option<String>>,
    pub options: Options,
    pub jobs: RwSignal<Vec<JobView>>,
    pub running: RwSignal<bool>,
    /// A problem with the run as a whole (the split failed, no model selected, ...).
    pub run_error: RwSignal<Option<String>>,
    /// The run uses fewer workers than asked, and why (a big data set: `capacity::max_workers`).
    pub workers_note: RwSignal<Option<String>>,
    /// The model whose details are shown.
    pub selected: RwSignal<Option<ModelKind>>,
    /// Bumped when the saved list changes (here or in another tab), so it reloads.
    pub saved_version: RwSignal<u32>,
    /// Bumped when another tab changes the corrections, so their list reloads.
    pub corrections_version: RwSignal<u32>,
    /// The user's corrections as storage last listed them (oldest first).
    pub corrections: RwSignal<Vec<StoredCorrection>>,
    /// The keys of the corrections the current (or last) run was given, in the order its
    /// models answer their predictions for them; empty for a run without corrections.
    pub run_corrections: RwSignal<Vec<String>>,
    /// "Find the best settings": the search and its leaderboard.
    pub tune: tune::TuneView,
    /// A LightGBM or XGBoost model being imported: what was read and what the user said.
    pub import: import::ImportView,
    /// Cancels the page's work on the training workers now (a run or a search), and no other
    /// page's (Explore's comparison has its own workers).
    pub trainers: StoredValue<Canceller, LocalStorage>,
}

impl TrainState {
    /// Whether a training run, a search of settings or a file read is under way (one at a time;
    /// tracked).
    pub fn working(&self) -> bool {
        self.running.get() || self.tune.busy() || self.is_reading()
    }

    /// [`TrainState::working`], read without tracking.
    pub fn working_untracked(&self) -> bool {
        self.running.get_untracked()
            || self.tune.phase.with_untracked(tune::TuneView::is_busy)
            || self.reading.with_untracked(Option::is_some)
    }

    pub fn use_state() -> TrainState {
        expect_context::<TrainState>()
    }

    /// A file is being read: training and the search wait for it (or its cancel).
    pub fn is_reading(&self) -> bool {
        self.reading.with(Option::is_some)
    }

    pub fn summary(&self) -> Option<Arc<DataSummary>> {
        match self.data.get() {
            DataState::Ready(s) => Some(s),
            DataState::Empty => None,
        }
    }

    /// No data yet, or the data and options have a blocker (shown by the report): the Train
    /// button and "Find the best settings" are disabled alike (tracked).
    pub fn training_blocked(&self) -> bool {
        self.summary().is_none_or(|s| {
            !genre_core::train::blockers(
                &s.report.class_counts,
                self.options.test_fraction_value(),
                self.options.balance.get(),
            )
            .is_empty()
        })
    }
}

/// Keeps the Train page's state across navigation (going to Predict and back keeps the data
/// and the results, and a running training keeps running).
pub fn provide_train_state() -> TrainState {
    if let Some(page) = use_context::<TrainState>() {
        return page;
    }
    let page = TrainState {
        data: RwSignal::new(DataState::Empty),
        reading: RwSignal::new(None),
        read_cancelled: RwSignal::new(None),
        parse_error: RwSignal::new_local(None),
        source: StoredValue::new_local(None),
        sample: StoredValue::new(None),
        parsed_in: StoredValue::new(0),
        label_column: RwSignal::new(None),
        options: Options::new(),
        jobs: RwSignal::new(Vec::new()),
        running: RwSignal::new(false),
        run_error: RwSignal::new(None),
        workers_note: RwSignal::new(None),
        selected: RwSignal::new(None),
        saved_version: RwSignal::new(0),
        corrections_version: RwSignal::new(0),
        corrections: RwSignal::new(Vec::new()),
        run_corrections: RwSignal::new(Vec::new()),
        tune: tune::TuneView::new(),
        import: import::ImportView::new(),
        trainers: StoredValue::new_local(Canceller::default()),
    };
    provide_context(page);
    // Saves, renames, deletions and corrections made in another tab show here too.
    crate::storage::changes::listen(move |change| match change {
        Change::Models => page.saved_version.update(|v| *v += 1),
        Change::Corrections => page.corrections_version.update(|v| *v += 1),
    });
    page
}

/// The page's steps, in order. Some appear only once there is something to show, and the
/// numbers count the steps on screen, so they never jump (1, 2, 3 … whatever is hidden).
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Step {
    Data,
    Report,
    Options,
    Run,
    Compare,
    Saved,
}

impl Step {
    const ALL: [Step; 6] = [
        Step::Data,
        Step::Report,
        Step::Options,
        Step::Run,
        Step::Compare,
        Step::Saved,
    ];

    /// Its number among the steps shown, given what is there.
    pub fn number(self, has_data: bool, has_jobs: bool, has_results: bool) -> usize {
        let shown = |s: &Step| match s {
            Step::Data | Step::Saved => true,
            Step::Report | Step::Options => has_data,
            Step::Run => has_data || has_jobs,
            Step::Compare => has_results,
        };
        Step::ALL
            .iter()
            .filter(|s| shown(s))
            .position(|s| *s == self)
            .map_or(0, |i| i + 1)
    }
}

/// The step's number badge, live.
#[component]
pub fn StepNumber(step: Step) -> impl IntoView {
    let page = TrainState::use_state();
    let number = move || {
        let has_data = page.summary().is_some();
        let has_jobs = !page.jobs.with(Vec::is_empty);
        let has_results = page.jobs.with(|jobs| {
            jobs.iter()
                .any(|j| matches!(j.status.get(), JobStatus::Done(_)))
        });
        step.number(has_data, has_jobs, has_results)
    };
    view! { <span class="step" aria-hidden="true">{number}</span> }
}

#[component]
pub fn TrainPage() -> impl IntoView {
    let page = provide_train_state();
    let has_data = move || matches!(page.data.get(), DataState::Ready(_));
    let has_jobs = move || !page.jobs.with(Vec::is_empty);
    view! {
        <PageIntro title="Train" lead=LEAD />
        <div class="train-steps">
            <data_in::DataIn />
            <Show when=has_data>
                <report::Report />
                <options_card::OptionsCard />
            </Show>
            <Show when=move || has_data() || has_jobs()>
                <run::RunCard />
            </Show>
            <Show when=has_data>
                <tune_card::TuneCard />
            </Show>
            <results::Results />
            <corrections::Corrections />
            <saved::SavedModels />
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::Step;

    #[test]
    fn step_numbers_count_the_steps_shown() {
        // Nothing read yet: Data and Saved models only.
        assert_eq!(Step::Data.number(false, false, false), 1);
        assert_eq!(Step::Saved.number(false, false, false), 2);
        // A file read: the report, options and the run card appear between them.
        assert_eq!(Step::Run.number(true, false, false), 4);
        assert_eq!(Step::Saved.number(true, false, false), 5);
        // Results: Compare is 5 and Saved 6.
        assert_eq!(Step::Compare.number(true, true, true), 5);
        assert_eq!(Step::Saved.number(true, true, true), 6);
    }
}
