//! Reusable view pieces. Charts are plain SVG drawn here: no JavaScript chart library.

pub mod about_model;
pub mod bar_chart;
pub mod busy;
pub mod confusion_matrix;
pub mod contrib_chart;
pub mod correct_genre;
pub mod example_picker;
pub mod feature_field;
pub mod live_prediction;
pub mod page_intro;
pub mod rich_text;
pub mod scroll_box;
pub mod snippet;
pub mod start_cancel;
