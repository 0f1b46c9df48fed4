//! Genre Lens, the browser app: Leptos components that call `genre_core` and hold no ML logic.
//!
//! Module map: `app` (layout, nav, page switch: the whole site), `first_load` (what a first visit
//! loads: the Predict page, handing over to the whole site), `route` (hash routing), `model_store` (the one
//! loading path, `load(ModelSource)`, and the active model), `examples` (bundled real tracks), `form` (field parsing and
//! formatting, pure), `pages/*` (one module per page), `components/*` (the live predictor, form
//! fields, probability charts), `charts/*` (Explore's and Batch's charts), `csv_upload` (the file
//! drop zone and reading files on the page), `worker/*` (the training workers: protocol, typed calls, scheduler), `storage` (IndexedDB),
//! `widget/*` (the embeddable widget), `browser` (JS errors as text, downloads), `fetch` (the
//! site's own files), `perf` (performance marks and the in-page benchmark hook).

pub mod app;
pub mod browser;
pub mod charts;
pub mod components;
pub mod csv_upload;
pub mod examples;
pub mod fetch;
pub mod first_load;
pub mod form;
pub mod model_store;
pub mod pages;
pub mod perf;
pub mod route;
pub mod storage;
pub mod widget;
pub mod worker;
