//! The committed `public/forest.bin` (the Predict page's "Random forest") is exactly what
//! `genre-lens train` writes from data/genres_v2.csv, at most 1 MB gzip, and scores no more
//! than half a point below the fully grown forest (100 trees, no limits) on the same holdout.
//! A check of the shipped file's size and accuracy, not a timing.

use std::io::Write;
use std::path::Path;
use std::process::Command;

use genre_core::model::{ModelKind, TrainedModel};

fn gzip_len(bytes: &[u8]) -> usize {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(bytes).unwrap();
    e.finish().unwrap().len()
}

#[test]
fn the_committed_forest_is_what_train_writes_under_1_mb_gzip_within_half_a_point() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let committed = std::fs::read(repo.join("public/forest.bin"))
        .expect("public/forest.bin is committed (./x model writes it)");
    let gz = gzip_len(&committed);
    assert!(gz <= 1_000_000, "forest.bin is {gz} B gzip, over 1 MB");

    // The only candidate is the fully grown forest, so model.bin is the reference.
    let dir = repo.join("target/cli-tests/bundled-forest");
    let _ = std::fs::remove_dir_all(&dir);
    let out = Command::new(env!("CARGO_BIN_EXE_genre-lens"))
        .args(["train", "--candidates", "rf", "--data"])
        .arg(repo.join("data/genres_v2.csv"))
        .arg("--out")
        .arg(dir.join("full.bin"))
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
    let full = TrainedModel::from_bytes(&std::fs::read(dir.join("full.bin")).unwrap()).unwrap();
    assert_eq!(forest.meta.kind, ModelKind::RandomForest);
    assert_eq!(full.meta.kind, ModelKind::RandomForest);
    let (f, g) = (
        forest.meta.holdout.as_ref().unwrap(),
        full.meta.holdout.as_ref().unwrap(),
    );
    assert_eq!(f.rows, g.rows, "the same holdout");
    assert!(
        f.accuracy >= g.accuracy - 0.005,
        "bundled forest {:.4} is more than half a point below the fully grown forest's {:.4}",
        f.accuracy,
        g.accuracy
    );
}
