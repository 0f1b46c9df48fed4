//! `genre-lens bench`: training and prediction timings, printed as a table.

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Instant;

use genre_core::feature::FeatureSet;
use genre_core::ingest::IngestOptions;
use genre_core::model::ModelKind;
use genre_core::train::{fit_estimator, fit_stage, prepare, ModelSpec, TrainOptions};

use crate::commands::{read_data, read_model, CliError};
use crate::report::table;

fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory").len()
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn run(data_path: &Path, model_path: &Path, repeat: usize) -> Result<(), CliError> {
    let repeat = repeat.max(1);
    let data = read_data(data_path, &IngestOptions::for_training())?;
    let mut rows = Vec::new();
    for (label, features) in [
        ("F9", FeatureSet::original_nine()),
        ("F13", FeatureSet::all()),
    ] {
        let options = TrainOptions {
            features,
            cap_outliers: false,
            ..TrainOptions::default()
        };
        let prep = prepare(&data, &options, "bench")?;
        for kind in [ModelKind::RandomForest, ModelKind::GradientBoosting] {
            let spec = ModelSpec::default_for(kind, 42);
            let stage = fit_stage(&prep, kind)?;
            let mut times = Vec::new();
            let mut units = 0;
            for _ in 0..if kind == ModelKind::RandomForest {
                repeat.min(3)
            } else {
                1
            } {
                let t = Instant::now();
                let est = fit_estimator(
                    &stage,
                    prep.classes.len(),
                    &spec,
                    None,
                    &mut |p| units = p.done,
                    &AtomicBool::new(false),
                )?;
                times.push(t.elapsed().as_secs_f64());
                drop(est);
            }
            rows.push(vec![
                format!(
                    "fit {} ({label}, {} rows, 1 thread)",
                    kind.code(),
                    prep.train_y.len()
                ),
                format!(
                    "{units} {}",
                    if kind == ModelKind::RandomForest {
                        "trees"
                    } else {
                        "rounds"
                    }
                ),
                format!("{:.2} s", median(times)),
            ]);
        }
    }
    println!("{}", table(&["training", "work", "median time"], &rows));

    let model = read_model(model_path)?;
    let bytes = std::fs::read(model_path).map_err(|e| CliError::Io {
        path: model_path.display().to_string(),
        message: e.to_string(),
    })?;
    let inputs: Vec<Vec<f64>> = data
        .tracks
        .iter()
        .take(10_000)
        .map(|t| model.features().select(&t.values))
        .collect();
    let mut single = Vec::new();
    let mut batch = Vec::new();
    let mut sink = 0usize;
    for _ in 0..repeat {
        let t = Instant::now();
        for r in &inputs {
            sink += model.predict_raw(r).class;
        }
        let s = t.elapsed().as_secs_f64();
        batch.push(s);
        single.push(s / inputs.len() as f64);
    }
    std::hint::black_box(sink);
    let n_nodes = match &model.estimator {
        genre_core::model::Estimator::Trees(t) => t.n_nodes(),
        _ => 0,
    };
    let rows = vec![
        vec![
            "model".into(),
            format!("{} ({} nodes)", model.meta.kind.label(), n_nodes),
        ],
        vec![
            "file size".into(),
            format!("{} B raw, {} B gzip", bytes.len(), gzip_len(&bytes)),
        ],
        vec!["one row".into(), format!("{:.2} µs", median(single) * 1e6)],
        vec![
            format!("{} rows", inputs.len()),
            format!("{:.1} ms", median(batch) * 1e3),
        ],
    ];
    println!(
        "{}",
        table(&["prediction (native, 1 thread)", "median"], &rows)
    );
    Ok(())
}
