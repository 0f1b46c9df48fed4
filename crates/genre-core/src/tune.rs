//! Auto-tuning: a random search over the boosted trees' and the forest's main settings, each
//! candidate scored by stratified k-fold cross-validation on the **training part only** (the
//! holdout is never seen, so the holdout figure of the chosen model stays honest). One slice
//! of validation rows would pick noise; k folds average it out.
//!
//! The core has no clock: the caller stops the search (a time budget) by returning `false`
//! from the per-trial callback, or cancels a trial through the flag. The first trial of each
//! model is its defaults, so the best found is never worse on cross-validation than what the
//! user would have trained anyway. Trials are a pure function of the seed and their index, so
//! a search is deterministic for a seed, whoever runs it (CLI, worker) and however it is cut.

use std::sync::atomic::AtomicBool;

use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::fitting::Progress;
use crate::model::ModelKind;
use crate::params::MaxFeatures;
use crate::rng::Rng;
use crate::rows::Rows;
use crate::text::percent;
use crate::train::{train_model, ModelSpec, Prepared};
use crate::tree::boost::BoostParams;
use crate::tree::forest::ForestParams;

/// What a search covers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TuneOptions {
    /// The models searched, taking turns trial by trial.
    pub models: Vec<ModelKind>,
    /// Cross-validation folds (at least 2).
    pub folds: usize,
    /// The search's seed: the folds and every trial's settings follow from it.
    pub seed: u64,
}

impl Default for TuneOptions {
    fn default() -> Self {
        TuneOptions {
            models: vec![ModelKind::GradientBoosting, ModelKind::RandomForest],
            folds: 3,
            seed: 42,
        }
    }
}

/// One scored candidate.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Trial {
    /// 0-based, in search order.
    pub index: usize,
    pub spec: ModelSpec,
    /// Mean accuracy over the folds.
    pub cv_accuracy: f64,
    pub fold_accuracy: Vec<f64>,
}

impl Trial {
    /// A candidate scored on its folds; its CV accuracy is their mean.
    pub fn scored(index: usize, spec: ModelSpec, fold_accuracy: Vec<f64>) -> Trial {
        let n = fold_accuracy.len().max(1) as f64;
        Trial {
            index,
            spec,
            cv_accuracy: fold_accuracy.iter().sum::<f64>() / n,
            fold_accuracy,
        }
    }
}

/// The trials so far, best first.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Leaderboard {
    pub trials: Vec<Trial>,
}

impl Leaderboard {
    /// Keeps the board sorted: higher CV accuracy first, the earlier trial (lower index) first
    /// on a tie, whatever order the trials arrive in (workers finish them out of order), so
    /// the same finished trials always make the same board and the same best.
    pub fn add(&mut self, trial: Trial) {
        let at = self
            .trials
            .iter()
            .position(|t| {
                trial.cv_accuracy > t.cv_accuracy
                    || (trial.cv_accuracy == t.cv_accuracy && trial.index < t.index)
            })
            .unwrap_or(self.trials.len());
        self.trials.insert(at, trial);
    }

    pub fn best(&self) -> Option<&Trial> {
        self.trials.first()
    }

    /// The trial to train: the first trial (the first model's defaults: what training without
    /// a search gives), unless the best trial beats it by more than the noise, that is by more
    /// than one standard error of their per-fold differences (the folds are the same for every
    /// trial, so the differences are paired). A search of many trials always finds one a little
    /// ahead on cross-validation by chance, and on the bundled data such a "winner" by 0.1
    /// point lost 0.4 on the holdout; the defaults are kept unless something is clearly better.
    pub fn choice(&self) -> Option<&Trial> {
        let best = self.best()?;
        let Some(reference) = self.trials.iter().find(|t| t.index == 0) else {
            return Some(best);
        };
        let diffs: Vec<f64> = best
            .fold_accuracy
            .iter()
            .zip(&reference.fold_accuracy)
            .map(|(a, b)| a - b)
            .collect();
        let k = diffs.len() as f64;
        if diffs.len() < 2 {
            return Some(reference);
        }
        let mean = diffs.iter().sum::<f64>() / k;
        let var = diffs.iter().map(|d| (d - mean).powi(2)).sum::<f64>() / (k - 1.0);
        let se = (var / k).sqrt();
        Some(if mean > se { best } else { reference })
    }
}

