//! The honest pipeline: labelled tracks -> stratified split -> preprocessing fitted on the
//! training part -> optional balancing of the training part -> model -> holdout metrics.
//! Every step is a public function so that the browser can run one step per worker message
//! (and split a forest's trees across workers) with exactly the code the CLI runs.

use std::ops::Range;
use std::sync::atomic::AtomicBool;

use linfa::dataset::{DatasetBase, DatasetView};
use linfa::traits::Fit;
use linfa::ParamGuard;
use ndarray::{Array1, Array2, Ix1};
use serde::{Deserialize, Serialize};

use crate::corrections::Correction;
use crate::dtree::TreeParams;
use crate::error::TrainError;
use crate::feature::FeatureSet;
pub use crate::fitting::Progress;
use crate::fitting::Training;
use crate::format::quantize;
use crate::ingest::Ingested;
use crate::knn::KnnParams;
use crate::metrics::Metrics;
use crate::model::{Estimator, Holdout, ModelKind, ModelMeta, TrainedModel};
use crate::params::MaxFeatures;
use crate::preprocess::Preprocessor;
use crate::rows::Rows;
use crate::smote::{smote, SMOTE_K};
use crate::split::{stratified_split, Split, DEFAULT_SEED, DEFAULT_TEST_FRACTION};
use crate::svc::SvcParams;
use crate::text::percent;
use crate::tree::binning::{BinMapper, BinnedColumns};
use crate::tree::boost::BoostParams;
use crate::tree::flat::TreeEnsemble;
use crate::tree::forest::{merge_forests, BaggingParams, ForestParams, ForestValidParams};
use crate::tree::nodes::BuiltOnce;

mod blockers;
mod protocol;
mod settings;
mod shares;
pub use blockers::{blockers, Blocker, SetAside, MIN_ROWS_TO_SPLIT};
pub use protocol::{why_they_differ, Leakage, Protocol};
pub use shares::{finish_shares, fit_share, ShareMismatch, TrainedShare};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Balance {
    None,
    /// SMOTE (k = 5) on the training part only.
    Smote,
    /// Weights inversely proportional to class frequency.
    ClassWeights,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TrainOptions {
    pub features: FeatureSet,
    pub cap_outliers: bool,
    pub balance: Balance,
    pub test_fraction: f64,
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            features: FeatureSet::original_nine(),
            cap_outliers: true,
            balance: Balance::None,
            test_fraction: DEFAULT_TEST_FRACTION,
            seed: DEFAULT_SEED,
        }
    }
}

/// A model to train, with its hyper-parameters.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum ModelSpec {
    Forest(ForestParams),
    Boost(BoostParams),
    Bagging(BaggingParams),
    Knn(KnnParams),
    Tree(TreeParams),
    Svc(SvcParams),
}

impl ModelSpec {
    pub fn default_for(kind: ModelKind, seed: u64) -> ModelSpec {
        match kind {
            ModelKind::RandomForest => ModelSpec::Forest(ForestParams::default().seed(seed)),
            ModelKind::GradientBoosting => ModelSpec::Boost(BoostParams::default().seed(seed)),
            ModelKind::Bagging => ModelSpec::Bagging(BaggingParams::default().seed(seed)),
            ModelKind::Knn => ModelSpec::Knn(KnnParams::default()),
            ModelKind::DecisionTree => ModelSpec::Tree(TreeParams::default()),
            ModelKind::Svc => ModelSpec::Svc(SvcParams::default().seed(seed)),
        }
    }

    /// The original report's model of this kind: scikit-learn's defaults, which the report
    /// protocol's comparison trains under both protocols. Only the forest's differ from ours
    /// (fully grown trees, [`ForestParams::fully_grown`]).
    pub fn report_model(kind: ModelKind, seed: u64) -> ModelSpec {
        match kind {
            ModelKind::RandomForest => ModelSpec::Forest(ForestParams::fully_grown().seed(seed)),
            _ => ModelSpec::default_for(kind, seed),
        }
    }

