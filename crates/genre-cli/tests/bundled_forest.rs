//! The committed `public/forest.bin` (the Predict page's "Random forest") is exactly what
//! `genre-lens train` writes from data/genres_v2.csv: the forest's defaults, at most 1 MB gzip,
//! and on the same holdout at least as accurate as YDF's random forest (300 trees, its
//! JavaScript trainer's defaults) and a point above the fully grown forest (100 trees, no
//! limits). A check of the shipped file's size and accuracy, not a timing.

use std::io::Write;
use std::path::Path;
use std::process::Command;
use std::sync::atomic::AtomicBool;

use genre_core::feature::FeatureSet;
use genre_core::model::{ModelKind, TrainedModel};
use genre_core::train::{prepare, train_model, ModelSpec, TrainOptions};
use genre_core::tree::forest::ForestParams;

/// YDF's random forest on the bundled split, its JavaScript trainer's defaults
/// (`bench/ydf_peer.sh`, docs/benchmarks.md "YDF in the same engine").
const YDF_FOREST_ACCURACY: f64 = 0.6411;

fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

#[test]
fn the_committed_forest_is_the_defaults_under_1_mb_gzip_and_as_accurate_as_ydf() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let committed = std::fs::read(repo.join("public/forest.bin"))
        .expect("public/forest.bin is committed (./x model writes it)");
    let gz = gzip_len(&committed);
    assert!(gz <= 1_000_000, "forest.bin is {gz} B gzip, over 1 MB");

    // `--candidates rf`: the forest with its defaults is the main model too, so both files are
    // written by one run, and `eval` trains the fully grown forest on the same split.
    let dir = repo.join("target/cli-tests/bundled-forest");
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_genre-lens"))
        .args(["train", "--candidates", "rf", "--data"])
        .arg(repo.join("data/genres_v2.csv"))
        .arg("--out")
        .arg(dir.join("defaults.bin"))
        .arg("--forest")
        .arg(dir.join("forest.bin"))
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let written = std::fs::read(dir.join("forest.bin")).unwrap();
    assert!(
        written == committed,
        "public/forest.bin is not what `./x model` writes now: run it and commit the file"
    );

    let forest = TrainedModel::from_bytes(&committed).unwrap();
    let defaults =
        TrainedModel::from_bytes(&std::fs::read(dir.join("defaults.bin")).unwrap()).unwrap();
    assert_eq!(forest.meta.kind, ModelKind::RandomForest);
    let settings = ModelSpec::default_for(ModelKind::RandomForest, 42).settings();
    assert!(
        forest.meta.settings.starts_with(&settings)
            && defaults.meta.settings.starts_with(&settings),
        "the bundled forest is not the defaults: {:?}",
        forest.meta.settings
    );
    let holdout = forest.meta.holdout.as_ref().unwrap();
    assert_eq!(holdout.rows, 7_864, "the bundled split's holdout");
    assert!(
        holdout.accuracy >= YDF_FOREST_ACCURACY,
        "the bundled forest scores {:.4}, below YDF's forest ({YDF_FOREST_ACCURACY})",
        holdout.accuracy
    );

    // The fully grown forest on the same split (`train`'s: 13 features, outlier capping).
    let data = genre_core::ingest::read_csv(
        std::fs::File::open(repo.join("data/genres_v2.csv")).unwrap(),
        &genre_core::ingest::IngestOptions::for_training(),
    )
    .unwrap();
    let options = TrainOptions {
        features: FeatureSet::all(),
        ..TrainOptions::default()
    };
    let prep = prepare(&data, &options, "genres_v2.csv").unwrap();
    let full = ModelSpec::Forest(ForestParams::fully_grown());
    let (_, full) = train_model(
        &prep,
        &full,
        "full",
        "",
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap();
    assert_eq!(prep.test_y.len(), holdout.rows as usize, "the same holdout");
    assert!(
        holdout.accuracy >= full.accuracy + 0.01,
        "the bundled forest {:.4} is not a point above the fully grown forest's {:.4}",
        holdout.accuracy,
        full.accuracy
    );
}
