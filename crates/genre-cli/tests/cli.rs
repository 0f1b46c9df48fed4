//! The CLI end to end on a slice of the real data set: deterministic `train`, `eval --json`,
//! `predict`, and exit code 2 with one clear message on bad input.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Output;

mod support;
use support::{bin, ok, tmp};

/// `genre-lens predict --model <model> --input <input> --output <output>`, run to its end.
fn predict(
    model: impl AsRef<OsStr>,
    input: impl AsRef<OsStr>,
    output: impl AsRef<OsStr>,
) -> Output {
    bin()
        .args(["predict", "--model"])
        .arg(model)
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()
        .unwrap()
}

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// A fresh folder `name` ([`tmp`]) holding slice.csv: the first `n` data rows of genres_v2.csv
/// plus rows from the end, so several genres appear. The folder, then the file.
fn slice_of_data(name: &str, n: usize) -> (PathBuf, PathBuf) {
    let dir = tmp(name);
    let text = std::fs::read_to_string(repo().join("data/genres_v2.csv")).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut out: Vec<&str> = vec![lines[0]];
    out.extend(lines[1..].iter().step_by(lines.len() / n).take(n));
    let path = dir.join("slice.csv");
    std::fs::write(&path, out.join("\n") + "\n").unwrap();
    (dir, path)
}

#[test]
fn train_is_byte_identical_across_runs_and_writes_summaries() {
    let (dir, data) = slice_of_data("train", 3000);
    let run = |out: &str| {
        ok(bin()
            .args(["train", "--candidates", "gbt,rf", "--data"])
            .arg(&data)
            .arg("--out")
            .arg(dir.join(out).join("model.bin"))
            .output()
            .unwrap())
    };
    let first = run("a");
    run("b");
    let a = std::fs::read(dir.join("a/model.bin")).unwrap();
    let b = std::fs::read(dir.join("b/model.bin")).unwrap();
    assert_eq!(a, b, "train must be deterministic");
    let forest = std::fs::read(dir.join("a/forest.bin")).unwrap();
    assert_eq!(
        forest,
        std::fs::read(dir.join("b/forest.bin")).unwrap(),
        "the bundled forest must be deterministic too"
    );
    let forest = genre_core::model::TrainedModel::from_bytes(&forest).unwrap();
    assert_eq!(forest.meta.kind, genre_core::model::ModelKind::RandomForest);
    assert_eq!(
        std::fs::read(dir.join("a/eda.json")).unwrap(),
        std::fs::read(dir.join("b/eda.json")).unwrap()
    );
    let model = genre_core::model::TrainedModel::from_bytes(&a).unwrap();
    assert_eq!(model.features().len(), 13);
    let examples: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.join("a/examples.json")).unwrap()).unwrap();
    assert_eq!(examples["features"].as_array().unwrap().len(), 13);
    assert!(!examples["tracks"].as_array().unwrap().is_empty());
    let table = String::from_utf8_lossy(&first.stdout);
    assert!(table.contains("gbt") && table.contains("rf"), "{table}");
}

#[test]
fn eval_json_has_the_documented_shape() {
    let (_, data) = slice_of_data("eval", 2000);
    let out = ok(bin()
        .args([
            "eval",
            "--json",
            "--model",
            "rf,knn,tree",
            "--trees",
            "20",
            "--data",
        ])
        .arg(&data)
        .output()
        .unwrap());
    let v: serde_json::Value =
        serde_json::from_slice(&out.stdout).expect("one JSON object on stdout");
    let models = v["models"].as_array().unwrap();
    assert_eq!(models.len(), 3);
    assert_eq!(models[0]["model"], "rf");
    assert_eq!(models[1]["model"], "knn");
    for m in models {
        let acc = m["accuracy"].as_f64().unwrap();
        assert!(acc > 0.2 && acc <= 1.0, "{m}");
        assert!(m["macro_f1"].as_f64().unwrap() > 0.0);
        assert!(m["weighted_f1"].as_f64().is_some());
        assert!(m["train_seconds"].as_f64().unwrap() >= 0.0);
        assert!(m["predict_seconds"].as_f64().is_some());
        assert!(m["model_bytes"].as_u64().unwrap() > 100);
        assert_eq!(m["features"].as_array().unwrap().len(), 9);
    }
}

