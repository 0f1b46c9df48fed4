//! The arguments of `train` and `eval` (clap `Args`), and the values clap checks for them:
//! model codes (the core's, so there is one list) and class balancing. Their help already
//! names the values, so clap's own list of them is hidden.

use std::path::PathBuf;

use clap::builder::PossibleValue;
use clap::{Args, ValueEnum};
use genre_core::ingest::Ingested;
use genre_core::model::ModelKind;
use genre_core::split::{DEFAULT_SEED, DEFAULT_TEST_FRACTION};
use genre_core::train::{Balance, Protocol};

#[derive(Args, Debug)]
pub struct TrainArgs {
    /// Training CSV (the Kaggle genres_v2.csv layout or any CSV with feature and genre columns).
    #[arg(long, default_value = "data/genres_v2.csv")]
    pub data: PathBuf,
    /// Where to write the model file.
    #[arg(long, default_value = "public/model.bin")]
    pub out: PathBuf,
    /// Where to write the EDA summaries (default: eda.json next to --out).
    #[arg(long)]
    pub eda: Option<PathBuf>,
    /// Where to write example tracks (default: examples.json next to --out).
    #[arg(long)]
    pub examples: Option<PathBuf>,
    /// Features: `all` (13), `nine` (the original form's), or a comma list.
    #[arg(long, default_value = "all")]
    pub features: String,
    /// Candidate models, a comma list; the best on the holdout is saved.
    #[arg(long, default_value = "gbt,rf", value_delimiter = ',')]
    pub candidates: Vec<ModelChoice>,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Date stored in the model (kept as an argument so the output is reproducible).
    #[arg(long, default_value = "2026-11-25")]
    pub trained_at: String,
    #[arg(long, default_value = "Bundled model")]
    pub name: String,
    /// The genre column, when its name is not one of genre, label, class, target,
    /// track_genre, playlist_genre (e.g. `--label style`).
    #[arg(long)]
    pub label: Option<String>,
    /// Where to write the bundled random forest (default: forest.bin next to --out).
    #[arg(long)]
    pub forest: Option<PathBuf>,
    /// Do not train the bundled random forest.
    #[arg(long, conflicts_with = "forest")]
    pub no_forest: bool,
}

/// `forest-curve`: the random forest's holdout accuracy and file size for each tree count,
/// depth limit and leaf minimum (13 features, outlier capping, the bundled model's split).
#[derive(Args, Debug)]
pub struct CurveArgs {
    #[arg(long, default_value = "data/genres_v2.csv")]
    pub data: PathBuf,
    /// Tree counts (the first n trees of the largest forest).
    #[arg(long, default_value = "20,40,60,80,100", value_delimiter = ',')]
    pub trees: Vec<usize>,
    /// Depth limits, `none` for fully grown.
    #[arg(long, default_value = "none,16,12", value_delimiter = ',')]
    pub depths: Vec<String>,
    /// Minimum rows per leaf.
    #[arg(long, default_value = "1,2,3,5,8", value_delimiter = ',')]
    pub leaves: Vec<usize>,
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
}

/// How the rows are split into training and test parts (`train` and `eval` alike).
#[derive(Args, Debug)]
pub struct SplitArgs {
    /// Seed of every random choice (the split, bootstraps, SMOTE): the same seed, the same model.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Share of each genre's rows held out for testing.
    #[arg(long, default_value_t = DEFAULT_TEST_FRACTION)]
    pub test_fraction: f64,
    /// Use a stratified sample of this many rows of the file (after de-duplication; each genre
    /// keeps its share), drawn with --seed, then split as usual: small-data experiments.
    #[arg(long)]
    pub sample: Option<usize>,
}

impl SplitArgs {
    /// The file's rows, or the `--sample` of them (said on stderr).
    pub fn sampled(&self, data: Ingested) -> Ingested {
        match self.sample {
            None => data,
            Some(n) => {
                let sample = data.sample(n, self.seed);
                eprintln!(
                    "sample: {} of {} rows (stratified, seed {})",
                    sample.tracks.len(),
                    data.tracks.len(),
                    self.seed
                );
                sample
            }
        }
    }
}

impl TrainArgs {
    pub fn eda_path(&self) -> PathBuf {
        self.eda
            .clone()
            .unwrap_or_else(|| self.out.with_file_name("eda.json"))
    }

