//! The typed calls the page makes to its workers: one async function per request, answering
//! the one response that request expects (anything else is a [`WorkerError`]), so no caller
//! matches an untyped [`Response`].

use std::ops::Range;

use genre_core::corrections::Correction;
use genre_core::ingest::RowSample;
use genre_core::interop::{ForeignSummary, ImportOptions};
use genre_core::train::{Leakage, ModelSpec, Protocol, TrainOptions};
use genre_core::tune::{Trial, TuneOptions};
use js_sys::Uint8Array;
use wasm_bindgen::JsCast;

use super::pool::{Answer, Progress, WorkerClient, WorkerError};
use super::protocol::{DataSummary, Request, Response, Source, SplitSummary, TrainedSummary};

/// A CSV for the parser worker.
pub enum CsvInput<'a> {
    /// A file the user chose: the worker reads it itself, in slices.
    File(&'a web_sys::File),
    /// A gzip-compressed CSV on the site, fetched and inflated by the worker.
    Bundled { url: &'a str, name: &'a str },
}

/// The bundled data set's file name, as the pages show it.
pub const BUNDLED_NAME: &str = "genres_v2.csv";

impl CsvInput<'static> {
    /// The bundled data set, gzip-compressed at build time by `./x` (fetched only on request).
    pub const BUNDLED: CsvInput<'static> = CsvInput::Bundled {
        url: "data/genres_v2.csv.gz",
        name: BUNDLED_NAME,
    };
}

/// The split data set, as the parser made it: opaque bytes the page forwards to the trainers.
pub struct Split {
    pub summary: SplitSummary,
    pub data: Uint8Array,
}

/// A protocol's split ([`WorkerClient::prepare_protocol`]) and what its test part holds.
pub struct ProtocolSplit {
    pub split: Split,
    pub leakage: Leakage,
    /// Exact duplicates the read dropped (none under the report's protocol).
    pub duplicates_dropped: u64,
}

/// A trained model's figures and its model file.
pub struct TrainedFile {
    pub summary: TrainedSummary,
    pub file: Vec<u8>,
}

/// What a training worker is asked to fit: one model on the split named `data_id`.
#[derive(Clone)]
pub struct TrainJob {
    pub data_id: u64,
    pub spec: ModelSpec,
    pub name: String,
    pub trained_at: String,
    /// Appended to the model file's settings line (an auto-tuned model's search result).
    pub note: String,
}

/// The answer was not `expected` (a file, a split, a share, …).
fn unexpected(expected: &'static str) -> WorkerError {
    WorkerError::Unexpected { expected }
}