#[test]
fn eval_with_separate_train_and_test_files() {
    let (dir, data) = slice_of_data("eval2", 2000);
    ok(bin()
        .args(["split", "--data"])
        .arg(&data)
        .arg("--out-dir")
        .arg(&dir)
        .output()
        .unwrap());
    let out = ok(bin()
        .args(["eval", "--json", "--model", "gbt", "--train"])
        .arg(dir.join("train.csv"))
        .arg("--test")
        .arg(dir.join("test.csv"))
        .output()
        .unwrap());
    let split: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let same = ok(bin()
        .args(["eval", "--json", "--model", "gbt", "--data"])
        .arg(&data)
        .output()
        .unwrap());
    let whole: serde_json::Value = serde_json::from_slice(&same.stdout).unwrap();
    // `split` writes exactly the rows `eval --data` uses, so the scores agree.
    assert_eq!(
        split["models"][0]["accuracy"],
        whole["models"][0]["accuracy"]
    );
}

#[test]
fn predict_writes_one_row_per_track_with_top3() {
    let (dir, data) = slice_of_data("predict", 300);
    let model = repo().join("public/model.bin");
    let out_csv = dir.join("pred.csv");
    ok(predict(&model, &data, &out_csv));
    let mut r = csv::Reader::from_path(&out_csv).unwrap();
    let header = r.headers().unwrap().clone();
    assert_eq!(&header[2], "predicted_genre");
    assert_eq!(&header[4], "top2_genre");
    let rows: Vec<csv::StringRecord> = r.records().map(Result::unwrap).collect();
    assert_eq!(rows.len(), 300);
    let m = genre_core::model::TrainedModel::from_bytes(&std::fs::read(&model).unwrap()).unwrap();
    for row in &rows {
        assert!(m.classes.contains(&row[2].to_string()));
        let c: f64 = row[3].parse().unwrap();
        let c2: f64 = row[5].parse().unwrap();
        assert!(c >= c2 && c <= 1.0);
    }
}

#[test]
fn predict_flags_tracks_far_outside_the_training_range() {
    let dir = tmp("predict-far");
    let input = dir.join("far.csv");
    std::fs::write(
        &input,
        "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,time_signature\n\
         0.5,0.5,5,-6,1,0.1,0.1,0.0,0.1,0.5,120,200000,4\n\
         0.5,0.5,5,-6,1,0.1,0.1,0.0,0.1,0.5,900,200000,4\n",
    )
    .unwrap();
    let out_csv = dir.join("out.csv");
    let out = ok(predict(repo().join("public/model.bin"), &input, &out_csv));
    let rows: Vec<csv::StringRecord> = csv::Reader::from_path(&out_csv)
        .unwrap()
        .records()
        .map(Result::unwrap)
        .collect();
    assert_eq!(&rows[0][8], "");
    assert!(rows[1][8].contains("tempo"), "{:?}", rows[1]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("1 flagged"));
}

#[test]
fn bad_input_exits_2_with_one_message_naming_file_row_and_column() {
    let dir = tmp("bad");
    let bad = dir.join("bad.csv");
    std::fs::write(&bad, "energy,tempo,genre\nloud,120,Rap\nx,1,Rap\n").unwrap();
    let out = bin().args(["eval", "--data"]).arg(&bad).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.csv"), "{err}");
    assert!(err.contains("row 2, column `energy`"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
    assert_eq!(err.trim().lines().count(), 1, "{err}");

    let missing = predict("nope.bin", &bad, dir.join("o.csv"));
    assert_eq!(missing.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&missing.stderr).contains("nope.bin"));

    let not_model = predict(&bad, &bad, dir.join("o.csv"));
    assert_eq!(not_model.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&not_model.stderr).contains("not a Genre Lens model file"));
}

/// A small CSV in the "Spotify Tracks Dataset" layout: a blank index column, track ids and
/// names, the features, and the genre under `label_header` (three genres, well apart).
fn spotify_tracks(dir: &Path, label_header: &str) -> PathBuf {
    let path = dir.join(format!("tracks-{label_header}.csv"));
    let mut text = format!(
        ",track_id,artists,track_name,popularity,explicit,energy,tempo,valence,{label_header}\n"
    );
    for i in 0..90 {
        let (genre, energy, tempo) = match i % 3 {
            0 => ("acoustic", 0.2, 80.0),
            1 => ("j-pop", 0.6, 120.0),
            _ => ("hardstyle", 0.95, 150.0),
        };
        let jitter = (i / 3) as f64 * 0.001;
        text.push_str(&format!(
            "{i},id{i},Artist {i},Song {i},{},False,{:.3},{:.1},{:.3},{genre}\n",
            i % 100,
            energy + jitter,
            tempo + jitter * 100.0,
            0.5 + jitter
        ));
    }
    std::fs::write(&path, text).unwrap();
    path
}

