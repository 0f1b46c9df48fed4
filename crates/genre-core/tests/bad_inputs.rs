//! The bad-input corpus (`tests/bad_inputs/` at the repository root): every file gets the
//! specific error (or row rejection) it deserves, with a message that names the row, the
//! column or the field; odd but valid files parse to the right values. Big files (10,000
//! columns, a 1 MB line, 100 MB) are generated here, never committed.
//!
//! `docs/reliability.md` quotes these messages: [`docs_quote_the_real_messages`] keeps it honest.

mod common;

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Instant;

use genre_core::error::{IngestError, ModelFileError, TrainError};
use genre_core::feature::{Feature, FeatureSet};
use genre_core::ingest::{read_csv, IngestOptions, Ingested, RowRejection};
use genre_core::model::{ModelKind, TrainedModel};
use genre_core::params::{Param, Value};
use genre_core::train::{build_training_set, prepare, Balance, ModelSpec, TrainOptions};

fn corpus_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/bad_inputs")
}

fn bytes(name: &str) -> Vec<u8> {
    let path = corpus_dir().join(name);
    std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Reads `csv` as the Train page and `genre-lens train` do.
fn read_training(csv: impl Read) -> Result<Ingested, IngestError> {
    read_csv(csv, &IngestOptions::for_training())
}

fn train_read(name: &str) -> Result<Ingested, IngestError> {
    read_training(&bytes(name)[..])
}

fn predict_read(name: &str) -> Result<Ingested, IngestError> {
    read_csv(&bytes(name)[..], &IngestOptions::for_prediction())
}

/// The same error for training and for prediction (Batch page) reads.
fn both_fail(name: &str) -> IngestError {
    let t = train_read(name).expect_err(name);
    let p = predict_read(name).expect_err(name);
    assert_eq!(t, p, "{name}: training and prediction reads disagree");
    t
}

/// [`both_fail`] with exactly `want`, whose message contains `says`.
fn both_fail_saying(name: &str, want: IngestError, says: &str) {
    let e = both_fail(name);
    assert_eq!(e, want);
    assert!(e.to_string().contains(says));
}

/// Rows read, kept and rejected.
fn row_counts(d: &Ingested) -> (u64, u64, u64) {
    (
        d.report.rows_read,
        d.report.rows_kept,
        d.report.rows_rejected,
    )
}

fn value(d: &Ingested, i: usize, f: Feature) -> f64 {
    d.tracks[i].values[f.index()]
}

fn rejection(r: &RowRejection) -> (u64, &str, &str, &str) {
    (
        r.row,
        r.column.as_str(),
        r.value.as_str(),
        r.expected.as_str(),
    )
}

/// Reads `csv` for training and checks the rows it rejects, in order.
fn assert_training_rejections(csv: &[u8], want: &[(u64, &str, &str, &str)]) {
    let d = read_training(csv).unwrap();
    let got: Vec<_> = d.report.rejections.iter().map(rejection).collect();
    assert_eq!(got, want);
}

// ---------------------------------------------------------------- whole-file errors

#[test]
fn empty_file() {
    both_fail_saying("csv/empty.csv", IngestError::Empty, "empty");
}

#[test]
fn header_only() {
    assert_eq!(both_fail("csv/header_only.csv"), IngestError::HeaderOnly);
}

#[test]
fn no_genre_column_is_fatal_for_training_only() {
    let e = train_read("csv/no_genre_column.csv").unwrap_err();
    assert_eq!(
        e,
        IngestError::MissingLabelColumn {
            found: "energy, loudness, tempo, song_name".into(),
            columns: vec![
                "energy".into(),
                "loudness".into(),
                "tempo".into(),
                "song_name".into()
            ],
        }
    );
    assert!(e.to_string().contains("`genre`"), "{e}");
    // Batch prediction needs no labels.
    let d = predict_read("csv/no_genre_column.csv").unwrap();
    assert_eq!(d.tracks.len(), 2);
    assert_eq!(d.tracks[1].label, None);
    assert_eq!(value(&d, 1, Feature::Tempo), 128.0);
}

#[test]
fn no_feature_columns() {
    both_fail_saying(
        "csv/no_feature_columns.csv",
        IngestError::NoFeatureColumns {
            found: "artist, album, genre".into(),
        },
        "(found: artist, album, genre)",
    );
}

#[test]
fn duplicated_header_names_name_both_columns() {
    let e = both_fail("csv/duplicate_headers.csv");
    assert_eq!(
        e,
        IngestError::DuplicateColumn {
            column: "Energy".into(),
            first: 1,
            second: 3
        }
    );
    assert!(e.to_string().contains("`Energy`") && e.to_string().contains("columns 1 and 3"));
}

#[test]
fn latin1_bytes_name_row_and_column() {
    let e = both_fail("csv/latin1.csv");
    assert_eq!(
        e,
        IngestError::NotUtf8 {
            row: 2,
            column: "song_name".into()
        }
    );
    assert!(
        e.to_string().starts_with("Row 2, column `song_name`"),
        "{e}"
    );
    assert!(e.to_string().contains("Latin-1"));
}

#[test]
fn latin1_in_the_header_names_the_column_number() {
    let e = read_training(&b"energy,g\xe9nre\n0.1,a\n"[..]).unwrap_err();
    assert_eq!(
        e,
        IngestError::NotUtf8 {
            row: 1,
            column: "#2".into()
        }
    );
}

#[test]
fn utf16_with_bom() {
    assert_eq!(both_fail("csv/utf16_bom.csv"), IngestError::Utf16);
    // Big-endian too.
    let be = [0xFE, 0xFF, 0, b'e', 0, b'n'];
    assert_eq!(read_training(&be[..]), Err(IngestError::Utf16));
}

#[test]
fn random_binary_file() {
    let data = bytes("csv/random_binary.csv");
    let expected = data
        .iter()
        .position(|&b| b == 0 || (b < 0x20 && !matches!(b, b'\t' | b'\n' | b'\r' | 0x0c)));
    match both_fail("csv/random_binary.csv") {
        IngestError::Binary { offset } => assert_eq!(Some(offset), expected),
        other => panic!("{other:?}"),
    }
}

#[test]
fn gzip_renamed_csv() {
    both_fail_saying("csv/gzip_renamed.csv", IngestError::Compressed, "gzip");
}

// ---------------------------------------------------------------- row-level problems

#[test]
fn text_where_numbers_belong_rejects_the_row_by_row_and_column() {
    let d = train_read("csv/text_in_numbers.csv").unwrap();
    assert_eq!(row_counts(&d), (3, 2, 1));
    let r = &d.report.rejections[0];
    assert_eq!(rejection(r), (3, "tempo", "loud", "a number"));
    assert_eq!(
        r.to_string(),
        "row 3, column `tempo`: expected a number, found \"loud\""
    );
    assert_eq!(d.tracks[1].name.as_deref(), Some("ok two"));
}

#[test]
fn nan_and_empty_cells_are_missing_infinities_are_rejected() {
    let d = train_read("csv/nan_inf_empty.csv").unwrap();
    assert_eq!(row_counts(&d), (6, 3, 3));
    let got: Vec<_> = d.report.rejections.iter().map(rejection).collect();
    assert_eq!(
        got,
        vec![
            (4, "tempo", "inf", "a finite number"),
            (5, "valence", "-inf", "a finite number"),
            (6, "duration_ms", "1e400", "a finite number"),
        ]
    );
    // NaN and empty cells are kept, missing (imputed later), and counted per column.
    let names: Vec<_> = d.tracks.iter().map(|t| t.name.clone().unwrap()).collect();
    assert_eq!(names, ["finite", "nan loudness", "empty cells"]);
    assert!(value(&d, 1, Feature::Loudness).is_nan());
    assert!(value(&d, 2, Feature::Acousticness).is_nan());
    let missing: std::collections::HashMap<_, _> = d.report.missing.iter().cloned().collect();
    assert_eq!(missing[&Feature::Loudness], 2);
    assert_eq!(missing[&Feature::Acousticness], 1);
    assert_eq!(missing[&Feature::Tempo], 0);
}

#[test]
fn unbalanced_quote_names_the_cell_that_opens_it() {
    let d = train_read("csv/unbalanced_quotes.csv").unwrap();
    assert_eq!(row_counts(&d), (2, 1, 1));
    let r = &d.report.rejections[0];
    assert_eq!((r.row, r.column.as_str()), (3, "genre"));
    assert!(
        r.value.starts_with("techno,open quote\n0.55"),
        "{:?}",
        r.value
    );
    assert!(
        r.to_string()
            .contains("quote opened in this cell is never closed"),
        "{r}"
    );
    // With every row swallowed, the whole read fails and says why.
    let e = read_training(&b"energy,genre\n\"0.1,a\n0.2,b\n"[..]).unwrap_err();
    match e {
        IngestError::NoUsableRows {
            rejected: 1,
            ref first,
        } => {
            assert!(first.starts_with("row 2, column `energy`"), "{first}")
        }
        ref other => panic!("{other:?}"),
    }
}

#[test]
fn a_row_with_the_wrong_number_of_fields_is_rejected() {
    assert_training_rejections(
        b"energy,tempo,genre\n0.1,90,a\n0.2,91\n0.3,92,b,extra\n",
        &[
            (3, "(whole row)", "2 fields", "3 fields like the header"),
            (4, "(whole row)", "4 fields", "3 fields like the header"),
        ],
    );
}

// ---------------------------------------------------------------- valid but odd

#[test]
fn semicolon_delimiter() {
    let d = train_read("csv/semicolon.csv").unwrap();
    assert_eq!(d.report.delimiter, ';');
    assert_eq!(d.report.rows_rejected, 0);
    assert_eq!(d.classes, ["Rap", "techno"]);
    assert_eq!(value(&d, 0, Feature::Energy), 0.81);
    assert_eq!(value(&d, 1, Feature::Loudness), -7.25);
    assert_eq!(value(&d, 0, Feature::Tempo), 120.5);
    assert_eq!(d.tracks[0].name.as_deref(), Some("Hello, world"));
    assert_eq!(d.tracks[1].name.as_deref(), Some("Quoted; name"));
}

#[test]
fn tab_delimiter() {
    let d = train_read("csv/tab.tsv").unwrap();
    assert_eq!(d.report.delimiter, '\t');
    assert_eq!(d.report.rows_rejected, 0);
    assert_eq!(value(&d, 0, Feature::Energy), 0.81);
    assert_eq!(value(&d, 1, Feature::Tempo), 98.0);
    assert_eq!(d.tracks[0].name.as_deref(), Some("Hello, world"));
    assert_eq!(
        d.tracks[1].label.map(|l| d.classes[l as usize].as_str()),
        Some("techno")
    );
}

#[test]
fn crlf_line_endings() {
    let d = train_read("csv/crlf.csv").unwrap();
    assert_eq!(d.report.delimiter, ',');
    assert_eq!((d.report.rows_read, d.report.rows_kept), (2, 2));
    assert_eq!(d.classes, ["Rap", "techno"], "no \\r left in the labels");
    assert_eq!(value(&d, 1, Feature::Loudness), -7.25);
    assert_eq!(d.tracks[1].name.as_deref(), Some("B, the second"));
    assert_eq!(d.tracks[1].row, 3);
}

// ---------------------------------------------------------------- training-time checks

fn prepare_file(
    name: &str,
    options: &TrainOptions,
) -> Result<genre_core::train::Prepared, TrainError> {
    let d = train_read(name).unwrap();
    prepare(&d, options, name)
}

fn three_features() -> FeatureSet {
    FeatureSet::new(vec![Feature::Energy, Feature::Loudness, Feature::Tempo]).unwrap()
}

#[test]
fn one_class_only() {
    let e = prepare_file("csv/one_class.csv", &TrainOptions::default()).unwrap_err();
    assert_eq!(
        e,
        TrainError::OneClass {
            class: "Rap".into()
        }
    );
    assert!(e.to_string().contains("`Rap`"));
}

#[test]
fn a_separate_test_file_needs_no_split() {
    // A genre with one row cannot be split, but with a test file of its own nothing is split:
    // every labelled training row trains, and test rows of genres the training file lacks are
    // counted, not scored.
    let train = train_read("csv/class_with_one_row.csv").unwrap();
    let test = read_training(
        "energy,loudness,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,genre\n\
         0.8,-5,0.05,0.01,0,0.1,0.4,120,200000,Rap\n\
         0.5,-6,0.06,0.1,0,0.1,0.3,128,190000,Emo\n\
         0.4,-9,0.03,0.5,0.2,0.1,0.2,90,230000,jazz\n"
            .as_bytes(),
    )
    .unwrap();
    let (prep, unknown) =
        genre_core::train::prepare_two(&train, &test, &TrainOptions::default(), "t.csv").unwrap();
    let labelled = train.tracks.iter().filter(|t| t.label.is_some()).count();
    assert_eq!(prep.train_y.len(), labelled);
    assert_eq!(prep.test_y.len(), 2);
    assert_eq!(unknown, 1, "the jazz row");
    assert!(prep.classes.contains(&"Emo".to_string()));
    // The training file's checks still hold: one genre only is refused.
    let one = train_read("csv/one_class.csv").unwrap();
    assert!(matches!(
        genre_core::train::prepare_two(&one, &test, &TrainOptions::default(), "t.csv"),
        Err(TrainError::OneClass { .. })
    ));
}

/// A genre of one row cannot be split; it is set aside (named with its row), and the other
/// genres train.
#[test]
fn a_genre_with_one_row_is_set_aside_and_the_rest_trains() {
    let d = train_read("csv/class_with_one_row.csv").unwrap();
    let prep = prepare(&d, &TrainOptions::default(), "class_with_one_row.csv").unwrap();
    assert_eq!(prep.classes, ["Rap", "techno"]);
    assert_eq!(prep.train_y.len() + prep.test_y.len(), 4);
    let aside = genre_core::train::set_aside(&d);
    assert_eq!(aside.genres, [("Emo".to_string(), vec![6])]);
    let note = aside.note().unwrap();
    assert!(
        note.starts_with("Set aside: genre `Emo` (row 6) has fewer than 2 rows"),
        "{note}"
    );
}

#[test]
fn a_class_too_small_for_smote() {
    let options = TrainOptions {
        features: three_features(),
        balance: Balance::Smote,
        ..TrainOptions::default()
    };
    let prep = prepare_file("csv/class_too_small_for_smote.csv", &options).unwrap();
    let e = build_training_set(&prep, ModelKind::RandomForest).unwrap_err();
    match &e {
        TrainError::ClassTooSmall {
            class,
            count: 4,
            needed: 6,
            ..
        } => assert_eq!(class, "Emo"),
        other => panic!("{other:?}"),
    }
    assert!(e.to_string().contains("SMOTE"), "{e}");
    // Without balancing the same file trains.
    let plain = TrainOptions {
        balance: Balance::None,
        ..options
    };
    let prep = prepare_file("csv/class_too_small_for_smote.csv", &plain).unwrap();
    assert!(build_training_set(&prep, ModelKind::RandomForest).is_ok());
}

/// `e` is an invalid value of the parameter `param`, and its message says each of `says`.
fn assert_invalid_param(e: &TrainError, param: &str, says: &[&str]) {
    assert!(
        matches!(e, TrainError::InvalidParam { name, .. } if *name == param),
        "{e:?}"
    );
    for part in says {
        assert!(e.to_string().contains(part), "{e}");
    }
}

#[test]
fn features_the_file_lacks_are_refused_by_name() {
    let e = prepare_file("csv/semicolon.csv", &TrainOptions::default()).unwrap_err();
    assert_invalid_param(&e, "features", &["`features` = speechiness"]);
}

// ---------------------------------------------------------------- big, generated inputs

fn header13() -> String {
    let mut h: Vec<&str> = Feature::ALL.iter().map(|f| f.name()).collect();
    h.push("genre");
    h.join(",")
}

#[test]
fn ten_thousand_columns() {
    let mut csv = header13();
    for i in 0..(10_000 - 14) {
        csv.push_str(&format!(",extra_{i}"));
    }
    csv.push('\n');
    for r in 0..20 {
        let mut row: Vec<String> = (0..13).map(|j| format!("{r}.{j}")).collect();
        row.push(if r % 2 == 0 {
            "Rap".into()
        } else {
            "techno".into()
        });
        row.extend((0..(10_000 - 14)).map(|i| (i % 10).to_string()));
        csv.push_str(&row.join(","));
        csv.push('\n');
    }
    let started = Instant::now();
    let d = read_training(csv.as_bytes()).unwrap();
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    assert_eq!(d.report.columns.len(), 10_000);
    assert_eq!(d.present.len(), 13);
    assert_eq!(d.tracks.len(), 20);
    assert_eq!(value(&d, 3, Feature::Energy), 3.1);
    assert_eq!(value(&d, 19, Feature::TimeSignature), 19.12);
}

/// A file that lost its line breaks: one line of over 100,000 distinct "column names". The
/// duplicate-header check used to compare every pair (minutes); the message used to list
/// every name (megabytes).
#[test]
fn one_megabyte_single_line() {
    let mut line = String::with_capacity(1 << 20);
    let mut i = 0;
    while line.len() < 1 << 20 {
        line.push_str(&format!("c{i},"));
        i += 1;
    }
    let started = Instant::now();
    let e = read_training(line.as_bytes()).unwrap_err();
    assert!(started.elapsed().as_secs() < 10, "{:?}", started.elapsed());
    let IngestError::MissingLabelColumn { found, columns } = &e else {
        panic!("{e:?}")
    };
    assert!(found.starts_with("c0, c1, c2"), "{found}");
    assert_eq!(
        columns.len(),
        1_000,
        "a picker gets the first 1,000 columns"
    );
    assert!(
        found.ends_with(&format!("… ({} columns in all)", i + 1)),
        "{found}"
    );
    // Every column of a real export is listed (up to 100 names of at most 40 characters), so a
    // user can find the one holding the genre; never a megabyte of names.
    assert!(e.to_string().len() < 5_000, "{e}");
    // For prediction (no label needed) it is "no feature column", equally bounded.
    let e = read_csv(line.as_bytes(), &IngestOptions::for_prediction()).unwrap_err();
    assert!(matches!(e, IngestError::NoFeatureColumns { .. }), "{e:?}");
    assert!(e.to_string().len() < 5_000);

    // The same with one giant column name and with a duplicated one.
    let giant = format!("energy,{}", "x".repeat(1 << 20));
    let e = read_training(giant.as_bytes()).unwrap_err();
    assert!(matches!(e, IngestError::MissingLabelColumn { .. }));
    assert!(e.to_string().len() < 400, "{} bytes", e.to_string().len());
    let twice = format!("{0},energy,{0},genre\n", "y".repeat(1 << 19));
    let e = read_training(twice.as_bytes()).unwrap_err();
    assert!(
        matches!(
            e,
            IngestError::DuplicateColumn {
                first: 1,
                second: 3,
                ..
            }
        ),
        "{e:?}"
    );
    assert!(e.to_string().len() < 400);

    // A 1 MB song name in a valid file is just a long name.
    let long = format!(
        "energy,genre,song_name\n0.5,Rap,{}\n0.6,Emo,short\n",
        "z".repeat(1 << 20)
    );
    let d = read_training(long.as_bytes()).unwrap();
    assert_eq!(d.tracks[0].name.as_ref().map(String::len), Some(1 << 20));
}

fn peak_rss_mb() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb / 1024)
}

