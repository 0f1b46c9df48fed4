//! The worker side: runs inside each Web Worker (`src/bin/worker.rs`), answers [`Request`]s.
//!
//! A worker is long-lived and keeps what it needs between requests: the last file it read (so
//! the page can re-split with other options without re-reading) and the last split it was sent
//! with the stages fitted on it (so the forest, bagging and the finish step fit the
//! preprocessing once). Cancelling is done by the page terminating the worker, so the core's
//! cancel flag here is never set.

use std::cell::RefCell;
use std::io::Read;
use std::sync::atomic::AtomicBool;

use genre_core::capacity;
use genre_core::corrections::{Correction, CORRECTION_WEIGHT};
use genre_core::error::IngestError;
use genre_core::ingest::{read_csv_with, IngestOptions, IngestProgress, Ingested, RowSample};
use genre_core::model::Estimator;
use genre_core::train::{self, Prepared, Progress, TrainingSet};
use gloo_events::EventListener;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

use super::protocol::*;
use crate::fetch::{fetch_stream, FetchError};
use crate::perf::now;

/// Size of the slices a `File` is read in: memory stays bounded for any file size.
const CHUNK: f64 = (1 << 20) as f64;
/// Progress messages at most this often (ms), so a fast loop does not flood the page.
const PROGRESS_EVERY_MS: f64 = 80.0;

#[derive(Default)]
struct State {
    ingested: Option<Ingested>,
    file_name: String,
    data: Option<(u64, Prepared)>,
    /// Stages fitted on `data`, by "needs scaling" (trees share one, KNN/SVC the other).
    stages: Vec<(bool, TrainingSet)>,
}

thread_local! {
    static STATE: RefCell<State> = RefCell::new(State::default());
}

fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

/// Entry point of the worker binary.
pub fn run() {
    console_error_panic_hook::set_once();
    // The handler lives as long as the worker.
    EventListener::new(&scope(), "message", |ev| {
        on_message(ev.unchecked_ref::<MessageEvent>())
    })
    .forget();
    post(READY_ID, Response::Ready, Vec::new());
}

/// Sends an answer; the byte payloads are transferred (moved), not copied.
fn post(id: RequestId, msg: Response, bytes: Vec<Vec<u8>>) {
    let envelope = Envelope {
        bytes: bytes
            .iter()
            .map(|b| Uint8Array::from(b.as_slice()))
            .collect(),
        ..Envelope::new(id, msg)
    };
    let (envelope, transfer) = envelope.encode(0);
    if let Err(e) = scope().post_message_with_transfer(&envelope, &transfer) {
        web_sys::console::error_2(&"worker: postMessage failed".into(), &e);
    }
}

fn fail(id: RequestId, message: impl Into<String>) {
    post(
        id,
        Response::Failed {
            message: message.into(),
        },
        Vec::new(),
    );
}

