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

use super::protocol::{envelope_id, Envelope, Request, RequestId, Response, READY_ID};

/// The loader trunk writes for the worker binary, relative to the page (sub-path safe).
pub const WORKER_URL: &str = "./worker_loader.js";

#[derive(Debug, Clone, PartialEq)]
pub enum WorkerError {
    /// The page terminated the worker (cancel); nothing to show.
    Cancelled,
    /// The worker died; the browser's message.
    Crashed(String),
    /// The worker answered with an error sentence (bad data, invalid setting, ...).
    Failed(String),
    /// The file has no recognised genre column: the sentence and the columns to pick from.
    NeedsLabel {
        message: String,
        columns: Vec<String>,
    },
    /// The file is too large to read whole in this tab (the page offers a sample).
    TooLarge(genre_core::capacity::TooLarge),
}

impl std::fmt::Display for WorkerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            WorkerError::Cancelled => write!(f, "Cancelled."),
            WorkerError::Crashed(m) => write!(
                f,
                "The background worker stopped unexpectedly ({m}). It has been restarted; try again."
            ),
            WorkerError::Failed(m) | WorkerError::NeedsLabel { message: m, .. } => {
                write!(f, "{m}")
            }
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

type Progress = Box<dyn FnMut(u64, u64)>;

struct Pending {
    done: oneshot::Sender<Result<Answer, WorkerError>>,
    progress: Progress,
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
}

thread_local! {
    static NEXT_ID: Cell<RequestId> = const { Cell::new(READY_ID + 1) };
    static PARSER: WorkerClient = WorkerClient::named("genre-lens parser");
    static TRAINERS: RefCell<Vec<WorkerClient>> = const { RefCell::new(Vec::new()) };
}

/// The worker that reads files (it keeps the last one for splitting).
pub fn parser() -> WorkerClient {
    PARSER.with(Clone::clone)
}

/// Training worker `i` (spawned on first use, kept for the page's lifetime).
pub fn trainer(i: usize) -> WorkerClient {
    TRAINERS.with_borrow_mut(|t| {
        while t.len() <= i {
            let n = t.len() + 1;
            t.push(WorkerClient::named(&format!("genre-lens trainer {n}")));
        }
        t[i].clone()
    })
}

/// Terminates every training worker: their pending requests end as [`WorkerError::Cancelled`].
pub fn cancel_training() {
    let all: Vec<WorkerClient> = TRAINERS.with_borrow(|t| t.clone());
    all.iter().for_each(WorkerClient::terminate);
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
    /// answer; `progress(done, total)` sees the progress messages in between.
    pub(super) async fn request(
        &self,
        request: &Request,
        blob: Option<&Blob>,
        bytes: &[Uint8Array],
        progress: impl FnMut(u64, u64) + 'static,
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
        progress: impl FnMut(u64, u64) + 'static,
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
        if let Err(e) = self.ensure_spawned() {
            return Err(WorkerError::Crashed(e));
        }
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
            slot.queue.clear();
            slot.listeners.clear();
            slot.pending.drain().map(|(_, p)| p).collect()
        };
        for p in pending {
            let _ = p.done.send(Err(why.clone()));
        }
    }

    fn ensure_spawned(&self) -> Result<(), String> {
        if self.0.borrow().worker.is_some() {
            return Ok(());
        }
        let options = WorkerOptions::new();
        options.set_name(&self.0.borrow().name);
        let worker =
            Worker::new_with_options(WORKER_URL, &options).map_err(|e| js_error_text(&e))?;
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
            Err(message) => (Response::Failed { message }, Vec::new()),
        };
        if let Response::Progress { done, total } = response {
            // Take the callback out while calling it, so it may itself use the pool.
            let cb = self
                .0
                .borrow_mut()
                .pending
                .get_mut(&id)
                .map(|p| std::mem::replace(&mut p.progress, Box::new(|_, _| {})));
            if let Some(mut cb) = cb {
                cb(done, total);
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
            Response::Failed { message } => Err(WorkerError::Failed(message)),
            Response::NeedsLabel { message, columns } => {
                Err(WorkerError::NeedsLabel { message, columns })
            }
            Response::TooLarge(t) => Err(WorkerError::TooLarge(t)),
            response => Ok(Answer { response, bytes }),
        };
        let _ = p.done.send(result);
    }
}