/// 100 MB of valid rows, written to the target directory at test time, streamed from disk.
#[test]
fn hundred_megabyte_file() {
    let path = Path::new(env!("CARGO_TARGET_TMPDIR")).join("bad_inputs_100mb.csv");
    let genres = ["Rap", "techno", "Emo", "Pop", "trance"];
    let mut rows = 0u64;
    {
        let mut w = std::io::BufWriter::new(std::fs::File::create(&path).unwrap());
        writeln!(w, "{},song_name", header13()).unwrap();
        let mut written = 0usize;
        let mut x = 0x9E37_79B9_7F4A_7C15u64;
        while written < 100 << 20 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let line = format!(
                "0.{:03},0.{:03},{},-{}.{:03},{},0.0{:02},0.{:03},0.{:03},0.{:03},0.{:03},{}.{:03},{},4,{},track {rows}\n",
                x % 1000,
                (x >> 10) % 1000,
                (x >> 20) % 12,
                (x >> 24) % 30,
                (x >> 29) % 1000,
                (x >> 39) % 2,
                (x >> 40) % 100,
                (x >> 42) % 1000,
                (x >> 44) % 1000,
                (x >> 46) % 1000,
                (x >> 48) % 1000,
                60 + (x >> 50) % 140,
                (x >> 52) % 1000,
                120_000 + (x >> 33) % 200_000,
                genres[(x >> 60) as usize % 5],
            );
            w.write_all(line.as_bytes()).unwrap();
            written += line.len();
            rows += 1;
        }
        w.flush().unwrap();
    }
    let size = std::fs::metadata(&path).unwrap().len();
    assert!(size >= 100 << 20);
    let started = Instant::now();
    let file = std::fs::File::open(&path).unwrap();
    let d = read_training(file).unwrap();
    let elapsed = started.elapsed();
    std::fs::remove_file(&path).ok();
    assert_eq!(d.report.rows_read, rows);
    assert_eq!(d.report.rows_rejected, 0);
    assert_eq!(d.report.rows_kept + d.report.duplicates_dropped, rows);
    assert_eq!(d.classes.len(), 5);
    let peak = peak_rss_mb();
    eprintln!("100 MB file: {rows} rows, {size} bytes, read in {elapsed:?}, peak RSS {peak:?} MB");
    // Tracks are ~150 bytes each in memory; the file itself is never held whole.
    if let Some(mb) = peak {
        assert!(mb < 1500, "peak RSS {mb} MB");
    }
}

