//! The page's side of the workers: spawning, request ids, answers as futures, restarts.
//!
//! Each [`WorkerClient`] owns one long-lived Web Worker. A request gets a fresh id and a future
//! for its final answer; progress messages go to a callback. Answers whose id nobody waits for
//! any more (after [`WorkerClient::terminate`], i.e. a cancel) are dropped. A worker that dies
//! (uncaught error, wasm trap, failed load) fails its pending requests with the browser's
//! message and is respawned by the next request, so one crash never leaves the page stuck.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;
use std::rc::{Rc, Weak};

use crate::browser::js_error_text;
use futures::channel::oneshot;
use gloo_events::EventListener;
use js_sys::{Array, Uint8Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Blob, ErrorEvent, MessageEvent, Worker, WorkerOptions};

use super::failure::Failure;
use super::protocol::{envelope_id, Envelope, Request, RequestId, Response, READY_ID};
use genre_core::error::IngestError;

/// The loader trunk writes for the worker binary, relative to the page (sub-path safe).
pub const WORKER_URL: &str = "./worker_loader.js";

/// What a request to a worker ended with instead of its answer. Its `Display` is the sentence
/// a page shows.
#[derive(Debug, Clone, PartialEq)]
pub enum WorkerError {
    /// The page terminated the worker (cancel); nothing to show.
    Cancelled,
    /// The worker died; the browser's message.
    Crashed(String),
    /// The worker could not do it: bad data, an invalid setting, … (typed, as the worker sent it).
    Failed(Failure),
    /// The worker answered, but not what the request expects (`expected`: the answer's kind).
    Unexpected { expected: &'static str },
    /// The file is too large to read whole in this tab (the page offers a sample).
    TooLarge(genre_core::capacity::TooLarge),
}

impl WorkerError {
    /// The file's columns, when it was refused for having no recognised genre column (the
    /// Train page offers them as the label).
    pub fn label_choices(&self) -> Option<&[String]> {
        match self {
            WorkerError::Failed(Failure::Ingest(IngestError::MissingLabelColumn {
                columns,
                ..
            })) => Some(columns),
            _ => None,
        }
    }
}

impl std::fmt::Display for WorkerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerError::Cancelled => write!(f, "Cancelled."),
            WorkerError::Crashed(m) => write!(
                f,
                "The background worker stopped unexpectedly ({m}). It has been restarted; try again."
            ),
            WorkerError::Failed(failure) => write!(f, "{failure}"),
            WorkerError::Unexpected { expected } => write!(
                f,
                "The background worker gave an unexpected answer (expected {expected}); try again."
            ),
            WorkerError::TooLarge(t) => write!(
                f,
                "It has about {} rows: training on all of them would need about {} of memory in this tab, which keeps to {}.",
                genre_core::text::estimate(t.rows),
                gigabytes(t.needed_bytes),
                gigabytes(t.budget_bytes)
            ),
        }
    }
}

/// Bytes as gigabytes with one decimal ("3.1 GB").
fn gigabytes(bytes: u64) -> String {
    format!("{:.1} GB", bytes as f64 / 1e9)
}

/// A final answer and its byte payloads (still JS arrays: the page forwards them undecoded).
pub(super) struct Answer {
    pub response: Response,
    pub bytes: Vec<Uint8Array>,
}

/// How far a request is: bytes read of `total`, or trees/rounds/epochs done of `total` (and,
/// with early stopping, where the run ends unless it improves again).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Progress {
    pub done: u64,
    pub total: u64,
    pub stops_by: Option<u64>,
}

struct Pending {
    done: oneshot::Sender<Result<Answer, WorkerError>>,
    progress: Box<dyn FnMut(Progress)>,
}

#[derive(Default)]
struct Slot {
    /// The worker's name (`new Worker(url, {name})`): what DevTools and the e2e tests call it.
    name: String,
    /// Bumped whenever the worker is stopped or dies: a change means whatever it held (the
    /// parser's file) is gone.
    generation: u32,
    worker: Option<Worker>,
    ready: bool,
    /// Envelopes posted before the worker said it was ready (a worker drops earlier messages).
    queue: Vec<(JsValue, Array)>,
    pending: HashMap<RequestId, Pending>,
    /// The worker's `message` and `error` listeners (removed when dropped).
    listeners: Vec<EventListener>,
    /// A training worker held by a [`Lease`].
    leased: bool,
    /// The split this worker life was sent last (its `data_id`), which it keeps.
    split: Option<u64>,
}

thread_local! {
    static NEXT_ID: Cell<RequestId> = const { Cell::new(READY_ID + 1) };
    static PARSER: WorkerClient = WorkerClient::named("genre-lens parser");
    /// Every training worker made so far (kept for the page's lifetime), each leased to one
    /// piece of work at a time.
    static TRAINERS: RefCell<Vec<WorkerClient>> = const { RefCell::new(Vec::new()) };
}

/// The worker that reads files (it keeps the last one for splitting).
pub fn parser() -> WorkerClient {
    PARSER.with(Clone::clone)
}

