//! The CLI's files: reading data and model files, writing outputs, and `CliError`, whose
//! message names the file (and, through the core's errors, the row and column).

use std::fs::File;
use std::path::Path;

use genre_core::error::{ExportError, ImportError, IngestError, ModelFileError, TrainError};
use genre_core::ingest::{read_csv_with, IngestOptions, Ingested};
use genre_core::model::TrainedModel;

#[derive(Debug, thiserror::Error)]
pub enum CliError {
    #[error("{path}: {source}")]
    Ingest { path: String, source: IngestError },
    #[error("{path}: {source}")]
    Model {
        path: String,
        source: ModelFileError,
    },
    #[error("{path}: {source}")]
    Import { path: String, source: ImportError },
    #[error("{path}: {source}")]
    Export { path: String, source: ExportError },
    #[error("{0}")]
    Train(#[from] TrainError),
    #[error("{path}: {source}")]
    Data { path: String, source: TrainError },
    #[error("{path}: {message}")]
    Io { path: String, message: String },
    #[error("{0}")]
    Usage(String),
}

impl CliError {
    /// The run was stopped by Ctrl+C (see `interrupt`): the reader's or a trainer's cancel.
    pub fn is_cancelled(&self) -> bool {
        matches!(
            self,
            CliError::Train(TrainError::Cancelled)
                | CliError::Data {
                    source: TrainError::Cancelled,
                    ..
                }
                | CliError::Ingest {
                    source: IngestError::Cancelled,
                    ..
                }
        )
    }
}

pub type Result<T> = std::result::Result<T, CliError>;

pub fn io_err(path: &Path) -> impl Fn(std::io::Error) -> CliError + '_ {
    move |e| CliError::Io {
        path: path.display().to_string(),
        message: e.to_string(),
    }
}

pub fn read_data(path: &Path, opts: &IngestOptions) -> Result<Ingested> {
    let file = File::open(path).map_err(io_err(path))?;
    // Ctrl+C stops a long read too.
    read_csv_with(file, opts, &mut |_| !crate::interrupt::interrupted()).map_err(|source| {
        CliError::Ingest {
            path: path.display().to_string(),
            source,
        }
    })
}

/// Training's reading options, with the label column the user named (if any).
pub fn training_read(label: &Option<String>) -> IngestOptions {
    IngestOptions {
        label_column: label.clone(),
        ..IngestOptions::for_training()
    }
}

/// Says on stderr which genres of `data` (read from `path`) training leaves out, having too
/// few rows to split (`genre_core::train::set_aside`), so a run never drops a genre silently.
pub fn note_set_aside(path: &Path, data: &Ingested) {
    if let Some(note) = genre_core::train::set_aside(data).note() {
        eprintln!("note: {}: {}", path.display(), note.replace('`', ""));
    }
}

pub fn read_model(path: &Path) -> Result<TrainedModel> {
    let bytes = std::fs::read(path).map_err(io_err(path))?;
    TrainedModel::from_bytes(&bytes).map_err(|source| CliError::Model {
        path: path.display().to_string(),
        source,
    })
}

/// Attaches the data file's name to a check that failed on its content (one genre, a genre
/// too small, a missing feature).
pub fn data_err(path: &Path) -> impl Fn(TrainError) -> CliError + '_ {
    move |source| CliError::Data {
        path: path.display().to_string(),
        source,
    }
}

/// Writes a file, making its folder first.
/// Writes `bytes` to `path` whole or not at all: into a file beside it, renamed over `path`
/// once complete, so a stop (Ctrl+C, a full disk) never leaves a half-written model behind.
pub fn write_file(path: &Path, bytes: &[u8]) -> Result<()> {
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(io_err(dir))?;
    }
    let mut partial = path.as_os_str().to_owned();
    partial.push(".partial");
    let partial = std::path::PathBuf::from(partial);
    let written = std::fs::write(&partial, bytes).and_then(|()| std::fs::rename(&partial, path));
    if written.is_err() {
        let _ = std::fs::remove_file(&partial);
    }
    written.map_err(io_err(path))
}
