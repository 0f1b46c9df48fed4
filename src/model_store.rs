//! The active model and the bundled example tracks, as signals in context.
//!
//! Every page reads the model from here, so when Train, Batch or Embed swap in another model
//! (`ModelStore::set_active`) the Predict page re-renders with its features and ranges.

use std::sync::Arc;

use genre_core::model::TrainedModel;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::examples::Examples;
use crate::fetch::{fetch_bytes, fetch_text};

/// Where the bundled model lives, relative to the page (so a sub-path deploy works).
pub const MODEL_URL: &str = "model.bin";
pub const EXAMPLES_URL: &str = "examples.json";

#[derive(Clone)]
pub enum ModelState {
    Loading,
    Ready(Arc<TrainedModel>),
    /// A sentence for the user (the core's `ModelFileError` or a download problem).
    Failed(String),
}

#[derive(Clone)]
pub enum ExamplesState {
    Loading,
    Ready(Arc<Examples>),
    Failed(String),
}

#[derive(Clone, Copy)]
pub struct ModelStore {
    pub state: RwSignal<ModelState>,
    pub examples: RwSignal<ExamplesState>,
    /// While a model kept from the last visit may still be restored, the bundled model's load
    /// result waits here instead of becoming active: pages never predict with the bundled
    /// model for a moment before the kept one replaces it.
    startup: StoredValue<Startup>,
}

#[derive(Default)]
enum Startup {
    /// No restore under way: loads become active at once.
    #[default]
    Open,
    /// A restore is under way; the bundled load's result, if it finished first.
    Restoring(Option<ModelState>),
}

impl ModelStore {
    /// Creates the store, puts it in context and starts loading the bundled model and examples.
    pub fn provide() -> ModelStore {
        let store = ModelStore::provide_with(ModelState::Loading, ExamplesState::Loading);
        store.load_bundled();
        store.load_examples();
        store
    }

    /// Puts a store holding the given states in context, loading nothing (tests, embedding).
    pub fn provide_with(state: ModelState, examples: ExamplesState) -> ModelStore {
        if let ModelState::Ready(model) = &state {
            crate::perf::set_bench_model(model.clone());
        }
        let store = ModelStore {
            state: RwSignal::new(state),
            examples: RwSignal::new(examples),
            startup: StoredValue::new(Startup::Open),
        };
        provide_context(store);
        store
    }

    /// The store from context (panics outside `<App>`, which is a programming error).
    pub fn use_store() -> ModelStore {
        expect_context::<ModelStore>()
    }

    /// Makes `model` the active one for every page.
    pub fn set_active(&self, model: TrainedModel) {
        let model = Arc::new(model);
        crate::perf::set_bench_model(model.clone());
        self.state.set(ModelState::Ready(model));
    }

    /// The active model, if loaded (tracked).
    pub fn model(&self) -> Option<Arc<TrainedModel>> {
        match self.state.get() {
            ModelState::Ready(m) => Some(m),
            _ => None,
        }
    }

    /// (Re)loads the model that ships with the site.
    pub fn load_bundled(&self) {
        let store = *self;
        store.state.set(ModelState::Loading);
        spawn_local(async move {
            let loaded = match bundled_model_bytes().await {
                Ok(bytes) => match TrainedModel::from_bytes(&bytes) {
                    Ok(model) => ModelState::Ready(Arc::new(model)),
                    Err(e) => ModelState::Failed(e.to_string()),
                },
                Err(e) => ModelState::Failed(e),
            };
            let waiting = store.startup.try_update_value(|s| match s {
                Startup::Restoring(slot) => {
                    *slot = Some(loaded.clone());
                    true
                }
                Startup::Open => false,
            });
            if waiting != Some(true) {
                store.apply(loaded);
            }
        });
    }

    /// Called before looking for a model kept from the last visit: until
    /// [`ModelStore::restore_done`], the bundled model's load does not become active.
    pub fn restore_started(&self) {
        self.startup.set_value(Startup::Restoring(None));
    }

    /// The restore is over: `kept` (the model kept from the last visit) becomes active, or,
    /// without one, the bundled model's load result (now, or when it arrives).
    pub fn restore_done(&self, kept: Option<TrainedModel>) {
        let bundled = self
            .startup
            .try_update_value(|s| match std::mem::take(s) {
                Startup::Restoring(slot) => slot,
                Startup::Open => None,
            })
            .flatten();
        match (kept, bundled) {
            (Some(model), _) => self.set_active(model),
            (None, Some(loaded)) => self.apply(loaded),
            (None, None) => {}
        }
    }

    fn apply(&self, loaded: ModelState) {
        if let ModelState::Ready(model) = &loaded {
            crate::perf::set_bench_model(model.clone());
        }
        self.state.set(loaded);
    }

    fn load_examples(&self) {
        let store = *self;
        spawn_local(async move {
            let result = fetch_text(EXAMPLES_URL)
                .await
                .and_then(|json| Examples::parse(&json));
            store.examples.set(match result {
                Ok(ex) => ExamplesState::Ready(Arc::new(ex)),
                Err(e) => ExamplesState::Failed(e),
            });
        });
    }
}

/// The bundled model's bytes: fetched by default (index.html preloads it while the wasm
/// compiles); compiled into the wasm with the `embed-model` feature, for comparison (see README).
#[cfg(not(feature = "embed-model"))]
async fn bundled_model_bytes() -> Result<Vec<u8>, String> {
    fetch_bytes(MODEL_URL).await
}

#[cfg(feature = "embed-model")]
async fn bundled_model_bytes() -> Result<Vec<u8>, String> {
    Ok(include_bytes!("../public/model.bin").to_vec())
}
