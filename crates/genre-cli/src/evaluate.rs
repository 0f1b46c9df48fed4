//! One model trained and scored on a split, and its figures as the CLI prints them (a table, or
//! `eval --json`'s rows): shared by `train`, `eval`, `tune`, the report's protocol and the
//! bundled forest.

use std::time::Instant;

use genre_core::feature::{Feature, FeatureSet};
use genre_core::metrics::Metrics;
use genre_core::model::TrainedModel;
use genre_core::train::{build_training_set, finish, fit_estimator, ModelSpec, Prepared};
use indicatif::{ProgressBar, ProgressStyle};
use serde::Serialize;

use crate::io::{CliError, Result};
use crate::report::table;

pub fn parse_features(s: &str) -> Result<FeatureSet> {
    match s.trim() {
        "all" => Ok(FeatureSet::all()),
        "nine" | "original" => Ok(FeatureSet::original_nine()),
        list => {
            let fs = list
                .split(',')
                .map(|n| n.trim().parse::<Feature>())
                .collect::<std::result::Result<Vec<_>, _>>()
                .map_err(CliError::Usage)?;
            FeatureSet::new(fs).map_err(CliError::Usage)
        }
    }
}

fn progress_bar(label: &str, total: usize) -> ProgressBar {
    let bar = ProgressBar::new(total as u64);
    bar.set_style(
        ProgressStyle::with_template("{prefix:>24} [{bar:30}] {pos}/{len} {elapsed}")
            .expect("valid template")
            .progress_chars("=> "),
    );
    bar.set_prefix(label.to_string());
    bar
}

/// One trained model and its figures.
pub struct EvaluatedModel {
    pub model: TrainedModel,
    pub metrics: Metrics,
    pub train_seconds: f64,
    pub predict_seconds: f64,
    pub bytes: Vec<u8>,
}

pub fn run_model(
    prep: &Prepared,
    spec: &ModelSpec,
    name: &str,
    trained_at: &str,
    quiet: bool,
) -> Result<EvaluatedModel> {
    let bar = progress_bar(spec.kind().label(), spec.work_units());
    if quiet {
        bar.set_draw_target(indicatif::ProgressDrawTarget::hidden());
    }
    let started = Instant::now();
    let stage = build_training_set(prep, spec.kind())?;
    let estimator = fit_estimator(
        &stage,
        prep.classes.len(),
        spec,
        None,
        &mut |p| {
            bar.set_length(p.total as u64);
            bar.set_position(p.done as u64);
        },
        crate::interrupt::flag(),
    )?;
    let train_seconds = started.elapsed().as_secs_f64();
    bar.finish_and_clear();
    // `finish` scores the holdout: that is the prediction time.
    let started = Instant::now();
    let (model, metrics) = finish(prep, &stage, spec, estimator, name, trained_at);
    let predict_seconds = started.elapsed().as_secs_f64();
    let bytes = model.to_bytes();
    Ok(EvaluatedModel {
        model,
        metrics,
        train_seconds,
        predict_seconds,
        bytes,
    })
}

#[derive(Serialize)]
pub struct EvalRow<'a> {
    model: &'static str,
    features: Vec<&'static str>,
    accuracy: f64,
    macro_f1: f64,
    weighted_f1: f64,
    macro_precision: f64,
    macro_recall: f64,
    train_seconds: f64,
    predict_seconds: f64,
    model_bytes: usize,
    classes: &'a [String],
    confusion: &'a [Vec<u64>],
}

/// One model's figures as `eval --json` writes them.
pub fn eval_row<'a>(o: &'a EvaluatedModel, features: &FeatureSet) -> EvalRow<'a> {
    EvalRow {
        model: o.model.meta.kind.code(),
        features: features.names(),
        accuracy: o.metrics.accuracy,
        macro_f1: o.metrics.macro_f1,
        weighted_f1: o.metrics.weighted_f1,
        macro_precision: o.metrics.macro_precision,
        macro_recall: o.metrics.macro_recall,
        train_seconds: o.train_seconds,
        predict_seconds: o.predict_seconds,
        model_bytes: o.bytes.len(),
        classes: &o.model.classes,
        confusion: &o.metrics.confusion,
    }
}

pub fn print_table(outcomes: &[EvaluatedModel], features: &FeatureSet) {
    let rows: Vec<Vec<String>> = outcomes
        .iter()
        .map(|o| {
            vec![
                o.model.meta.kind.code().to_string(),
                features.len().to_string(),
                format!("{:.4}", o.metrics.accuracy),
                format!("{:.4}", o.metrics.macro_f1),
                format!("{:.4}", o.metrics.weighted_f1),
                format!("{:.2} s", o.train_seconds),
                format!("{:.3} s", o.predict_seconds),
                format!("{} B", o.bytes.len()),
            ]
        })
        .collect();
    println!(
        "{}",
        table(
            &[
                "model",
                "features",
                "accuracy",
                "macro F1",
                "weighted F1",
                "train",
                "predict",
                "size"
            ],
            &rows
        )
    );
}
