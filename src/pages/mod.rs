//! One module per page.

pub mod coming_soon;
pub mod predict;
