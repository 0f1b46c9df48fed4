//! Why a worker could not do what it was asked, as it crosses the protocol
//! ([`Response::Failed`](super::protocol::Response::Failed)): the core's own error when the
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::protocol::Response;

    /// Natively through serde (JSON stands in for serde-wasm-bindgen, which only runs in the
    /// browser: `worker_messages_round_trip_through_the_envelope` in tests/web.rs sends the
    /// same errors through the envelope there). Each comes back the same variant with the same
    /// fields, so the page shows what the worker found and can act on its fields.
    #[test]
    fn every_kind_of_failure_round_trips_with_its_fields() {
        let failures = [
            Failure::Ingest(IngestError::MissingLabelColumn {
                found: "`energy`, `style`".into(),
                columns: vec!["energy".into(), "style".into()],
            }),
            Failure::Ingest(IngestError::NotUtf8 {
                row: 12,
                column: "song_name".into(),
            }),
            Failure::Train(TrainError::InvalidParam {
                name: "opt-rf-trees".into(),
                value: "0".into(),
                expected: "a whole number from 1 to 2000".into(),
            }),
            Failure::Train(TrainError::ClassTooSmall {
                class: "Emo".into(),
                count: 1,
                needed: 2,
                purpose: "to put one in the training part and one in the test part".into(),
            }),
            Failure::ModelFile(ModelFileError::NewerVersion {
                found: 9,
                supported: 2,
            }),
            Failure::Import(ImportError::UnsupportedObjective {
                library: "XGBoost".into(),
                objective: "reg:squarederror".into(),
                supported: "`multi:softprob`".into(),
            }),
            Failure::BundledData(BundledDataError::Answered(404)),
            Failure::Work(WorkError::Encode {
                what: Encoded::Split,
                reason: "out of memory".into(),
            }),
        ];
        for failure in failures {
            let answer = Response::Failed(failure.clone());
            let text = serde_json::to_string(&answer).unwrap();
            let back: Response = serde_json::from_str(&text).unwrap();
            assert_eq!(back, answer, "{text}");
            // The sentence is the core's (or the worker's) own, made where it is shown.
            let Response::Failed(back) = back else {
                unreachable!()
            };
            assert_eq!(back.to_string(), failure.to_string());
        }
    }

    #[test]
    fn the_sentence_is_the_cores_own() {
        let e = IngestError::Binary { offset: 3 };
        assert_eq!(Failure::from(e.clone()).to_string(), e.to_string());
        assert_eq!(
            Failure::from(WorkError::Encode {
                what: Encoded::Trees,
                reason: "no room".into()
            })
            .to_string(),
            "Could not encode the trees: no room"
        );
    }
}
