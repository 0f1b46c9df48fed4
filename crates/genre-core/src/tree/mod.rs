//! Tree ensembles: histogram binning, the flat tree layout, the forest and the booster.
pub(crate) mod batch;
pub mod binning;
pub mod boost;
pub mod flat;
pub mod forest;
pub mod imported;
pub mod leaves;
pub mod nodes;
pub mod ranked;