// ---------------------------------------------------------------- model files

fn model(name: &str) -> Result<TrainedModel, ModelFileError> {
    TrainedModel::from_bytes(&bytes(name))
}

#[test]
fn model_corpus_valid_file_loads_and_predicts() {
    let m = model("model/valid_small.bin").unwrap();
    assert_eq!(m.meta.kind, ModelKind::GradientBoosting);
    assert_eq!(m.classes, ["techno", "Rap", "Emo"]);
    let d = read_csv(
        common::synthetic_csv(30, 3).as_bytes(),
        &IngestOptions::for_prediction(),
    )
    .unwrap();
    m.check_input(&d.present).unwrap();
    let right = d
        .tracks
        .iter()
        .filter(|t| {
            m.classes[m.predict_track(&t.values).class]
                == ["techno", "Rap", "Emo"][(t.row as usize - 2) % 3]
        })
        .count();
    assert!(right >= 20, "{right}/30");
}

#[test]
fn model_empty_file() {
    let e = model("model/empty.bin").unwrap_err();
    assert_eq!(e, ModelFileError::Empty);
}

#[test]
fn model_truncated_at_every_tenth_names_the_byte() {
    let full = bytes("model/valid_small.bin");
    for tenth in 0..10 {
        let cut = full.len() * tenth / 10;
        let e = TrainedModel::from_bytes(&full[..cut]).unwrap_err();
        if cut == 0 {
            assert_eq!(e, ModelFileError::Empty);
            continue;
        }
        assert_eq!(
            e,
            ModelFileError::Truncated {
                len: cut,
                needed: if cut < 16 { 16 } else { full.len() }
            },
            "cut at {cut}"
        );
        assert!(e.to_string().contains(&format!("ends at byte {cut}")));
    }
    let half = model("model/truncated_half.bin").unwrap_err();
    assert!(matches!(half, ModelFileError::Truncated { needed, .. } if needed == full.len()));
}

