//! Property tests: any model the trainer makes decodes to an identical model, and the tree
//! explanations always add up to the model's output.

mod common;

use std::sync::atomic::AtomicBool;

use genre_core::feature::FeatureSet;
use genre_core::ingest::{read_csv, IngestOptions};
use genre_core::model::{Estimator, ModelKind, TrainedModel};
use genre_core::train::{prepare, train_model, ModelSpec, TrainOptions};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig::with_cases(24))]

    #[test]
    fn trained_models_round_trip(seed in 0u64..1000, n in 30usize..120, kind_i in 0usize..3, trees in 1usize..6) {
        let kind = [ModelKind::RandomForest, ModelKind::GradientBoosting, ModelKind::Bagging][kind_i];
        let data = read_csv(common::synthetic_csv(n, seed).as_bytes(), &IngestOptions::for_training()).unwrap();
        let options = TrainOptions { features: FeatureSet::all(), seed, ..TrainOptions::default() };
        let prep = prepare(&data, &options, "p.csv").unwrap();
        let mut spec = ModelSpec::default_for(kind, seed);
        match &mut spec {
            ModelSpec::Forest(p) => *p = p.clone().n_trees(trees),
            ModelSpec::Bagging(p) => *p = p.clone().n_trees(trees),
            ModelSpec::Boost(p) => *p = p.clone().max_rounds(trees * 3).min_data_in_leaf(3),
            _ => {}
        }
        let (model, _) = train_model(&prep, &spec, "m", "d", &mut |_| {}, &AtomicBool::new(false)).unwrap();
        let back = TrainedModel::from_bytes(&model.to_bytes()).unwrap();
        prop_assert_eq!(&back, &model);

        // Explanations: bias + contributions = output (probability or raw score).
        let Estimator::Trees(ens) = &model.estimator else { unreachable!("tree models only") };
        for t in data.tracks.iter().take(10) {
            let raw = model.features().select(&t.values);
            let p = model.predict_raw(&raw);
            let e = model.explain_raw(&raw, p.class).unwrap();
            let total = e.bias + e.contributions.iter().sum::<f64>();
            prop_assert!((total - e.output).abs() < 1e-5);
            let x = model.preprocessor.transform(&raw);
            let mut out = vec![0.0f32; model.n_classes()];
            match kind {
                ModelKind::GradientBoosting => ens.raw_scores_into(&x, &mut out),
                _ => ens.predict_proba_into(&x, &mut out),
            }
            prop_assert!((e.output - out[p.class] as f64).abs() < 1e-5, "{} vs {}", e.output, out[p.class]);
        }
    }
}
