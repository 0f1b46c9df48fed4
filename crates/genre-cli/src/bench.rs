//! `genre-lens bench`: training and prediction timings, printed as a table.

use std::path::Path;
use std::time::Instant;

use genre_core::feature::FeatureSet;
use genre_core::fitting::Training;
use genre_core::ingest::IngestOptions;
use genre_core::linfa_prelude::{Fit, ParamGuard};
use genre_core::model::Estimator;
use genre_core::model::ModelKind;
use genre_core::train::{
    build_training_set, finish, fit_estimator, prepare, ModelSpec, TrainOptions,
};
use genre_core::tree::boost::BoostParams;
use genre_core::tree::forest::ForestParams;

use crate::io::{read_data, read_model, CliError};
use crate::report::table;

pub fn gzip_len(bytes: &[u8]) -> usize {
    use std::io::Write;
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).expect("in memory");
    e.finish().expect("in memory").len()
}

/// CPU seconds of this process (user + system), comparable with Python's `time.process_time()`
/// and much less disturbed by other processes than wall time.
pub fn cpu_seconds() -> f64 {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: `ts` is a valid, writable timespec; CLOCK_PROCESS_CPUTIME_ID is always available on Linux.
    unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) };
    ts.tv_sec as f64 + ts.tv_nsec as f64 * 1e-9
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

pub fn run(
    data_path: &Path,
    model_path: &Path,
    repeat: usize,
    only: Option<&str>,
) -> Result<(), CliError> {
    let repeat = repeat.max(1);
    let data = read_data(data_path, &IngestOptions::for_training())?;
    let mut rows = Vec::new();
    // LightGBM's defaults (100 rounds, learning rate 0.1, no subsampling, no early stopping),
    // to compare speed for the same amount of work.
    let lightgbm_like = ModelSpec::Boost(
        BoostParams::default()
            .max_rounds(100)
            .learning_rate(0.1)
            .lambda(0.0)
            .feature_fraction(1.0)
            .row_fraction(1.0)
            .early_stopping_rounds(0),
    );
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
        let specs = [
            // scikit-learn's settings, as the baseline script trains its forest.
            (
                "rf, 100 fully grown trees",
                ModelSpec::Forest(ForestParams::fully_grown()),
            ),
            ("rf", ModelSpec::default_for(ModelKind::RandomForest, 42)),
            (
                "gbt",
                ModelSpec::default_for(ModelKind::GradientBoosting, 42),
            ),
            ("gbt, LightGBM defaults", lightgbm_like.clone()),
        ];
        for (name, spec) in specs {
            let row_label = format!("{name} ({label}, {} rows)", prep.train_y.len());
            if only.is_some_and(|o| !row_label.contains(o)) {
                continue;
            }
            let stage = build_training_set(&prep, spec.kind())?;
            let mut wall = Vec::new();
            let mut cpu = Vec::new();
            let mut units = 0;
            let reps = if spec.kind() == ModelKind::RandomForest {
                repeat.min(3)
            } else {
                1
            };
            let mut accuracy = 0.0;
            for _ in 0..reps {
                let (t, c) = (Instant::now(), cpu_seconds());
                let est = fit_estimator(
                    &stage,
                    prep.classes.len(),
                    &spec,
                    None,
                    &mut |p| units = p.done,
                    crate::interrupt::flag(),
                )?;
                cpu.push(cpu_seconds() - c);
                wall.push(t.elapsed().as_secs_f64());
                let (_, m) = finish(&prep, &stage, &spec, est, "bench", "");
                accuracy = m.accuracy;
            }
            let unit = if spec.kind() == ModelKind::RandomForest {
                "trees"
            } else {
                "rounds"
            };
            rows.push(vec![
                row_label,
                format!("{units} {unit}"),
                format!("{accuracy:.4}"),
                format!("{:.2} s", median(cpu)),
                format!("{:.2} s", median(wall)),
            ]);
        }
    }
    println!(
        "{}",
        table(
            &[
                "training (1 thread)",
                "work",
                "holdout accuracy",
                "CPU time",
                "wall time"
            ],
            &rows
        )
    );

    if only.is_some() {
        return Ok(());
    }
    quantization_table(&data)?;

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
        let t = cpu_seconds();
        for r in &inputs {
            sink += model.predict_raw(r).class;
        }
        single.push((cpu_seconds() - t) / inputs.len() as f64);
        let t = cpu_seconds();
        sink += model.predict_batch(&inputs).len();
        batch.push(cpu_seconds() - t);
    }
    std::hint::black_box(sink);
    let n_nodes = match &model.estimator {
        genre_core::model::Estimator::Trees(t) => t.n_nodes(),
        genre_core::model::Estimator::Imported(t) => t.n_nodes(),
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
        vec![
            "one row (predict_raw, CPU)".into(),
            format!("{:.2} µs", median(single) * 1e6),
        ],
        vec![
            format!("{} rows (predict_batch, CPU)", inputs.len()),
            format!("{:.1} ms", median(batch) * 1e3),
        ],
    ];
    println!(
        "{}",
        table(&["prediction (native, 1 thread)", "median"], &rows)
    );
    Ok(())
}

/// Holdout accuracy of the same trees at full precision and as the model file stores them
/// (leaf probabilities in 1/255 steps, boosting scores as i16 steps), plus the file sizes.
fn quantization_table(data: &genre_core::ingest::Ingested) -> Result<(), CliError> {
    let options = TrainOptions {
        features: FeatureSet::all(),
        ..TrainOptions::default()
    };
    let prep = prepare(data, &options, "bench")?;
    let cancel = crate::interrupt::flag();
    let mut rows = Vec::new();
    for kind in [ModelKind::RandomForest, ModelKind::GradientBoosting] {
        let spec = ModelSpec::default_for(kind, 42);
        let stage = build_training_set(&prep, kind)?;
        let k = prep.classes.len();
        // The same fit as `fit_estimator`'s, through linfa's `Fit`, without its quantisation.
        let data = stage.dataset();
        let full = match &spec {
            ModelSpec::Forest(p) => {
                Training::new(p.check_ref()?, k, &mut |_| {}, cancel).fit(&data)?
            }
            ModelSpec::Boost(p) => {
                Training::new(p.check_ref()?, k, &mut |_| {}, cancel).fit(&data)?
            }
            _ => unreachable!("tree models only"),
        };
        let full = Estimator::Trees(full);
        let (_, full_m) = finish(&prep, &stage, &spec, full, "full", "");
        let saved = fit_estimator(&stage, k, &spec, None, &mut |_| {}, cancel)?;
        let (model, saved_m) = finish(&prep, &stage, &spec, saved, "saved", "");
        let bytes = model.to_bytes();
        rows.push(vec![
            kind.code().to_string(),
            format!("{:.4}", full_m.accuracy),
            format!("{:.4}", saved_m.accuracy),
            format!("{} B", bytes.len()),
            format!("{} B", gzip_len(&bytes)),
        ]);
    }
    println!(
        "{}",
        table(
            &[
                "model (F13)",
                "accuracy, full precision",
                "accuracy, as saved",
                "file",
                "gzip"
            ],
            &rows
        )
    );
    Ok(())
}
