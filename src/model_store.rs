//! The active model and the bundled example tracks, as signals in context.
//!
//! Every page reads the model from here, so when Train or the saved models swap in another
//! model ([`ModelStore::activate`]) the Predict page re-renders with its features and ranges.
//! The store is the one owner of "which model is active": it loads the bundled model, brings
//! back at start the kept model that was active at the last visit, and remembers in storage
//! which kept model is active. Models are loaded through [`source::load`].

mod error;
pub mod remote;
pub mod source;

use std::sync::Arc;

use genre_core::model::TrainedModel;
use gloo_timers::callback::Timeout;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::examples::Examples;
use crate::fetch::fetch_text;
use crate::storage;
pub use error::LoadError;
pub use source::{load, BundledModel, LoadedModel, ModelSource, FOREST_URL, MODEL_URL};

pub const EXAMPLES_URL: &str = "examples.json";

#[derive(Clone)]
pub enum ModelState {
    Loading,
    Ready(Arc<TrainedModel>),
    /// A sentence for the user (a [`LoadError`]).
    Failed(String),
}

/// The same state: for a model, the same loaded model (not merely an equal one), which is
/// cheap to compare and says whether the active model changed.
impl PartialEq for ModelState {
    fn eq(&self, other: &ModelState) -> bool {
        match (self, other) {
            (ModelState::Loading, ModelState::Loading) => true,
            (ModelState::Ready(a), ModelState::Ready(b)) => Arc::ptr_eq(a, b),
            (ModelState::Failed(a), ModelState::Failed(b)) => a == b,
            _ => false,
        }
    }
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
    /// The storage key of the active model when it is a kept one (`None`: the bundled model or
    /// a model not kept).
    pub saved_id: RwSignal<Option<String>>,
    /// Which of the site's own models is active or loading (`None`: a kept or just-trained
    /// model). The Predict page's chooser and its share link read it.
    pub bundled: RwSignal<Option<BundledModel>>,
    /// A storage problem met while restoring or remembering the active model (shown on Train).
    pub storage_error: RwSignal<Option<String>>,
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

/// How long the bundled model waits for the restore of a kept one. Storage that never answers
/// (an open blocked by another tab) must not keep every page waiting: after that the bundled
/// model goes ahead, and a late kept model replaces it.
const RESTORE_PATIENCE_MS: u32 = 3_000;

impl ModelStore {
    /// Creates the store, puts it in context and starts loading the bundled model and examples;
    /// a kept model that was active at the last visit becomes active again instead of the
    /// bundled one (see [`ModelStore::restore_kept`]).
    /// `linked`: the bundled model the address names (a Predict link naming the forest,
    /// `#/?…&model=forest`, opens with the forest: the link says which model its prediction was
    /// made with).
    pub fn provide(linked: Option<BundledModel>) -> ModelStore {
        let store = ModelStore::provide_with(ModelState::Loading, ExamplesState::Loading);
        match linked {
            Some(BundledModel::Forest) => store.load_bundled_model(BundledModel::Forest),
            _ => {
                store.restore_kept(storage::kept_model_may_be_active());
                store.load_bundled();
            }
        }
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
            saved_id: RwSignal::new(None),
            bundled: RwSignal::new(None),
            storage_error: RwSignal::new(None),
            startup: StoredValue::new(Startup::Open),
        };
        provide_context(store);
        store
    }

    /// The store from context (panics outside `<App>`, which is a programming error).
    pub fn use_store() -> ModelStore {
        expect_context::<ModelStore>()
    }

    /// Makes `loaded` the active model for every page and remembers it in storage (a kept
    /// model comes back after a reload; any other means the bundled one does).
    pub fn activate(&self, loaded: LoadedModel) {
        let LoadedModel { model, saved_id } = loaded;
        self.bundled.set(None);
        self.apply(ModelState::Ready(Arc::new(model)));
        self.remember(saved_id);
    }

