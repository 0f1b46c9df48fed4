//! Typed errors of the core. Every message is a full sentence a user can act on: it names the
//! row (spreadsheet numbering: the header is row 1), the column or the field, and what was expected.
//!
//! They are data as well as sentences: each serialises (serde), so the browser's workers send
//! the error itself to the page, which makes the sentence where it shows it. Names fixed in the
//! code (a setting's id, a library) are `Cow<'static, str>` so that they read back owned.

use std::borrow::Cow;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// Why a CSV file could not be read at all. Problems confined to single rows are not errors:
/// they become [`crate::ingest::RowRejection`]s in the report.
#[derive(Debug, Error, Clone, PartialEq, Serialize, Deserialize)]
pub enum IngestError {
    #[error("The file is empty: expected a CSV file with a header row and one row per track.")]
    Empty,
    #[error("The file is gzip-compressed: unpack it first and choose the .csv inside.")]
    Compressed,
    #[error("The file is UTF-16 text: save it as UTF-8 CSV and try again.")]
    Utf16,
    #[error("This does not look like a CSV text file (binary data near byte {offset}).")]
    Binary { offset: usize },
    #[error("Row {row}, column `{column}`: the text is not valid UTF-8; save the file as UTF-8 CSV (it looks like Latin-1 or another legacy encoding).")]
    NotUtf8 { row: u64, column: String },
    #[error("Row {row}: the CSV could not be parsed ({message}).")]
    Malformed { row: u64, message: String },
    #[error("The file has a header row but no data rows.")]
    HeaderOnly,
    #[error("Column `{column}` appears twice in the header (columns {first} and {second}); rename or remove one.")]
    DuplicateColumn {
        column: String,
        first: usize,
        second: usize,
    },
    /// `columns`: the file's named columns, for a picker that lets the user say which is the label.
    #[error(
        "No genre column: expected a column named `genre` (or `label`, `class`, `track_genre`), found: {found}. Choose the column that holds the genre."
    )]
    MissingLabelColumn { found: String, columns: Vec<String> },
    #[error("The label column `{column}` is not in the file (found: {found}).")]
    UnknownLabelColumn { column: String, found: String },
    #[error("No audio-feature column found: expected columns such as energy, loudness, tempo, duration_ms (found: {found}).")]
    NoFeatureColumns { found: String },
    #[error("The model needs the column `{column}`, which the file does not have.")]
    MissingFeatureColumn { column: String },
    #[error("No usable row: all {rejected} data rows were rejected; the first: {first}")]
    NoUsableRows { rejected: u64, first: String },
    #[error("Reading was cancelled.")]
    Cancelled,
    #[error("The file could not be read: {0}")]
    Io(String),
}

/// Why training cannot run or stopped.
#[derive(Debug, Error, Clone, PartialEq, Serialize, Deserialize)]
pub enum TrainError {
    #[error("Invalid setting `{name}` = {value}: expected {expected}.")]
    InvalidParam {
        name: Cow<'static, str>,
        value: String,
        expected: String,
    },
    #[error("Only one genre (`{class}`) in the data: a classifier needs at least two.")]
    OneClass { class: String },
    #[error("Genre `{class}` has {count} row(s): at least {needed} are needed {purpose}. Add rows of this genre or remove it from the file.")]
    ClassTooSmall {
        class: String,
        count: usize,
        needed: usize,
        purpose: Cow<'static, str>,
    },
    #[error("Not enough rows to train: {rows} (at least {needed} needed).")]
    TooFewRows { rows: usize, needed: usize },
    #[error("The data has no label column, so no model can be trained on it.")]
    NoLabels,
    #[error("Training was cancelled.")]
    Cancelled,
    /// A correction (numbered from 1, in the order given) whose genre the data set lacks.
    #[error("Correction {number} says the genre is `{genre}`, which the data set does not have: delete that correction or train on data that has the genre.")]
    CorrectionGenre { number: usize, genre: String },
    #[error("The decision-tree trainer failed: {0}")]
    Linfa(String),
}

impl From<linfa::Error> for TrainError {
    fn from(e: linfa::Error) -> Self {
        TrainError::Linfa(e.to_string())
    }
}