    pub fn kind(&self) -> ModelKind {
        match self {
            ModelSpec::Forest(_) => ModelKind::RandomForest,
            ModelSpec::Boost(_) => ModelKind::GradientBoosting,
            ModelSpec::Bagging(_) => ModelKind::Bagging,
            ModelSpec::Knn(_) => ModelKind::Knn,
            ModelSpec::Tree(_) => ModelKind::DecisionTree,
            ModelSpec::Svc(_) => ModelKind::Svc,
        }
    }

    /// Units of progress the model reports (trees, rounds or epochs).
    pub fn work_units(&self) -> usize {
        match self {
            ModelSpec::Forest(ForestParams(p)) | ModelSpec::Bagging(BaggingParams(p)) => {
                p.n_trees()
            }
            ModelSpec::Boost(p) => p.0.max_rounds(),
            ModelSpec::Svc(p) => p.0.epochs(),
            _ => 1,
        }
    }

    /// The settings in words, the one wording of them: the model file's settings line, the
    /// auto-tune leaderboard (every setting the search varies) and the CLI's tables.
    pub fn settings(&self) -> String {
        match self {
            ModelSpec::Forest(ForestParams(p)) | ModelSpec::Bagging(BaggingParams(p)) => format!(
                "{} trees, {} per split, max depth {}, min {} per leaf",
                p.n_trees(),
                match p.max_features() {
                    MaxFeatures::Sqrt => "√ of the features".to_string(),
                    MaxFeatures::All => "all features".to_string(),
                    MaxFeatures::Count(1) => "1 feature".to_string(),
                    MaxFeatures::Count(n) => format!("{n} features"),
                },
                depth_text(p.max_depth()),
                match p.min_samples_leaf() {
                    1 => "1 row".to_string(),
                    n => format!("{n} rows"),
                }
            ),
            ModelSpec::Boost(BoostParams(p)) => format!(
                "learning rate {}, {} leaves, up to {} rounds (early stopping after {}), \
                 rows {}, features {} per tree, L2 {}, min {} rows per leaf",
                p.learning_rate(),
                p.max_leaves(),
                p.max_rounds(),
                p.early_stopping_rounds(),
                percent(p.row_fraction()),
                percent(p.feature_fraction()),
                p.lambda(),
                p.min_data_in_leaf()
            ),
            ModelSpec::Knn(p) => format!("k = {}", p.0.k()),
            ModelSpec::Tree(p) => format!("max depth {}", depth_text(p.0.max_depth())),
            ModelSpec::Svc(SvcParams(p)) => {
                format!("{} random features, C = {}", p.components(), p.c())
            }
        }
    }
}

/// A depth limit as the settings line shows it.
fn depth_text(max_depth: Option<usize>) -> String {
    max_depth.map_or("none".into(), |d| d.to_string())
}

/// The model file stores a forest leaf's classes in one byte.
pub const MAX_CLASSES: usize = 255;

/// Labelled data split into its two parts, raw (not yet preprocessed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Prepared {
    pub options: TrainOptions,
    pub data_file: String,
    pub classes: Vec<String>,
    pub train_x: Rows,
    pub train_y: Vec<usize>,
    pub test_x: Rows,
    pub test_y: Vec<usize>,
    /// Source row number of each test row (spreadsheet numbering), to find them again.
    pub test_rows: Vec<u64>,
    /// The user's corrections: training rows only, never split, never scored on (see
    /// [`add_corrections`]).
    pub corrections: CorrectionRows,
}

/// Corrections added to a training run: raw rows in the options' feature order (NaN =
/// missing), their class indices, and how many training rows each counts as.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CorrectionRows {
    pub x: Vec<Vec<f64>>,
    pub y: Vec<usize>,
    pub weight: usize,
}

