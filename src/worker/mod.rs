//! Training and parsing off the main thread.
//!
//! `protocol` is the one request/response pair and envelope both sides speak, `failure` the
//! typed reasons a request fails with; `handler` runs
//! inside a worker (`src/bin/worker.rs`); `pool` is the page's side of each worker (spawning,
//! request ids, restarts); `calls` are the typed requests the page makes; `scheduler` runs a
//! training run's models on the training workers; `search` runs an auto-tuning search's trials
//! on them.

pub mod calls;
pub mod failure;
pub mod handler;
pub mod pool;
pub mod protocol;
pub mod scheduler;
pub mod search;
