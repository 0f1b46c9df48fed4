//! `import`, `export --to lightgbm` and `predict --probabilities` end to end, on the fixture
//! models the libraries wrote (`crates/genre-core/tests/fixtures/interop/`) and the bundled model.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

mod support;
use support::{bin, ok, tmp};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fixtures() -> PathBuf {
    repo().join("crates/genre-core/tests/fixtures/interop")
}

/// A CSV as its header and string rows.
fn read_csv(path: &Path) -> (Vec<String>, Vec<Vec<String>>) {
    let mut r = csv::Reader::from_path(path).unwrap();
    let header = r.headers().unwrap().iter().map(str::to_string).collect();
    let rows = r
        .records()
        .map(|rec| rec.unwrap().iter().map(str::to_string).collect())
        .collect();
    (header, rows)
}

/// `predict --probabilities` of `model` on `input`: each output row's spreadsheet row number
/// and its `p_` columns (in the header's order), with the header's `p_` names.
fn probabilities(
    dir: &Path,
    model: &Path,
    input: &Path,
) -> (Vec<String>, HashMap<usize, Vec<f64>>) {
    let out = dir.join(format!(
        "{}.predictions.csv",
        model.file_stem().unwrap().to_string_lossy()
    ));
    ok(bin()
        .args(["predict", "--probabilities", "--model"])
        .arg(model)
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(&out)
        .output()
        .unwrap());
    let (header, rows) = read_csv(&out);
    let row_col = header.iter().position(|h| h == "row").unwrap();
    let p_cols: Vec<usize> = (0..header.len())
        .filter(|&i| header[i].starts_with("p_"))
        .collect();
    let names = p_cols.iter().map(|&i| header[i].clone()).collect();
    let by_row = rows
        .iter()
        .map(|r| {
            (
                r[row_col].parse().unwrap(),
                p_cols.iter().map(|&i| r[i].parse().unwrap()).collect(),
            )
        })
        .collect();
    (names, by_row)
}

/// `import` of a fixture, with the fixtures' class file unless `extra` names the classes.
fn import(dir: &Path, model: &str, extra: &[&str]) -> std::process::Output {
    let mut cmd = bin();
    cmd.arg("import")
        .arg(fixtures().join(model))
        .arg("--out")
        .arg(dir.join(format!("{model}.bin")));
    if !extra.contains(&"--classes") {
        cmd.arg("--classes").arg(fixtures().join("classes.txt"));
    }
    cmd.args(extra).output().unwrap()
}

#[test]
fn imported_models_predict_the_libraries_probabilities() {
    let dir = tmp("interop-import");
    for model in [
        "lgb_multiclass.txt",
        "lgb_zero_missing.txt",
        "lgb_ova_categorical.txt",
        "lgb_rf.txt",
        "xgb_softprob.json",
        "xgb_softmax_categorical.json",
    ] {
        let out = ok(import(&dir, model, &[]));
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(
            said.contains("Dark Trap, Underground Rap, dnb, hardstyle"),
            "{said}"
        );
        let stem = model.rsplit_once('.').unwrap().0;
        let (expected_header, expected) = read_csv(&fixtures().join(format!("{stem}.proba.csv")));
        let (names, got) = probabilities(
            &dir,
            &dir.join(format!("{model}.bin")),
            &fixtures().join("rows.csv"),
        );
        assert_eq!(names, expected_header, "{model}");
        // The all-missing first row may be refused by the reader; every other row is predicted.
        assert!(
            got.len() >= expected.len() - 1,
            "{model}: {} rows",
            got.len()
        );
        let mut worst = 0.0f64;
        for (row, p) in &got {
            let want: Vec<f64> = expected[row - 2]
                .iter()
                .map(|v| v.parse().unwrap())
                .collect();
            for (a, b) in p.iter().zip(&want) {
                worst = worst.max((a - b).abs());
            }
        }
        assert!(worst <= 1e-5, "{model}: {worst}");
    }
}

#[test]
fn unnamed_features_are_named_on_the_command_line_and_bad_files_get_one_line() {
    let dir = tmp("interop-names");
    let out = import(&dir, "lgb_unnamed.txt", &[]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("--features") && err.contains("Column_0"),
        "{err}"
    );
    assert_eq!(err.trim().lines().count(), 1, "{err}");
    let names = "danceability,energy,key,loudness,speechiness,acousticness,instrumentalness,valence,tempo,duration_ms";
    ok(import(&dir, "lgb_unnamed.txt", &["--features", names]));

    let bad = dir.join("notes.txt");
    std::fs::write(&bad, "my model, version 2\n").unwrap();
    let out = bin()
        .arg("import")
        .arg(&bad)
        .arg("--out")
        .arg(dir.join("x.bin"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("notes.txt") && err.contains("neither a LightGBM"),
        "{err}"
    );
    assert!(!dir.join("x.bin").exists());

    let out = import(&dir, "xgb_softprob.json", &["--classes", "a,b"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr)
        .contains("2 class names were given, but the model has 4"));
}

#[test]
fn the_bundled_model_exported_and_imported_back_predicts_the_same() {
    let dir = tmp("interop-export");
    let txt = dir.join("model.txt");
    let said = ok(bin()
        .args(["export", "--to", "lightgbm", "--model"])
        .arg(repo().join("public/model.bin"))
        .arg("--out")
        .arg(&txt)
        .output()
        .unwrap());
    assert!(String::from_utf8_lossy(&said.stderr).contains("Gradient-boosted trees"));
    let text = std::fs::read_to_string(&txt).unwrap();
    assert!(text.starts_with("tree\nversion=v4\nnum_class=15\n"));
    assert!(text.contains("objective=multiclass num_class:15"));
    let back = dir.join("back.bin");
    ok(bin()
        .arg("import")
        .arg(&txt)
        .arg("--out")
        .arg(&back)
        .args(["--classes", "Dark Trap,Underground Rap,Trap Metal,Emo,Rap,RnB,Pop,Hiphop,techhouse,techno,trance,psytrance,trap,dnb,hardstyle"])
        .output()
        .unwrap());
    // Rows with missing loudness among them.
    let data = std::fs::read_to_string(repo().join("data/genres_v2.csv")).unwrap();
    let slice: Vec<&str> = data.lines().take(3001).collect();
    assert!(slice.iter().any(|l| l.split(',').nth(3) == Some("")));
    let input = dir.join("slice.csv");
    std::fs::write(&input, slice.join("\n")).unwrap();
    let (names, ours) = probabilities(&dir, &repo().join("public/model.bin"), &input);
    let (back_names, theirs) = probabilities(&dir, &back, &input);
    assert_eq!(names, back_names);
    assert_eq!(ours.len(), 3000);
    let worst = ours
        .iter()
        .flat_map(|(row, p)| p.iter().zip(&theirs[row]).map(|(a, b)| (a - b).abs()))
        .fold(0.0f64, f64::max);
    assert!(worst <= 1e-5, "{worst}");

    let out = bin()
        .args(["export", "--to", "lightgbm", "--model"])
        .arg(dir.join("slice.csv"))
        .arg("--out")
        .arg(dir.join("y.txt"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}
