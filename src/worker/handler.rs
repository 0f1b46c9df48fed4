//! The worker side: runs inside each Web Worker (`src/bin/worker.rs`), answers [`Request`]s.
//!
//! A worker is long-lived and keeps what it needs between requests: the last file it read (so
//! the page can re-split with other options without re-reading) and the last split it was sent
//! with the stages fitted on it (so the forest, bagging and the finish step fit the
//! preprocessing once). Cancelling is done by the page terminating the worker: a worker busy
//! in one long call into wasm hears no message, and without `SharedArrayBuffer` (which a static
//! host without cross-origin isolation does not give) it shares no memory with the page, so
//! the core's cancel flag is the CLI's (Ctrl+C), and here one that nothing sets.

use std::cell::RefCell;
use std::io::Read;
use std::sync::atomic::AtomicBool;

use genre_core::capacity;
use genre_core::corrections::{Correction, CORRECTION_WEIGHT};
use genre_core::error::IngestError;
use genre_core::ingest::{read_csv_with, IngestOptions, IngestProgress, Ingested, RowSample};
use genre_core::train::{self, Prepared, Progress, TrainingSet};
use gloo_events::EventListener;
use js_sys::{Array, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, DedicatedWorkerGlobalScope, FileReaderSync, MessageEvent};

mod importing;
mod reading;
mod training;
mod warm_up;

use importing::{import_model, read_model};
use reading::{blob_reader, fetch_gunzip, parse_blob, parse_reader, read_with_progress};
use training::{finish_forest, load_data, prepare, run_trial, train_one, ProtocolRun};

use super::failure::{BundledDataError, Encoded, Failure, WorkError};
use super::protocol::*;
use crate::fetch::{fetch_stream, FetchError};
use crate::perf::now;

/// Size of the slices a `File` is read in: memory stays bounded for any file size.
const CHUNK: f64 = (1 << 20) as f64;
/// Progress messages at most this often (ms). Each one costs the page a style, layout and
/// paint on the cores the training workers need, and four a second are enough for a bar that
/// slides from one to the next (style/train.css, `.progress-bar`'s transition as long).
const PROGRESS_EVERY_MS: f64 = 250.0;

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

/// Answers that the request failed, and why (the page makes the sentence where it shows it).
fn fail(id: RequestId, problem: impl Into<Failure>) {
    post(id, Response::Failed(problem.into()), Vec::new());
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
            None => fail(id, WorkError::NoFile),
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
        Request::ReadModel => read_model(id, bytes.first()),
        Request::ImportModel { options } => import_model(id, bytes.first(), &options),
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
                    None => fail(id, WorkError::NoFile),
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
