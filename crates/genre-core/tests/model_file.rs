//! The model file: round trips for every model kind, and every kind of bad file is a clear,
//! specific error (never a panic).

mod common;

use genre_core::error::ModelFileError;
use genre_core::feature::{Feature, FeatureSet};
use genre_core::format::{crc32, read_info};
use genre_core::model::{ModelKind, TrainedModel};
use genre_core::train::{prepare, ModelSpec, TrainOptions};

fn trained(kind: ModelKind, features: FeatureSet) -> TrainedModel {
    let data = common::synthetic(600, 7);
    let options = TrainOptions {
        features,
        ..TrainOptions::default()
    };
    let prep = prepare(&data, &options, "synthetic.csv").unwrap();
    let mut spec = ModelSpec::default_for(kind, 3);
    if let ModelSpec::Forest(p) = &mut spec {
        *p = p.clone().n_trees(15);
    }
    if let ModelSpec::Boost(p) = &mut spec {
        *p = p.clone().max_rounds(30);
    }
    common::fit(&prep, &spec, "test model")
}

fn small_forest() -> TrainedModel {
    trained(ModelKind::RandomForest, FeatureSet::original_nine())
}

#[test]
fn every_model_kind_round_trips_exactly() {
    let data = common::synthetic(90, 11);
    for kind in ModelKind::ALL {
        let m = trained(kind, FeatureSet::original_nine());
        let bytes = m.to_bytes();
        let back = TrainedModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(back, m, "{kind:?}");
        for t in &data.tracks {
            assert_eq!(back.predict_track(&t.values), m.predict_track(&t.values));
        }
        assert_eq!(back.to_bytes(), bytes, "{kind:?}: re-encoding is stable");
    }
}

/// The shipped files, not just small synthetic models: every tree shape and threshold table the
/// decoder rebuilds must encode back to the very bytes it came from.
#[test]
fn the_bundled_models_re_encode_to_their_own_bytes() {
    let dir = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../public");
    for file in ["model.bin", "forest.bin"] {
        let bytes = std::fs::read(dir.join(file)).unwrap();
        let model = TrainedModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("{file}: {e}"));
        assert!(
            model.to_bytes() == bytes,
            "{file}: re-encoding changes the bytes"
        );
    }
}

#[test]
fn batch_prediction_equals_row_by_row_for_every_kind() {
    let data = common::synthetic(101, 5);
    for kind in ModelKind::ALL {
        let m = trained(kind, FeatureSet::all());
        let rows = m.raw_rows(&data.tracks);
        let batch = m.predict_batch(&rows);
        assert_eq!(batch.len(), rows.len());
        for (r, b) in rows.iter().zip(&batch) {
            assert_eq!(&m.predict_raw(r), b, "{kind:?}");
        }
    }
}

#[test]
fn a_trained_model_says_what_it_was_trained_on() {
    let m = small_forest();
    assert!(!m.meta.imported());
    let origin = m.meta.origin();
    assert!(origin.starts_with("Trained "), "{origin}");
    assert!(
        origin.ends_with(&format!(
            "on synthetic.csv ({} rows, seed {})",
            genre_core::text::count(m.meta.train_rows),
            m.meta.seed
        )),
        "{origin}"
    );
}

#[test]
fn holdout_and_metadata_survive() {
    let m = trained(ModelKind::GradientBoosting, FeatureSet::all());
    let back = TrainedModel::from_bytes(&m.to_bytes()).unwrap();
    assert_eq!(back.meta.name, "test model");
    assert_eq!(back.meta.data_file, "synthetic.csv");
    assert!(back.meta.holdout.as_ref().unwrap().accuracy > 0.6);
    assert_eq!(back.classes, vec!["techno", "Rap", "Emo"]);
    assert_eq!(back.features().len(), 13);
}

#[test]
fn info_is_what_the_decoded_model_says_for_every_kind() {
    for kind in ModelKind::ALL {
        let m = trained(kind, FeatureSet::all());
        let bytes = m.to_bytes();
        let info = read_info(&bytes).unwrap_or_else(|e| panic!("{kind:?}: {e}"));
        assert_eq!(info.meta, m.meta, "{kind:?}");
        assert_eq!(info.classes, m.classes, "{kind:?}");
        assert_eq!(&info.features, m.features(), "{kind:?}");
        assert_eq!(info.file_bytes, bytes.len());
    }
}

/// The info is read without decoding the estimator: a file whose trees are cut off (sealed
/// again with a valid length and checksum) still gives its info, while decoding it fails.
#[test]
fn info_does_not_decode_the_trees() {
    let m = small_forest();
    let bytes = m.to_bytes();
    let payload = &bytes[16..16 + (bytes.len() - 16) / 2];
    let mut cut = bytes[..8].to_vec();
    cut.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    cut.extend_from_slice(&crc32(payload).to_le_bytes());
    cut.extend_from_slice(payload);
    assert!(matches!(
        TrainedModel::from_bytes(&cut),
        Err(ModelFileError::Truncated { .. })
    ));
    let info = read_info(&cut).unwrap();
    assert_eq!(info.meta, m.meta);
    assert_eq!(info.classes, m.classes);
}