/// The training workers one piece of work (a training run, a search, Explore's comparison)
/// has to itself: leased on first use, handed back when the last clone is dropped. Cancelling
/// it terminates these workers and no others, so Train and Explore can each run and cancel
/// their own work side by side; a second piece of work started meanwhile gets other workers.
#[derive(Clone)]
pub struct Lease(Rc<Leased>);

struct Leased {
    workers: RefCell<Vec<WorkerClient>>,
    cancelled: Cell<bool>,
}

impl Drop for Leased {
    fn drop(&mut self) {
        for w in self.workers.get_mut().iter() {
            w.0.borrow_mut().leased = false;
        }
    }
}

impl Lease {
    pub fn new() -> Lease {
        Lease(Rc::new(Leased {
            workers: RefCell::new(Vec::new()),
            cancelled: Cell::new(false),
        }))
    }

    /// Worker `i` of this lease (the ones up to it leased on first use: idle workers first,
    /// then new ones, `genre-lens trainer N`).
    pub fn worker(&self, i: usize) -> WorkerClient {
        let mut workers = self.0.workers.borrow_mut();
        while workers.len() <= i {
            workers.push(lease_trainer());
        }
        workers[i].clone()
    }

    /// Whether its [`Canceller`] was used.
    pub fn is_cancelled(&self) -> bool {
        self.0.cancelled.get()
    }

    /// What the page keeps to cancel this work (it does not keep the workers leased).
    pub fn canceller(&self) -> Canceller {
        Canceller(Rc::downgrade(&self.0))
    }
}

impl Default for Lease {
    fn default() -> Self {
        Self::new()
    }
}

/// Cancels a [`Lease`]'s work from outside it (a page's Cancel button).
#[derive(Clone, Default)]
pub struct Canceller(Weak<Leased>);

impl Canceller {
    /// Stops the work now, if it still runs: its workers are terminated (each is respawned by
    /// its next request) and what they had pending ends as [`WorkerError::Cancelled`]. Only
    /// termination stops a worker busy in one long call into wasm (see `handler.rs`).
    pub fn cancel(&self) {
        if let Some(leased) = self.0.upgrade() {
            leased.cancelled.set(true);
            let workers = leased.workers.borrow().clone();
            workers.iter().for_each(WorkerClient::terminate);
        }
    }
}

/// An idle training worker, or a new one, marked leased.
fn lease_trainer() -> WorkerClient {
    TRAINERS.with_borrow_mut(|all| {
        let idle = all.iter().find(|w| !w.0.borrow().leased).cloned();
        let worker = idle.unwrap_or_else(|| {
            let w = WorkerClient::named(&format!("genre-lens trainer {}", all.len() + 1));
            all.push(w.clone());
            w
        });
        worker.0.borrow_mut().leased = true;
        worker
    })
}

/// How many workers train a forest: one per core the browser reports, at least 1, at most 8.
pub fn default_workers() -> usize {
    let n = web_sys::window()
        .map(|w| w.navigator().hardware_concurrency())
        .unwrap_or(1.0);
    (n as usize).clamp(1, 8)
}

#[derive(Clone)]
pub struct WorkerClient(Rc<RefCell<Slot>>);

impl WorkerClient {
    pub fn named(name: &str) -> WorkerClient {
        WorkerClient(Rc::new(RefCell::new(Slot {
            name: name.to_string(),
            ..Slot::default()
        })))
    }

    /// Sends `request` (with an optional file and byte payloads) and resolves to the final
    /// answer; `progress` sees the progress messages in between.
    pub(super) async fn request(
        &self,
        request: &Request,
        blob: Option<&Blob>,
        bytes: &[Uint8Array],
        progress: impl FnMut(Progress) + 'static,
    ) -> Result<Answer, WorkerError> {
        self.request_moving(request, blob, bytes, &[], progress)
            .await
    }

    /// [`WorkerClient::request`] whose payload also carries `moved`: arrays handed over to the
    /// worker instead of copied (their buffers are detached here). Copying the shares of a big
    /// forest cost the page a 60 ms task; moving them costs nothing.
    pub(super) async fn request_moving(
        &self,
        request: &Request,
        blob: Option<&Blob>,
        bytes: &[Uint8Array],
        moved: &[Uint8Array],
        progress: impl FnMut(Progress) + 'static,
    ) -> Result<Answer, WorkerError> {
        let id = NEXT_ID.with(|n| {
            let id = n.get();
            n.set(id + 1);
            id
        });
        let envelope = Envelope {
            blob: blob.cloned(),
            bytes: bytes.iter().chain(moved).cloned().collect(),
            ..Envelope::new(id, request)
        };
        let (envelope, transfer) = envelope.encode(bytes.len());
        let (tx, rx) = oneshot::channel();
        self.ensure_spawned()?;
        let post_now = {
            let mut slot = self.0.borrow_mut();
            slot.pending.insert(
                id,
                Pending {
                    done: tx,
                    progress: Box::new(progress),
                },
            );
            if slot.ready {
                slot.worker.clone()
            } else {
                slot.queue.push((envelope.clone(), transfer.clone()));
                None
            }
        };
        if let Some(w) = post_now {
            if let Err(e) = w.post_message_with_transfer(&envelope, &transfer) {
                self.0.borrow_mut().pending.remove(&id);
                return Err(WorkerError::Crashed(js_error_text(&e)));
            }
        }
        rx.await.unwrap_or(Err(WorkerError::Cancelled))
    }