/// Progress in bytes read, for the calls that read a file.
fn bytes_read(mut progress: impl FnMut(u64, u64) + 'static) -> impl FnMut(Progress) + 'static {
    move |p: Progress| progress(p.done, p.total)
}

impl WorkerClient {
    /// Reads and checks a CSV; the worker keeps it for [`WorkerClient::prepare`].
    /// `progress(bytes read, total)`.
    pub async fn parse(
        &self,
        input: CsvInput<'_>,
        label_column: Option<String>,
        sample: Option<RowSample>,
        progress: impl FnMut(u64, u64) + 'static,
    ) -> Result<DataSummary, WorkerError> {
        let (source, blob) = source_of(input);
        let request = Request::Parse {
            source,
            label_column,
            sample,
        };
        match self
            .request(&request, blob, &[], bytes_read(progress))
            .await?
            .response
        {
            Response::Parsed(summary) => Ok(summary),
            _ => Err(unexpected("the file's report")),
        }
    }

    /// Reads `input` as `protocol` reads files and splits it as it splits, without touching
    /// the file kept for [`WorkerClient::prepare`]. `progress(bytes read, total)`.
    pub async fn prepare_protocol(
        &self,
        protocol: Protocol,
        input: CsvInput<'_>,
        label_column: Option<String>,
        options: TrainOptions,
        data_file: String,
        progress: impl FnMut(u64, u64) + 'static,
    ) -> Result<ProtocolSplit, WorkerError> {
        let (source, blob) = source_of(input);
        let request = Request::PrepareProtocol {
            protocol,
            source,
            label_column,
            options,
            data_file,
        };
        match self
            .request(&request, blob, &[], bytes_read(progress))
            .await?
        {
            Answer {
                response:
                    Response::ProtocolPrepared {
                        split,
                        leakage,
                        duplicates_dropped,
                    },
                bytes,
            } if !bytes.is_empty() => Ok(ProtocolSplit {
                split: Split {
                    summary: split,
                    data: bytes[0].clone(),
                },
                leakage,
                duplicates_dropped,
            }),
            _ => Err(unexpected("the split")),
        }
    }

    /// Splits the data read last with `options`.
    pub async fn prepare(
        &self,
        options: TrainOptions,
        data_file: String,
    ) -> Result<Split, WorkerError> {
        self.prepare_with_corrections(options, data_file, Vec::new())
            .await
    }

    /// Splits the data read last with `options` and adds `corrections` to the training part
    /// (never to the test part); every model trained on the split answers its predictions for
    /// them ([`TrainedSummary::corrections`]).
    pub async fn prepare_with_corrections(
        &self,
        options: TrainOptions,
        data_file: String,
        corrections: Vec<Correction>,
    ) -> Result<Split, WorkerError> {
        let request = Request::Prepare {
            options,
            data_file,
            corrections,
        };
        match self.request(&request, None, &[], |_| {}).await? {
            Answer {
                response: Response::Prepared(summary),
                bytes,
            } if !bytes.is_empty() => Ok(Split {
                summary,
                data: bytes[0].clone(),
            }),
            _ => Err(unexpected("the split")),
        }
    }

    /// Trains `job`'s whole model on `data`; `progress` in work units.
    pub async fn train(
        &self,
        job: &TrainJob,
        data: &Uint8Array,
        progress: impl FnMut(Progress) + 'static,
    ) -> Result<TrainedFile, WorkerError> {
        let request = train_request(job, None);
        let answer = self
            .request_on_split(&request, job.data_id, data, &[], progress)
            .await?;
        trained_file(answer)
    }

    /// Trains the trees `share` of `job`'s forest on `data`; the share comes back as opaque
    /// bytes for [`WorkerClient::finish_forest`].
    pub async fn train_share(
        &self,
        job: &TrainJob,
        share: Range<usize>,
        data: &Uint8Array,
        progress: impl FnMut(Progress) + 'static,
    ) -> Result<Uint8Array, WorkerError> {
        let request = train_request(job, Some(share));
        let answer = self
            .request_on_split(&request, job.data_id, data, &[], progress)
            .await?;
        match answer {
            Answer {
                response: Response::Share { .. },
                mut bytes,
            } if !bytes.is_empty() => Ok(bytes.swap_remove(0)),
            _ => Err(unexpected("a forest share")),
        }
    }

    /// Merges a forest's `shares` (in share order) and scores it on `data`. The shares are
    /// moved to the worker, not copied: they are big and the page has no further use for them;
    /// the split is copied, other calls reuse it.
    pub async fn finish_forest(
        &self,
        job: &TrainJob,
        data: &Uint8Array,
        shares: &[Uint8Array],
    ) -> Result<TrainedFile, WorkerError> {
        let request = Request::Finish {
            data_id: job.data_id,
            spec: job.spec.clone(),
            name: job.name.clone(),
            trained_at: job.trained_at.clone(),
            note: job.note.clone(),
        };
        let answer = self
            .request_on_split(&request, job.data_id, data, shares, |_| {})
            .await?;
        trained_file(answer)
    }
}

impl WorkerClient {
    /// Sends `request` about the split `data` (named `data_id`) with `moved` after it. The
    /// split goes along only the first time this worker life is asked about it (it keeps the
    /// split it decoded last, `handler::load_data`); later requests carry an empty array.
    async fn request_on_split(
        &self,
        request: &Request,
        data_id: u64,
        data: &Uint8Array,
        moved: &[Uint8Array],
        progress: impl FnMut(Progress) + 'static,
    ) -> Result<Answer, WorkerError> {
        let split = match self.held_split() {
            Some(held) if held == data_id => Uint8Array::new_with_length(0),
            _ => sliced_copy(data).await,
        };
        self.set_held_split(Some(data_id));
        let payload: Vec<Uint8Array> = std::iter::once(split)
            .chain(moved.iter().cloned())
            .collect();
        let answer = self
            .request_moving(request, None, &[], &payload, progress)
            .await;
        if answer.is_err() {
            // Maybe before the worker kept it: the next request sends it again.
            self.set_held_split(None);
        }
        answer
    }

    /// Runs auto-tuning trial `index` of `options` on the split `data` (named `data_id`, so a
    /// worker decodes it once per search): the trial's settings and accuracy per fold, and the
    /// worker's time on it (ms).
    pub async fn trial(
        &self,
        data_id: u64,
        options: &TuneOptions,
        index: usize,
        data: &Uint8Array,
    ) -> Result<(Trial, f64), WorkerError> {
        let request = Request::Trial {
            data_id,
            options: options.clone(),
            index,
        };
        let answer = self
            .request_on_split(&request, data_id, data, &[], |_| {})
            .await?;
        match answer.response {
            Response::Scored { trial, fit_ms } => Ok((trial, fit_ms)),
            _ => Err(unexpected("a trial's scores")),
        }
    }
}

impl WorkerClient {
    /// What a LightGBM or XGBoost model file holds, read in the worker.
    pub async fn read_model(&self, file: &[u8]) -> Result<ForeignSummary, WorkerError> {
        let file = [Uint8Array::from(file)];
        let answer = self
            .request_moving(&Request::ReadModel, None, &[], &file, |_| {})
            .await?;
        match answer.response {
            Response::ModelRead(summary) => Ok(summary),
            _ => Err(unexpected("what the model file holds")),
        }
    }

    /// Imports a LightGBM or XGBoost model file as `options` say: our model file for it.
    pub async fn import_model(
        &self,
        file: &[u8],
        options: ImportOptions,
    ) -> Result<Vec<u8>, WorkerError> {
        let file = [Uint8Array::from(file)];
        let request = Request::ImportModel { options };
        let answer = self
            .request_moving(&request, None, &[], &file, |_| {})
            .await?;
        match (answer.response, answer.bytes.first()) {
            (Response::ModelImported, Some(model)) => Ok(model.to_vec()),
            _ => Err(unexpected("the imported model")),
        }
    }
}

/// Bytes copied a slice per task when the page copies a split for a worker.
const COPY_SLICE: u32 = 4 << 20;

/// A copy of `data` to move to a worker, made [`COPY_SLICE`] bytes per task. A million rows'
/// split is 75 MB: posted as it is, `postMessage` copied it in one task that held the page for
/// 200 ms and more; moving this copy costs nothing.
async fn sliced_copy(data: &Uint8Array) -> Uint8Array {
    let len = data.length();
    let copy = Uint8Array::new_with_length(len);
    let mut start = 0;
    while start < len {
        let end = len.min(start + COPY_SLICE);
        copy.set(&data.subarray(start, end), start);
        start = end;
        if start < len {
            crate::browser::yield_now().await;
        }
    }
    copy
}

/// Where a CSV comes from, and the `File` to attach when it is one.
fn source_of(input: CsvInput<'_>) -> (Source, Option<&web_sys::Blob>) {
    match input {
        CsvInput::File(f) => (
            Source::File { name: f.name() },
            Some(f.unchecked_ref::<web_sys::Blob>()),
        ),
        CsvInput::Bundled { url, name } => (
            Source::Bundled {
                url: url.into(),
                name: name.into(),
            },
            None,
        ),
    }
}

fn train_request(job: &TrainJob, share: Option<Range<usize>>) -> Request {
    Request::Train {
        data_id: job.data_id,
        spec: job.spec.clone(),
        share,
        name: job.name.clone(),
        trained_at: job.trained_at.clone(),
        note: job.note.clone(),
    }
}

fn trained_file(answer: Answer) -> Result<TrainedFile, WorkerError> {
    match answer {
        Answer {
            response: Response::Trained(summary),
            bytes,
        } => match bytes.first() {
            Some(file) => Ok(TrainedFile {
                summary,
                file: file.to_vec(),
            }),
            None => Err(unexpected("a model file")),
        },
        _ => Err(unexpected("a trained model")),
    }
}
