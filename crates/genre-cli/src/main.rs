//! `genre-lens`: trains the bundled model, evaluates models and predicts a CSV, natively.
//! A thin layer over `genre_core`: argument parsing, files, progress bars and tables.

mod args;
mod bench;
mod commands;
mod evaluate;
mod forest;
mod interop;
mod interrupt;
mod io;
mod protocols;
mod report;
mod tune;

use std::path::PathBuf;
use std::process::ExitCode;

use args::{CurveArgs, EvalArgs, SplitArgs, TrainArgs};
use clap::{Parser, Subcommand};

/// Genre Lens: which of 15 genres a track belongs to, from its Spotify audio features.
#[derive(Parser, Debug)]
#[command(name = "genre-lens", version, about, long_about = None)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Train the candidate models on a CSV and save the best one (the bundled model), the bundled
    /// random forest, the Explore page's summaries and a few example tracks. Deterministic: same input, same bytes.
    Train(TrainArgs),
    /// The random forest's holdout accuracy and file size (raw, gzip) against trees, depth and
    /// leaf limits: the curve the bundled forest's settings were picked from.
    ForestCurve(CurveArgs),
    /// Print a metrics table (or JSON) for one or all models: either --data with a split, or
    /// --train and --test files.
    Eval(EvalArgs),
    /// Predict every row of a CSV with a model file: genre, confidence and top 3 per row.
    Predict {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
        /// Add every class's probability, one column each (`p_<genre>`), after the others.
        #[arg(long)]
        probabilities: bool,
    },
    /// Import a LightGBM text model (`model.txt`) or an XGBoost JSON model into our model file:
    /// predicted with the library's own rules, missing values as missing.
    Import(interop::ImportArgs),
    /// Write our tree model as another library's model (`--to lightgbm`), predicting raw rows.
    Export(interop::ExportArgs),
    /// Write the deduplicated, stratified train/test split as two CSV files (the exact rows
    /// `eval --data` uses), so other tools (bench/sklearn_baseline.py) can score the same rows.
    Split {
        #[arg(long, default_value = "data/genres_v2.csv")]
        data: PathBuf,
        #[arg(long, default_value = "target/split")]
        out_dir: PathBuf,
        #[command(flatten)]
        split: SplitArgs,
        /// The genre column, when its name is not one of genre, label, class, target,
        /// track_genre, playlist_genre.
        #[arg(long)]
        label: Option<String>,
    },
    /// Search the boosted trees' and the forest's settings by k-fold cross-validation on the
    /// training part (never the holdout), within a time budget; print the leaderboard, then the
    /// best settings and the defaults scored on the holdout. Deterministic for a seed and --trials.
    Tune(tune::TuneArgs),
    /// Time training and prediction (a table; see docs/benchmarks.md).
    Bench {
        #[arg(long, default_value = "data/genres_v2.csv")]
        data: PathBuf,
        #[arg(long, default_value = "public/model.bin")]
        model: PathBuf,
        /// Repetitions for the prediction timings.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
        /// Only the training rows whose label contains this (e.g. "LightGBM defaults (F13"),
        /// and no other table: one fit to time or profile.
        #[arg(long)]
        only: Option<String>,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    interrupt::install();
    let result = match cli.command {
        Command::Train(args) => commands::train(args),
        Command::Eval(args) => commands::eval(args),
        Command::Tune(args) => tune::run(args),
        Command::ForestCurve(args) => forest::curve(args),
        Command::Predict {
            model,
            input,
            output,
            probabilities,
        } => commands::predict(&model, &input, &output, probabilities),
        Command::Import(args) => interop::import(args),
        Command::Export(args) => interop::export(args),
        Command::Split {
            data,
            out_dir,
            split,
            label,
        } => commands::split(&data, &out_dir, &split, &label),
        Command::Bench {
            data,
            model,
            repeat,
            only,
        } => bench::run(&data, &model, repeat, only.as_deref()),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_cancelled() => {
            eprintln!("{e} Stopped by Ctrl+C; no file was left half written.");
            ExitCode::from(interrupt::EXIT_STATUS)
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
