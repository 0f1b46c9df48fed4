//! Training with the user's corrections: each counts as `CORRECTION_WEIGHT` training rows, so a
//! few of them change the prediction at their own point; they only ever join the training part.

mod common;

use common::{fit, synthetic};
use genre_core::corrections::{Correction, CORRECTION_WEIGHT};
use genre_core::error::TrainError;
use genre_core::feature::Feature;
use genre_core::model::{ModelKind, TrainedModel};
use genre_core::train::{
    add_corrections, build_training_set, prepare, Balance, ModelSpec, Prepared, TrainOptions,
};

fn split(balance: Balance) -> Prepared {
    let data = synthetic(900, 7);
    let options = TrainOptions {
        balance,
        ..TrainOptions::default()
    };
    prepare(&data, &options, "synthetic.csv").unwrap()
}

/// A quick model of each kind that has a different way of learning from rows.
fn small(kind: ModelKind) -> ModelSpec {
    match ModelSpec::default_for(kind, 5) {
        ModelSpec::Forest(p) => ModelSpec::Forest(p.n_trees(25)),
        ModelSpec::Boost(p) => ModelSpec::Boost(p.max_rounds(60)),
        other => other,
    }
}

/// A correction at test row `i`'s features (the model's nine), saying it is `genre`.
fn correction_at(prep: &Prepared, i: usize, genre: &str) -> Correction {
    Correction {
        values: prep
            .options
            .features
            .as_slice()
            .iter()
            .zip(&prep.test_x[i])
            .filter(|(_, v)| v.is_finite())
            .map(|(&f, &v)| (f, v))
            .collect(),
        genre: genre.into(),
    }
}

/// The first test row the model predicts confidently, and a genre it does not predict there.
fn confident_point(prep: &Prepared, model: &TrainedModel) -> (usize, usize) {
    let i = (0..prep.test_x.len())
        .find(|&i| model.predict_raw(&prep.test_x[i]).confidence() > 0.8)
        .expect("a confidently predicted row");
    let predicted = model.predict_raw(&prep.test_x[i]).class;
    (i, (predicted + 1) % prep.classes.len())
}

#[test]
fn corrections_change_the_prediction_at_the_corrected_point() {
    for kind in [
        ModelKind::RandomForest,
        ModelKind::GradientBoosting,
        ModelKind::Knn,
    ] {
        let prep = split(Balance::None);
        let spec = small(kind);
        let before = fit(&prep, &spec, "before");
        let (i, wanted) = confident_point(&prep, &before);
        let correction = correction_at(&prep, i, &prep.classes[wanted]);

        let with = |weight: usize| {
            let mut p = prep.clone();
            add_corrections(&mut p, std::slice::from_ref(&correction), weight).unwrap();
            fit(&p, &spec, "after")
        };
        let after = with(CORRECTION_WEIGHT);
        let p = after.predict_raw(&prep.test_x[i]);
        assert_eq!(
            p.class, wanted,
            "{kind:?}: the corrected point is predicted as the correction says ({:?})",
            p.probabilities
        );
        // Deterministic: the same corrections give the same model.
        assert_eq!(after, with(CORRECTION_WEIGHT), "{kind:?}");
        // It is the weighting that matters: one copy is not enough for the boosted trees and
        // KNN (a 20-row minimum leaf, 5 neighbours); no copies change nothing.
        if kind != ModelKind::RandomForest {
            assert_ne!(
                with(1).predict_raw(&prep.test_x[i]).class,
                wanted,
                "{kind:?}: a single row does not outvote its neighbours"
            );
        }
        let none = with(0);
        assert_eq!(none.estimator, before.estimator, "{kind:?}");
    }
}