/// Adds the user's corrections to the training part of a split, each counted as `weight` rows
/// (see [`crate::corrections`] for why copies). They are added after the split, so none can
/// land in the holdout: the holdout stays the data set's own rows, and its accuracy stays
/// comparable with a run without corrections (a correction scored on would be scored on a
/// copy of itself). The preprocessing is still fitted on the data set's training rows only, and
/// SMOTE neither grows from the copies nor counts them (they join after it): the copies are
/// one point, a segment between two of them is that point again.
///
/// A correction whose genre the data set lacks is refused by number ([`TrainError::CorrectionGenre`]).
pub fn add_corrections(
    prep: &mut Prepared,
    corrections: &[Correction],
    weight: usize,
) -> Result<(), TrainError> {
    let mut rows = CorrectionRows {
        weight,
        ..CorrectionRows::default()
    };
    for (i, c) in corrections.iter().enumerate() {
        // The same name, else the same ignoring case and surrounding spaces (as Batch matches
        // a file's genres to a model's).
        let key = c.genre.trim().to_lowercase();
        let class = prep
            .classes
            .iter()
            .position(|g| *g == c.genre)
            .or_else(|| {
                prep.classes
                    .iter()
                    .position(|g| g.trim().to_lowercase() == key)
            })
            .ok_or_else(|| TrainError::CorrectionGenre {
                number: i + 1,
                genre: c.genre.clone(),
            })?;
        rows.x.push(prep.options.features.select(&c.track_values()));
        rows.y.push(class);
    }
    prep.corrections = rows;
    Ok(())
}

/// Splits the labelled tracks (stratified) after checking that training can work at all.
/// Genres with fewer than [`MIN_ROWS_TO_SPLIT`] rows are left out (see [`set_aside`]).
pub fn prepare(
    data: &Ingested,
    options: &TrainOptions,
    data_file: &str,
) -> Result<Prepared, TrainError> {
    let labelled = Labelled::check(data, options, "features that are columns of the file")?
        .without_unsplittable()?;
    let split = stratified_split(
        &labelled.y,
        &labelled.classes,
        options.test_fraction,
        options.seed,
    )?;
    Ok(Prepared::of_split(
        options.clone(),
        data_file,
        labelled.classes,
        &split,
        |i| {
            (
                options.features.select(&labelled.tracks[i].values),
                labelled.y[i],
            )
        },
        |i| labelled.tracks[i].row,
    ))
}

impl Prepared {
    /// The training and test parts of `split`, with no corrections yet: `row(i)` is row `i`'s
    /// features and class, `source(i)` its row number in the file.
    fn of_split(
        options: TrainOptions,
        data_file: &str,
        classes: Vec<String>,
        split: &Split,
        row: impl Fn(usize) -> (Vec<f64>, usize),
        source: impl Fn(usize) -> u64,
    ) -> Prepared {
        let width = options.features.len();
        let pick = |idx: &[usize]| Rows::with_classes(width, idx.iter().map(|&i| row(i)));
        let (train_x, train_y) = pick(&split.train);
        let (test_x, test_y) = pick(&split.test);
        Prepared {
            options,
            data_file: data_file.to_string(),
            classes,
            train_x,
            train_y,
            test_x,
            test_y,
            test_rows: split.test.iter().map(|&i| source(i)).collect(),
            corrections: CorrectionRows::default(),
        }
    }
}

/// The labelled rows of a file that can train: the chosen features are columns of it, it has
/// labels, at least 2 and at most [`MAX_CLASSES`] genres.
struct Labelled<'a> {
    tracks: Vec<&'a crate::ingest::Track>,
    /// Genres with rows, in the file's order.
    classes: Vec<String>,
    /// Each track's index in `classes`.
    y: Vec<usize>,
}

