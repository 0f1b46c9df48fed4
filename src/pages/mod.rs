//! One module per page.

pub mod batch;
pub mod embed;
pub mod explore;
pub mod predict;
pub mod train;
