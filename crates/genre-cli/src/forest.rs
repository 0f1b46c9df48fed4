//! The bundled random forest (`public/forest.bin`, the report's model on the Predict page): its
//! settings, and `genre-lens forest-curve`, the measurement they were picked from (holdout
//! accuracy and file size against trees, depth and leaf limits; docs/benchmarks.md has the table).
//!
//! Fully grown (scikit-learn's defaults: 100 trees, no limits) the forest's file is 2.6 MB gzip;
//! the site ships the forest's defaults, limited trees that are both more accurate and at most
//! 1 MB gzip.

use std::path::Path;

use genre_core::feature::FeatureSet;
use genre_core::model::{Estimator, ModelKind};
use genre_core::train::{build_training_set, finish, fit_estimator, prepare, ModelSpec};
use genre_core::tree::forest::ForestParams;

use crate::args::CurveArgs;
use crate::bench::gzip_len;
use crate::io::{data_err, read_data, training_read, Result};
use crate::report::table;

/// At most this many bytes gzip (the budget for the second bundled model).
pub const GZIP_BUDGET: usize = 1_000_000;
/// At most this far below the fully grown forest's holdout accuracy.
pub const ACCURACY_SLACK: f64 = 0.005;

/// The bundled forest: the forest's defaults with this seed (their limits were picked from the
/// curve; see docs/benchmarks.md, "The bundled forest").
pub fn bundled_spec(seed: u64) -> ModelSpec {
    ModelSpec::default_for(ModelKind::RandomForest, seed)
}

fn forest_spec(trees: usize, depth: Option<usize>, leaf: usize, seed: u64) -> ModelSpec {
    ModelSpec::Forest(
        ForestParams::default()
            .n_trees(trees)
            .max_depth(depth)
            .min_samples_leaf(leaf)
            .seed(seed),
    )
}

/// `none` or a number.
fn parse_depth(s: &str) -> std::result::Result<Option<usize>, String> {
    match s.trim() {
        "none" => Ok(None),
        n => n
            .parse()
            .map(Some)
            .map_err(|_| format!("depth `{n}`: expected a number or none")),
    }
}

/// `genre-lens forest-curve`: for every depth limit and leaf minimum, trains the largest tree
/// count once and scores its first `n` trees for each `n` (tree `i` of a forest draws from its
/// own seeded stream, so the first `n` trees are exactly the `n`-tree forest's), as the file
/// stores them (quantised), with the file's raw and gzip sizes.
pub fn curve(a: CurveArgs) -> Result<()> {
    let data = read_data(&a.data, &training_read(&None))?;
    let options = genre_core::train::TrainOptions {
        features: FeatureSet::all(),
        seed: a.seed,
        ..Default::default()
    };
    let prep = prepare(&data, &options, "curve").map_err(data_err(&a.data))?;
    let depths = a
        .depths
        .iter()
        .map(|d| parse_depth(d))
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(crate::io::CliError::Usage)?;
    let mut trees = a.trees.clone();
    trees.sort_unstable();
    trees.dedup();
    let most = *trees.last().unwrap_or(&100);
    let stage = build_training_set(&prep, genre_core::model::ModelKind::RandomForest)?;
    let k = prep.classes.len();
    let cancel = crate::interrupt::flag();

    // The reference: fully grown trees, scikit-learn's 100.
    let full_spec = ModelSpec::Forest(ForestParams::fully_grown().seed(a.seed));
    let full = fit_estimator(&stage, k, &full_spec, None, &mut |_| {}, cancel)?;
    let (full_model, full_m) = finish(&prep, &stage, &full_spec, full, "curve", "");
    let floor = full_m.accuracy - ACCURACY_SLACK;
    let full_bytes = full_model.to_bytes();
    eprintln!(
        "fully grown forest (100 trees): holdout accuracy {:.4}, {} B gzip; floor {:.4}, budget {} B gzip",
        full_m.accuracy,
        gzip_len(&full_bytes),
        floor,
        GZIP_BUDGET
    );

    let mut rows = Vec::new();
    for &depth in &depths {
        for &leaf in &a.leaves {
            let spec = forest_spec(most, depth, leaf, a.seed);
            let Estimator::Trees(all) = fit_estimator(&stage, k, &spec, None, &mut |_| {}, cancel)?
            else {
                unreachable!("a forest is trees")
            };
            for &n in &trees {
                let mut part = all.clone();
                part.trees.truncate(n);
                part.packed = Default::default();
                let spec_n = forest_spec(n, depth, leaf, a.seed);
                let (model, m) =
                    finish(&prep, &stage, &spec_n, Estimator::Trees(part), "curve", "");
                let bytes = model.to_bytes();
                let gz = gzip_len(&bytes);
                let nodes = match &model.estimator {
                    Estimator::Trees(t) => t.n_nodes(),
                    _ => 0,
                };
                let fits = gz <= GZIP_BUDGET && m.accuracy >= floor;
                let bundled = spec_n == bundled_spec(a.seed);
                rows.push(vec![
                    n.to_string(),
                    depth.map_or("none".into(), |d| d.to_string()),
                    leaf.to_string(),
                    nodes.to_string(),
                    format!("{:.4}", m.accuracy),
                    format!("{:+.2}", (m.accuracy - full_m.accuracy) * 100.0),
                    format!("{:.0} KB", bytes.len() as f64 / 1000.0),
                    format!("{:.0} KB", gz as f64 / 1000.0),
                    match (fits, bundled) {
                        (_, true) => "bundled".into(),
                        (true, false) => "fits".into(),
                        (false, false) => String::new(),
                    },
                ]);
            }
        }
    }
    println!(
        "{}",
        table(
            &[
                "trees",
                "max depth",
                "min leaf",
                "nodes",
                "accuracy",
                "vs full (points)",
                "raw",
                "gzip",
                "≤1 MB, ≥ −0.5"
            ],
            &rows
        )
    );
    Ok(())
}

/// Writes the bundled forest trained on `prep` to `out` and says how it scored.
pub fn write_bundled(
    prep: &genre_core::train::Prepared,
    seed: u64,
    trained_at: &str,
    out: &Path,
) -> Result<()> {
    let spec = bundled_spec(seed);
    let forest = crate::evaluate::run_model(prep, &spec, "Bundled forest", trained_at, false)?;
    crate::io::write_file(out, &forest.bytes)?;
    eprintln!(
        "saved the bundled forest ({}; {} bytes, {} gzip, holdout accuracy {:.4}) to {}",
        spec.settings(),
        forest.bytes.len(),
        gzip_len(&forest.bytes),
        forest.metrics.accuracy,
        out.display()
    );
    Ok(())
}
