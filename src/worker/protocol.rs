//! The one message protocol between the page and its workers.
//!
//! Every message is an [`Envelope`] `{ id, msg, blob?, bytes }`: `id` is the request id the
//! answer carries back (the page drops answers to ids it no longer waits for, e.g. after a
//! cancel), `msg` is a [`Request`] or [`Response`] as a plain JS object (serde-wasm-bindgen: no
//! JSON text in between, and still readable in devtools), `blob` is a `File` to read
//! (structured-cloned, so the worker reads it itself and the page never holds its bytes) and
//! `bytes` is an array of `Uint8Array`s for the big opaque payloads: the split data set, forest
//! shares and model files. The page forwards those without decoding them, so nothing big is
//! decoded on the main thread.

use std::ops::Range;

use genre_core::capacity::TooLarge;
use genre_core::corrections::Correction;
use genre_core::feature::Feature;
use genre_core::ingest::{IngestReport, RowSample};
use genre_core::interop::{ForeignSummary, ImportOptions};
use genre_core::metrics::Metrics;
use genre_core::train::{Leakage, ModelSpec, Protocol, SetAside, TrainOptions};
use genre_core::tune::{Trial, TuneOptions};
use js_sys::{Array, Object, Reflect, Uint8Array};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use wasm_bindgen::{JsCast, JsValue};
use web_sys::Blob;

use super::failure::{Failure, WorkError};

pub type RequestId = u64;

/// The id of the unsolicited "I have loaded" message every worker sends first.
pub const READY_ID: RequestId = 0;

/// Where the CSV comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Source {
    /// The `File` attached as `blob`, read in slices inside the worker (streaming).
    File { name: String },
    /// A gzip-compressed CSV the worker fetches (relative to the site) and inflates.
    Bundled { url: String, name: String },
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Request {
    /// Read and validate a CSV; the worker keeps the result for `Prepare`.
    Parse {
        source: Source,
        label_column: Option<String>,
        /// Keep a random sample of the rows (the user's answer to [`Response::TooLarge`]);
        /// without one, a file too large for the tab is not read.
        #[serde(default)]
        sample: Option<RowSample>,
    },
    /// Split the data read last with these options; answers the split as bytes. The user's
    /// `corrections` join its training part (`genre_core::train::add_corrections`).
    Prepare {
        options: TrainOptions,
        data_file: String,
        #[serde(default)]
        corrections: Vec<Correction>,
    },
    /// Train one model (or, with `share`, some of a forest's trees) on the split attached as
    /// `bytes[0]`. `data_id` names that split: a worker decodes it once and keeps it, so the
    /// page attaches it to a worker's first request about it only (an empty array after).
    Train {
        data_id: u64,
        spec: ModelSpec,
        share: Option<Range<usize>>,
        name: String,
        trained_at: String,
        /// Appended to the model file's settings line (an auto-tuned model's search result,
        /// `genre_core::tune::tuned_note`); empty for a plain run.
        #[serde(default)]
        note: String,
    },
    /// Merge forest shares (`bytes[1..]`, in share order) and score the forest on the test
    /// part of the split (`bytes[0]`, as for `Train`) from the leaves the shares' trees give it.
    Finish {
        data_id: u64,
        spec: ModelSpec,
        name: String,
        trained_at: String,
        #[serde(default)]
        note: String,
    },
    /// One auto-tuning trial on the split attached as `bytes[0]` (named `data_id`): candidate
    /// `index` of `options` scored by k-fold cross-validation on its training part
    /// (`genre_core::tune::run_trial`); answers `Scored`.
    Trial {
        data_id: u64,
        options: TuneOptions,
        index: usize,
    },
    /// Read a CSV as `protocol` reads it and split it as it splits (the report's protocol
    /// keeps duplicates and runs SMOTE before the split); answers `ProtocolPrepared` with the
    /// split as bytes. The file read for `Prepare` is left as it was.
    PrepareProtocol {
        protocol: Protocol,
        source: Source,
        label_column: Option<String>,
        options: TrainOptions,
        data_file: String,
    },
    /// Read a LightGBM text model or an XGBoost JSON model (`bytes[0]`); answers `ModelRead`
    /// with what it holds. A big model is megabytes of text: parsed here, not on the page.
    ReadModel,
    /// Import the model file `bytes[0]` as `options` say (classes, features, name); answers
    /// `ModelImported` with our model file as `bytes[0]`.
    ImportModel { options: ImportOptions },
}

