//! Why a worker could not do what it was asked, as it crosses the protocol (`protocol.rs`'s
//! `Response::Failed`): the core's own error when the
//! core is the reason (its fields intact, so the page can act on them, e.g. offer a file's
//! columns as the label), or one of the worker's few of its own. Data, not sentences: the page
//! makes the sentence (`Display`) where it shows it, from the one wording each error has.

use genre_core::error::{ImportError, IngestError, ModelFileError, TrainError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum Failure {
    /// The file could not be read (a row-level problem is not a failure: the report lists it).
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// The split or a model could not be made.
    #[error(transparent)]
    Train(#[from] TrainError),
    #[error(transparent)]
    ModelFile(#[from] ModelFileError),
    #[error(transparent)]
    Import(#[from] ImportError),
    #[error(transparent)]
    BundledData(#[from] BundledDataError),
    #[error(transparent)]
    Work(#[from] WorkError),
}

/// What the worker itself found wrong with a request (not the data's problem: a message
/// without its payload, a payload that does not decode).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum WorkError {
    #[error("No file was attached.")]
    NoFile,
    #[error("This browser cannot read files in a worker.")]
    NoFileReader,
    #[error("No data has been read yet: choose a file first.")]
    NothingRead,
    #[error("The training data was not attached.")]
    NoData,
    #[error("No training data.")]
    NoSplit,
    /// `reason`: the decoder's words.
    #[error("Unreadable training data: {reason}")]
    UnreadableData { reason: String },
    #[error("Unreadable forest share: {reason}")]
    UnreadableShare { reason: String },
    #[error("No forest share to merge.")]
    NoShare,
    #[error("No model file was attached.")]
    NoModelFile,
    #[error("Could not encode {what}: {reason}")]
    Encode { what: Encoded, reason: String },
    /// A message that is not a request or an answer of this protocol (`reason`: the decoder's
    /// words).
    #[error("Unreadable worker message: {reason}")]
    UnreadableMessage { reason: String },
}

/// What a worker encodes for the page.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Encoded {
    Split,
    Trees,
}

impl std::fmt::Display for Encoded {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Encoded::Split => "the split",
            Encoded::Trees => "the trees",
        })
    }
}

/// Why the bundled data set could not be had.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, thiserror::Error)]
pub enum BundledDataError {
    #[error(
        "The bundled data set (1.4 MB) is downloaded the first time it is used, and this browser \
         seems to be offline. Connect once and choose it again: it is then kept for offline \
         use. Your own CSV files work offline."
    )]
    Offline,
    #[error("Could not load the bundled data set (the server answered {0}).")]
    Answered(u16),
    #[error("Could not load the bundled data set ({0}).")]
    Read(String),
    #[error("Could not load the bundled data set (this browser cannot decompress gzip).")]
    NoGunzip,
    #[error("Could not load the bundled data set (decompression failed).")]
    Decompression,
    #[error("Could not load the bundled data set (the file is not valid gzip).")]
    NotGzip,
}