#[test]
fn model_one_flipped_byte() {
    let e = model("model/flipped_byte.bin").unwrap_err();
    assert!(matches!(e, ModelFileError::Checksum { .. }), "{e:?}");
    assert!(e.to_string().contains("checksum does not match"));
}

#[test]
fn model_newer_format_version() {
    let e = model("model/newer_version.bin").unwrap_err();
    assert_eq!(
        e,
        ModelFileError::NewerVersion {
            found: 3,
            supported: 2
        }
    );
    assert!(e
        .to_string()
        .contains("format 3; this version reads up to 2"));
}

#[test]
fn model_for_other_features() {
    let m = model("model/other_features.bin").unwrap();
    assert_eq!(m.features().len(), 13);
    // The Batch page's file has only the original nine columns.
    let d = read_csv(
        &bytes("csv/nan_inf_empty.csv")[..],
        &IngestOptions::for_prediction(),
    )
    .unwrap();
    let e = m.check_input(&d.present).unwrap_err();
    match &e {
        ModelFileError::WrongFeatures { expected, found } => {
            assert!(expected.starts_with("energy, loudness"), "{expected}");
            assert!(
                found.ends_with("missing from the data: danceability, key, mode, time_signature"),
                "{found}"
            );
        }
        other => panic!("{other:?}"),
    }
}