/// Folds when the caller does not choose: 3 for large training parts, 5 below
/// [`SMALL_DATA_ROWS`], where one fold's noise is large next to the differences between
/// settings. The CLI's `tune` and the Train page's search both use it.
pub fn default_folds(train_rows: usize) -> usize {
    if train_rows < SMALL_DATA_ROWS {
        5
    } else {
        3
    }
}

/// Below this many training rows a search uses 5 folds ([`default_folds`]).
pub const SMALL_DATA_ROWS: usize = 10_000;

/// Stratified k folds of the rows `0..labels.len()`: each class's rows shuffled, then dealt
/// to the folds in turn, so every fold keeps the class proportions. Each fold sorted.
pub fn stratified_folds(labels: &[usize], k: usize, seed: u64) -> Vec<Vec<usize>> {
    let n_classes = labels.iter().max().map_or(0, |&m| m + 1);
    let mut by_class = vec![Vec::new(); n_classes];
    for (i, &c) in labels.iter().enumerate() {
        by_class[c].push(i);
    }
    let mut folds = vec![Vec::new(); k];
    let mut next = 0;
    for (c, rows) in by_class.iter_mut().enumerate() {
        Rng::derive(seed, c as u64).shuffle(rows);
        for &r in rows.iter() {
            folds[next % k].push(r);
            next += 1;
        }
    }
    folds.iter_mut().for_each(|f| f.sort_unstable());
    folds
}

/// The `index`-th candidate of a search: the model's defaults for its first turn, then random
/// settings around them. A function of `(seed, index)` only.
pub fn candidate(options: &TuneOptions, index: usize) -> ModelSpec {
    let kind = options.models[index % options.models.len()];
    let turn = index / options.models.len();
    let seed = options.seed;
    if turn == 0 {
        return ModelSpec::default_for(kind, seed);
    }
    let mut rng = Rng::derive(seed ^ 0x7475_6e65, index as u64);
    let mut pick = |values: &[f64]| values[rng.below(values.len())];
    match kind {
        ModelKind::RandomForest => ModelSpec::Forest(
            ForestParams::default()
                .seed(seed)
                .n_trees(pick(&[100.0, 200.0, 300.0]) as usize)
                .max_depth(match pick(&[0.0, 12.0, 20.0, 30.0]) as usize {
                    0 => None,
                    d => Some(d),
                })
                .min_samples_leaf(pick(&[1.0, 2.0, 3.0, 5.0, 8.0]) as usize)
                .max_features(match pick(&[0.0, 2.0, 4.0, 6.0]) as usize {
                    0 => MaxFeatures::Sqrt,
                    n => MaxFeatures::Count(n),
                }),
        ),
        // Boosting, and any other model asked for: the booster's space.
        _ => ModelSpec::Boost(
            BoostParams::default()
                .seed(seed)
                .learning_rate(pick(&[0.02, 0.03, 0.05, 0.08, 0.12]))
                .max_leaves(pick(&[7.0, 15.0, 31.0, 63.0, 127.0]) as usize)
                .max_rounds(2000)
                .min_data_in_leaf(pick(&[5.0, 10.0, 20.0, 40.0, 80.0]) as usize)
                .lambda(pick(&[0.0, 0.5, 1.0, 3.0, 10.0]))
                .feature_fraction(pick(&[0.5, 0.7, 0.8, 1.0]))
                .row_fraction(pick(&[0.6, 0.8, 1.0])),
        ),
    }
}

/// What a tuned model's file records after its settings line (which names every searched
/// setting, [`ModelSpec::settings`]): that a search chose them, and its score.
pub fn tuned_note(trial: &Trial, folds: usize) -> String {
    format!(
        "; auto-tuned (trial {}, {}-fold CV accuracy {} on the training part)",
        trial.index + 1,
        folds,
        percent(trial.cv_accuracy)
    )
}

