//! Why a model could not be loaded.

use genre_core::error::ModelFileError;

use crate::storage::StorageError;

/// Why a model could not be loaded. Each message is a sentence for the user.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum LoadError {
    /// The file could not be downloaded (the fetch's own sentence names the URL).
    #[error("{0}")]
    Download(String),
    /// The browser's storage failed, or the saved model is gone.
    #[error(transparent)]
    Storage(#[from] StorageError),
    /// The bytes are not a model this version reads (the core's sentence).
    #[error(transparent)]
    File(#[from] ModelFileError),
}