impl<'a> Labelled<'a> {
    /// Leaves out the genres with too few rows to split ([`SetAside`]: the page and the CLI say
    /// so); at least two genres must remain.
    fn without_unsplittable(self) -> Result<Labelled<'a>, TrainError> {
        let mut counts = vec![0u64; self.classes.len()];
        self.y.iter().for_each(|&c| counts[c] += 1);
        if counts.iter().all(|&n| n >= MIN_ROWS_TO_SPLIT) {
            return Ok(self);
        }
        let mut remap = vec![usize::MAX; counts.len()];
        let mut classes = Vec::new();
        for (c, &n) in counts.iter().enumerate() {
            if n >= MIN_ROWS_TO_SPLIT {
                remap[c] = classes.len();
                classes.push(self.classes[c].clone());
            }
        }
        if classes.len() < 2 {
            let largest = (0..counts.len()).max_by_key(|&c| counts[c]).unwrap_or(0);
            return Err(TrainError::OneClass {
                class: self.classes[largest].clone(),
            });
        }
        let (tracks, y) = self
            .tracks
            .into_iter()
            .zip(self.y)
            .filter(|(_, c)| remap[*c] != usize::MAX)
            .map(|(t, c)| (t, remap[c]))
            .unzip();
        Ok(Labelled { tracks, classes, y })
    }

    fn check(
        data: &'a Ingested,
        options: &TrainOptions,
        features_expected: &'static str,
    ) -> Result<Labelled<'a>, TrainError> {
        for f in options.features.as_slice() {
            if !data.present.contains(f) {
                return Err(TrainError::InvalidParam {
                    name: "features".into(),
                    value: f.name().to_string(),
                    expected: features_expected.into(),
                });
            }
        }
        let tracks: Vec<&crate::ingest::Track> =
            data.tracks.iter().filter(|t| t.label.is_some()).collect();
        if tracks.is_empty() {
            return Err(TrainError::NoLabels);
        }
        // Keep only classes that have rows, in their original order.
        let mut counts = vec![0usize; data.classes.len()];
        for t in &tracks {
            counts[t.label.expect("filtered") as usize] += 1;
        }
        let mut remap = vec![usize::MAX; data.classes.len()];
        let mut classes = Vec::new();
        for (c, &n) in counts.iter().enumerate() {
            if n > 0 {
                remap[c] = classes.len();
                classes.push(data.classes[c].clone());
            }
        }
        if classes.len() > MAX_CLASSES {
            return Err(TrainError::InvalidParam {
                name: "label column".into(),
                value: format!("{} distinct values", classes.len()),
                expected: "at most 255 genres (is the label column really the genre?)".into(),
            });
        }
        if classes.len() < 2 {
            return Err(TrainError::OneClass {
                class: classes.first().cloned().unwrap_or_default(),
            });
        }
        let y = tracks
            .iter()
            .map(|t| remap[t.label.expect("filtered") as usize])
            .collect();
        Ok(Labelled { tracks, classes, y })
    }
}

/// The genres of `data` that [`prepare`] leaves out, with their rows.
pub fn set_aside(data: &Ingested) -> SetAside {
    let mut counts = vec![0u64; data.classes.len()];
    for t in &data.tracks {
        if let Some(c) = t.label {
            counts[c as usize] += 1;
        }
    }
    let named: Vec<(String, u64)> = data.classes.iter().cloned().zip(counts).collect();
    SetAside::of(&named, |genre| {
        let class = data.classes.iter().position(|c| c == genre);
        data.tracks
            .iter()
            .filter(|t| t.label.map(|l| l as usize) == class)
            .map(|t| t.row)
            .take(MIN_ROWS_TO_SPLIT as usize)
            .collect()
    })
}