/// A feature id from a newer version (past the 13 known) is named as such, not as corruption:
/// the widget and the Train page say to update the app.
#[test]
fn model_with_an_unknown_feature_names_it() {
    let valid = model("model/valid_small.bin").unwrap();
    let mut file = valid.to_bytes();
    let ids: Vec<u8> = valid
        .features()
        .as_slice()
        .iter()
        .map(|f| f.index() as u8)
        .collect();
    let mut list = vec![ids.len() as u8];
    list.extend(&ids);
    // The preprocessor's feature list: its count, then one id per feature.
    let at = file[16..]
        .windows(list.len())
        .position(|w| w == list.as_slice())
        .expect("the feature list is in the payload")
        + 16;
    file[at + list.len() - 1] = 200;
    let payload = file[16..].to_vec();
    file[12..16].copy_from_slice(&genre_core::format::crc32(&payload).to_le_bytes());
    let e = TrainedModel::from_bytes(&file).unwrap_err();
    assert_eq!(e, ModelFileError::UnknownFeature { id: 200 });
    assert!(e.to_string().contains("does not know (feature number 200)"));
}

#[test]
fn model_csv_renamed_bin() {
    assert_eq!(
        model("model/csv_renamed.bin"),
        Err(ModelFileError::BadMagic)
    );
    // A CSV given where a CSV is expected is fine; a model file given as the CSV is binary.
    let e = read_csv(
        &bytes("model/valid_small.bin")[..],
        &IngestOptions::for_prediction(),
    )
    .unwrap_err();
    assert!(matches!(e, IngestError::Binary { .. }), "{e:?}");
}

