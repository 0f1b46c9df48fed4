//! `genre-lens`: trains the bundled model, evaluates models and predicts a CSV, natively.
//! A thin layer over `genre_core`: argument parsing, files, progress bars and tables.

mod bench;
mod commands;
mod report;

use std::path::PathBuf;
use std::process::ExitCode;

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
    /// Train the candidate models on a CSV and save the best one (the bundled model), plus the
    /// Explore page's summaries and a few example tracks. Deterministic: same input, same bytes.
    Train {
        /// Training CSV (the Kaggle genres_v2.csv layout or any CSV with feature and genre columns).
        #[arg(long, default_value = "data/genres_v2.csv")]
        data: PathBuf,
        /// Where to write the model file.
        #[arg(long, default_value = "public/model.bin")]
        out: PathBuf,
        /// Where to write the EDA summaries (default: eda.json next to --out).
        #[arg(long)]
        eda: Option<PathBuf>,
        /// Where to write example tracks (default: examples.json next to --out).
        #[arg(long)]
        examples: Option<PathBuf>,
        /// Features: `all` (13), `nine` (the original form's), or a comma list.
        #[arg(long, default_value = "all")]
        features: String,
        /// Candidate models (comma list of rf, gbt, bagging, knn, tree, svc); the best on the
        /// holdout is saved.
        #[arg(long, default_value = "gbt,rf")]
        candidates: String,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 0.2)]
        test_fraction: f64,
        /// Date stored in the model (kept as an argument so the output is reproducible).
        #[arg(long, default_value = "2026-11-25")]
        trained_at: String,
        #[arg(long, default_value = "Bundled model")]
        name: String,
        /// The genre column, when its name is not one of genre, label, class, target,
        /// track_genre, playlist_genre (e.g. `--label style`).
        #[arg(long)]
        label: Option<String>,
    },
    /// Print a metrics table (or JSON) for one or all models: either --data with a split, or
    /// --train and --test files.
    Eval {
        #[arg(long, conflicts_with_all = ["train", "test"])]
        data: Option<PathBuf>,
        #[arg(long, requires = "test")]
        train: Option<PathBuf>,
        #[arg(long, requires = "train")]
        test: Option<PathBuf>,
        /// rf, gbt, bagging, knn, tree, svc or all.
        #[arg(long, default_value = "all")]
        model: String,
        /// `all` (13), `nine` (the original form's), or a comma list.
        #[arg(long, default_value = "nine")]
        features: String,
        #[arg(long, default_value_t = 0.2)]
        test_fraction: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        /// Class balancing of the training part: none, smote, weights.
        #[arg(long, default_value = "none")]
        balance: String,
        /// Turn off 1.5×IQR outlier capping.
        #[arg(long)]
        no_cap: bool,
        /// Trees for rf (default 100).
        #[arg(long)]
        trees: Option<usize>,
        /// Print one JSON object instead of a table.
        #[arg(long)]
        json: bool,
        /// The genre column, when its name is not one of genre, label, class, target,
        /// track_genre, playlist_genre (e.g. `--label style`).
        #[arg(long)]
        label: Option<String>,
    },
    /// Predict every row of a CSV with a model file: genre, confidence and top 3 per row.
    Predict {
        #[arg(long)]
        model: PathBuf,
        #[arg(long)]
        input: PathBuf,
        #[arg(long)]
        output: PathBuf,
    },
    /// Write the deduplicated, stratified train/test split as two CSV files (the exact rows
    /// `eval --data` uses), so other tools (bench/sklearn_baseline.py) can score the same rows.
    Split {
        #[arg(long, default_value = "data/genres_v2.csv")]
        data: PathBuf,
        #[arg(long, default_value = "target/split")]
        out_dir: PathBuf,
        #[arg(long, default_value_t = 0.2)]
        test_fraction: f64,
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Time training and prediction (a table; see the README's benchmark section).
    Bench {
        #[arg(long, default_value = "data/genres_v2.csv")]
        data: PathBuf,
        #[arg(long, default_value = "public/model.bin")]
        model: PathBuf,
        /// Repetitions for the prediction timings.
        #[arg(long, default_value_t = 5)]
        repeat: usize,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Train {
            data,
            out,
            eda,
            examples,
            features,
            candidates,
            seed,
            test_fraction,
            trained_at,
            name,
            label,
        } => commands::train(commands::TrainArgs {
            eda: eda.unwrap_or_else(|| out.with_file_name("eda.json")),
            examples: examples.unwrap_or_else(|| out.with_file_name("examples.json")),
            data,
            out,
            features,
            candidates,
            seed,
            test_fraction,
            trained_at,
            name,
            label,
        }),
        Command::Eval {
            data,
            train,
            test,
            model,
            features,
            test_fraction,
            seed,
            balance,
            no_cap,
            trees,
            json,
            label,
        } => commands::eval(commands::EvalArgs {
            data,
            train,
            test,
            model,
            features,
            test_fraction,
            seed,
            balance,
            cap: !no_cap,
            trees,
            json,
            label,
        }),
        Command::Predict {
            model,
            input,
            output,
        } => commands::predict(&model, &input, &output),
        Command::Split {
            data,
            out_dir,
            test_fraction,
            seed,
        } => commands::split(&data, &out_dir, test_fraction, seed),
        Command::Bench {
            data,
            model,
            repeat,
        } => commands::bench(&data, &model, repeat),
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}