/// Uses one file for training and another for testing (no split). Test rows whose genre the
/// training file does not have are left out and counted in the returned number.
pub fn prepare_two(
    train: &Ingested,
    test: &Ingested,
    options: &TrainOptions,
    data_file: &str,
) -> Result<(Prepared, usize), TrainError> {
    let labelled = Labelled::check(train, options, "features that are columns of the file")?;
    for f in options.features.as_slice() {
        if !test.present.contains(f) {
            return Err(TrainError::InvalidParam {
                name: "features".into(),
                value: f.name().to_string(),
                expected: "features that are columns of the test file".into(),
            });
        }
    }
    let width = options.features.len();
    let train_x = Rows::from_rows(
        width,
        labelled
            .tracks
            .iter()
            .map(|t| options.features.select(&t.values)),
    );
    let classes = labelled.classes;
    let index = |name: &str| classes.iter().position(|c| c == name);
    let mut unknown = 0;
    let mut test_rows = Vec::new();
    let (test_x, test_y) = Rows::with_classes(
        width,
        test.tracks
            .iter()
            .filter_map(|t| match index(&test.classes[t.label? as usize]) {
                None => {
                    unknown += 1;
                    None
                }
                Some(c) => {
                    test_rows.push(t.row);
                    Some((options.features.select(&t.values), c))
                }
            }),
    );
    if test_y.is_empty() {
        return Err(TrainError::NoLabels);
    }
    Ok((
        Prepared {
            options: options.clone(),
            data_file: data_file.to_string(),
            classes,
            train_x,
            train_y: labelled.y,
            test_x,
            test_y,
            test_rows,
            corrections: CorrectionRows::default(),
        },
        unknown,
    ))
}

/// The training part after preprocessing and balancing: what an estimator is fitted on.
#[derive(Debug, Clone, PartialEq)]
pub struct TrainingSet {
    pub preprocessor: Preprocessor,
    /// Preprocessed rows (SMOTE's synthetic rows after the real ones).
    pub x: Array2<f64>,
    /// Each row's class index.
    pub y: Array1<usize>,
    /// Per-row class weights ([`Balance::ClassWeights`]).
    pub weight: Option<Vec<f64>>,
    /// `x`'s columns binned for the forests, made by the first forest (or share of one)
    /// trained on this set: a worker trains several on one set.
    pub(crate) binned: BuiltOnce<BinnedColumns>,
    /// The holdout rows of the split this set was built from, preprocessed as `x` is, made by
    /// the first forest share scored on them: a worker scores several shares on one set.
    pub(crate) holdout: BuiltOnce<Vec<f64>>,
}

impl TrainingSet {
    /// The rows and classes as a linfa dataset (a view), what every model's `Fit` takes.
    pub fn dataset(&self) -> DatasetView<'_, f64, usize, Ix1> {
        DatasetBase::new(self.x.view(), self.y.view())
    }

    /// `x`'s columns binned as a forest bins them, made on first use.
    pub fn binned(&self) -> &BinnedColumns {
        self.binned
            .get_or_build(|| Some(BinMapper::binned_columns(self.x.view())))
            .expect("always built")
    }

    /// `prep`'s holdout rows preprocessed as `x` is, one after another: kept from the first
    /// call, as the set is only ever used with the split it was built from (a kept copy of
    /// another size is not used).
    pub fn holdout_values(&self, prep: &Prepared) -> std::borrow::Cow<'_, [f64]> {
        let fresh = || self.preprocessor.transform_rows(prep.test_x.iter());
        let len = prep.test_x.len() * self.preprocessor.features.len();
        match self.holdout.get_or_build(|| Some(fresh())) {
            Some(kept) if kept.len() == len => std::borrow::Cow::Borrowed(kept),
            _ => std::borrow::Cow::Owned(fresh()),
        }
    }

    /// Every `step`-th row (from the first), with its class and weight: a small set spread
    /// through the whole one, so a file sorted by genre still gives every genre.
    pub fn every_nth(&self, step: usize) -> TrainingSet {
        let picked: Vec<usize> = (0..self.y.len()).step_by(step.max(1)).collect();
        TrainingSet {
            preprocessor: self.preprocessor.clone(),
            x: self.x.select(ndarray::Axis(0), &picked),
            y: self.y.select(ndarray::Axis(0), &picked),
            weight: self
                .weight
                .as_ref()
                .map(|w| picked.iter().map(|&i| w[i]).collect()),
            binned: Default::default(),
            holdout: Default::default(),
        }
    }
}

