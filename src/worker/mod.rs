//! Training and parsing off the main thread.
//!
//! `protocol` is the one request/response enum pair both sides speak; `handler` runs inside a
//! worker (`src/bin/worker.rs`); `pool` is the page's side: spawning, request ids, restarts.

pub mod handler;
pub mod pool;
pub mod protocol;