/// What the page needs to show about a file before training.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DataSummary {
    pub file_name: String,
    pub file_bytes: u64,
    pub report: IngestReport,
    pub classes: Vec<String>,
    pub present: Vec<Feature>,
    /// Genres too small to split, which training leaves out (the report says so).
    pub set_aside: SetAside,
    pub parse_ms: f64,
    /// The worker's wasm heap after reading (it never shrinks, so this is its peak).
    pub heap_bytes: u64,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SplitSummary {
    pub train_rows: usize,
    pub test_rows: usize,
    pub classes: Vec<String>,
}

/// A trained model's figures; its model file comes with it as `bytes[0]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedSummary {
    pub metrics: Metrics,
    pub classes: Vec<String>,
    pub features: Vec<Feature>,
    pub importance: Option<Vec<f32>>,
    /// Time spent fitting in this worker (the page measures the wall time of the whole job).
    pub fit_ms: f64,
    /// The model's prediction for each correction the run was given, in their order.
    #[serde(default)]
    pub corrections: Vec<CorrectionPrediction>,
    /// The settings line the model file records (an auto-tuned model's search result
    /// included), so the page shows it without decoding the file.
    #[serde(default)]
    pub settings: String,
}

/// A trained model's answer for a corrected track: its genre label and probability.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CorrectionPrediction {
    pub genre: String,
    pub probability: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Response {
    /// The worker's wasm is loaded and it listens (id [`READY_ID`]).
    Ready,
    /// Parsing: bytes read of `total`; training: trees/rounds/epochs done of `total`.
    Progress {
        done: u64,
        total: u64,
        /// Training with early stopping: where it ends unless it improves again
        /// (`genre_core::train::Progress::stops_by`).
        #[serde(default)]
        stops_by: Option<u64>,
    },
    Parsed(DataSummary),
    /// The split, as `bytes[0]`.
    Prepared(SplitSummary),
    /// A forest share (`genre_core::train::TrainedShare`: its trees and the leaves they give
    /// the test part), as `bytes[0]`.
    Share {
        fit_ms: f64,
    },
    Trained(TrainedSummary),
    /// An auto-tuning trial: its settings and accuracy per fold, and the worker's time on it.
    Scored {
        trial: Trial,
        fit_ms: f64,
    },
    /// Why the request could not be done, typed; the page makes the sentence where it shows
    /// it. (A file without a recognised genre column is `Failure::Ingest(MissingLabelColumn)`,
    /// whose `columns` the Train page offers as the label.)
    Failed(Failure),
    /// The file would not fit in the tab (`genre_core::capacity`): what it would need, and the
    /// sample the page can offer instead.
    TooLarge(TooLarge),
    /// A protocol's split, as `bytes[0]`, with what its test part holds and the exact
    /// duplicates the read dropped.
    ProtocolPrepared {
        split: SplitSummary,
        leakage: Leakage,
        duplicates_dropped: u64,
    },
    /// What a LightGBM or XGBoost model file holds.
    ModelRead(ForeignSummary),
    /// An imported model, its model file as `bytes[0]`.
    ModelImported,
}

/// One message as it crosses `postMessage`, either way.
pub struct Envelope<M> {
    pub id: RequestId,
    pub msg: M,
    /// A `File` to read (page to parser only).
    pub blob: Option<Blob>,
    /// The opaque byte payloads, in the order the message's docs give.
    pub bytes: Vec<Uint8Array>,
}

impl<M> Envelope<M> {
    pub fn new(id: RequestId, msg: M) -> Envelope<M> {
        Envelope {
            id,
            msg,
            blob: None,
            bytes: Vec::new(),
        }
    }
}

impl<M: Serialize> Envelope<M> {
    /// The JS object to post and its transfer list: the byte arrays from index `move_from` on
    /// are moved to the receiver (their buffers detach here), those before it are copied.
    pub fn encode(&self, move_from: usize) -> (JsValue, Array) {
        // u64 fields (seeds, ids) cross as BigInt, so no value is rounded to a JS number.
        let serializer =
            serde_wasm_bindgen::Serializer::new().serialize_large_number_types_as_bigints(true);
        let msg = self
            .msg
            .serialize(&serializer)
            .expect("protocol messages always serialise");
        let envelope = Object::new();
        let arrays = Array::new();
        let transfer = Array::new();
        for (i, b) in self.bytes.iter().enumerate() {
            arrays.push(b);
            if i >= move_from {
                transfer.push(&b.buffer());
            }
        }
        let set = |key: &str, value: &JsValue| {
            let _ = Reflect::set(&envelope, &key.into(), value);
        };
        set("id", &JsValue::from_f64(self.id as f64));
        set("msg", &msg);
        set("bytes", &arrays);
        if let Some(blob) = &self.blob {
            set("blob", blob);
        }
        (envelope.into(), transfer)
    }
}

