//! The Train page: data in → what was understood → options → training in Web Workers →
//! compare → keep. Each step is a submodule; they share [`TrainState`] through context.
//!
//! Nothing here decodes big data on the main thread: files are read by a worker, the split is
//! forwarded to the training workers as opaque bytes, and a model file is decoded only when the
//! user makes it the active model.

mod active;
mod data_in;
pub mod logic;
mod options;
mod report;
mod results;
mod run;
mod saved;

use std::sync::Arc;

use genre_core::model::ModelKind;
use leptos::prelude::*;

use crate::worker::protocol::{DataSummary, TrainedSummary};

pub use active::{restore_on_start, ActiveSaved};
pub use options::Options;

/// Where the current data came from, to read it again with another label column.
#[derive(Clone)]
pub enum SourceRef {
    File(web_sys::File),
    Bundled,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DataState {
    Empty,
    Parsing { name: String, done: u64, total: u64 },
    Ready(Arc<DataSummary>),
    Failed { name: String, message: String },
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
    /// Its key in storage once saved.
    pub saved_id: RwSignal<Option<String>>,
}

#[derive(Clone, Debug, PartialEq)]
pub enum JobStatus {
    Queued,
    Running { done: u64, total: u64, started: f64 },
    Done(Arc<ModelResult>),
    Failed(String),
    Cancelled,
}

/// A model in the current (or last) training run.
#[derive(Clone, Copy, Debug)]
pub struct JobView {
    pub kind: ModelKind,
    pub status: RwSignal<JobStatus>,
}

#[derive(Clone, Copy)]
pub struct TrainState {
    pub data: RwSignal<DataState>,
    pub source: StoredValue<Option<SourceRef>, LocalStorage>,
    /// The parser worker's generation when it read `source` (see `data_in::ensure_parsed`).
    pub parsed_in: StoredValue<u32>,
    pub label_column: RwSignal<Option<String>>,
    pub options: Options,
    pub jobs: RwSignal<Vec<JobView>>,
    pub running: RwSignal<bool>,
    /// A problem with the run as a whole (the split failed, no model selected, ...).
    pub run_error: RwSignal<Option<String>>,
    /// The model whose details are shown.
    pub selected: RwSignal<Option<ModelKind>>,
    /// Bumped when the saved list changes, so it reloads.
    pub saved_version: RwSignal<u32>,
}

impl TrainState {
    pub fn use_state() -> TrainState {
        expect_context::<TrainState>()
    }

    pub fn summary(&self) -> Option<Arc<DataSummary>> {
        match self.data.get() {
            DataState::Ready(s) => Some(s),
            _ => None,
        }
    }
}

/// Keeps the Train page's state across navigation (going to Predict and back keeps the data
/// and the results, and a running training keeps running).
pub fn provide_train_state() -> TrainState {
    if let Some(st) = use_context::<TrainState>() {
        return st;
    }
    let st = TrainState {
        data: RwSignal::new(DataState::Empty),
        source: StoredValue::new_local(None),
        parsed_in: StoredValue::new(0),
        label_column: RwSignal::new(None),
        options: Options::new(),
        jobs: RwSignal::new(Vec::new()),
        running: RwSignal::new(false),
        run_error: RwSignal::new(None),
        selected: RwSignal::new(None),
        saved_version: RwSignal::new(0),
    };
    provide_context(st);
    st
}

#[component]
pub fn TrainPage() -> impl IntoView {
    let st = provide_train_state();
    let has_data = move || matches!(st.data.get(), DataState::Ready(_));
    let has_jobs = move || !st.jobs.with(Vec::is_empty);
    view! {
        <section class="page-intro">
            <h1>"Train"</h1>
            <p class="lead">
                "Retrain the model on your own CSV, in this tab: nothing is uploaded. "
                "Check what was understood, choose features and models, train them side by side "
                "in background workers, and keep the best."
            </p>
        </section>
        <div class="train-steps">
            <data_in::DataIn />
            <Show when=has_data>
                <report::Report />
                <options::OptionsCard />
            </Show>
            <Show when=move || has_data() || has_jobs()>
                <run::RunCard />
            </Show>
            <results::Results />
            <saved::SavedModels />
        </div>
    }
}