pub fn build_training_set(prep: &Prepared, kind: ModelKind) -> Result<TrainingSet, TrainError> {
    let o = &prep.options;
    let preprocessor = Preprocessor::fit(
        o.features.clone(),
        prep.train_x.iter(),
        o.cap_outliers,
        kind.needs_scaling(),
    );
    let p = o.features.len();
    let k = prep.classes.len();
    // Per class, what a row weighs ([`Balance::ClassWeights`]: inversely to its frequency).
    let class_weight: Option<Vec<f64>> = (o.balance == Balance::ClassWeights).then(|| {
        let mut counts = vec![0usize; k];
        prep.train_y.iter().for_each(|&c| counts[c] += 1);
        let n = prep.train_y.len() as f64;
        counts
            .iter()
            .map(|&m| n / (k as f64 * m.max(1) as f64))
            .collect()
    });
    let c = &prep.corrections;
    // The rows go straight into the matrix (a million rows: 72 MB) rather than through a row
    // per allocation first (~100 MB more at the peak); only SMOTE, which works on rows, makes
    // them. The corrections' copies join after balancing (see `add_corrections`).
    let (mut flat, mut y): (Vec<f64>, Vec<usize>) = match o.balance {
        Balance::Smote => {
            let rows: Vec<Vec<f64>> = prep
                .train_x
                .iter()
                .map(|r| preprocessor.transform(r))
                .collect();
            let (rows, y) = smote(&rows, &prep.train_y, &prep.classes, SMOTE_K, o.seed)?;
            (rows.concat(), y)
        }
        Balance::None | Balance::ClassWeights => (
            preprocessor.transform_rows(prep.train_x.iter()),
            prep.train_y.clone(),
        ),
    };
    flat.reserve(c.y.len() * c.weight * p);
    for (row, &class) in c.x.iter().zip(&c.y) {
        let row = preprocessor.transform(row);
        for _ in 0..c.weight {
            flat.extend_from_slice(&row);
            y.push(class);
        }
    }
    let weight = class_weight.map(|w| y.iter().map(|&c| w[c]).collect());
    Ok(TrainingSet {
        preprocessor,
        x: Array2::from_shape_vec((y.len(), p), flat).expect("p values a row"),
        y: Array1::from(y),
        weight,
        binned: Default::default(),
        holdout: Default::default(),
    })
}

