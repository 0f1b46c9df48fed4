//! A model file the user brought (loaded as it is, or imported from LightGBM or XGBoost):
//! decoded, kept in this browser and made the active model, with the sentence saying so.

use genre_core::error::ModelFileError;
use genre_core::format::read_info;
use leptos::prelude::*;

use super::TrainState;
use crate::model_store::{load, LoadError, ModelSource, ModelStore};
use crate::storage::{self, SavedModel};

/// What became of a model file the user brought (loaded or imported).
pub enum Brought {
    /// Kept in this browser and active: the sentence saying so.
    Kept(String),
    /// Active in this tab, but storage refused to keep it: the sentence.
    NotKept(String),
    /// Not a model file this version reads: the sentence, naming the file.
    Refused(String),
}

impl Brought {
    /// The saved-models card's message: whether it is good news, and the sentence.
    pub fn message(self) -> (bool, String) {
        match self {
            Brought::Kept(m) => (true, m),
            Brought::NotKept(m) | Brought::Refused(m) => (false, m),
        }
    }
}

/// Decodes a model file (`name`, as the user chose it), keeps it and makes it `store`'s active
/// model; `verb` says how it came ("Loaded", "Imported").
pub async fn keep_and_use(
    (page, store): (TrainState, ModelStore),
    name: &str,
    verb: &str,
    bytes: Vec<u8>,
) -> Brought {
    // Described from the file's own record; then decoded once, to use it.
    let meta = read_info(&bytes).map(|info| SavedModel::describing(&info));
    let mut loaded = match load(ModelSource::Bytes(bytes.clone())).await {
        Ok(loaded) => loaded,
        // Not ours: the file box also takes the other libraries' models, so say which.
        Err(e @ LoadError::File(ModelFileError::BadMagic)) => {
            return Brought::Refused(format!(
                "{name}: {e} This box reads Genre Lens model files (.bin), LightGBM text models and XGBoost JSON models."
            ))
        }
        Err(e) => return Brought::Refused(format!("{name}: {e}")),
    };
    let label = loaded.model.meta.name.clone();
    let saved = match meta {
        Ok(meta) => storage::save(meta, &bytes).await.map_err(LoadError::from),
        Err(e) => Err(LoadError::from(e)),
    };
    let brought = match saved {
        Ok(saved) => {
            loaded.saved_id = Some(saved.id);
            page.saved_version.update(|v| *v += 1);
            Brought::Kept(format!(
                "{verb} {name}: \"{label}\" is now the active model."
            ))
        }
        Err(e) => Brought::NotKept(format!(
            "\"{label}\" is active in this tab, but not kept: {e}"
        )),
    };
    store.activate(loaded);
    brought
}