#[test]
fn info_refuses_what_decoding_refuses_in_the_header() {
    let mut bytes = small_forest().to_bytes();
    assert_eq!(read_info(&[]), Err(ModelFileError::Empty));
    assert_eq!(read_info(b"genre,tempo\n"), Err(ModelFileError::BadMagic));
    let i = bytes.len() / 2;
    bytes[i] ^= 0x10;
    assert!(matches!(
        read_info(&bytes),
        Err(ModelFileError::Checksum { .. })
    ));
}

#[test]
fn empty_file() {
    assert_eq!(TrainedModel::from_bytes(&[]), Err(ModelFileError::Empty));
}

#[test]
fn truncated_at_every_tenth() {
    let bytes = small_forest().to_bytes();
    for tenth in 1..10 {
        let cut = bytes.len() * tenth / 10;
        match TrainedModel::from_bytes(&bytes[..cut]) {
            Err(ModelFileError::Truncated { len, needed }) => {
                assert_eq!(len, cut);
                assert!(needed > cut);
            }
            other => panic!("cut at {cut}: {other:?}"),
        }
    }
    assert!(matches!(
        TrainedModel::from_bytes(&bytes[..2]),
        Err(ModelFileError::Truncated { .. })
    ));
}

#[test]
fn flipped_payload_byte_fails_the_checksum() {
    let mut bytes = small_forest().to_bytes();
    let i = bytes.len() / 2;
    bytes[i] ^= 0x10;
    assert!(matches!(
        TrainedModel::from_bytes(&bytes),
        Err(ModelFileError::Checksum { .. })
    ));
}

#[test]
fn newer_version_is_named() {
    let mut bytes = small_forest().to_bytes();
    bytes[4] = 9;
    let e = TrainedModel::from_bytes(&bytes).unwrap_err();
    assert_eq!(
        e,
        ModelFileError::NewerVersion {
            found: 9,
            supported: genre_core::format::FORMAT_VERSION
        }
    );
    // Our own models are still written as version 1 (only imported models need 2).
    assert_eq!(small_forest().to_bytes()[4..6], [1, 0]);
    assert!(e.to_string().contains("newer version"));
}

#[test]
fn csv_renamed_bin_is_not_a_model() {
    let csv = common::synthetic_csv(5, 1);
    assert_eq!(
        TrainedModel::from_bytes(csv.as_bytes()),
        Err(ModelFileError::BadMagic)
    );
    assert_eq!(
        TrainedModel::from_bytes(b"GLNX...."),
        Err(ModelFileError::BadMagic)
    );
}

#[test]
fn model_for_other_features_is_refused_for_data_without_them() {
    let m = trained(ModelKind::RandomForest, FeatureSet::all());
    let present = Feature::ORIGINAL_NINE.to_vec();
    match m.check_input(&present) {
        Err(ModelFileError::WrongFeatures { found, .. }) => {
            assert!(
                found.contains("missing from the data: danceability, key, mode, time_signature"),
                "{found}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(m.check_input(&Feature::ALL).is_ok());
}

/// Every single-byte change to the payload, with the checksum recomputed so the decoder has
/// to look at the content: an error or a model, never a panic or a huge allocation.
#[test]
fn any_corrupted_content_is_an_error_not_a_panic() {
    let m = trained(
        ModelKind::GradientBoosting,
        FeatureSet::new(vec![Feature::Energy, Feature::Tempo]).unwrap(),
    );
    let bytes = m.to_bytes();
    let mut corrupt_errors = 0;
    for i in 16..bytes.len() {
        for flip in [0x01u8, 0x80, 0xFF] {
            let mut b = bytes.clone();
            b[i] ^= flip;
            let crc = crc32(&b[16..]);
            b[12..16].copy_from_slice(&crc.to_le_bytes());
            if let Err(e) = TrainedModel::from_bytes(&b) {
                assert!(!e.to_string().is_empty());
                corrupt_errors += 1;
            }
        }
    }
    assert!(corrupt_errors > 0);
}

/// Training is a pure function of the data, the options and the settings: the same inputs give
/// the same file, for every kind, with and without SMOTE (whose synthetic rows must come out the
/// same too).
#[test]
fn training_twice_gives_the_same_bytes_for_every_kind() {
    use genre_core::train::Balance;
    let data = common::synthetic(400, 13);
    for balance in [Balance::None, Balance::Smote] {
        let options = TrainOptions {
            balance,
            ..TrainOptions::default()
        };
        for kind in ModelKind::ALL {
            let spec = ModelSpec::default_for(kind, 3);
            let once = || {
                let prep = prepare(&data, &options, "synthetic.csv").unwrap();
                common::fit(&prep, &spec, "twice").to_bytes()
            };
            assert_eq!(once(), once(), "{kind:?} with {balance:?}");
        }
    }
}
