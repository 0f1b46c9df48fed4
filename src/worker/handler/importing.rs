//! A LightGBM or XGBoost model file read and imported in the worker (`genre_core::interop`):
//! a model of 1,500 trees is megabytes of text, which the page thread must not parse.

use genre_core::interop::{self, ImportOptions};

use super::*;

/// Answers what the file holds, or why it cannot be imported.
pub(super) fn read_model(id: RequestId, file: Option<&Vec<u8>>) {
    let Some(file) = file else {
        return fail(id, WorkError::NoModelFile);
    };
    match interop::read(file) {
        Ok(model) => post(id, Response::ModelRead(model.summary()), Vec::new()),
        Err(e) => fail(id, e),
    }
}

/// Answers our model file for the imported model, or why not (a wrong class count,
/// a column that is no audio feature, …).
pub(super) fn import_model(id: RequestId, file: Option<&Vec<u8>>, options: &ImportOptions) {
    let Some(file) = file else {
        return fail(id, WorkError::NoModelFile);
    };
    match interop::import(file, options) {
        Ok(model) => post(id, Response::ModelImported, vec![model.to_bytes()]),
        Err(e) => fail(id, e),
    }
}
