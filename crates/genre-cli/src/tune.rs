//! `genre-lens tune`: the core's search (`genre_core::tune`) with a time budget, a live
//! leaderboard, then the best settings and the defaults each trained on the whole training part
//! and scored once on the holdout, side by side.

use std::path::PathBuf;
use std::time::Instant;

use clap::Args;
use genre_core::train::{prepare, ModelSpec, TrainOptions};
use genre_core::tune::{default_folds, tune, Leaderboard, Trial, TuneOptions};

use crate::args::{models, ModelChoice, SplitArgs};
use crate::bench::cpu_seconds;
use crate::evaluate::{parse_features, run_model, EvaluatedModel};
use crate::io::{data_err, note_set_aside, read_data, training_read, write_file, Result};
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
    /// Cross-validation folds; by default 3, or 5 when the training part has fewer than
    /// 10,000 rows (small data: more folds, less noise in the scores that pick the winner).
    #[arg(long)]
    pub folds: Option<usize>,
    /// Seconds after which no new trial starts (the one running finishes).
    #[arg(long, default_value_t = 120.0)]
    pub budget: f64,
    /// What the budget counts: `wall` (elapsed) seconds, or `cpu` seconds of this process (on a
    /// machine shared with other work, what a comparison between tools should count).
    #[arg(long, value_enum, default_value_t = Clock::Wall)]
    pub clock: Clock,
    /// At most this many trials (with a seed, the same trials every run).
    #[arg(long)]
    pub trials: Option<usize>,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Write the best model (trained on the whole training part) here.
    #[arg(long)]
    pub out: Option<PathBuf>,
}

/// The budget's clock.
#[derive(clap::ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    Wall,
    Cpu,
}

/// Seconds on `clock` since `start` (the clock's reading then).
struct Stopwatch {
    clock: Clock,
    wall: Instant,
    cpu: f64,
}

impl Stopwatch {
    fn start(clock: Clock) -> Stopwatch {
        Stopwatch {
            clock,
            wall: Instant::now(),
            cpu: cpu_seconds(),
        }
    }

    fn wall(&self) -> f64 {
        self.wall.elapsed().as_secs_f64()
    }

    fn cpu(&self) -> f64 {
        cpu_seconds() - self.cpu
    }

    fn budget_used(&self) -> f64 {
        match self.clock {
            Clock::Wall => self.wall(),
            Clock::Cpu => self.cpu(),
        }
    }
}

/// A candidate's settings in words: every setting the search varies (the core's line, the one
/// the Train page's leaderboard shows).
fn settings(spec: &ModelSpec) -> String {
    format!("{} · {}", spec.kind().code(), spec.settings())
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

fn holdout_row(name: String, outcome: &EvaluatedModel, spec: &ModelSpec) -> Vec<String> {
    vec![
        name,
        format!("{:.4}", outcome.metrics.accuracy),
        format!("{:.4}", outcome.metrics.macro_f1),
        settings(spec),
    ]
}

pub fn run(a: TuneArgs) -> Result<()> {
    let options = TrainOptions {
        features: parse_features(&a.features)?,
        seed: a.split.seed,
        test_fraction: a.split.test_fraction,
        ..TrainOptions::default()
    };
    let data = a
        .split
        .sampled(read_data(&a.data, &training_read(&a.label))?);
    note_set_aside(&a.data, &data);
    let prep =
        prepare(&data, &options, &a.data.display().to_string()).map_err(data_err(&a.data))?;
    let search = TuneOptions {
        models: models(&a.models),
        folds: a.folds.unwrap_or_else(|| default_folds(prep.train_x.len())),
        seed: a.split.seed,
    };
    eprintln!(
        "{}: searching {} on {} training rows ({}-fold CV; the {} holdout rows are not used), budget {} s ({})",
        a.data.display(),
        search.models.iter().map(|m| m.code()).collect::<Vec<_>>().join(", "),
        prep.train_x.len(),
        search.folds,
        prep.test_x.len(),
        a.budget,
        match a.clock {
            Clock::Wall => "wall clock",
            Clock::Cpu => "CPU time",
        }
    );
    let watch = Stopwatch::start(a.clock);
    let board = tune(
        &prep,
        &search,
        a.trials.unwrap_or(usize::MAX),
        &mut |trial, _| {
            eprintln!(
                "trial {:>3}  cv {:.4}  {:>6.1} s ({:.1} s CPU)  {}",
                trial.index + 1,
                trial.cv_accuracy,
                watch.wall(),
                watch.cpu(),
                settings(&trial.spec)
            );
            watch.budget_used() < a.budget
        },
        crate::interrupt::flag(),
    )
    .map_err(data_err(&a.data))?;
    println!(
        "{}",
        table(
            &["trial", "CV accuracy", "folds", "settings"],
            &board_rows(&board)
        )
    );
    eprintln!(
        "search: {} trials in {:.1} s ({:.1} s CPU)",
        board.trials.len(),
        watch.wall(),
        watch.cpu()
    );
    let best = board.best().expect("tune returns at least one trial");
    let chosen = board.choice().expect("tune returns at least one trial");
    if chosen.index != best.index {
        println!(
            "trial {} is ahead of trial {} (defaults) by {:.2} points on CV, within the noise of \
             its folds: the defaults are kept",
            best.index + 1,
            chosen.index + 1,
            100.0 * (best.cv_accuracy - chosen.cv_accuracy)
        );
    }
    // The holdout, once, for the chosen settings and for each searched model's defaults (the
    // first, the default model's, is what training without a search gives).
    let tuned = run_model(&prep, &chosen.spec, "Tuned model", "", true)?;
    let mut rows = vec![holdout_row(
        format!("tuned (trial {})", chosen.index + 1),
        &tuned,
        &chosen.spec,
    )];
    for kind in &search.models {
        let defaults = ModelSpec::default_for(*kind, a.split.seed);
        let plain = run_model(&prep, &defaults, "Default settings", "", true)?;
        rows.push(holdout_row(
            format!("defaults ({})", kind.code()),
            &plain,
            &defaults,
        ));
    }
    println!(
        "{}",
        table(&["", "holdout accuracy", "macro F1", "settings"], &rows)
    );
    if let Some(out) = &a.out {
        write_file(out, &tuned.bytes)?;
        eprintln!("saved the tuned model to {}", out.display());
    }
    Ok(())
}