fn on_message(ev: &MessageEvent) {
    let data = ev.data();
    let id = envelope_id(&data).unwrap_or(READY_ID);
    let Envelope {
        msg: request,
        blob,
        bytes,
        ..
    } = match Envelope::<Request>::decode(&data) {
        Ok(envelope) => envelope,
        Err(e) => return fail(id, e),
    };
    let mut bytes: Vec<Vec<u8>> = bytes
        .iter()
        .map(|b| {
            let copy = b.to_vec();
            release(b);
            copy
        })
        .collect();
    // The training requests name their data set, whose bytes come with a worker's first one:
    // put it in place before the work, and let go of the bytes (a million rows: 75 MB) before
    // the work grows the heap, which never shrinks.
    if let Request::Train { data_id, .. }
    | Request::Finish { data_id, .. }
    | Request::Trial { data_id, .. } = &request
    {
        if let Err(e) = load_data(*data_id, bytes.first()) {
            return fail(id, e);
        }
        if let Some(split) = bytes.first_mut() {
            *split = Vec::new();
        }
    }
    match request {
        Request::Parse {
            source: Source::File { name },
            label_column,
            sample,
        } => match blob {
            Some(blob) => parse_blob(id, blob, name, label_column, sample),
            None => fail(id, "No file was attached."),
        },
        Request::Parse {
            source: Source::Bundled { url, name },
            label_column,
            sample,
        } => wasm_bindgen_futures::spawn_local(async move {
            match fetch_gunzip(&url).await {
                Ok(csv) => {
                    let size = csv.len() as f64;
                    parse_reader(id, &csv[..], size, name, label_column, sample)
                }
                Err(e) => fail(id, e),
            }
        }),
        Request::Prepare {
            options,
            data_file,
            corrections,
        } => prepare(id, &options, &data_file, &corrections),
        Request::Train {
            spec,
            share,
            name,
            trained_at,
            note,
            ..
        } => train_one(id, &spec, share, &name, &trained_at, &note),
        Request::Finish {
            spec,
            name,
            trained_at,
            note,
            ..
        } => finish_forest(id, &spec, bytes.split_off(1), &name, &trained_at, &note),
        Request::Trial { options, index, .. } => run_trial(id, &options, index),
        Request::PrepareProtocol {
            protocol,
            source,
            label_column,
            options,
            data_file,
        } => {
            let opts = protocol.ingest_options(label_column);
            let run = ProtocolRun {
                protocol,
                options,
                data_file,
            };
            match source {
                Source::File { .. } => match blob {
                    Some(blob) => match blob_reader(blob) {
                        Ok((r, size)) => run.prepare(id, read_with_progress(id, r, size, &opts)),
                        Err(e) => fail(id, e),
                    },
                    None => fail(id, "No file was attached."),
                },
                Source::Bundled { url, .. } => wasm_bindgen_futures::spawn_local(async move {
                    match fetch_gunzip(&url).await {
                        Ok(csv) => {
                            let size = csv.len() as f64;
                            run.prepare(id, read_with_progress(id, &csv[..], size, &opts))
                        }
                        Err(e) => fail(id, e),
                    }
                }),
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Reading

/// `std::io::Read` over a `Blob`, one slice at a time with the worker-only synchronous reader.
struct BlobReader {
    blob: Blob,
    reader: FileReaderSync,
    pos: f64,
    buf: Vec<u8>,
    at: usize,
}

impl Read for BlobReader {
    fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
        if self.at == self.buf.len() {
            let size = self.blob.size();
            if self.pos >= size {
                return Ok(0);
            }
            let end = (self.pos + CHUNK).min(size);
            self.buf = read_slice(&self.reader, &self.blob, self.pos, end)?;
            self.at = 0;
            self.pos = end;
        }
        let n = out.len().min(self.buf.len() - self.at);
        out[..n].copy_from_slice(&self.buf[self.at..self.at + n]);
        self.at += n;
        Ok(n)
    }
}

/// Bytes `start..end` of `blob`, read synchronously (workers only).
fn read_slice(
    reader: &FileReaderSync,
    blob: &Blob,
    start: f64,
    end: f64,
) -> std::io::Result<Vec<u8>> {
    let slice = blob
        .slice_with_f64_and_f64(start, end)
        .map_err(|_| std::io::Error::other("could not slice the file"))?;
    let buffer = reader.read_as_array_buffer(&slice).map_err(|_| {
        std::io::Error::other("the browser could not read the file (was it moved or deleted?)")
    })?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

/// A `Blob` as a reader, with its size.
fn blob_reader(blob: Blob) -> Result<(BlobReader, f64), &'static str> {
    let reader =
        FileReaderSync::new().map_err(|_| "This browser cannot read files in a worker.")?;
    let size = blob.size();
    let r = BlobReader {
        blob,
        reader,
        pos: 0.0,
        buf: Vec::new(),
        at: 0,
    };
    Ok((r, size))
}

fn parse_blob(
    id: RequestId,
    blob: Blob,
    name: String,
    label: Option<String>,
    sample: Option<RowSample>,
) {
    // A file that would not fit in the tab is refused from its first megabyte, before anything
    // is read, unless the user asked for a sample of it.
    // (A head that cannot be read is left to the read itself, which says why.)
    if sample.is_none() {
        let head = FileReaderSync::new()
            .ok()
            .and_then(|r| read_slice(&r, &blob, 0.0, capacity::HEAD_BYTES as f64).ok());
        if let Some(Err(too)) = head.map(|h| capacity::check(blob.size() as u64, &h)) {
            return refuse_too_large(id, too);
        }
    }
    match blob_reader(blob) {
        Ok((r, size)) => parse_reader(id, r, size, name, label, sample),
        Err(e) => fail(id, e),
    }
}

/// Reads a whole CSV, posting the bytes read as progress now and then.
fn read_with_progress(
    id: RequestId,
    r: impl Read,
    size: f64,
    opts: &IngestOptions,
) -> Result<Ingested, IngestError> {
    read_within(id, r, size, opts, &mut |_| true)
}

/// [`read_with_progress`], stopping (as cancelled) when `go_on` says so.
fn read_within(
    id: RequestId,
    r: impl Read,
    size: f64,
    opts: &IngestOptions,
    go_on: &mut dyn FnMut(IngestProgress) -> bool,
) -> Result<Ingested, IngestError> {
    let mut last = 0.0;
    read_csv_with(r, opts, &mut |p| {
        if !go_on(p) {
            return false;
        }
        let t = now();
        if t - last >= PROGRESS_EVERY_MS {
            last = t;
            let msg = Response::Progress {
                done: p.bytes,
                total: size as u64,
            };
            post(id, msg, Vec::new());
        }
        true
    })
}

fn parse_reader(
    id: RequestId,
    r: impl Read,
    size: f64,
    name: String,
    label: Option<String>,
    sample: Option<RowSample>,
) {
    let start = now();
    let opts = IngestOptions {
        label_column: label,
        sample,
        ..IngestOptions::for_training()
    };
    // The first megabyte's estimate can be wrong (long lines first, short ones after): the
    // read stops once the rows read pass the tab's limit by a quarter, with the estimate made
    // from what was read so far.
    let limit = capacity::max_tab_rows() + capacity::max_tab_rows() / 4;
    let mut over = None;
    let result = read_within(id, r, size, &opts, &mut |p| {
        if sample.is_none() && p.rows > limit {
            let rows = (p.rows as f64 * size / p.bytes.max(1) as f64) as u64;
            over = Some(capacity::too_large(size as u64, rows));
            return false;
        }
        true
    });
    if let Some(too) = over {
        return refuse_too_large(id, too);
    }
    match result {
        Ok(data) => {
            let summary = DataSummary {
                file_name: name.clone(),
                file_bytes: size as u64,
                report: data.report.clone(),
                classes: data.classes.clone(),
                present: data.present.clone(),
                set_aside: genre_core::train::set_aside(&data),
                parse_ms: now() - start,
                heap_bytes: heap_bytes(),
            };
            STATE.with_borrow_mut(|s| {
                s.ingested = Some(data);
                s.file_name = name;
            });
            post(id, Response::Parsed(summary), Vec::new());
        }
        Err(e) => {
            STATE.with_borrow_mut(|s| s.ingested = None);
            match e {
                IngestError::MissingLabelColumn { ref columns, .. } => post(
                    id,
                    Response::NeedsLabel {
                        message: e.to_string(),
                        columns: columns.clone(),
                    },
                    Vec::new(),
                ),
                e => fail(id, e.to_string()),
            }
        }
    }
}

/// Answers that the file is too large for the tab; like any failed read, it leaves no data set
/// here.
fn refuse_too_large(id: RequestId, too: capacity::TooLarge) {
    STATE.with_borrow_mut(|s| s.ingested = None);
    post(id, Response::TooLarge(too), Vec::new());
}

fn heap_bytes() -> u64 {
    #[cfg(target_arch = "wasm32")]
    {
        core::arch::wasm32::memory_size(0) as u64 * 65_536
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

async fn fetch_gunzip(url: &str) -> Result<Vec<u8>, String> {
    let err = |what: &str| format!("Could not load the bundled data set ({what}).");
    // The service worker keeps the data set once it has been downloaded; only the first use
    // needs the network, and offline that is what the user must be told.
    let body = fetch_stream(url).await.map_err(|e| match e {
        FetchError::Network(_) => {
            "The bundled data set (1.4 MB) is downloaded the first time it is \
            used, and this browser seems to be offline. Connect once and choose it again: it is \
            then kept for offline use. Your own CSV files work offline."
                .to_string()
        }
        FetchError::Status { code, .. } => err(&format!("the server answered {code}")),
        FetchError::Read(reason) => err(&reason),
    })?;
    // DecompressionStream is behind web-sys's unstable flag: construct it through js-sys.
    let gunzip = Reflect::get(&js_sys::global(), &"DecompressionStream".into())
        .ok()
        .and_then(|c| c.dyn_into::<js_sys::Function>().ok())
        .and_then(|c| Reflect::construct(&c, &Array::of1(&"gzip".into())).ok())
        .ok_or_else(|| err("this browser cannot decompress gzip"))?;
    let inflated = body.pipe_through(gunzip.unchecked_ref());
    let out = web_sys::Response::new_with_opt_readable_stream(Some(&inflated))
        .map_err(|_| err("decompression failed"))?;
    let buf = JsFuture::from(
        out.array_buffer()
            .map_err(|_| err("decompression failed"))?,
    )
    .await
    .map_err(|_| err("the file is not valid gzip"))?;
    Ok(Uint8Array::new(&buf).to_vec())
}

// ---------------------------------------------------------------------------------------------
// Training

fn prepare(
    id: RequestId,
    options: &train::TrainOptions,
    data_file: &str,
    corrections: &[Correction],
) {
    let result = STATE.with_borrow(|s| match &s.ingested {
        Some(d) => train::prepare(d, options, data_file)
            .and_then(|mut prep| {
                if !corrections.is_empty() {
                    train::add_corrections(&mut prep, corrections, CORRECTION_WEIGHT)?;
                }
                Ok(prep)
            })
            .map_err(|e| e.to_string()),
        None => Err("No data has been read yet: choose a file first.".to_string()),
    });
    match result {
        Ok(prep) => {
            let summary = SplitSummary {
                train_rows: prep.train_y.len(),
                test_rows: prep.test_y.len(),
                classes: prep.classes.clone(),
            };
            match encode(&prep) {
                Ok(bytes) => post(id, Response::Prepared(summary), vec![bytes]),
                Err(e) => fail(id, format!("Could not encode the split: {e}")),
            }
        }
        Err(e) => fail(id, e),
    }
}

/// Frees a received byte array's memory now rather than at the next garbage collection, once
/// it is copied into the wasm heap: `ArrayBuffer.prototype.transfer(0)` detaches it. At a
/// million rows the split is 75 MB per training worker, and the collector may wait.
fn release(bytes: &Uint8Array) {
    let buffer = bytes.buffer();
    if let Some(transfer) = Reflect::get(&buffer, &"transfer".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
    {
        let _ = transfer.call1(&buffer, &0.into());
    }
}

/// `value` in postcard, in a buffer of exactly its size: a growing buffer would take up to
/// twice the bytes at its last doubling (the split of a million rows is 75 MB).
fn encode<T: serde::Serialize>(value: &T) -> Result<Vec<u8>, postcard::Error> {
    let size = postcard::experimental::serialized_size(value)?;
    postcard::to_extend(value, Vec::with_capacity(size))
}

/// A [`Request::PrepareProtocol`] once its file is read.
struct ProtocolRun {
    protocol: train::Protocol,
    options: train::TrainOptions,
    data_file: String,
}

impl ProtocolRun {
    fn prepare(self, id: RequestId, read: Result<Ingested, IngestError>) {
        let data = match read {
            Ok(d) => d,
            Err(e) => return fail(id, e.to_string()),
        };
        let prepared = self.protocol.prepare(&data, &self.options, &self.data_file);
        match prepared {
            Ok((prep, leakage)) => {
                let split = SplitSummary {
                    train_rows: prep.train_y.len(),
                    test_rows: prep.test_y.len(),
                    classes: prep.classes.clone(),
                };
                let msg = Response::ProtocolPrepared {
                    split,
                    leakage,
                    duplicates_dropped: data.report.duplicates_dropped,
                };
                match encode(&prep) {
                    Ok(bytes) => post(id, msg, vec![bytes]),
                    Err(e) => fail(id, format!("Could not encode the split: {e}")),
                }
            }
            Err(e) => fail(id, e.to_string()),
        }
    }
}

/// Decodes the split unless this worker already holds the one named `data_id`.
fn load_data(data_id: u64, bytes: Option<&Vec<u8>>) -> Result<(), String> {
    if STATE.with_borrow(|s| s.data.as_ref().is_some_and(|(d, _)| *d == data_id)) {
        return Ok(());
    }
    let bytes = bytes.ok_or("The training data was not attached.")?;
    let prep: Prepared =
        postcard::from_bytes(bytes).map_err(|e| format!("Unreadable training data: {e}"))?;
    STATE.with_borrow_mut(|s| {
        s.data = Some((data_id, prep));
        s.stages.clear();
    });
    Ok(())
}

/// Runs `f` with the split and the stage for `kind`, fitting the stage on first use.
fn with_stage<T>(
    kind: genre_core::model::ModelKind,
    f: impl FnOnce(&Prepared, &TrainingSet) -> T,
) -> Result<T, String> {
    let scaled = kind.needs_scaling();
    STATE.with_borrow_mut(|s| {
        let (_, prep) = s.data.as_ref().ok_or("No training data.")?;
        if !s.stages.iter().any(|(k, _)| *k == scaled) {
            let stage = train::build_training_set(prep, kind).map_err(|e| e.to_string())?;
            s.stages.push((scaled, stage));
        }
        let stage = &s
            .stages
            .iter()
            .find(|(k, _)| *k == scaled)
            .expect("fitted")
            .1;
        Ok(f(prep, stage))
    })
}

fn progress_poster(id: RequestId) -> impl FnMut(Progress) {
    let mut last = 0.0;
    move |p: Progress| {
        let t = now();
        if t - last >= PROGRESS_EVERY_MS || p.done == p.total {
            last = t;
            let msg = Response::Progress {
                done: p.done as u64,
                total: p.total as u64,
            };
            post(id, msg, Vec::new());
        }
    }
}

fn summary(
    model: &genre_core::model::TrainedModel,
    metrics: genre_core::metrics::Metrics,
    fit_ms: f64,
    prep: &Prepared,
) -> TrainedSummary {
    let corrections = model
        .predict_batch(&prep.corrections.x)
        .into_iter()
        .map(|p| CorrectionPrediction {
            genre: model.classes[p.class].clone(),
            probability: p.confidence(),
        })
        .collect();
    TrainedSummary {
        metrics,
        classes: model.classes.clone(),
        features: model.features().as_slice().to_vec(),
        importance: model.importance().map(<[f32]>::to_vec),
        fit_ms,
        corrections,
        settings: model.meta.settings.clone(),
    }
}

/// What one training request produced.
enum TrainOutput {
    Share(Estimator),
    Model(Box<genre_core::model::TrainedModel>, Box<TrainedSummary>),
}

fn train_one(
    id: RequestId,
    spec: &train::ModelSpec,
    share: Option<std::ops::Range<usize>>,
    name: &str,
    trained_at: &str,
    note: &str,
) {
    let never = AtomicBool::new(false);
    let start = now();
    let mut progress = progress_poster(id);
    let is_share = share.is_some();
    let result = with_stage(spec.kind(), |prep, stage| {
        let est = train::fit_estimator(
            stage,
            prep.classes.len(),
            spec,
            share,
            &mut progress,
            &never,
        )
        .map_err(|e| e.to_string())?;
        if is_share {
            return Ok(TrainOutput::Share(est));
        }
        let (mut model, metrics) = train::finish(prep, stage, spec, est, name, trained_at);
        model.meta.settings.push_str(note);
        let summary = summary(&model, metrics, 0.0, prep);
        Ok::<_, String>(TrainOutput::Model(Box::new(model), Box::new(summary)))
    })
    .and_then(|r| r);
    let fit_ms = now() - start;
    match result {
        Err(e) => fail(id, e),
        Ok(TrainOutput::Share(est)) => match encode(&est) {
            Ok(b) => post(id, Response::Share { fit_ms }, vec![b]),
            Err(e) => fail(id, format!("Could not encode the trees: {e}")),
        },
        Ok(TrainOutput::Model(model, summary)) => {
            let bytes = model.to_bytes();
            let msg = Response::Trained(TrainedSummary { fit_ms, ..*summary });
            post(id, msg, vec![bytes]);
        }
    }
}

fn finish_forest(
    id: RequestId,
    spec: &train::ModelSpec,
    parts: Vec<Vec<u8>>,
    name: &str,
    trained_at: &str,
    note: &str,
) {
    // Each share's bytes are freed as soon as it is decoded.
    let decoded: Result<Vec<Estimator>, String> = parts
        .into_iter()
        .map(|b| postcard::from_bytes(&b).map_err(|e| format!("Unreadable forest share: {e}")))
        .collect();
    let merged = match decoded.map(train::merge_estimators) {
        Ok(Some(m)) => m,
        Ok(None) => return fail(id, "No forest share to merge."),
        Err(e) => return fail(id, e),
    };
    let result = with_stage(spec.kind(), |prep, stage| {
        let (mut model, metrics) = train::finish(prep, stage, spec, merged, name, trained_at);
        model.meta.settings.push_str(note);
        let summary = summary(&model, metrics, 0.0, prep);
        (model, summary)
    });
    match result {
        Ok((model, summary)) => {
            let bytes = model.to_bytes();
            post(id, Response::Trained(summary), vec![bytes]);
        }
        Err(e) => fail(id, e),
    }
}

/// One auto-tuning trial on the split this worker holds. Cancelling terminates the worker, so
/// the core's flag stays unset here too.
fn run_trial(id: RequestId, options: &genre_core::tune::TuneOptions, index: usize) {
    let start = now();
    let result = STATE.with_borrow(|s| match &s.data {
        Some((_, prep)) => {
            genre_core::tune::run_trial(prep, options, index, &AtomicBool::new(false))
                .map_err(|e| e.to_string())
        }
        None => Err("No training data.".to_string()),
    });
    match result {
        Ok(trial) => post(
            id,
            Response::Scored {
                trial,
                fit_ms: now() - start,
            },
            Vec::new(),
        ),
        Err(e) => fail(id, e),
    }
}