// ---------------------------------------------------------------- the corpus as a whole

/// No file of the corpus makes either read panic, and every failure has a message.
#[test]
fn every_corpus_file_reads_without_panic() {
    let mut seen = 0;
    for sub in ["csv", "model"] {
        for entry in std::fs::read_dir(corpus_dir().join(sub)).unwrap() {
            let data = std::fs::read(entry.unwrap().path()).unwrap();
            for opts in [
                IngestOptions::for_training(),
                IngestOptions::for_prediction(),
            ] {
                if let Err(e) = read_csv(&data[..], &opts) {
                    assert!(!e.to_string().is_empty());
                }
            }
            if let Err(e) = TrainedModel::from_bytes(&data) {
                assert!(!e.to_string().is_empty());
            }
            seen += 1;
        }
    }
    assert!(seen >= 25, "{seen} files");
}

/// The messages quoted in docs/reliability.md are the ones the code produces.
#[test]
fn docs_quote_the_real_messages() {
    let doc_path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/reliability.md");
    let doc = std::fs::read_to_string(&doc_path).unwrap();
    let mut messages: Vec<String> = Vec::new();
    for name in [
        "csv/empty.csv",
        "csv/header_only.csv",
        "csv/no_genre_column.csv",
        "csv/no_feature_columns.csv",
        "csv/duplicate_headers.csv",
        "csv/latin1.csv",
        "csv/utf16_bom.csv",
        "csv/random_binary.csv",
        "csv/gzip_renamed.csv",
    ] {
        let e = train_read(name).unwrap_err();
        let text = e.to_string();
        // The random file's offset varies with its bytes; quote up to it.
        messages.push(match e {
            IngestError::Binary { .. } => text[..text.find("near byte").unwrap()].to_string(),
            _ => text,
        });
    }
    for name in [
        "csv/text_in_numbers.csv",
        "csv/nan_inf_empty.csv",
        "csv/unbalanced_quotes.csv",
    ] {
        let d = train_read(name).unwrap();
        messages.extend(
            d.report
                .rejections
                .iter()
                .map(|r| r.to_string().replace('\n', "\\n")),
        );
    }
    messages.push(
        prepare_file("csv/one_class.csv", &TrainOptions::default())
            .unwrap_err()
            .to_string(),
    );
    messages.extend(
        genre_core::train::set_aside(&train_read("csv/class_with_one_row.csv").unwrap()).note(),
    );
    let smote = TrainOptions {
        features: three_features(),
        balance: Balance::Smote,
        ..TrainOptions::default()
    };
    let prep = prepare_file("csv/class_too_small_for_smote.csv", &smote).unwrap();
    messages.push(
        build_training_set(&prep, ModelKind::RandomForest)
            .unwrap_err()
            .to_string(),
    );
    for name in [
        "model/empty.bin",
        "model/newer_version.bin",
        "model/csv_renamed.bin",
        "model/truncated_half.bin",
    ] {
        messages.push(model(name).unwrap_err().to_string());
    }
    let flipped = model("model/flipped_byte.bin").unwrap_err().to_string();
    messages.push(flipped[..flipped.find('(').unwrap()].to_string());
    let d = read_csv(
        &bytes("csv/nan_inf_empty.csv")[..],
        &IngestOptions::for_prediction(),
    )
    .unwrap();
    messages.push(
        model("model/other_features.bin")
            .unwrap()
            .check_input(&d.present)
            .unwrap_err()
            .to_string(),
    );

    let doc_flat = doc.replace("\\|", "|");
    let missing: Vec<&String> = messages
        .iter()
        .filter(|m| !doc_flat.contains(m.as_str()))
        .collect();
    assert!(
        missing.is_empty(),
        "docs/reliability.md does not quote:\n{missing:#?}"
    );
}

