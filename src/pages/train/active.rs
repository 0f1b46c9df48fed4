//! Which saved model is active, and bringing it back after a reload.

use genre_core::model::TrainedModel;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::model_store::ModelStore;
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

const RESTORE_PATIENCE: std::time::Duration = std::time::Duration::from_secs(3);

/// Called once by the app shell: if a saved model was active at the last visit, it becomes the
/// active model; the bundled model (loading meanwhile) becomes active only if there is none, so
/// no page shows the bundled model first.
pub fn restore_on_start(store: ModelStore) {
    let active = ActiveSaved {
        id: RwSignal::new(None),
        error: RwSignal::new(None),
    };
    provide_context(active);
    store.restore_started();
    // Storage that never answers (an open blocked by another tab) must not keep every page
    // waiting: after 3 s the bundled model goes ahead, and a late kept model replaces it.
    set_timeout(move || store.restore_done(None), RESTORE_PATIENCE);
    spawn_local(async move {
        let kept = match storage::restore_active().await {
            Ok(Some((meta, bytes))) => match TrainedModel::from_bytes(&bytes) {
                Ok(model) => {
                    active.id.set(Some(meta.id));
                    Some(model)
                }
                Err(e) => {
                    active.error.set(Some(format!(
                        "The saved model \"{}\" could not be loaded ({e}); the bundled model is active.",
                        meta.name
                    )));
                    None
                }
            },
            Ok(None) => None,
            // No storage (private mode): the bundled model simply stays; say why on Train.
            Err(e) => {
                active.error.set(Some(e));
                None
            }
        };
        store.restore_done(kept);
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