fn check_options(options: &TuneOptions) -> Result<(), TrainError> {
    if options.models.is_empty() {
        return Err(TrainError::InvalidParam {
            name: "models".into(),
            value: "none".into(),
            expected: "at least one model to tune".into(),
        });
    }
    if options.folds < 2 {
        return Err(TrainError::InvalidParam {
            name: "folds".into(),
            value: options.folds.to_string(),
            expected: "at least 2 folds".into(),
        });
    }
    Ok(())
}

/// One trial on its own, as a worker runs it: candidate `index` of `options`, cross-validated
/// on `prep`'s training part with the search's folds. The same trial [`tune`] runs at `index`,
/// so trials can run anywhere, in any order, and a board of them is the same board.
pub fn run_trial(
    prep: &Prepared,
    options: &TuneOptions,
    index: usize,
    cancel: &AtomicBool,
) -> Result<Trial, TrainError> {
    check_options(options)?;
    let folds = stratified_folds(&prep.train_y, options.folds, options.seed);
    let spec = candidate(options, index);
    let fold_accuracy = cross_validate(prep, &spec, &folds, cancel)?;
    Ok(Trial::scored(index, spec, fold_accuracy))
}

/// Accuracy of `spec` on each fold, trained on the other folds of `prep`'s training part.
pub fn cross_validate(
    prep: &Prepared,
    spec: &ModelSpec,
    folds: &[Vec<usize>],
    cancel: &AtomicBool,
) -> Result<Vec<f64>, TrainError> {
    let mut scores = Vec::with_capacity(folds.len());
    for (f, fold) in folds.iter().enumerate() {
        let mut held = vec![false; prep.train_x.len()];
        fold.iter().for_each(|&i| held[i] = true);
        let part = |keep: bool| {
            Rows::with_classes(
                prep.train_x.width(),
                (0..held.len())
                    .filter(|&i| held[i] != keep)
                    .map(|i| (&prep.train_x[i], prep.train_y[i])),
            )
        };
        let (train_x, train_y) = part(true);
        let (test_x, test_y) = part(false);
        let fold_prep = Prepared {
            train_x,
            train_y,
            test_rows: vec![0; test_y.len()],
            test_x,
            test_y,
            ..prep.clone()
        };
        let (_, metrics) = train_model(
            &fold_prep,
            spec,
            &format!("fold {}", f + 1),
            "",
            &mut |_: Progress| {},
            cancel,
        )?;
        scores.push(metrics.accuracy);
    }
    Ok(scores)
}

