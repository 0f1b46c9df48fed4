//! Which saved model is active, and bringing it back after a reload.

use std::sync::Arc;

use genre_core::model::TrainedModel;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::model_store::{ModelState, ModelStore};
use crate::storage;

/// The storage key of the active model when it is a saved one (`None`: the bundled model or a
/// model not saved).
#[derive(Clone, Copy)]
pub struct ActiveSaved {
    pub id: RwSignal<Option<String>>,
    /// A storage problem met at start (shown on the Train page).
    pub error: RwSignal<Option<String>>,
}

impl ActiveSaved {
    pub fn use_context() -> ActiveSaved {
        use_context::<ActiveSaved>().unwrap_or_else(|| ActiveSaved {
            id: RwSignal::new(None),
            error: RwSignal::new(None),
        })
    }
}

/// Called once by the app shell: if a saved model was active at the last visit, make it active
/// again. It waits until the bundled model has settled, so the bundled load cannot overwrite it.
pub fn restore_on_start(store: ModelStore) {
    let active = ActiveSaved {
        id: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    provide_context(active);
    let restored: RwSignal<Option<Arc<TrainedModel>>> = RwSignal::new(None);
    spawn_local(async move {
        match storage::restore_active().await {
            Ok(Some((meta, bytes))) => match TrainedModel::from_bytes(&bytes) {
                Ok(model) => {
                    active.id.set(Some(meta.id));
                    restored.set(Some(Arc::new(model)));
                }
                Err(e) => active.error.set(Some(format!(
                    "The saved model \"{}\" could not be loaded ({e}); the bundled model is active.",
                    meta.name
                ))),
            },
            Ok(None) => {}
            // No storage (private mode): the bundled model simply stays; say why on Train.
            Err(e) => active.error.set(Some(e)),
        }
    });
    Effect::new(move |_| {
        let Some(model) = restored.get() else {
            return;
        };
        if matches!(store.state.get(), ModelState::Loading) {
            return;
        }
        restored.set(None);
        store.set_active((*model).clone());
    });
}

/// Makes a model active for every page and remembers it (or forgets, for `None` = bundled).
pub fn activate(
    store: ModelStore,
    active: ActiveSaved,
    model: TrainedModel,
    saved_id: Option<String>,
) {
    store.set_active(model);
    active.id.set(saved_id.clone());
    spawn_local(async move {
        if let Err(e) = storage::set_active(saved_id.as_deref()).await {
            active.error.set(Some(e));
        }
    });
}

/// Back to the model that ships with the site.
pub fn back_to_bundled(store: ModelStore, active: ActiveSaved) {
    active.id.set(None);
    store.load_bundled();
    spawn_local(async move {
        if let Err(e) = storage::set_active(None).await {
            active.error.set(Some(e));
        }
    });
}
