//! A forest (or bagging) trained in shares of its trees, one per web worker, and scored on the
//! holdout in those shares too: each share comes with the leaves its trees give the holdout
//! rows ([`ShareLeaves`]), so the worker that merges the shares only adds leaf values up and
//! never walks the trees again. The model and its figures are those of [`finish`] on the forest
//! one run trains, bit for bit.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use super::{
    fit_estimator, merge_estimators, scored, unscored_model, ModelSpec, Prepared, Progress,
    TrainingSet,
};
use crate::error::TrainError;
use crate::metrics::Metrics;
use crate::model::{argmax, Estimator, TrainedModel};
use crate::tree::leaves::{forest_probabilities, LeavesMismatch, ShareLeaves};

#[cfg(doc)]
use super::finish;

/// Some of a forest's trees and the leaves they give the holdout rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainedShare {
    pub estimator: Estimator,
    pub holdout: ShareLeaves,
}

/// Why shares cannot be made into one model.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum ShareMismatch {
    #[error("there is no share to merge")]
    NoShare,
    #[error("a share holds no trees")]
    NotTrees,
    #[error(transparent)]
    Leaves(#[from] LeavesMismatch),
}

/// Trains trees `trees` of the forest or bagging `spec` and walks them on the holdout rows.
pub fn fit_share(
    prep: &Prepared,
    stage: &TrainingSet,
    spec: &ModelSpec,
    trees: Range<usize>,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<TrainedShare, TrainError> {
    if !matches!(spec, ModelSpec::Forest(_) | ModelSpec::Bagging(_)) {
        return Err(TrainError::InvalidParam {
            name: "share".into(),
            value: format!(
                "{}..{} of a {}",
                trees.start,
                trees.end,
                spec.kind().label()
            ),
            expected: "a share of a random forest's or bagging's trees".into(),
        });
    }
    let n_classes = prep.classes.len();
    let estimator = fit_estimator(stage, n_classes, spec, Some(trees), progress, cancel)?;
    let Estimator::Trees(ensemble) = &estimator else {
        unreachable!("forests and bagging fit trees");
    };
    // The holdout as the model reads it (`TrainedModel::predict_classes`' preprocessing).
    let width = stage.preprocessor.features.len();
    let values = stage.holdout_values(prep);
    let rows: Vec<&[f64]> = match width {
        0 => vec![&[]; prep.test_x.len()],
        _ => values.chunks_exact(width).collect(),
    };
    let holdout = ShareLeaves::of(ensemble, &rows);
    Ok(TrainedShare { estimator, holdout })
}

/// Merges `shares` (in share order) into the model and scores it on the holdout from their
/// leaves: what [`finish`] gives for the forest one run trains.
pub fn finish_shares(
    prep: &Prepared,
    stage: &TrainingSet,
    spec: &ModelSpec,
    shares: Vec<TrainedShare>,
    name: &str,
    trained_at: &str,
) -> Result<(TrainedModel, Metrics), ShareMismatch> {
    let (estimators, leaves): (Vec<Estimator>, Vec<ShareLeaves>) =
        shares.into_iter().map(|s| (s.estimator, s.holdout)).unzip();
    if estimators.is_empty() {
        return Err(ShareMismatch::NoShare);
    }
    if !estimators.iter().all(|e| matches!(e, Estimator::Trees(_))) {
        return Err(ShareMismatch::NotTrees);
    }
    let merged = merge_estimators(estimators).ok_or(ShareMismatch::NoShare)?;
    let Estimator::Trees(forest) = &merged else {
        unreachable!("merged from trees");
    };
    let k = prep.classes.len();
    let probabilities = forest_probabilities(forest, &leaves)?;
    if probabilities.len() != prep.test_y.len() * k {
        return Err(LeavesMismatch::Rows {
            found: probabilities.len() / k.max(1),
            rows: prep.test_y.len(),
        }
        .into());
    }
    let predicted: Vec<usize> = probabilities.chunks_exact(k.max(1)).map(argmax).collect();
    let metrics = Metrics::compute(&prep.test_y, &predicted, k);
    let model = unscored_model(prep, stage, spec, merged, name, trained_at);
    Ok(scored(model, metrics, prep))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::feature::FeatureSet;
    use crate::ingest::{read_csv, IngestOptions};
    use crate::model::ModelKind;
    use crate::train::{build_training_set, finish, prepare, TrainOptions};
    use crate::tree::forest::{BaggingParams, ForestParams};

    fn bundled_sample() -> Prepared {
        // Every 6th row of the bundled data: 15 genres, enough rows for deep trees.
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/genres_v2.csv");
        let text = std::fs::read_to_string(path).unwrap();
        let csv: String = text
            .lines()
            .enumerate()
            .filter(|(i, _)| i % 6 == 0)
            .map(|(_, l)| format!("{l}\n"))
            .collect();
        let data = read_csv(csv.as_bytes(), &IngestOptions::for_training()).unwrap();
        let options = TrainOptions {
            features: FeatureSet::all(),
            ..TrainOptions::default()
        };
        prepare(&data, &options, "sample.csv").unwrap()
    }

    #[test]
    fn shares_scored_apart_make_the_model_and_figures_of_one_run() {
        let prep = bundled_sample();
        let stage = build_training_set(&prep, ModelKind::RandomForest).unwrap();
        let never = AtomicBool::new(false);
        let specs = [
            ModelSpec::Forest(ForestParams::default().n_trees(9)),
            ModelSpec::Bagging(BaggingParams::default().n_trees(3)),
        ];
        for spec in specs {
            let n = spec.work_units();
            let whole = fit_estimator(&stage, prep.classes.len(), &spec, None, &mut |_| {}, &never)
                .unwrap();
            let (_, metrics) = finish(&prep, &stage, &spec, whole, "m", "today");
            let cuts = [0, n / 3, n];
            let shares = cuts
                .windows(2)
                .map(|w| fit_share(&prep, &stage, &spec, w[0]..w[1], &mut |_| {}, &never))
                .collect::<Result<Vec<_>, _>>()
                .unwrap();
            // The model of the shares' trees merged and scored by walking them.
            let merged = merge_estimators(shares.iter().map(|s| s.estimator.clone()).collect());
            let (model, walked) = finish(&prep, &stage, &spec, merged.unwrap(), "m", "today");
            assert_eq!(walked, metrics, "{}", spec.settings());
            let (from_shares, figures) =
                finish_shares(&prep, &stage, &spec, shares, "m", "today").unwrap();
            assert_eq!(figures, metrics, "{}", spec.settings());
            // (Not assert_eq: a forest's debug text is megabytes.)
            assert!(from_shares == model, "{}", spec.settings());
            assert!(from_shares.to_bytes() == model.to_bytes());
        }
    }

    #[test]
    fn a_training_set_preprocesses_its_holdout_once_for_every_share() {
        use crate::rows::Rows;
        use std::borrow::Cow;

        let prep = bundled_sample();
        let stage = build_training_set(&prep, ModelKind::RandomForest).unwrap();
        let fresh = stage.preprocessor.transform_rows(prep.test_x.iter());
        assert!(!fresh.is_empty());
        let first = stage.holdout_values(&prep);
        assert!(
            matches!(first, Cow::Borrowed(_)),
            "kept from the first call"
        );
        assert_eq!(*first, fresh[..]);
        assert!(matches!(stage.holdout_values(&prep), Cow::Borrowed(_)));
        // A split with another number of holdout rows gets its own rows, not the kept ones.
        let mut fewer = prep.clone();
        fewer.test_x = Rows::from_rows(prep.test_x.width(), prep.test_x.iter().take(5));
        let own = stage.holdout_values(&fewer);
        assert!(matches!(own, Cow::Owned(_)));
        assert_eq!(*own, fresh[..5 * prep.test_x.width()]);
    }

    #[test]
    fn the_bins_a_training_set_keeps_grow_the_trees_binning_anew_grows() {
        use crate::fitting::{Progress, Training};
        use crate::tree::flat::TreeEnsemble;
        use linfa::prelude::Fit;
        use linfa::ParamGuard;

        let prep = bundled_sample();
        let stage = build_training_set(&prep, ModelKind::RandomForest).unwrap();
        let never = AtomicBool::new(false);
        let params = ForestParams::default().n_trees(4);
        let valid = params.check_ref().unwrap();
        let k = prep.classes.len();
        let fit = |set: &crate::train::TrainingSet, kept: bool| -> TreeEnsemble {
            let mut quiet = |_: Progress| {};
            let training = Training::new(valid, k, &mut quiet, &never);
            let training = match kept {
                true => training.binned(Some(stage.binned())),
                false => training,
            };
            training.fit(&set.dataset()).unwrap()
        };
        let anew = fit(&stage, false);
        assert!(stage.binned.built().is_none(), "made only when asked for");
        assert!(fit(&stage, true) == anew);
        assert!(stage.binned.built().is_some());
        // Bins of another set are not used for this one.
        let half = stage.every_nth(2);
        assert!(fit(&half, true) == fit(&half, false));
    }

    #[test]
    fn shares_that_do_not_fit_together_are_refused() {
        let prep = bundled_sample();
        let stage = build_training_set(&prep, ModelKind::RandomForest).unwrap();
        let never = AtomicBool::new(false);
        let spec = ModelSpec::Forest(ForestParams::default().n_trees(2));
        let share = |r| fit_share(&prep, &stage, &spec, r, &mut |_| {}, &never).unwrap();
        let (a, b) = (share(0..1), share(1..2));
        let merge = |shares| finish_shares(&prep, &stage, &spec, shares, "m", "");
        assert_eq!(merge(vec![]).unwrap_err(), ShareMismatch::NoShare);
        // A share whose leaves are another holdout's.
        let mut fewer = prep.clone();
        fewer.test_x = crate::rows::Rows::new(prep.test_x.width());
        fewer.test_y.clear();
        let stray = fit_share(&fewer, &stage, &spec, 1..2, &mut |_| {}, &never).unwrap();
        assert!(matches!(
            merge(vec![a.clone(), stray]),
            Err(ShareMismatch::Leaves(LeavesMismatch::Rows { .. }))
        ));
        assert!(merge(vec![a, b]).is_ok());
        let knn = ModelSpec::default_for(ModelKind::Knn, 1);
        assert!(matches!(
            fit_share(&prep, &stage, &knn, 0..1, &mut |_| {}, &never),
            Err(TrainError::InvalidParam { .. })
        ));
    }
}