/// Fits the estimator through linfa's `Fit` (each model's checked parameters in a
/// [`Training`]) as it is saved: trees quantised (see `format::quantize`). Every setting is
/// checked (each model's `ParamGuard`) before any work. For forests and bagging, `trees`
/// selects a share of the trees (a web worker's part); `None` trains them all.
pub fn fit_estimator(
    stage: &TrainingSet,
    n_classes: usize,
    spec: &ModelSpec,
    trees: Option<Range<usize>>,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<Estimator, TrainError> {
    let data = stage.dataset();
    let weights = stage.weight.as_deref();
    let forest = |params: &ForestValidParams, progress: &mut dyn FnMut(Progress)| {
        let share = params.share(trees.clone().unwrap_or(0..params.n_trees()));
        Training::new(&share, n_classes, progress, cancel)
            .weights(weights)
            .binned(Some(stage.binned()))
            .fit(&data)
    };
    let mut est = match spec {
        ModelSpec::Forest(p) => Estimator::Trees(forest(p.check_ref()?, progress)?),
        ModelSpec::Bagging(p) => Estimator::Trees(forest(p.check_ref()?, progress)?),
        ModelSpec::Boost(p) => Estimator::Trees(
            Training::new(p.check_ref()?, n_classes, progress, cancel)
                .weights(weights)
                .fit(&data)?,
        ),
        ModelSpec::Knn(p) => {
            Estimator::Knn(Training::new(p.check_ref()?, n_classes, progress, cancel).fit(&data)?)
        }
        ModelSpec::Tree(p) => {
            Estimator::Trees(Training::new(p.check_ref()?, n_classes, progress, cancel).fit(&data)?)
        }
        ModelSpec::Svc(p) => {
            Estimator::Svc(Training::new(p.check_ref()?, n_classes, progress, cancel).fit(&data)?)
        }
    };
    if let Estimator::Trees(t) = &mut est {
        quantize(t);
    }
    Ok(est)
}

/// Joins forest shares trained by separate workers, in share order.
pub fn merge_estimators(parts: Vec<Estimator>) -> Option<Estimator> {
    let forests: Vec<TreeEnsemble> = parts
        .into_iter()
        .filter_map(|e| match e {
            Estimator::Trees(t) => Some(t),
            _ => None,
        })
        .collect();
    merge_forests(forests).map(Estimator::Trees)
}

/// Wraps an estimator into a model (with the stage's preprocessing) and scores it on the
/// holdout. The stage is borrowed: the model takes only its preprocessor, and a caller that
/// trains several models on one stage (a worker) keeps it without a copy of its rows.
pub fn finish(
    prep: &Prepared,
    stage: &TrainingSet,
    spec: &ModelSpec,
    estimator: Estimator,
    name: &str,
    trained_at: &str,
) -> (TrainedModel, Metrics) {
    let model = unscored_model(prep, stage, spec, estimator, name, trained_at);
    let metrics = evaluate(&model, &prep.test_x, &prep.test_y);
    scored(model, metrics, prep)
}

/// The model for `estimator`, its holdout figures not yet recorded.
fn unscored_model(
    prep: &Prepared,
    stage: &TrainingSet,
    spec: &ModelSpec,
    estimator: Estimator,
    name: &str,
    trained_at: &str,
) -> TrainedModel {
    TrainedModel {
        meta: ModelMeta {
            kind: spec.kind(),
            name: name.to_string(),
            trained_at: trained_at.to_string(),
            data_file: prep.data_file.clone(),
            train_rows: prep.train_x.len() as u64,
            seed: prep.options.seed,
            settings: format!(
                "{}; outlier capping {}; balancing {:?}; test fraction {}",
                spec.settings(),
                if prep.options.cap_outliers {
                    "on"
                } else {
                    "off"
                },
                prep.options.balance,
                prep.options.test_fraction
            ) + &corrections_text(&prep.corrections),
            holdout: None,
        },
        classes: prep.classes.clone(),
        preprocessor: stage.preprocessor.clone(),
        estimator,
    }
}

/// `model` with its holdout `metrics` recorded in its file.
fn scored(mut model: TrainedModel, metrics: Metrics, prep: &Prepared) -> (TrainedModel, Metrics) {
    model.meta.holdout = Some(Holdout {
        accuracy: metrics.accuracy,
        macro_f1: metrics.macro_f1,
        weighted_f1: metrics.weighted_f1,
        rows: prep.test_y.len() as u64,
    });
    (model, metrics)
}

/// What the settings line says about corrections (nothing when there are none).
fn corrections_text(c: &CorrectionRows) -> String {
    match c.y.len() {
        0 => String::new(),
        n => format!(
            "; {n} correction{} counted {}× each",
            if n == 1 { "" } else { "s" },
            c.weight
        ),
    }
}

/// Scores a model on raw rows in its feature order.
pub fn evaluate(model: &TrainedModel, x: &Rows, y: &[usize]) -> Metrics {
    let predicted = model.predict_classes(x.iter()).to_vec();
    Metrics::compute(y, &predicted, model.n_classes())
}

/// The whole pipeline for one model.
pub fn train_model(
    prep: &Prepared,
    spec: &ModelSpec,
    name: &str,
    trained_at: &str,
    progress: &mut dyn FnMut(Progress),
    cancel: &AtomicBool,
) -> Result<(TrainedModel, Metrics), TrainError> {
    let stage = build_training_set(prep, spec.kind())?;
    let est = fit_estimator(&stage, prep.classes.len(), spec, None, progress, cancel)?;
    Ok(finish(prep, &stage, spec, est, name, trained_at))
}