// ---------------------------------------------------------------- corpus maintenance

/// Rewrites the committed model files of the corpus and the fuzzers' model seeds:
/// `cargo test -p genre-core --test bad_inputs -- --ignored write_model_corpus`
/// (needed only when the model format changes).
#[test]
#[ignore]
fn write_model_corpus() {
    let train = |kind: ModelKind, features: FeatureSet, rows: usize| -> TrainedModel {
        let data = common::synthetic(rows, 7);
        let options = TrainOptions {
            features,
            ..TrainOptions::default()
        };
        let prep = prepare(&data, &options, "synthetic.csv").unwrap();
        let mut spec = ModelSpec::default_for(kind, 3);
        match &mut spec {
            ModelSpec::Forest(p) => *p = p.clone().n_trees(4),
            ModelSpec::Bagging(p) => *p = p.clone().n_trees(4),
            ModelSpec::Boost(p) => *p = p.clone().max_rounds(6),
            ModelSpec::Svc(p) => *p = p.clone().components(16),
            _ => {}
        }
        common::fit(&prep, &spec, "corpus model")
    };
    let dir = corpus_dir().join("model");
    let write = |name: &str, data: &[u8]| std::fs::write(dir.join(name), data).unwrap();
    let valid = train(
        ModelKind::GradientBoosting,
        FeatureSet::original_nine(),
        300,
    )
    .to_bytes();
    write("valid_small.bin", &valid);
    write("empty.bin", &[]);
    write("truncated_half.bin", &valid[..valid.len() / 2]);
    let mut flipped = valid.clone();
    flipped[valid.len() / 2] ^= 0x04;
    write("flipped_byte.bin", &flipped);
    let mut newer = valid.clone();
    newer[4..6].copy_from_slice(&(genre_core::format::FORMAT_VERSION + 1).to_le_bytes());
    write("newer_version.bin", &newer);
    write(
        "other_features.bin",
        &train(ModelKind::RandomForest, FeatureSet::all(), 300).to_bytes(),
    );
    write("csv_renamed.bin", &bytes("csv/semicolon.csv"));

    let seeds = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fuzz/seeds/model_file");
    std::fs::create_dir_all(&seeds).unwrap();
    for (kind, rows) in [
        (ModelKind::RandomForest, 120),
        (ModelKind::GradientBoosting, 120),
        (ModelKind::Knn, 30),
        (ModelKind::Svc, 60),
        (ModelKind::DecisionTree, 60),
    ] {
        let features =
            FeatureSet::new(vec![Feature::Energy, Feature::Tempo, Feature::Valence]).unwrap();
        let bytes = train(kind, features, rows).to_bytes();
        std::fs::write(seeds.join(format!("seed_{}.bin", kind.code())), bytes).unwrap();
    }
}

