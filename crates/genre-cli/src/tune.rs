//! `genre-lens tune`: the core's search (`genre_core::tune`) with a time budget, a live
//! leaderboard, then the best settings and the defaults each trained on the whole training part
//! and scored once on the holdout, side by side.

use std::path::PathBuf;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use clap::Args;
use genre_core::train::{prepare, ModelSpec, TrainOptions};
use genre_core::tune::{settings_in_words, tune, Leaderboard, Trial, TuneOptions};

use crate::args::{models, ModelChoice, SplitArgs};
use crate::commands::{parse_features, run_model};
use crate::io::{data_err, read_data, training_read, write_file, Result};
use crate::report::table;

#[derive(Args, Debug)]
pub struct TuneArgs {
    /// Training CSV; only its training part is searched on (k-fold cross-validation).
    #[arg(long, default_value = "data/genres_v2.csv")]
    pub data: PathBuf,
    /// The genre column, when its name is not a usual one (e.g. `--label track_genre`).
    #[arg(long)]
    pub label: Option<String>,
    /// Features: `all` (13), `nine` (the original form's), or a comma list.
    #[arg(long, default_value = "all")]
    pub features: String,
    /// Models searched, taking turns: gbt, rf.
    #[arg(long, default_value = "gbt,rf", value_delimiter = ',')]
    pub models: Vec<ModelChoice>,
    /// Cross-validation folds.
    #[arg(long, default_value_t = 3)]
    pub folds: usize,
    /// Seconds after which no new trial starts (the one running finishes).
    #[arg(long, default_value_t = 120.0)]
    pub budget: f64,
    /// At most this many trials (with a seed, the same trials every run).
    #[arg(long)]
    pub trials: Option<usize>,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Write the best model (trained on the whole training part) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// A candidate's settings in words: every setting the search varies (the core's line, the one
/// the Train page's leaderboard shows).
fn settings(spec: &ModelSpec) -> String {
    format!("{} · {}", spec.kind().code(), settings_in_words(spec))
}

fn board_rows(board: &Leaderboard) -> Vec<Vec<String>> {
    board
        .trials
        .iter()
        .map(|t: &Trial| {
            vec![
                (t.index + 1).to_string(),
                format!("{:.4}", t.cv_accuracy),
                t.fold_accuracy
                    .iter()
                    .map(|a| format!("{a:.3}"))
                    .collect::<Vec<_>>()
                    .join(" "),
                settings(&t.spec),
            ]
        })
        .collect()
}

pub fn run(a: TuneArgs) -> Result<()> {
    let options = TrainOptions {
        features: parse_features(&a.features)?,
        seed: a.split.seed,
        test_fraction: a.split.test_fraction,
        ..TrainOptions::default()
    };
    let data = read_data(&a.data, &training_read(&a.label))?;
    let prep =
        prepare(&data, &options, &a.data.display().to_string()).map_err(data_err(&a.data))?;
    let search = TuneOptions {
        models: models(&a.models),
        folds: a.folds,
        seed: a.split.seed,
    };
    eprintln!(
        "{}: searching {} on {} training rows ({}-fold CV; the {} holdout rows are not used), budget {} s",
        a.data.display(),
        search.models.iter().map(|m| m.code()).collect::<Vec<_>>().join(", "),
        prep.train_x.len(),
        a.folds,
        prep.test_x.len(),
        a.budget
    );
    let started = Instant::now();
    let board = tune(
        &prep,
        &search,
        a.trials.unwrap_or(usize::MAX),
        &mut |trial, _| {
            eprintln!(
                "trial {:>3}  cv {:.4}  {:>6.1} s  {}",
                trial.index + 1,
                trial.cv_accuracy,
                started.elapsed().as_secs_f64(),
                settings(&trial.spec)
            );
            started.elapsed().as_secs_f64() < a.budget
        },
        &AtomicBool::new(false),
    )
    .map_err(data_err(&a.data))?;
    println!(
        "{}",
        table(
            &["trial", "CV accuracy", "folds", "settings"],
            &board_rows(&board)
        )
    );
    let best = board.best().expect("tune returns at least one trial");
    // The holdout, once, for the chosen settings and for the defaults of the same model.
    let defaults = ModelSpec::default_for(best.spec.kind(), a.split.seed);
    let tuned = run_model(&prep, &best.spec, "Tuned model", "", true)?;
    let plain = run_model(&prep, &defaults, "Default settings", "", true)?;
    println!(
        "{}",
        table(
            &["", "holdout accuracy", "macro F1", "settings"],
            &[
                vec![
                    "tuned".into(),
                    format!("{:.4}", tuned.metrics.accuracy),
                    format!("{:.4}", tuned.metrics.macro_f1),
                    settings(&best.spec),
                ],
                vec![
                    "defaults".into(),
                    format!("{:.4}", plain.metrics.accuracy),
                    format!("{:.4}", plain.metrics.macro_f1),
                    settings(&defaults),
                ],
            ],
        )
    );
    if let Some(out) = &a.out {
        write_file(out, &tuned.bytes)?;
        eprintln!("saved the tuned model to {}", out.display());
    }
    Ok(())
}