    pub fn examples_path(&self) -> PathBuf {
        self.examples
            .clone()
            .unwrap_or_else(|| self.out.with_file_name("examples.json"))
    }

    /// Where the bundled forest goes (None: `--no-forest`).
    pub fn forest_path(&self) -> Option<PathBuf> {
        (!self.no_forest).then(|| {
            self.forest
                .clone()
                .unwrap_or_else(|| self.out.with_file_name("forest.bin"))
        })
    }
}

#[derive(Args, Debug)]
pub struct EvalArgs {
    #[arg(long, conflicts_with_all = ["train", "test"])]
    pub data: Option<PathBuf>,
    #[arg(long, requires = "test")]
    pub train: Option<PathBuf>,
    #[arg(long, requires = "train")]
    pub test: Option<PathBuf>,
    /// The models to compare, a comma list, or all.
    #[arg(long, default_value = "all", value_delimiter = ',')]
    pub model: Vec<ModelChoice>,
    /// `all` (13), `nine` (the original form's), or a comma list.
    #[arg(long, default_value = "nine")]
    pub features: String,
    #[command(flatten)]
    pub split: SplitArgs,
    /// Class balancing of the training part: none, smote, weights.
    #[arg(long, default_value = "none", hide_possible_values = true)]
    pub balance: BalanceChoice,
    /// Turn off 1.5×IQR outlier capping.
    #[arg(long)]
    pub no_cap: bool,
    /// Trees for rf (default 100).
    #[arg(long)]
    pub trees: Option<usize>,
    /// Most boosting rounds for gbt (default 600; early stopping may stop sooner).
    #[arg(long)]
    pub rounds: Option<usize>,
    /// Print one JSON object instead of a table.
    #[arg(long)]
    pub json: bool,
    /// The genre column, when its name is not one of genre, label, class, target,
    /// track_genre, playlist_genre (e.g. `--label style`).
    #[arg(long)]
    pub label: Option<String>,
    /// `report`: also run the original report's protocol (no de-duplication, SMOTE on the
    /// whole file before the split; `all` models = its five) and print both tables and why
    /// they differ. Needs --data.
    #[arg(long, default_value = "honest", hide_possible_values = true)]
    pub protocol: ProtocolChoice,
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
pub enum ProtocolChoice {
    Honest,
    Report,
}

impl From<ProtocolChoice> for Protocol {
    fn from(p: ProtocolChoice) -> Protocol {
        match p {
            ProtocolChoice::Honest => Protocol::Honest,
            ProtocolChoice::Report => Protocol::Report,
        }
    }
}

/// A model by its code (`ModelKind::code`), or `all` of them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ModelChoice(Option<ModelKind>);

const MODEL_CHOICES: [ModelChoice; 7] = [
    ModelChoice(Some(ModelKind::RandomForest)),
    ModelChoice(Some(ModelKind::GradientBoosting)),
    ModelChoice(Some(ModelKind::Bagging)),
    ModelChoice(Some(ModelKind::Knn)),
    ModelChoice(Some(ModelKind::DecisionTree)),
    ModelChoice(Some(ModelKind::Svc)),
    ModelChoice(None),
];

impl ValueEnum for ModelChoice {
    fn value_variants<'a>() -> &'a [Self] {
        &MODEL_CHOICES
    }

    fn to_possible_value(&self) -> Option<PossibleValue> {
        Some(PossibleValue::new(self.0.map_or("all", ModelKind::code)))
    }
}

/// The models named, in order (`all`: every model).
pub fn models(choices: &[ModelChoice]) -> Vec<ModelKind> {
    models_of(choices, &ModelKind::ALL)
}

/// The models named, in order (`all`: every model of `all`).
pub fn models_of(choices: &[ModelChoice], all: &[ModelKind]) -> Vec<ModelKind> {
    if choices.contains(&ModelChoice(None)) {
        return all.to_vec();
    }
    choices.iter().filter_map(|c| c.0).collect()
}

#[derive(Debug, Clone, Copy, PartialEq, ValueEnum)]
pub enum BalanceChoice {
    None,
    Smote,
    #[value(alias = "class-weights")]
    Weights,
}

impl From<BalanceChoice> for Balance {
    fn from(b: BalanceChoice) -> Balance {
        match b {
            BalanceChoice::None => Balance::None,
            BalanceChoice::Smote => Balance::Smote,
            BalanceChoice::Weights => Balance::ClassWeights,
        }
    }
}
