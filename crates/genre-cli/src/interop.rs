//! `import` (a LightGBM text model or an XGBoost JSON model into our model file) and
//! `export --to lightgbm` (our tree model as a LightGBM text model), over `genre_core::interop`.

use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use genre_core::interop::{self, export::to_lightgbm, ImportOptions};

use crate::io::{io_err, read_model, write_file, CliError, Result};

#[derive(Args, Debug)]
pub struct ImportArgs {
    /// The model: LightGBM's `model.txt` (`Booster.save_model`) or XGBoost's JSON
    /// (`save_model("model.json")`); the format is read from the content.
    pub model: PathBuf,
    /// Where to write our model file.
    #[arg(long)]
    pub out: PathBuf,
    /// The class names in the library's class order (its labels 0, 1, …): a comma-separated
    /// list, or a file with one name a line. Without it, the classes are named 0, 1, ….
    #[arg(long)]
    pub classes: Option<String>,
    /// The model's feature names in its column order, when the file has none (`Column_0`, `f0`)
    /// or other names: a comma-separated list of audio features (`energy,tempo,…`).
    #[arg(long, value_delimiter = ',')]
    pub features: Option<Vec<String>>,
    /// The model's name in the app.
    #[arg(long)]
    pub name: Option<String>,
    /// The import's date as stored in the file (default: today, UTC).
    #[arg(long)]
    pub date: Option<String>,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum ExportFormat {
    /// LightGBM's text model, loadable with `lightgbm.Booster(model_file=…)`.
    Lightgbm,
}

#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The format to write.
    #[arg(long, value_enum)]
    pub to: ExportFormat,
    /// Our model file (a tree model: boosted trees, forest, bagging or a decision tree).
    #[arg(long, default_value = "public/model.bin")]
    pub model: PathBuf,
    /// Where to write the exported model.
    #[arg(long)]
    pub out: PathBuf,
}

/// A comma list, or the lines of a file when `spec` names one (the core's reading of a list of
/// class names, as the Train page reads its box).
fn class_names(spec: &str) -> Result<Vec<String>> {
    let path = Path::new(spec);
    let text = if path.is_file() {
        std::fs::read_to_string(path).map_err(io_err(path))?
    } else {
        spec.to_string()
    };
    interop::class_names(&text).map_err(|e| CliError::Usage(format!("--classes `{spec}`: {e}")))
}

/// Today's date (UTC) as ISO-8601, from the system clock (civil-from-days).
fn today() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs())
        .unwrap_or(0);
    let z = (secs / 86_400) as i64 + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + (month <= 2) as i64;
    format!("{year:04}-{month:02}-{day:02}")
}

pub fn import(a: ImportArgs) -> Result<()> {
    let bytes = std::fs::read(&a.model).map_err(io_err(&a.model))?;
    let path = a.model.display().to_string();
    let import_err = |source: genre_core::error::ImportError| CliError::Import {
        path: path.clone(),
        source,
    };
    let file_name = a
        .model
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let foreign = interop::read(&bytes).map_err(import_err)?;
    let options = ImportOptions {
        classes: a.classes.as_deref().map(class_names).transpose()?,
        features: a.features.clone(),
        name: a
            .name
            .clone()
            .unwrap_or_else(|| format!("{} model ({file_name})", foreign.library.name())),
        file_name,
        imported_at: a.date.clone().unwrap_or_else(today),
    };
    let model = foreign.into_model(&options).map_err(import_err)?;
    let out = model.to_bytes();
    write_file(&a.out, &out)?;
    eprintln!(
        "{}: {}; {} classes ({}); features {} -> {} ({} bytes)",
        a.model.display(),
        model.meta.settings,
        model.classes.len(),
        model.classes.join(", "),
        model.features().names().join(", "),
        a.out.display(),
        out.len()
    );
    Ok(())
}

pub fn export(a: ExportArgs) -> Result<()> {
    let model = read_model(&a.model)?;
    let text = match a.to {
        ExportFormat::Lightgbm => to_lightgbm(&model).map_err(|source| CliError::Export {
            path: a.model.display().to_string(),
            source,
        })?,
    };
    write_file(&a.out, text.as_bytes())?;
    eprintln!(
        "{}: {} ({} classes: {}) -> {} ({} bytes), a LightGBM model that reads raw rows \
         (missing values as NaN; our imputation and capping are in its trees)",
        a.model.display(),
        model.meta.kind.label(),
        model.classes.len(),
        model.classes.join(", "),
        a.out.display(),
        text.len()
    );
    Ok(())
}