#[test]
fn corrections_join_the_training_part_only_after_balancing() {
    for balance in [Balance::None, Balance::Smote, Balance::ClassWeights] {
        let prep = split(balance);
        let corrections = vec![
            correction_at(&prep, 0, &prep.classes[1]),
            correction_at(&prep, 3, &prep.classes[0]),
        ];
        let mut with = prep.clone();
        add_corrections(&mut with, &corrections, CORRECTION_WEIGHT).unwrap();
        // The holdout is the data set's own rows, untouched.
        // (Compared as text: a missing value is NaN, which is not equal to itself.)
        let same = |a: &genre_core::rows::Rows, b: &genre_core::rows::Rows| {
            format!("{a:?}") == format!("{b:?}")
        };
        assert!(same(&with.test_x, &prep.test_x), "{balance:?}");
        assert!(with.test_y == prep.test_y && with.test_rows == prep.test_rows);
        assert!(same(&with.train_x, &prep.train_x), "{balance:?}");

        let plain = build_training_set(&prep, ModelKind::RandomForest).unwrap();
        let set = build_training_set(&with, ModelKind::RandomForest).unwrap();
        // Preprocessing fitted on the data set's training rows alone.
        assert!(set.preprocessor == plain.preprocessor, "{balance:?}");
        // The balanced rows first, exactly as without corrections, then the copies.
        let n = plain.y.len();
        assert_eq!(set.y.len(), n + 2 * CORRECTION_WEIGHT, "{balance:?}");
        assert!(set.x.slice(ndarray::s![..n, ..]) == plain.x, "{balance:?}");
        let copies = &set.y.as_slice().unwrap()[n..];
        assert!(copies[..CORRECTION_WEIGHT].iter().all(|&c| c == 1));
        assert!(copies[CORRECTION_WEIGHT..].iter().all(|&c| c == 0));
        let first = with.corrections.x[0].clone();
        let scaled = set.preprocessor.transform(&first);
        assert_eq!(set.x.row(n).to_vec(), scaled, "preprocessed, NaN imputed");
        // Class weights: a copy weighs what a row of its class does.
        if let (Some(w), Some(pw)) = (&set.weight, &plain.weight) {
            let of_class_1 = plain.y.iter().position(|&c| c == 1).unwrap();
            assert_eq!(w[n], pw[of_class_1]);
            assert_eq!(&w[..n], &pw[..]);
        }

        // Scored on the same holdout rows: the holdout never holds a correction.
        let spec = small(ModelKind::RandomForest);
        let (a, b) = (fit(&prep, &spec, "a"), fit(&with, &spec, "b"));
        let rows = |m: &TrainedModel| m.meta.holdout.as_ref().map(|h| h.rows);
        assert_eq!(rows(&a), rows(&b));
        assert_eq!(rows(&b), Some(prep.test_y.len() as u64));
        assert!(b.meta.settings.ends_with("2 corrections counted 20× each"));
    }
}

#[test]
fn a_correction_with_a_genre_the_data_lacks_is_refused_by_number() {
    let mut prep = split(Balance::None);
    let corrections = vec![
        correction_at(&prep, 0, &prep.classes[0]),
        Correction {
            values: vec![(Feature::Energy, 0.5)],
            genre: "polka".into(),
        },
    ];
    let e = add_corrections(&mut prep, &corrections, CORRECTION_WEIGHT).unwrap_err();
    assert_eq!(
        e,
        TrainError::CorrectionGenre {
            number: 2,
            genre: "polka".into()
        }
    );
    assert!(e.to_string().contains("Correction 2"), "{e}");
    // A correction missing a feature trains: the value is imputed like any missing one. A
    // genre spelt in another case is the data's genre.
    let sparse = Correction {
        values: vec![(Feature::Energy, 0.9)],
        genre: format!(" {} ", prep.classes[2].to_uppercase()),
    };
    add_corrections(&mut prep, &[sparse], 3).unwrap();
    assert_eq!(prep.corrections.y, [2]);
    assert!(prep.corrections.x[0].iter().filter(|v| v.is_nan()).count() == 8);
    fit(&prep, &small(ModelKind::Knn), "sparse");
}

#[test]
fn every_nth_row_keeps_each_rows_class_and_weight() {
    let prep = split(Balance::ClassWeights);
    let set = build_training_set(&prep, ModelKind::GradientBoosting).unwrap();
    let weights = set.weight.as_ref().expect("class weights");
    let sample = set.every_nth(7);
    let rows = set.y.len();
    assert_eq!(sample.y.len(), rows.div_ceil(7));
    let sample_weights = sample.weight.as_ref().expect("kept");
    for (k, i) in (0..rows).step_by(7).enumerate() {
        assert_eq!(sample.x.row(k), set.x.row(i));
        assert_eq!(sample.y[k], set.y[i]);
        assert_eq!(sample_weights[k], weights[i]);
    }
    assert_eq!(
        set.every_nth(0).y.len(),
        rows,
        "a step of 0 keeps every row"
    );
}