// ---------------------------------------------------------------- fuzzer findings

/// Found by `fuzz/fuzz_targets/model_file.rs`: a file whose outlier caps were reversed (or
/// NaN) decoded fine and then panicked in `f64::clamp` on the first prediction.
#[test]
fn model_with_reversed_or_nan_caps_is_corrupt_not_a_panic() {
    let valid = model("model/valid_small.bin").unwrap();
    for bad in [(1.0, -1.0), (f64::NAN, 1.0), (0.0, f64::NAN)] {
        let mut m = valid.clone();
        m.preprocessor.caps.as_mut().expect("trained with capping")[1] = bad;
        let e = TrainedModel::from_bytes(&m.to_bytes()).unwrap_err();
        assert_eq!(
            e,
            ModelFileError::Corrupt("the outlier caps of `loudness` are not a range".into()),
            "{bad:?}"
        );
    }
    let mut m = valid.clone();
    m.preprocessor.medians[0] = f64::NAN;
    let e = TrainedModel::from_bytes(&m.to_bytes()).unwrap_err();
    assert_eq!(
        e,
        ModelFileError::Corrupt("the median of `energy` is not a number".into())
    );
    // The fuzzer's own reproducer (its checksum is rewritten the way the fuzz target does).
    let mut crash = std::fs::read(
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("../../fuzz/seeds/model_file/seed_regression_reversed_caps.bin"),
    )
    .unwrap();
    let payload = crash[16..].to_vec();
    crash[8..12].copy_from_slice(&(payload.len() as u32).to_le_bytes());
    crash[12..16].copy_from_slice(&genre_core::format::crc32(&payload).to_le_bytes());
    if let Ok(m) = TrainedModel::from_bytes(&crash) {
        m.predict_raw(&vec![0.5; m.features().len()]);
    }
}

/// Finite but extreme values (1.7e308 passed the finiteness check) overflowed the fitted
/// preprocessing to infinities and made linfa's decision tree overflow the stack. The ingest
/// now rejects magnitudes over 1e12; values at the bound train every model kind.
#[test]
fn extreme_values_are_rejected_and_the_bound_trains() {
    assert_training_rejections(
        b"energy,genre\n1.7e308,a\n-1e13,a\n0.5,b\n",
        &[
            (2, "energy", "1.7e308", "a number between -1e12 and 1e12"),
            (3, "energy", "-1e13", "a number between -1e12 and 1e12"),
        ],
    );

    let mut csv = String::from("energy,tempo,genre\n");
    for i in 0..40 {
        let energy = ["-1e12", "1e12", "1e12", "0.5"][i % 4];
        csv.push_str(&format!("{energy},{},{}\n", 100 + i, ["a", "b"][i % 2]));
    }
    let d = read_training(csv.as_bytes()).unwrap();
    assert_eq!(d.tracks.len(), 40);
    let options = TrainOptions {
        features: FeatureSet::new(vec![Feature::Energy, Feature::Tempo]).unwrap(),
        ..TrainOptions::default()
    };
    let prep = prepare(&d, &options, "extreme.csv").unwrap();
    for kind in ModelKind::ALL {
        let mut spec = ModelSpec::default_for(kind, 1);
        spec.set(Param::Trees, Value::Count(3));
        let m = common::fit(&prep, &spec, "x");
        let back =
            TrainedModel::from_bytes(&m.to_bytes()).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        back.predict_raw(&[1e308, 100.0]);
        back.predict_raw(&[f64::NAN, f64::NAN]);
    }
}

/// A forest's leaves name classes with one byte, so more genres than that cannot be saved:
/// training refuses them. (A crafted file that claims more is refused by the decoder before
/// leaves × classes floats are allocated; the fuzz corpus holds such a file.)
#[test]
fn forest_with_more_classes_than_the_format_holds_is_refused() {
    let mut csv = String::from("energy,tempo,genre\n");
    for i in 0..900 {
        csv.push_str(&format!("{},{},g{}\n", i, i % 7, i % 300));
    }
    let d = read_training(csv.as_bytes()).unwrap();
    let options = TrainOptions {
        features: FeatureSet::new(vec![Feature::Energy, Feature::Tempo]).unwrap(),
        test_fraction: 0.34,
        ..TrainOptions::default()
    };
    // Training refuses it up front (before any tree is grown) ...
    let e = prepare(&d, &options, "many.csv").unwrap_err();
    assert_invalid_param(
        &e,
        "label column",
        &["300 distinct values", "at most 255 genres"],
    );
}