impl<M: DeserializeOwned> Envelope<M> {
    /// Reads a received envelope.
    pub fn decode(data: &JsValue) -> Result<Envelope<M>, WorkError> {
        let get = |key: &str| Reflect::get(data, &key.into()).unwrap_or(JsValue::UNDEFINED);
        let id = envelope_id(data).ok_or_else(|| WorkError::UnreadableMessage {
            reason: "it has no id".into(),
        })?;
        let msg = serde_wasm_bindgen::from_value(get("msg")).map_err(|e| {
            WorkError::UnreadableMessage {
                reason: e.to_string(),
            }
        })?;
        let blob = get("blob").dyn_into::<Blob>().ok();
        let bytes = Some(get("bytes"))
            .filter(Array::is_array)
            .map(|v| {
                Array::from(&v)
                    .iter()
                    .map(|a| a.unchecked_into::<Uint8Array>())
                    .collect()
            })
            .unwrap_or_default();
        Ok(Envelope {
            id,
            msg,
            blob,
            bytes,
        })
    }
}

/// The request id of a received envelope (read first: a reply is owed even to a message that
/// cannot be decoded).
pub fn envelope_id(data: &JsValue) -> Option<RequestId> {
    Reflect::get(data, &"id".into())
        .ok()
        .and_then(|v| v.as_f64())
        .map(|id| id as RequestId)
}

/// Shares a worker takes of a forest, at most: a worker that is done takes the next share, so
/// one slower worker (a phone's small core, a tab in the background, a busy machine) holds the
/// forest up by one small share, not by half of it.
const SHARES_PER_WORKER: usize = 3;
/// Trees a share has, at least: each share bins nothing (the worker keeps the bins) but is a
/// round trip, a decode and a walk of the holdout.
const MIN_SHARE_TREES: usize = 8;

/// How many shares `n_trees` trees are cut into for `workers` workers: at least one per worker,
/// up to [`SHARES_PER_WORKER`] each while shares keep [`MIN_SHARE_TREES`] trees.
pub fn share_count(n_trees: usize, workers: usize) -> usize {
    (n_trees / MIN_SHARE_TREES).clamp(workers, workers * SHARES_PER_WORKER)
}

/// Splits `n_trees` into `parts` contiguous shares, larger ones first (empty shares dropped).
pub fn shares(n_trees: usize, parts: usize) -> Vec<Range<usize>> {
    let parts = parts.clamp(1, n_trees.max(1));
    let (base, extra) = (n_trees / parts, n_trees % parts);
    let mut out = Vec::with_capacity(parts);
    let mut start = 0;
    for k in 0..parts {
        let len = base + usize::from(k < extra);
        if len > 0 {
            out.push(start..start + len);
        }
        start += len;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::worker::failure::{BundledDataError, Encoded};
    use genre_core::error::{ImportError, IngestError, ModelFileError, TrainError};

    #[test]
    fn shares_cover_all_trees_in_order() {
        assert_eq!(shares(100, 2), vec![0..50, 50..100]);
        assert_eq!(shares(10, 3), vec![0..4, 4..7, 7..10]);
        assert_eq!(shares(2, 8), vec![0..1, 1..2]);
        assert_eq!(shares(5, 0), vec![0..5]);
    }

    #[test]
    fn a_forest_is_cut_into_several_shares_a_worker_while_they_keep_enough_trees() {
        assert_eq!(share_count(100, 2), 6);
        assert_eq!(share_count(60, 2), 6);
        assert_eq!(share_count(40, 2), 5);
        assert_eq!(share_count(10, 2), 2);
        assert_eq!(share_count(3, 2), 2);
        assert_eq!(share_count(1000, 4), 12);
        // Every tree in exactly one share, in order.
        let parts = shares(100, share_count(100, 2));
        assert_eq!(parts.first().map(|r| r.start), Some(0));
        assert_eq!(parts.last().map(|r| r.end), Some(100));
        assert!(parts.windows(2).all(|w| w[0].end == w[1].start));
    }

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