    /// The split (its `data_id`) this worker life was sent last, which it keeps.
    pub(super) fn held_split(&self) -> Option<u64> {
        self.0.borrow().split
    }

    pub(super) fn set_held_split(&self, data_id: Option<u64>) {
        self.0.borrow_mut().split = data_id;
    }

    /// Which worker life this is (see `Slot::generation`).
    pub fn generation(&self) -> u32 {
        self.0.borrow().generation
    }

    /// Stops the worker now (its work really stops) and fails what it had pending as
    /// cancelled. The next request starts a fresh one.
    pub fn terminate(&self) {
        self.shut_down(WorkerError::Cancelled);
    }

    fn shut_down(&self, why: WorkerError) {
        let pending: Vec<Pending> = {
            let mut slot = self.0.borrow_mut();
            if let Some(w) = slot.worker.take() {
                slot.generation += 1;
                w.terminate();
            }
            slot.ready = false;
            slot.split = None;
            slot.queue.clear();
            slot.listeners.clear();
            slot.pending.drain().map(|(_, p)| p).collect()
        };
        for p in pending {
            let _ = p.done.send(Err(why.clone()));
        }
    }

    fn ensure_spawned(&self) -> Result<(), WorkerError> {
        if self.0.borrow().worker.is_some() {
            return Ok(());
        }
        let options = WorkerOptions::new();
        options.set_name(&self.0.borrow().name);
        let worker = Worker::new_with_options(WORKER_URL, &options)
            .map_err(|e| WorkerError::Crashed(js_error_text(&e)))?;
        let weak: Weak<RefCell<Slot>> = Rc::downgrade(&self.0);
        let on_message = EventListener::new(&worker, "message", move |ev| {
            if let Some(slot) = weak.upgrade() {
                WorkerClient(slot).on_message(ev.unchecked_ref::<MessageEvent>());
            }
        });
        let weak: Weak<RefCell<Slot>> = Rc::downgrade(&self.0);
        let on_error = EventListener::new(&worker, "error", move |ev| {
            let message = ev
                .dyn_ref::<ErrorEvent>()
                .map(ErrorEvent::message)
                .unwrap_or_default();
            let message = if message.is_empty() {
                "the worker could not start or crashed".to_string()
            } else {
                message
            };
            if let Some(slot) = weak.upgrade() {
                // Said in the page's console too, where tests and DevTools look for crashes.
                let name = slot.borrow().name.clone();
                leptos::logging::error!("genre-lens: worker crashed ({name}): {message}");
                WorkerClient(slot).shut_down(WorkerError::Crashed(message));
            }
        });
        let mut slot = self.0.borrow_mut();
        slot.worker = Some(worker);
        slot.ready = false;
        slot.listeners = vec![on_message, on_error];
        Ok(())
    }

    fn on_message(&self, ev: &MessageEvent) {
        let data = ev.data();
        // A message without an id answers nothing anyone waits for.
        let Some(id) = envelope_id(&data) else {
            return;
        };
        if id == READY_ID {
            let (worker, queue) = {
                let mut slot = self.0.borrow_mut();
                slot.ready = true;
                (slot.worker.clone(), std::mem::take(&mut slot.queue))
            };
            if let Some(w) = worker {
                for (env, transfer) in queue {
                    let _ = w.post_message_with_transfer(&env, &transfer);
                }
            }
            return;
        }
        let (response, bytes) = match Envelope::<Response>::decode(&data) {
            Ok(envelope) => (envelope.msg, envelope.bytes),
            Err(e) => (Response::Failed(e.into()), Vec::new()),
        };
        if let Response::Progress {
            done,
            total,
            stops_by,
        } = response
        {
            // Take the callback out while calling it, so it may itself use the pool.
            let cb = self
                .0
                .borrow_mut()
                .pending
                .get_mut(&id)
                .map(|p| std::mem::replace(&mut p.progress, Box::new(|_| {})));
            if let Some(mut cb) = cb {
                cb(Progress {
                    done,
                    total,
                    stops_by,
                });
                if let Some(p) = self.0.borrow_mut().pending.get_mut(&id) {
                    p.progress = cb;
                }
            }
            return;
        }
        // Unknown ids are stale answers (cancelled requests): dropped.
        let Some(p) = self.0.borrow_mut().pending.remove(&id) else {
            return;
        };
        let result = match response {
            Response::Failed(failure) => Err(WorkerError::Failed(failure)),
            Response::TooLarge(t) => Err(WorkerError::TooLarge(t)),
            response => Ok(Answer { response, bytes }),
        };
        let _ = p.done.send(result);
    }
}