/// Runs trials until `on_trial` (told each finished trial and the board) returns `false` or
/// `max_trials` are done. A cancelled trial ends the search with what was finished before it.
pub fn tune(
    prep: &Prepared,
    options: &TuneOptions,
    max_trials: usize,
    on_trial: &mut dyn FnMut(&Trial, &Leaderboard) -> bool,
    cancel: &AtomicBool,
) -> Result<Leaderboard, TrainError> {
    check_options(options)?;
    let folds = stratified_folds(&prep.train_y, options.folds, options.seed);
    let mut board = Leaderboard::default();
    for index in 0..max_trials {
        let spec = candidate(options, index);
        let fold_accuracy = match cross_validate(prep, &spec, &folds, cancel) {
            Ok(s) => s,
            Err(TrainError::Cancelled) if !board.trials.is_empty() => break,
            Err(e) => return Err(e),
        };
        let trial = Trial::scored(index, spec, fold_accuracy);
        board.add(trial.clone());
        if !on_trial(&trial, &board) {
            break;
        }
    }
    Ok(board)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::train::TrainOptions;
    use linfa::ParamGuard;

    /// Three separable classes in two features, with some overlap.
    fn prepared(n: usize) -> Prepared {
        let mut rng = Rng::new(7);
        let mut x = Vec::new();
        let mut y = Vec::new();
        for i in 0..n {
            let c = i % 3;
            x.push(vec![
                c as f64 + rng.normal() * 0.6,
                (2 - c) as f64 + rng.normal() * 0.6,
            ]);
            y.push(c);
        }
        let options = TrainOptions {
            features: crate::feature::FeatureSet::new(vec![
                crate::feature::Feature::Energy,
                crate::feature::Feature::Tempo,
            ])
            .unwrap(),
            ..TrainOptions::default()
        };
        Prepared {
            options,
            data_file: "synthetic".into(),
            classes: vec!["a".into(), "b".into(), "c".into()],
            train_x: Rows::from_rows(2, x),
            train_y: y,
            test_x: Rows::from_rows(2, [[0.0, 2.0]]),
            test_y: vec![0],
            test_rows: vec![0],
            corrections: Default::default(),
        }
    }

    #[test]
    fn folds_partition_the_rows_and_keep_class_shares() {
        let labels: Vec<usize> = (0..100).map(|i| if i % 4 == 0 { 1 } else { 0 }).collect();
        let folds = stratified_folds(&labels, 5, 3);
        let mut all: Vec<usize> = folds.concat();
        all.sort_unstable();
        assert_eq!(
            all,
            (0..100).collect::<Vec<_>>(),
            "each row in exactly one fold"
        );
        for f in &folds {
            assert_eq!(f.len(), 20);
            assert_eq!(f.iter().filter(|&&i| labels[i] == 1).count(), 5, "{f:?}");
        }
        assert_ne!(folds, stratified_folds(&labels, 5, 4), "the seed matters");
    }

    #[test]
    fn first_turn_is_the_defaults_then_the_seed_decides() {
        let o = TuneOptions::default();
        assert_eq!(
            candidate(&o, 0),
            ModelSpec::default_for(ModelKind::GradientBoosting, o.seed)
        );
        assert_eq!(
            candidate(&o, 1),
            ModelSpec::default_for(ModelKind::RandomForest, o.seed)
        );
        assert_eq!(candidate(&o, 5), candidate(&o, 5));
        let other = TuneOptions {
            seed: 9,
            ..o.clone()
        };
        assert_ne!(candidate(&o, 5), candidate(&other, 5));
        for i in 0..40 {
            let spec = candidate(&o, i);
            let checked = match &spec {
                ModelSpec::Boost(p) => p.check_ref().map(|_| ()),
                ModelSpec::Forest(p) => p.check_ref().map(|_| ()),
                _ => panic!("only the two tuned models: {spec:?}"),
            };
            assert!(checked.is_ok(), "trial {i}: {spec:?}");
        }
    }

    #[test]
    fn search_is_deterministic_stops_when_told_and_never_touches_the_holdout() {
        let prep = prepared(240);
        let never = AtomicBool::new(false);
        let options = TuneOptions {
            models: vec![ModelKind::RandomForest],
            folds: 3,
            seed: 5,
        };
        let mut seen = Vec::new();
        let a = tune(
            &prep,
            &options,
            3,
            &mut |t, _| {
                seen.push(t.index);
                true
            },
            &never,
        )
        .unwrap();
        assert_eq!(seen, vec![0, 1, 2]);
        let b = tune(&prep, &options, 3, &mut |_, _| true, &never).unwrap();
        assert_eq!(a, b, "same seed, same board");
        assert!(a
            .trials
            .windows(2)
            .all(|w| w[0].cv_accuracy >= w[1].cv_accuracy));
        assert!(a.best().unwrap().cv_accuracy > 0.6, "{:?}", a.best());
        // A different holdout changes nothing: only the training part is folded.
        let mut other = prep.clone();
        other.test_x = Rows::from_rows(2, [[9.0, 9.0]; 5]);
        other.test_y = vec![2; 5];
        other.test_rows = vec![0; 5];
        assert_eq!(
            tune(&other, &options, 3, &mut |_, _| true, &never).unwrap(),
            a
        );
        // The callback stops the search.
        let one = tune(&prep, &options, 10, &mut |_, _| false, &never).unwrap();
        assert_eq!(one.trials.len(), 1);
    }

    #[test]
    fn a_trial_alone_is_the_searchs_trial_and_the_board_ignores_arrival_order() {
        let prep = prepared(150);
        let never = AtomicBool::new(false);
        let options = TuneOptions {
            models: vec![ModelKind::RandomForest],
            folds: 3,
            seed: 11,
        };
        let board = tune(&prep, &options, 3, &mut |_, _| true, &never).unwrap();
        let mut alone: Vec<Trial> = (0..3)
            .map(|i| run_trial(&prep, &options, i, &never).unwrap())
            .collect();
        // Arrival order does not matter: the board sorts by score, then by trial index.
        alone.reverse();
        let mut reordered = Leaderboard::default();
        alone.into_iter().for_each(|t| reordered.add(t));
        assert_eq!(reordered, board);
        let tie = |index| Trial::scored(index, candidate(&options, index), vec![0.5]);
        let mut late_first = Leaderboard::default();
        late_first.add(tie(7));
        late_first.add(tie(2));
        assert_eq!(
            late_first.best().unwrap().index,
            2,
            "a tie goes to the earlier trial"
        );
        assert!(run_trial(
            &prep,
            &TuneOptions {
                folds: 1,
                ..options.clone()
            },
            0,
            &never
        )
        .is_err());
    }

    #[test]
    fn the_settings_line_names_every_searched_setting() {
        let o = TuneOptions::default();
        let boost = candidate(&o, 0).settings();
        assert_eq!(
            boost,
            "learning rate 0.05, 31 leaves, up to 600 rounds (early stopping after 40), \
             rows 80.0%, features 80.0% per tree, L2 1, min 20 rows per leaf"
        );
        let forest = candidate(&o, 1).settings();
        assert_eq!(
            forest,
            "60 trees, √ of the features per split, max depth 12, min 4 rows per leaf"
        );
        let trial = Trial::scored(4, candidate(&o, 4), vec![0.5, 0.7]);
        assert!((trial.cv_accuracy - 0.6).abs() < 1e-12);
        let note = tuned_note(&trial, 2);
        assert!(
            note == "; auto-tuned (trial 5, 2-fold CV accuracy 60.0% on the training part)",
            "{note}"
        );
    }

    #[test]
    fn the_choice_keeps_the_defaults_unless_clearly_beaten() {
        let spec = ModelSpec::default_for(ModelKind::GradientBoosting, 1);
        let trial = |index, folds: &[f64]| Trial {
            index,
            spec: spec.clone(),
            cv_accuracy: folds.iter().sum::<f64>() / folds.len() as f64,
            fold_accuracy: folds.to_vec(),
        };
        let board = |trials: Vec<Trial>| {
            let mut b = Leaderboard::default();
            trials.into_iter().for_each(|t| b.add(t));
            b
        };
        // The bundled data's case: +0.13 points on average, one fold against.
        let close = board(vec![
            trial(0, &[0.656, 0.673, 0.665]),
            trial(1, &[0.629, 0.637, 0.633]),
            trial(6, &[0.662, 0.675, 0.661]),
        ]);
        assert_eq!(close.best().unwrap().index, 6);
        assert_eq!(
            close.choice().unwrap().index,
            0,
            "within the noise: the defaults"
        );
        // Ahead on every fold by about the same: clearly better.
        let clear = board(vec![
            trial(0, &[0.60, 0.61, 0.62]),
            trial(1, &[0.58, 0.59, 0.60]),
            trial(4, &[0.615, 0.622, 0.633]),
        ]);
        assert_eq!(clear.choice().unwrap().index, 4);
        // The reference is the first model's defaults, another model's defaults are a candidate.
        let second = board(vec![
            trial(0, &[0.60, 0.61, 0.62]),
            trial(1, &[0.603, 0.607, 0.625]),
            trial(2, &[0.50, 0.52, 0.51]),
        ]);
        assert_eq!(second.best().unwrap().index, 1);
        assert_eq!(second.choice().unwrap().index, 0);
        assert_eq!(Leaderboard::default().choice(), None);
    }

    #[test]
    fn a_cancelled_search_keeps_what_it_finished() {
        let prep = prepared(120);
        let cancel = AtomicBool::new(false);
        let options = TuneOptions {
            models: vec![ModelKind::RandomForest],
            ..TuneOptions::default()
        };
        let board = tune(
            &prep,
            &options,
            10,
            &mut |_, _| {
                cancel.store(true, std::sync::atomic::Ordering::Relaxed);
                true
            },
            &cancel,
        )
        .unwrap();
        assert_eq!(
            board.trials.len(),
            1,
            "the trial after the cancel is dropped"
        );
        assert_eq!(
            tune(&prep, &options, 10, &mut |_, _| true, &cancel),
            Err(TrainError::Cancelled),
            "cancelled before any trial finished"
        );
    }
}