/// Exit code 0, or the command's own message as the failure.
fn succeeded(out: &Output) {
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn other_layouts_train_with_track_genre_or_a_named_label_column() {
    let dir = tmp("layouts");
    let eval = |data: &Path, extra: &[&str]| {
        bin()
            .args(["eval", "--model", "rf", "--trees", "10", "--json"])
            .args(["--features", "energy,tempo,valence", "--data"])
            .arg(data)
            .args(extra)
            .output()
            .unwrap()
    };
    // `track_genre` is recognised by name.
    let out = eval(&spotify_tracks(&dir, "track_genre"), &[]);
    succeeded(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let accuracy = json["models"][0]["accuracy"].as_f64().unwrap();
    assert!(accuracy > 0.9, "three well-separated genres: {accuracy}");

    // Another name: refused with every column listed, then trained with --label.
    let style = spotify_tracks(&dir, "style");
    let refused = eval(&style, &[]);
    assert_eq!(refused.status.code(), Some(2));
    let err = String::from_utf8_lossy(&refused.stderr);
    assert!(err.contains("track_name") && err.contains("style"), "{err}");
    let out = eval(&style, &["--label", "style"]);
    succeeded(&out);
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert!(json["models"][0]["accuracy"].as_f64().unwrap() > 0.9);

    // A label column that is not there: its name and the columns in one message.
    let missing = eval(&style, &["--label", "genre_name"]);
    assert_eq!(missing.status.code(), Some(2));
    let err = String::from_utf8_lossy(&missing.stderr);
    assert!(err.contains("`genre_name` is not in the file"), "{err}");
}

/// `tune` is deterministic for a seed and a trial count: the leaderboard and the holdout table
/// (stdout; timings go to stderr) are the same twice, the first trials are the defaults, and
/// --out writes the chosen model.
#[test]
fn tune_is_deterministic_for_a_seed() {
    let (dir, data) = slice_of_data("tune", 900);
    let run = |out: &str| {
        ok(bin()
            .args(["tune", "--data"])
            .arg(&data)
            .args(["--trials", "4", "--folds", "2", "--seed", "7", "--out"])
            .arg(dir.join(out))
            .output()
            .unwrap())
    };
    let (a, b) = (run("a.bin"), run("b.bin"));
    let text = String::from_utf8_lossy(&a.stdout).to_string();
    assert_eq!(
        text,
        String::from_utf8_lossy(&b.stdout),
        "same seed, same search"
    );
    let log = String::from_utf8_lossy(&a.stderr);
    assert!(
        log.contains("trial   1") && log.contains("trial   4"),
        "{log}"
    );
    assert!(log.contains("the 181 holdout rows are not used"), "{log}");
    assert!(
        text.contains("learning rate 0.05, 31 leaves, up to 600 rounds"),
        "gbt's defaults are trial 1: {text}"
    );
    assert!(
        text.contains("tuned") && text.contains("defaults"),
        "{text}"
    );
    assert_eq!(
        std::fs::read(dir.join("a.bin")).unwrap(),
        std::fs::read(dir.join("b.bin")).unwrap(),
        "the same model file"
    );
    let other = ok(bin()
        .args(["tune", "--data"])
        .arg(&data)
        .args(["--trials", "4", "--folds", "2", "--seed", "8"])
        .output()
        .unwrap());
    assert_ne!(
        String::from_utf8_lossy(&other.stdout),
        text,
        "another seed, another search"
    );
}

/// The genres of a `split` output's two files together.
fn split_genres(dir: &Path) -> Vec<String> {
    ["train.csv", "test.csv"]
        .iter()
        .flat_map(|f| {
            let mut r = csv::Reader::from_path(dir.join(f)).unwrap();
            let at = r.headers().unwrap().iter().position(|h| h == "genre");
            r.records()
                .map(|rec| rec.unwrap()[at.unwrap()].to_string())
                .collect::<Vec<_>>()
        })
        .collect()
}

/// `--sample N` (split, tune): a stratified sample of the file (each genre keeps its share),
/// the same rows for a seed; `tune` on small data searches with 5 folds, its first turn is each
/// model's defaults, and the holdout table has each model's defaults beside the tuned model.
#[test]
fn a_sample_is_stratified_and_reproducible_and_tune_starts_from_the_defaults() {
    let dir = tmp("sample");
    let data = repo().join("data/genres_v2.csv");
    let split = |out: &str, seed: &str| {
        ok(bin()
            .args(["split", "--sample", "600", "--seed", seed, "--data"])
            .arg(&data)
            .arg("--out-dir")
            .arg(dir.join(out))
            .output()
            .unwrap())
    };
    let log = split("a", "3");
    assert!(
        String::from_utf8_lossy(&log.stderr).contains("sample: 600 of 39321 rows"),
        "{}",
        String::from_utf8_lossy(&log.stderr)
    );
    split("b", "3");
    split("c", "4");
    let read = |d: &str| std::fs::read(dir.join(d).join("train.csv")).unwrap();
    assert_eq!(read("a"), read("b"), "same seed, same sample");
    assert_ne!(read("a"), read("c"), "another seed, another sample");
    // Each genre's share of the sample is its share of the de-duplicated file, rounded.
    let full = tmp("sample-full");
    ok(bin()
        .args(["split", "--data"])
        .arg(&data)
        .arg("--out-dir")
        .arg(&full)
        .output()
        .unwrap());
    let (all, sample) = (split_genres(&full), split_genres(&dir.join("a")));
    assert_eq!(sample.len(), 600);
    let mut genres = all.clone();
    genres.sort();
    genres.dedup();
    assert_eq!(genres.len(), 15);
    for g in &genres {
        let want = 600.0 * all.iter().filter(|x| *x == g).count() as f64 / all.len() as f64;
        let got = sample.iter().filter(|x| *x == g).count() as f64;
        assert!(
            (got - want).abs() < 1.0,
            "{g}: {got} rows, its share is {want:.1}"
        );
    }

    let tuned = ok(bin()
        .args(["tune", "--sample", "600", "--trials", "2", "--data"])
        .arg(&data)
        .output()
        .unwrap());
    let (text, log) = (
        String::from_utf8_lossy(&tuned.stdout),
        String::from_utf8_lossy(&tuned.stderr),
    );
    assert!(
        log.contains("on 480 training rows (5-fold CV; the 120 holdout rows"),
        "{log}"
    );
    // The settings lines of the core's defaults (what the Train page's fields start from).
    let defaults = |kind| {
        let spec = genre_core::train::ModelSpec::default_for(kind, 42);
        format!("{} · {}", kind.code(), spec.settings())
    };
    assert!(
        text.contains(&defaults(genre_core::model::ModelKind::GradientBoosting))
            && text.contains(&defaults(genre_core::model::ModelKind::RandomForest)),
        "the first turn is the defaults of both models: {text}"
    );
    assert!(
        text.contains("defaults (gbt)") && text.contains("defaults (rf)"),
        "{text}"
    );

    let refused = bin()
        .args(["eval", "--sample", "100", "--train"])
        .arg(dir.join("a/train.csv"))
        .arg("--test")
        .arg(dir.join("a/test.csv"))
        .output()
        .unwrap();
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("--sample samples --data"));
}

/// Ctrl+C during a long `train`: the trainer reads the core's cancel flag between boosting
/// rounds, so the run stops within a second, says it was cancelled, exits 130 and writes no
/// model file (not even part of one). The boosted trees, as they train for seconds: the
/// forest's defaults train in under a second on an idle machine, before the Ctrl+C.
#[test]
fn ctrl_c_stops_a_long_training_within_a_second_and_writes_nothing() {
    use std::io::{BufRead, BufReader};
    use std::process::Stdio;
    use std::time::{Duration, Instant};

    let dir = tmp("ctrl-c");
    let out = dir.join("model.bin");
    let mut child = bin()
        .args(["train", "--candidates", "gbt", "--no-forest", "--data"])
        .arg(repo().join("data/genres_v2.csv"))
        .arg("--out")
        .arg(&out)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    let stderr = BufReader::new(child.stderr.take().unwrap());
    let reader = std::thread::spawn(move || {
        for line in stderr.lines().map_while(Result::ok) {
            let _ = tx.send(line);
        }
    });
    // The split is made once the file is read: training starts right after this line.
    let started = rx
        .iter()
        .find(|line| line.contains("holdout"))
        .expect("train reports its split before training");
    std::thread::sleep(Duration::from_millis(700));
    assert!(
        child.try_wait().unwrap().is_none(),
        "the forest is still training when Ctrl+C comes ({started})"
    );
    let pid = child.id() as libc::pid_t;
    // SAFETY: `pid` is our own child, still running (checked just above).
    assert_eq!(unsafe { libc::kill(pid, libc::SIGINT) }, 0);
    let sent = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        assert!(
            sent.elapsed() < Duration::from_secs(10),
            "still running 10 s after Ctrl+C"
        );
        std::thread::sleep(Duration::from_millis(10));
    };
    let took = sent.elapsed();
    reader.join().unwrap();
    let said: Vec<String> = rx.try_iter().collect();
    let said = said.join("\n");
    assert_eq!(status.code(), Some(130), "{said}");
    assert!(
        took < Duration::from_secs(1),
        "stopped {took:?} after Ctrl+C: {said}"
    );
    assert!(said.contains("Training was cancelled"), "{said}");
    let left: Vec<_> = std::fs::read_dir(&dir).unwrap().collect();
    assert!(left.is_empty(), "no file written: {left:?}");
}