/// Why a model file could not be loaded. Decoding never panics: every failure is one of these.
#[derive(Debug, Error, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelFileError {
    #[error("The model file is empty.")]
    Empty,
    #[error("This is not a Genre Lens model file (it does not start with the GLNS signature).")]
    BadMagic,
    #[error("The model file was made by a newer version of Genre Lens (format {found}; this version reads up to {supported}). Update the app or re-train the model.")]
    NewerVersion { found: u16, supported: u16 },
    #[error("The model file is truncated: it ends at byte {len}, but {needed} bytes are needed. Download it again.")]
    Truncated { len: usize, needed: usize },
    #[error("The model file is corrupt: its checksum does not match (stored {stored:08x}, computed {computed:08x}).")]
    Checksum { stored: u32, computed: u32 },
    #[error("The model file is corrupt: {0}.")]
    Corrupt(String),
    /// `found`: the model's features and those the data lacks; `expected`: the data's features.
    #[error("This model needs features the data does not have (model: {found}); the data has: {expected}.")]
    WrongFeatures { expected: String, found: String },
    /// A feature id this version does not know: the file was made by a newer version that
    /// added features (the widget could not show a field for it, nor the CSV reader find it).
    #[error("This model uses a feature this version of Genre Lens does not know (feature number {id}); it was made by a newer version. Update the app, or re-train the model on the 13 known features.")]
    UnknownFeature { id: u8 },
}

/// Why a LightGBM or XGBoost model file could not be imported. Each message names what was
/// found and why it cannot be predicted here.
#[derive(Debug, Error, Clone, PartialEq, Serialize, Deserialize)]
pub enum ImportError {
    #[error("The model file is empty.")]
    Empty,
    #[error("This is an XGBoost UBJSON model (.ubj), which is not read here: save it as JSON instead (`booster.save_model(\"model.json\")`).")]
    Ubjson,
    #[error("This file is neither a LightGBM text model (`model.txt`, starting with `tree`) nor an XGBoost JSON model (`save_model(\"model.json\")`).")]
    UnknownFormat,
    #[error("The model file is not valid {library}: {what}.")]
    Malformed {
        library: Cow<'static, str>,
        what: String,
    },
    #[error("LightGBM tree {tree} has linear leaves (`linear_tree`), which are not supported here: each leaf would need its own linear model of the features.")]
    LinearTree { tree: usize },
    #[error("The XGBoost model is DART without its tree weights (`weight_drop`): its predictions cannot be reproduced without them.")]
    DartWithoutWeights,
    #[error("The XGBoost model has vector leaves (`multi_strategy=\"multi_output_tree\"`, {size} values a leaf), which are not supported here: train it with one tree per class (the default).")]
    VectorLeaves { size: usize },
    #[error("The XGBoost model is a linear booster (`gblinear`), not trees: only tree models are imported.")]
    LinearBooster,
    #[error("The {library} objective `{objective}` does not predict class probabilities: only classifiers are imported ({supported}).")]
    UnsupportedObjective {
        library: Cow<'static, str>,
        objective: String,
        supported: Cow<'static, str>,
    },
    #[error(
        "The XGBoost model has {targets} targets: only single-target classifiers are imported."
    )]
    MultiTarget { targets: usize },
    #[error("The XGBoost model encodes its categories from a data frame's category names; only numeric categories (the values themselves) are imported.")]
    NamedCategories,
    #[error("The model's feature {position} (`{name}`) is not one of the audio features (expected one of: {expected}); say which audio feature it is (the Train page's feature picker, or `--features` on the command line).")]
    UnknownFeature {
        position: usize,
        name: String,
        expected: String,
    },
    #[error("The model's features have no names (`{example}`): say which audio feature each one is (the Train page's feature picker, or `--features energy,tempo,…` on the command line, in the model's column order).")]
    UnnamedFeatures { example: String },
    #[error("{given} feature names were given, but the model has {expected} features.")]
    FeatureCount { given: usize, expected: usize },
    #[error("The model's features {first} and {second} are both `{feature}`.")]
    DuplicateFeature {
        first: usize,
        second: usize,
        feature: String,
    },
    #[error("{given} class names were given, but the model has {expected} classes.")]
    ClassCount { given: usize, expected: usize },
    #[error("Class name {position} is empty: give one name a line, or a comma-separated list.")]
    EmptyClassName { position: usize },
}

/// Why a model cannot be written as a LightGBM model.
#[derive(Debug, Error, Clone, PartialEq)]
pub enum ExportError {
    #[error("A {kind} model has no trees: only tree models (gradient-boosted trees, random forest, bagging, decision tree) can be written as a LightGBM model.")]
    NotTrees { kind: &'static str },
    #[error("The model scales its features, which a LightGBM tree cannot fold into its thresholds: only tree models without scaling can be exported.")]
    Scaled,
}
