//! `eval --protocol report`: the original report's protocol next to the honest one, on the same
//! file, models and settings, with the core's sentence on why their figures differ.

use std::path::Path;

use genre_core::text::count;
use genre_core::train::{why_they_differ, Leakage, ModelSpec, Protocol};
use serde::Serialize;

use crate::args::{models_of, EvalArgs};
use crate::evaluate::{eval_row, parse_features, print_table, run_model, EvalRow};
use crate::io::{data_err, read_data, CliError, Result};

#[derive(Serialize)]
struct ProtocolJson<'a> {
    protocol: &'static str,
    train_rows: usize,
    test_rows: usize,
    synthetic_test_rows: usize,
    twin_test_rows: usize,
    incomplete_rows_dropped: usize,
    models: Vec<EvalRow<'a>>,
}

#[derive(Serialize)]
struct CompareJson<'a> {
    protocols: Vec<ProtocolJson<'a>>,
    why: String,
}

pub fn compare(a: &EvalArgs) -> Result<()> {
    let Some(path) = &a.data else {
        return Err(CliError::Usage(
            "--protocol report splits one file: give --data (not --train/--test)".into(),
        ));
    };
    let options = genre_core::train::TrainOptions {
        features: parse_features(&a.features)?,
        cap_outliers: !a.no_cap,
        test_fraction: a.split.test_fraction,
        ..Protocol::report_options(a.split.seed)
    };
    let kinds = models_of(&a.model, &Protocol::REPORT_MODELS);
    let mut runs = Vec::new();
    let mut duplicates = 0;
    for protocol in Protocol::BOTH {
        let data = a
            .split
            .sampled(read_data(path, &protocol.ingest_options(a.label.clone()))?);
        if protocol == Protocol::Honest {
            duplicates = data.report.duplicates_dropped;
        }
        let (prep, leakage) = protocol
            .prepare(&data, &options, &path.display().to_string())
            .map_err(data_err(path))?;
        let mut outcomes = Vec::new();
        for &kind in &kinds {
            let mut spec = ModelSpec::report_model(kind, a.split.seed);
            if let (Some(n), ModelSpec::Forest(p)) = (a.trees, &mut spec) {
                *p = p.clone().n_trees(n);
            }
            outcomes.push(run_model(&prep, &spec, "evaluated model", "", a.json)?);
        }
        runs.push((protocol, prep.train_y.len(), leakage, outcomes));
    }
    let (report, honest) = (&runs[0], &runs[1]);
    // The sentence is about the report's headline model when it ran, else the first one.
    let at = kinds
        .iter()
        .position(|&k| k == genre_core::model::ModelKind::RandomForest)
        .unwrap_or(0);
    let why = match (report.3.get(at), honest.3.get(at)) {
        (Some(r), Some(h)) => why_they_differ(
            kinds[at],
            (r.metrics.accuracy, &report.2),
            (h.metrics.accuracy, &honest.2),
            duplicates,
        ),
        _ => return Err(CliError::Usage("no model given".into())),
    };
    if a.json {
        let protocols = runs
            .iter()
            .map(|(protocol, train_rows, leak, outcomes)| ProtocolJson {
                protocol: protocol.code(),
                train_rows: *train_rows,
                test_rows: leak.test_rows,
                synthetic_test_rows: leak.synthetic_test_rows,
                twin_test_rows: leak.twin_test_rows,
                incomplete_rows_dropped: leak.incomplete_rows_dropped,
                models: outcomes
                    .iter()
                    .map(|o| eval_row(o, &options.features))
                    .collect(),
            })
            .collect();
        println!(
            "{}",
            serde_json::to_string(&CompareJson { protocols, why }).expect("serialises")
        );
        return Ok(());
    }
    for (protocol, train_rows, leak, outcomes) in &runs {
        println!("{}", heading(path, *protocol, *train_rows, leak));
        print_table(outcomes, &options.features);
    }
    println!("{why}");
    Ok(())
}

fn heading(path: &Path, protocol: Protocol, train_rows: usize, leak: &Leakage) -> String {
    let dropped = match leak.incomplete_rows_dropped {
        0 => String::new(),
        n => format!("; {} rows with a missing value dropped", count(n as u64)),
    };
    format!(
        "{} on {}: {} training rows, {} test rows ({} synthetic, {} twins of training rows){dropped}",
        protocol.label(),
        path.display(),
        count(train_rows as u64),
        count(leak.test_rows as u64),
        count(leak.synthetic_test_rows as u64),
        count(leak.twin_test_rows as u64),
    )
}