    /// Back to the model that ships with the site, for every page and after a reload.
    pub fn back_to_bundled(&self) {
        self.choose_bundled(BundledModel::Boosted);
    }

    /// One of the site's own models becomes active for every page (the Predict page's
    /// chooser); after a reload the boosted one is, unless the page's link names the forest.
    pub fn choose_bundled(&self, which: BundledModel) {
        self.load_bundled_model(which);
        self.remember(None);
    }

    fn remember(&self, saved_id: Option<String>) {
        let store = *self;
        store.saved_id.set(saved_id.clone());
        spawn_local(async move {
            if let Err(e) = storage::set_active(saved_id.as_deref()).await {
                store.storage_error.set(Some(e.to_string()));
            }
        });
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
        self.load_bundled_model(BundledModel::Boosted);
    }

    /// (Re)loads the site's own model that was asked for last (after a failed load).
    pub fn retry_bundled(&self) {
        let which = self.bundled.get_untracked();
        self.load_bundled_model(which.unwrap_or(BundledModel::Boosted));
    }

    /// (Re)loads one of the models that ship with the site.
    pub fn load_bundled_model(&self, which: BundledModel) {
        let store = *self;
        store.state.set(ModelState::Loading);
        store.bundled.set(Some(which));
        spawn_local(async move {
            let loaded = match load(which.source()).await {
                Ok(loaded) => ModelState::Ready(Arc::new(loaded.model)),
                Err(e) => ModelState::Failed(e.to_string()),
            };
            // Another model was chosen, activated or restored meanwhile: this load is stale.
            if store.bundled.get_untracked() != Some(which) {
                return;
            }
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

    /// If a kept model was active at the last visit, it becomes the active model. With `wait`
    /// (storage's hint says one may be), the bundled model's load waits until the restore is
    /// over (or [`RESTORE_PATIENCE_MS`] have passed).
    fn restore_kept(&self, wait: bool) {
        let store = *self;
        if wait {
            store.startup.set_value(Startup::Restoring(None));
            Timeout::new(RESTORE_PATIENCE_MS, move || store.restore_done(None)).forget();
        }
        spawn_local(async move {
            let kept = match storage::active_model().await {
                Ok(Some(meta)) => match load(ModelSource::Saved(meta.id)).await {
                    Ok(loaded) => Some(loaded),
                    Err(LoadError::Storage(e)) => {
                        store.storage_error.set(Some(e.to_string()));
                        None
                    }
                    Err(e) => {
                        store.storage_error.set(Some(format!(
                            "The saved model \"{}\" could not be loaded ({e}); the bundled model is active.",
                            meta.name
                        )));
                        None
                    }
                },
                Ok(None) => None,
                // No storage (private mode): the bundled model simply stays; say why on Train.
                Err(e) => {
                    store.storage_error.set(Some(e.to_string()));
                    None
                }
            };
            store.restore_done(kept);
        });
    }

    /// The restore is over: `kept` (the model kept from the last visit) becomes active, or,
    /// without one, the bundled model's load result (now, or when it arrives).
    fn restore_done(&self, kept: Option<LoadedModel>) {
        let bundled = self
            .startup
            .try_update_value(|s| match std::mem::take(s) {
                Startup::Restoring(slot) => slot,
                Startup::Open => None,
            })
            .flatten();
        match (kept, bundled) {
            (Some(LoadedModel { model, saved_id }), _) => {
                // Already remembered as the active one: only the page state changes.
                self.saved_id.set(saved_id);
                self.bundled.set(None);
                self.apply(ModelState::Ready(Arc::new(model)));
            }
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
                .map_err(|e| e.sentence(EXAMPLES_URL))
                .and_then(|json| Examples::parse(&json));
            store.examples.set(match result {
                Ok(ex) => ExamplesState::Ready(Arc::new(ex)),
                Err(e) => ExamplesState::Failed(e),
            });
        });
    }
}
