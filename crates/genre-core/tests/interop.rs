//! Imported LightGBM and XGBoost models against the libraries' own probabilities: the fixtures
//! in `tests/fixtures/interop/` were written by the real libraries
//! (`scripts/interop/make_fixtures.py`); no Python runs here.

use std::path::PathBuf;

use genre_core::error::ImportError;
use genre_core::interop::{import, read, ImportOptions};
use genre_core::model::TrainedModel;

fn fixture(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/interop")
        .join(name)
}

fn text(name: &str) -> String {
    std::fs::read_to_string(fixture(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// A CSV of numbers with a header; an empty cell is NaN.
fn table(name: &str) -> (Vec<String>, Vec<Vec<f64>>) {
    let t = text(name);
    let mut lines = t.lines();
    let header = lines
        .next()
        .unwrap()
        .split(',')
        .map(str::to_string)
        .collect();
    let rows = lines
        .map(|l| {
            l.split(',')
                .map(|c| {
                    if c.is_empty() {
                        f64::NAN
                    } else {
                        c.parse().unwrap()
                    }
                })
                .collect()
        })
        .collect();
    (header, rows)
}

fn classes() -> Vec<String> {
    text("classes.txt").lines().map(str::to_string).collect()
}

fn options() -> ImportOptions {
    ImportOptions {
        classes: Some(classes()),
        name: "fixture".into(),
        ..ImportOptions::default()
    }
}

/// The fixture rows in the model's feature order.
fn rows_for(model: &TrainedModel) -> Vec<Vec<f64>> {
    let (header, rows) = table("rows.csv");
    let cols: Vec<usize> = model
        .features()
        .as_slice()
        .iter()
        .map(|f| header.iter().position(|h| h == f.name()).expect("column"))
        .collect();
    rows.iter()
        .map(|r| cols.iter().map(|&c| r[c]).collect())
        .collect()
}

/// Max |p - library's p| over all rows, and checks the top class wherever the library's top
/// two are more than 1e-6 apart.
fn compare(model: &TrainedModel, proba_file: &str) -> f64 {
    let (header, expected) = table(proba_file);
    assert_eq!(
        header,
        classes()
            .iter()
            .map(|c| format!("p_{c}"))
            .collect::<Vec<_>>()
    );
    let rows = rows_for(model);
    assert_eq!(rows.len(), expected.len());
    let batch = model.predict_batch(&rows);
    let mut worst = 0.0f64;
    for (i, ((row, want), got)) in rows.iter().zip(&expected).zip(&batch).enumerate() {
        assert_eq!(&model.predict_raw(row), got, "row {i}: batch = one by one");
        for (g, w) in got.probabilities.iter().zip(want) {
            worst = worst.max((*g as f64 - w).abs());
        }
        let mut order: Vec<usize> = (0..want.len()).collect();
        order.sort_by(|&a, &b| want[b].total_cmp(&want[a]));
        if want[order[0]] - want[order[1]] > 1e-6 {
            assert_eq!(
                got.class, order[0],
                "{proba_file} row {i}: {got:?} vs {want:?}"
            );
        }
    }
    worst
}

fn check(model_file: &str, proba_file: &str) -> TrainedModel {
    let model = import(text(model_file).as_bytes(), &options())
        .unwrap_or_else(|e| panic!("{model_file}: {e}"));
    let worst = compare(&model, proba_file);
    eprintln!("{model_file}: max probability difference {worst:.2e}");
    assert!(worst <= 1e-5, "{model_file}: {worst}");
    // The model file keeps the imported model exactly.
    let bytes = model.to_bytes();
    let back = TrainedModel::from_bytes(&bytes).unwrap();
    assert_eq!(back, model, "{model_file}: file round trip");
    assert_eq!(back.to_bytes(), bytes);
    assert_eq!(compare(&back, proba_file), worst);
    model
}

#[test]
fn lightgbm_softmax_with_nan_as_missing_matches_the_library() {
    let m = check("lgb_multiclass.txt", "lgb_multiclass.proba.csv");
    assert_eq!(m.classes, classes());
    assert!(m.meta.settings.contains("LightGBM"), "{}", m.meta.settings);
    // The first fixture row is all missing: it reaches the trees as NaN, not as medians.
    let all_missing = vec![f64::NAN; m.features().len()];
    let at_medians = m.predict_raw(&m.preprocessor.medians);
    assert_ne!(m.predict_raw(&all_missing), at_medians);
}

#[test]
fn an_imported_model_says_it_was_imported_and_from_which_file() {
    let options = ImportOptions {
        file_name: "model.txt".into(),
        imported_at: "2026-12-07".into(),
        ..options()
    };
    let m = import(text("lgb_multiclass.txt").as_bytes(), &options).unwrap();
    assert!(m.meta.imported());
    assert_eq!(m.meta.origin(), "Imported 2026-12-07 from model.txt");
    let info = genre_core::format::read_info(&m.to_bytes()).unwrap();
    assert!(info.meta.imported(), "the file keeps it imported");
}

#[test]
fn lightgbm_zero_as_missing_matches_the_library() {
    let model = text("lgb_zero_missing.txt");
    // The fixture really has zero-as-missing nodes (missing type 1: decision_type 4 or 6).
    assert!(model
        .lines()
        .any(|l| l.starts_with("decision_type=")
            && l.split(['=', ' ']).any(|d| d == "4" || d == "6")));
    check("lgb_zero_missing.txt", "lgb_zero_missing.proba.csv");
}

#[test]
fn lightgbm_one_vs_rest_with_a_categorical_feature_matches_the_library() {
    assert!(text("lgb_ova_categorical.txt").contains("cat_threshold="));
    let m = check("lgb_ova_categorical.txt", "lgb_ova_categorical.proba.csv");
    // One sigmoid per class, not normalised (LightGBM's predict_proba returns them as they are).
    let p = m.predict_raw(&rows_for(&m)[5]);
    let sum: f32 = p.probabilities.iter().sum();
    assert!((sum - 1.0).abs() > 1e-4, "{sum}");
}

#[test]
fn lightgbm_random_forest_mode_matches_the_library() {
    assert!(text("lgb_rf.txt").lines().any(|l| l == "average_output"));
    check("lgb_rf.txt", "lgb_rf.proba.csv");
}

#[test]
fn lightgbm_unnamed_features_need_their_names() {
    let bytes = text("lgb_unnamed.txt");
    let err = import(bytes.as_bytes(), &options()).unwrap_err();
    assert!(matches!(err, ImportError::UnnamedFeatures { .. }), "{err}");
    assert!(err.to_string().contains("--features"));
    let named = read(text("lgb_multiclass.txt").as_bytes())
        .unwrap()
        .feature_names;
    let short = ImportOptions {
        features: Some(named[..3].to_vec()),
        ..options()
    };
    assert_eq!(
        import(bytes.as_bytes(), &short).unwrap_err(),
        ImportError::FeatureCount {
            given: 3,
            expected: named.len()
        }
    );
    let opts = ImportOptions {
        features: Some(named),
        ..options()
    };
    let m = import(bytes.as_bytes(), &opts).unwrap();
    let worst = compare(&m, "lgb_unnamed.proba.csv");
    assert!(worst <= 1e-5, "{worst}");
}

#[test]
fn a_summary_names_what_was_read_and_matches_columns_by_name() {
    use genre_core::feature::Feature;
    use genre_core::tree::imported::Library;
    let named = read(text("lgb_multiclass.txt").as_bytes()).unwrap();
    let s = named.summary();
    assert_eq!(s.library, Library::LightGbm);
    assert_eq!((s.objective.as_str(), s.n_classes), ("multiclass", 4));
    // 5 rounds × 4 classes.
    assert_eq!(s.trees, 20);
    assert!(!s.placeholder_names);
    let names: Vec<&str> = s.columns.iter().map(|c| c.name.as_str()).collect();
    assert_eq!(
        names,
        named
            .feature_names
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>()
    );
    for c in &s.columns {
        assert_eq!(c.feature, Feature::from_header(&c.name), "{}", c.name);
        assert!(c.feature.is_some(), "{} is an audio feature", c.name);
    }
    assert_eq!(
        s.columns.iter().map(|c| c.used).collect::<Vec<_>>(),
        named.used_columns()
    );
    // Placeholder names match nothing, even where a name could.
    let unnamed = read(text("lgb_unnamed.txt").as_bytes()).unwrap().summary();
    assert!(unnamed.placeholder_names);
    assert_eq!(unnamed.columns[0].name, "Column_0");
    assert!(unnamed.columns.iter().all(|c| c.feature.is_none()));
    assert!(unnamed.columns.iter().any(|c| c.used));
    let xgb = read(text("xgb_softprob.json").as_bytes())
        .unwrap()
        .summary();
    assert_eq!((xgb.library, xgb.n_classes), (Library::XgBoost, 4));
    assert_eq!(xgb.objective, "multi:softprob");
    // A summary crosses to a page as JSON and back unchanged.
    let json = serde_json::to_string(&xgb).unwrap();
    assert_eq!(
        serde_json::from_str::<genre_core::interop::ForeignSummary>(&json).unwrap(),
        xgb
    );
}

#[test]
fn foreign_files_are_told_from_ours_by_their_first_bytes() {
    use genre_core::interop::is_foreign;
    assert!(is_foreign(text("lgb_multiclass.txt").as_bytes()));
    assert!(is_foreign(text("xgb_softprob.json").as_bytes()));
    assert!(is_foreign(b" \n\xef\xbb\xbf{\"learner\": {}}"));
    let ours = import(text("lgb_multiclass.txt").as_bytes(), &options())
        .unwrap()
        .to_bytes();
    assert!(!is_foreign(&ours));
    for other in [&b""[..], b"   ", b"energy,tempo,genre\n", b"\"tree\",1\n"] {
        assert!(!is_foreign(other), "{:?}", String::from_utf8_lossy(other));
    }
}

#[test]
fn class_names_are_read_as_a_list_or_by_line_and_sorted_as_label_encoder_does() {
    use genre_core::interop::{class_names, label_encoder_order};
    let lines = text("classes.txt");
    assert_eq!(class_names(&lines).unwrap(), classes());
    assert_eq!(
        class_names(&lines.replace('\n', "\r\n\n")).unwrap(),
        classes()
    );
    assert_eq!(
        class_names(" Dark Trap, Underground Rap ,dnb,hardstyle ").unwrap(),
        classes()
    );
    assert_eq!(class_names("  \n ").unwrap(), Vec::<String>::new());
    assert_eq!(
        class_names("a,,b").unwrap_err(),
        ImportError::EmptyClassName { position: 2 }
    );
    // Code-point order: capitals first, as Python sorts strings.
    let seen: Vec<String> = ["hardstyle", "dnb", "Underground Rap", "dnb", "Dark Trap"]
        .map(String::from)
        .to_vec();
    assert_eq!(label_encoder_order(&seen), classes());
    // Named so, the fixture imports to the library's own probabilities.
    let opts = ImportOptions {
        classes: Some(label_encoder_order(&seen)),
        ..options()
    };
    let m = import(text("xgb_softprob.json").as_bytes(), &opts).unwrap();
    assert!(compare(&m, "xgb_softprob.proba.csv") <= 1e-5);
}

#[test]
fn xgboost_softprob_with_a_base_score_per_class_matches_the_library() {
    let json = text("xgb_softprob.json");
    assert!(
        json.contains("\"base_score\":\"["),
        "a per-class base_score"
    );
    check("xgb_softprob.json", "xgb_softprob.proba.csv");
}

#[test]
fn xgboost_softmax_with_categorical_splits_matches_the_library() {
    assert!(text("xgb_softmax_categorical.json").contains("\"split_type\":[1"));
    check(
        "xgb_softmax_categorical.json",
        "xgb_softmax_categorical.proba.csv",
    );
}

#[test]
fn default_sides_go_both_ways_in_the_fixtures() {
    // LightGBM: NaN-missing nodes defaulting left (10) and right (8).
    let lgb = text("lgb_multiclass.txt");
    let types: Vec<&str> = lgb
        .lines()
        .filter_map(|l| l.strip_prefix("decision_type="))
        .flat_map(str::split_whitespace)
        .collect();
    assert!(types.contains(&"10") && types.contains(&"8"), "{types:?}");
    // XGBoost: default_left both 0 and 1 on internal nodes.
    let v: serde_json::Value = serde_json::from_str(&text("xgb_softprob.json")).unwrap();
    let trees = v["learner"]["gradient_booster"]["model"]["trees"]
        .as_array()
        .unwrap();
    let (mut left, mut right) = (0, 0);
    for t in trees {
        let lc = t["left_children"].as_array().unwrap();
        for (i, d) in t["default_left"].as_array().unwrap().iter().enumerate() {
            if lc[i].as_i64() != Some(-1) {
                if d.as_i64() == Some(1) {
                    left += 1
                } else {
                    right += 1
                }
            }
        }
    }
    assert!(left > 0 && right > 0, "{left} {right}");
}

/// The XGBoost fixture as JSON, changed by `edit`, then imported.
fn xgb_edited(edit: impl FnOnce(&mut serde_json::Value)) -> Result<TrainedModel, ImportError> {
    let mut v: serde_json::Value = serde_json::from_str(&text("xgb_softprob.json")).unwrap();
    edit(&mut v);
    import(v.to_string().as_bytes(), &options())
}

fn lgb_edited(from: &str, to: &str) -> Result<TrainedModel, ImportError> {
    let t = text("lgb_multiclass.txt");
    assert!(t.contains(from), "{from}");
    import(t.replacen(from, to, 1).as_bytes(), &options())
}

#[test]
fn every_refused_kind_of_model_gets_its_sentence() {
    let cases: Vec<(Result<TrainedModel, ImportError>, &str)> = vec![
        (import(b"", &options()), "empty"),
        (import(b"\n  \n", &options()), "empty"),
        (
            import(b"{L\x00\x00\x00\x00\x00\x00\x00\x07learner{", &options()),
            "UBJSON",
        ),
        (
            import(b"genre,energy\nrock,0.5\n", &options()),
            "neither a LightGBM",
        ),
        (lgb_edited("is_linear=0", "is_linear=1"), "linear leaves"),
        (
            lgb_edited("objective=multiclass num_class:4", "objective=regression"),
            "`regression`",
        ),
        (
            lgb_edited("objective=multiclass num_class:4\n", ""),
            "raw scores",
        ),
        (
            xgb_edited(|v| v["learner"]["objective"]["name"] = "reg:squarederror".into()),
            "`reg:squarederror` does not predict class probabilities",
        ),
        (
            xgb_edited(|v| {
                let model = v["learner"]["gradient_booster"]["model"].take();
                v["learner"]["gradient_booster"] = serde_json::json!({"name": "dart", "gbtree": {"name": "gbtree", "model": model}});
            }),
            "DART without its tree weights",
        ),
        (
            xgb_edited(|v| {
                v["learner"]["gradient_booster"]["model"]["trees"][0]["tree_param"]
                    ["size_leaf_vector"] = "4".into()
            }),
            "vector leaves",
        ),
        (
            xgb_edited(|v| v["learner"]["gradient_booster"]["name"] = "gblinear".into()),
            "linear booster",
        ),
        (
            xgb_edited(|v| v["learner"]["learner_model_param"]["num_target"] = "3".into()),
            "3 targets",
        ),
        (
            xgb_edited(|v| {
                v["learner"]["gradient_booster"]["model"]["cats"]["enc"] =
                    serde_json::json!([["rock", "pop"]])
            }),
            "category names",
        ),
        (
            xgb_edited(|v| v["learner"]["feature_names"][8] = "popularity".into()),
            "feature 9 (`popularity`) is not one of the audio features",
        ),
        (
            xgb_edited(|v| v["learner"]["feature_names"][0] = "tempo".into()),
            "features 1 and 9 are both `tempo`",
        ),
        (
            import(
                text("xgb_softprob.json").as_bytes(),
                &ImportOptions {
                    classes: Some(vec!["a".into(), "b".into()]),
                    ..options()
                },
            ),
            "2 class names were given, but the model has 4 classes",
        ),
    ];
    for (i, (result, words)) in cases.into_iter().enumerate() {
        let err = result.expect_err(words).to_string();
        assert!(err.contains(words), "case {i}: `{err}` lacks `{words}`");
        assert!(
            err.ends_with('.') || err.ends_with(')'),
            "case {i}: one sentence: {err}"
        );
    }
}

#[test]
fn dart_with_its_weights_scales_each_tree() {
    let plain = import(text("xgb_softprob.json").as_bytes(), &options()).unwrap();
    let halved = xgb_edited(|v| {
        let model = v["learner"]["gradient_booster"]["model"].take();
        let n = model["trees"].as_array().unwrap().len();
        v["learner"]["gradient_booster"] = serde_json::json!({
            "name": "dart", "gbtree": {"name": "gbtree", "model": model},
            "weight_drop": vec![0.5; n]
        });
    })
    .unwrap();
    let row = &rows_for(&plain)[7];
    let (genre_core::model::Estimator::Imported(a), genre_core::model::Estimator::Imported(b)) =
        (&plain.estimator, &halved.estimator)
    else {
        panic!("imported")
    };
    let (ra, rb) = (a.raw_scores(row), b.raw_scores(row));
    for k in 0..4 {
        let trees = ra[k] - a.base_score[k];
        assert!((rb[k] - b.base_score[k] - trees / 2.0).abs() < 1e-9);
    }
}

#[test]
fn unused_unknown_columns_are_dropped_and_broken_files_are_errors_not_panics() {
    // A column no tree splits on may have any name.
    let t = text("lgb_multiclass.txt");
    let foreign = read(t.as_bytes()).unwrap();
    let used = foreign.used_columns();
    if let Some(c) = used.iter().position(|u| !u) {
        let mut names = foreign.feature_names.clone();
        names[c] = "popularity".into();
        let m = import(
            t.as_bytes(),
            &ImportOptions {
                features: Some(names),
                ..options()
            },
        )
        .unwrap();
        assert_eq!(m.features().len(), used.iter().filter(|u| **u).count());
    }
    for name in ["lgb_ova_categorical.txt", "xgb_softmax_categorical.json"] {
        let bytes = text(name).into_bytes();
        for cut in (0..bytes.len()).step_by(61) {
            let _ = import(&bytes[..cut], &options());
            let mut flipped = bytes.clone();
            flipped[cut] = flipped[cut].wrapping_add(7);
            let _ = import(&flipped, &options());
        }
    }
}

#[test]
fn an_imported_model_file_is_version_2_and_decoding_it_never_panics() {
    use genre_core::error::ModelFileError;
    use genre_core::format::crc32;
    for name in [
        "lgb_ova_categorical.txt",
        "xgb_softmax_categorical.json",
        "lgb_rf.txt",
    ] {
        let bytes = import(text(name).as_bytes(), &options())
            .unwrap()
            .to_bytes();
        assert_eq!(bytes[4..6], [2, 0], "{name}");
        // The same payload labelled version 1 is refused: version 1 has no imported models.
        let mut old = bytes.clone();
        old[4] = 1;
        assert!(matches!(
            TrainedModel::from_bytes(&old),
            Err(ModelFileError::Corrupt(e)) if e.contains("unknown estimator type 3")
        ));
        for cut in (0..bytes.len()).step_by(17) {
            assert!(TrainedModel::from_bytes(&bytes[..cut]).is_err());
            // Corrupt content with a valid checksum: decoded, refused or not, never a panic.
            let mut bad = bytes.clone();
            bad[16 + (cut % (bytes.len() - 16))] ^= 0x5A;
            let crc = crc32(&bad[16..]);
            bad[12..16].copy_from_slice(&crc.to_le_bytes());
            if let Ok(m) = TrainedModel::from_bytes(&bad) {
                let _ = m.predict_raw(&vec![0.5; m.features().len()]);
            }
        }
    }
}

mod common;

/// Rows to compare on: the bundled data's first tracks (some with missing loudness), the
/// same with every value pushed far beyond the caps, and all missing.
fn raw_rows_for(model: &TrainedModel) -> Vec<Vec<f64>> {
    use genre_core::ingest::{read_csv, IngestOptions};
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../data/genres_v2.csv");
    let file = std::fs::File::open(path).unwrap();
    let data = read_csv(file, &IngestOptions::for_training()).unwrap();
    let mut rows: Vec<Vec<f64>> = model.raw_rows(&data.tracks[..2000]);
    assert!(
        rows.iter().any(|r| r.iter().any(|v| v.is_nan())),
        "some rows have missing values"
    );
    let extreme: Vec<Vec<f64>> = rows[..200]
        .iter()
        .enumerate()
        .map(|(i, r)| {
            r.iter()
                .map(|v| v * if i % 2 == 0 { 50.0 } else { -50.0 })
                .collect()
        })
        .collect();
    rows.extend(extreme);
    rows.push(vec![f64::NAN; model.features().len()]);
    rows
}

fn export_round_trip(model: &TrainedModel, what: &str) -> f64 {
    use genre_core::interop::export::to_lightgbm;
    let text = to_lightgbm(model).unwrap();
    let back = import(
        text.as_bytes(),
        &ImportOptions {
            classes: Some(model.classes.clone()),
            ..ImportOptions::default()
        },
    )
    .unwrap_or_else(|e| panic!("{what}: {e}"));
    // The import keeps the features the trees split on, in the model's order.
    let ours_f = model.features().as_slice();
    let cols: Vec<usize> = back
        .features()
        .as_slice()
        .iter()
        .map(|f| ours_f.iter().position(|g| g == f).expect("one of ours"))
        .collect();
    assert!(cols.windows(2).all(|w| w[0] < w[1]), "{what}");
    let rows = raw_rows_for(model);
    let back_rows: Vec<Vec<f64>> = rows
        .iter()
        .map(|r| cols.iter().map(|&c| r[c]).collect())
        .collect();
    let ours = model.predict_batch(&rows);
    let theirs = back.predict_batch(&back_rows);
    let mut worst = 0.0f64;
    for (a, b) in ours.iter().zip(&theirs) {
        for (x, y) in a.probabilities.iter().zip(&b.probabilities) {
            worst = worst.max((x - y).abs() as f64);
        }
    }
    eprintln!("{what}: exported and read back, max probability difference {worst:.2e}");
    worst
}

#[test]
fn the_bundled_models_exported_to_lightgbm_predict_raw_rows_as_we_do() {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../public");
    for file in ["model.bin", "forest.bin"] {
        let model = TrainedModel::from_bytes(&std::fs::read(dir.join(file)).unwrap()).unwrap();
        assert!(
            model.preprocessor.caps.is_some(),
            "{file}: the bundled models cap outliers"
        );
        let worst = export_round_trip(&model, file);
        assert!(worst <= 1e-5, "{file}: {worst}");
    }
}

#[test]
fn an_export_folds_capping_and_imputation_into_the_trees() {
    use genre_core::interop::export::to_lightgbm;
    use genre_core::model::ModelKind;
    use genre_core::train::{prepare, ModelSpec, TrainOptions};
    let data = common::synthetic(900, 3);
    let prep = prepare(&data, &TrainOptions::default(), "synthetic.csv").unwrap();
    for kind in [
        ModelKind::GradientBoosting,
        ModelKind::RandomForest,
        ModelKind::DecisionTree,
    ] {
        let model = common::fit(&prep, &ModelSpec::default_for(kind, 3), "t");
        let text = to_lightgbm(&model).unwrap();
        // The missing side is chosen per split: both sides occur.
        assert!(text.contains(" 10") || text.contains("=10"), "{kind:?}");
        let worst = export_round_trip(&model, kind.code());
        assert!(worst <= 1e-5, "{kind:?}: {worst}");
    }
    let knn = common::fit(&prep, &ModelSpec::default_for(ModelKind::Knn, 3), "k");
    let err = to_lightgbm(&knn).unwrap_err().to_string();
    assert!(
        err.contains("k-nearest neighbours model has no trees"),
        "{err}"
    );
}
