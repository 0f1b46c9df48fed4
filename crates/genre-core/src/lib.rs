pub mod capacity;
pub mod corrections;
pub mod dtree;
pub mod eda;
pub mod error;
pub mod feature;
pub mod fitting;
pub mod format;
pub mod genre;
pub mod ingest;
pub mod interop;
pub mod knn;
pub mod metrics;
pub mod model;
pub mod model_kind;
pub mod params;
pub mod preprocess;
pub mod rng;
pub mod rows;
pub mod smote;
pub mod split;
pub mod svc;
pub mod text;
pub mod train;
pub mod tree;
pub mod tune;

/// linfa's traits (`Fit`, `Predict`, `ParamGuard`), re-exported so callers need not depend on linfa.
pub mod linfa_prelude {
    pub use linfa::prelude::*;
}
