//! The hyper-parameters a user can set, one owner for each: per model, the Train form's fields
//! (id, label, hint), the values each allows and its default, read from the model's own
//! defaults ([`ModelSpec::default_for`]), never written twice. The models' own checks
//! (`ParamGuard::check_ref` of the forest and the booster, KNN, SVC, decision tree) use these
//! same limits, and their [`TrainError::InvalidParam`] names the field's id, so a form can put
//! the core's refusal at its field.

use serde::{Deserialize, Serialize};

use crate::error::TrainError;
use crate::model_kind::ModelKind;

/// The values a parameter allows.
/// How many features each split may look at.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize)]
pub enum MaxFeatures {
    /// ⌊√p⌋, scikit-learn's default for classification.
    Sqrt,
    /// All features: plain bagging of trees.
    All,
    Count(usize),
}

impl MaxFeatures {
    pub fn resolve(self, p: usize) -> usize {
        match self {
            MaxFeatures::Sqrt => ((p as f64).sqrt() as usize).max(1),
            MaxFeatures::All => p,
            MaxFeatures::Count(k) => k.clamp(1, p),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Domain {
    /// A whole number in `min..=max`.
    Count { min: usize, max: usize },
    /// No limit (empty text, or "none"), or a whole number in `1..=max`.
    Depth { max: usize },
    /// A finite number `x` with `above < x <= max`.
    Real { above: f64, max: f64 },
    /// `sqrt`, `all` or a whole number ≥ 1 (more than the features means all of them).
    MaxFeatures,
}

/// A parameter's value, as a model stores it.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Value {
    Count(usize),
    Depth(Option<usize>),
    Real(f64),
    MaxFeatures(MaxFeatures),
}

/// Which setting of a [`ModelSpec`] a field sets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// Forest and bagging: trees.
    Trees,
    /// Forest, bagging, decision tree: maximum depth.
    MaxDepth,
    MinSamplesLeaf,
    MaxFeatures,
    /// Boosting.
    Rounds,
    LearningRate,
    Leaves,
    /// KNN's k.
    Neighbours,
    /// SVC.
    Components,
    C,
    Epochs,
}

/// One field of the Train form: which model and setting, how it is shown, what it allows.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ParamSpec {
    pub model: ModelKind,
    pub param: Param,
    /// The form field's id (the input is `#opt-<id>`), also the `name` of the core's
    /// [`TrainError::InvalidParam`] for this setting.
    pub id: &'static str,
    pub label: &'static str,
    /// A note shown under the field after the allowed values (may be empty).
    pub note: &'static str,
    pub domain: Domain,
}

const TREES: Domain = count(1, 10_000);
const DEPTH: Domain = Domain::Depth { max: 200 };

/// Declares the fields as a table, a row each: `NAME: model, setting, id, label, note, domain;`.
macro_rules! fields {
    ($($name:ident: $model:ident, $param:ident, $id:literal, $label:literal, $note:literal, $domain:expr;)*) => {
        $(pub const $name: ParamSpec = ParamSpec {
            model: ModelKind::$model,
            param: Param::$param,
            id: $id,
            label: $label,
            note: $note,
            domain: $domain,
        };)*
    };
}

const fn count(min: usize, max: usize) -> Domain {
    Domain::Count { min, max }
}

const fn above(above: f64, max: f64) -> Domain {
    Domain::Real { above, max }
}

#[rustfmt::skip]
fields! {
    RF_TREES: RandomForest, Trees, "rf-trees", "Trees", "", TREES;
    RF_DEPTH: RandomForest, MaxDepth, "rf-depth", "Max depth", "", DEPTH;
    RF_LEAF: RandomForest, MinSamplesLeaf, "rf-leaf", "Min samples per leaf", "", count(1, 100_000);
    RF_MAXF: RandomForest, MaxFeatures, "rf-maxf", "Features per split", "", Domain::MaxFeatures;
    BAG_TREES: Bagging, Trees, "bag-trees", "Trees", "every feature at every split", TREES;
    BAG_DEPTH: Bagging, MaxDepth, "bag-depth", "Max depth", "", DEPTH;
    KNN_K: Knn, Neighbours, "knn-k", "Neighbours k", "on scaled features", count(1, 100);
    TREE_DEPTH: DecisionTree, MaxDepth, "tree-depth", "Max depth", "", DEPTH;
    SVC_COMPONENTS: Svc, Components, "svc-components", "Random features", "RBF kernel approximation", count(1, 10_000);
    SVC_C: Svc, C, "svc-c", "C", "larger = less regularisation", above(0.0, 1e6);
    SVC_EPOCHS: Svc, Epochs, "svc-epochs", "Epochs", "", count(1, 1000);
    GBT_ROUNDS: GradientBoosting, Rounds, "gbt-rounds", "Max rounds", "early stopping picks fewer", count(1, 20_000);
    GBT_LR: GradientBoosting, LearningRate, "gbt-lr", "Learning rate", "", above(0.0, 1.0);
    GBT_LEAVES: GradientBoosting, Leaves, "gbt-leaves", "Leaves per tree", "", count(2, 4096);
}

/// The form fields of a model, in the order shown.
pub fn param_specs(kind: ModelKind) -> &'static [ParamSpec] {
    match kind {
        ModelKind::RandomForest => &[RF_TREES, RF_DEPTH, RF_LEAF, RF_MAXF],
        ModelKind::Bagging => &[BAG_TREES, BAG_DEPTH],
        ModelKind::Knn => &[KNN_K],
        ModelKind::DecisionTree => &[TREE_DEPTH],
        ModelKind::Svc => &[SVC_COMPONENTS, SVC_C, SVC_EPOCHS],
        ModelKind::GradientBoosting => &[GBT_ROUNDS, GBT_LR, GBT_LEAVES],
    }
}

/// The field of `kind` with this id.
pub fn find(kind: ModelKind, id: &str) -> Option<&'static ParamSpec> {
    param_specs(kind).iter().find(|p| p.id == id)
}

/// 10000 -> "10,000" (hints and messages are read by people).
/// A count as the product writes counts (thousands grouped: `text::count`).
fn grouped(n: usize) -> String {
    crate::text::count(n as u64)
}

fn real(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        grouped(x.abs() as usize)
    } else {
        x.to_string()
    }
}

impl Domain {
    pub fn contains(&self, v: Value) -> bool {
        match (*self, v) {
            (Domain::Count { min, max }, Value::Count(n)) => (min..=max).contains(&n),
            (Domain::Depth { max }, Value::Depth(d)) => d.is_none_or(|d| (1..=max).contains(&d)),
            (Domain::Real { above, max }, Value::Real(x)) => x > above && x <= max,
            (Domain::MaxFeatures, Value::MaxFeatures(m)) => m != MaxFeatures::Count(0),
            _ => false,
        }
    }

    /// The allowed values in words ("1 to 10,000").
    pub fn describe(&self) -> String {
        match *self {
            Domain::Count { min, max } => format!("{} to {}", grouped(min), grouped(max)),
            Domain::Depth { max } => format!("empty = no limit, or 1 to {}", grouped(max)),
            Domain::Real { above, max } => format!("above {}, at most {}", real(above), real(max)),
            Domain::MaxFeatures => "sqrt, all or a number".into(),
        }
    }

    /// What a user typed, as a value of this domain, or a sentence saying what is expected.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        let t = text.trim();
        let v = match *self {
            Domain::Count { .. } => t.parse::<usize>().ok().map(Value::Count),
            Domain::Depth { .. } => {
                if t.is_empty() || t.eq_ignore_ascii_case("none") {
                    Some(Value::Depth(None))
                } else {
                    t.parse::<usize>().ok().map(|d| Value::Depth(Some(d)))
                }
            }
            Domain::Real { .. } => t.parse::<f64>().ok().map(Value::Real),
            Domain::MaxFeatures => match t.to_ascii_lowercase().as_str() {
                "sqrt" | "" => Some(Value::MaxFeatures(MaxFeatures::Sqrt)),
                "all" => Some(Value::MaxFeatures(MaxFeatures::All)),
                other => other
                    .parse::<usize>()
                    .ok()
                    .map(|n| Value::MaxFeatures(MaxFeatures::Count(n))),
            },
        };
        match v {
            Some(v) if self.contains(v) => Ok(v),
            _ => Err(match *self {
                Domain::Count { min, max } => {
                    format!(
                        "Expected a whole number from {} to {}.",
                        grouped(min),
                        grouped(max)
                    )
                }
                Domain::Depth { max } => format!(
                    "Expected empty (no limit) or a whole number from 1 to {}.",
                    grouped(max)
                ),
                Domain::Real { above, max } => format!(
                    "Expected a number above {} and at most {}.",
                    real(above),
                    real(max)
                ),
                Domain::MaxFeatures => "Expected sqrt, all or a whole number ≥ 1.".into(),
            }),
        }
    }
}

impl Value {
    /// The text a form shows for this value; [`Domain::parse`] reads it back.
    pub fn text(&self) -> String {
        match *self {
            Value::Count(n) | Value::MaxFeatures(MaxFeatures::Count(n)) => n.to_string(),
            Value::Depth(d) => d.map_or(String::new(), |d| d.to_string()),
            Value::Real(x) => x.to_string(),
            Value::MaxFeatures(MaxFeatures::Sqrt) => "sqrt".into(),
            Value::MaxFeatures(MaxFeatures::All) => "all".into(),
        }
    }

    fn shown(&self) -> String {
        match *self {
            Value::Depth(None) => "none".into(),
            Value::MaxFeatures(m) => format!("{m:?}"),
            v => v.text(),
        }
    }
}

impl ParamSpec {
    /// Shown under the field: the allowed values, then the note.
    pub fn hint(&self) -> String {
        let range = self.domain.describe();
        if self.note.is_empty() {
            range
        } else {
            format!("{range}; {}", self.note)
        }
    }

    /// What a user typed in this field.
    pub fn parse(&self, text: &str) -> Result<Value, String> {
        self.domain.parse(text)
    }

    /// The core's check of a value of this setting; the error names the field.
    pub fn check(&self, v: Value) -> Result<(), TrainError> {
        if self.domain.contains(v) {
            Ok(())
        } else {
            Err(TrainError::InvalidParam {
                name: self.id.into(),
                value: v.shown(),
                expected: self.domain.describe(),
            })
        }
    }
}

/// A setting no form field shows, checked by its model: refused under its own name.
pub(crate) fn require(
    ok: bool,
    name: &'static str,
    value: impl ToString,
    expected: &str,
) -> Result<(), TrainError> {
    if ok {
        Ok(())
    } else {
        Err(TrainError::InvalidParam {
            name: name.into(),
            value: value.to_string(),
            expected: expected.into(),
        })
    }
}

/// linfa's parameter shape, fields listed once: a valid set `$valid` (fields private to the
/// model's module, a getter each), its builder `$params($valid)` (a builder method each) and
/// `ParamGuard`, whose `check`/`check_ref` run `$check(&$valid)`. Only a checked `$valid` can
/// fit. The second form adds a builder with its own checks over an existing valid set (bagging
/// trains as a forest but has its own fields).
macro_rules! linfa_params {
    (
        $(#[$valid_doc:meta])*
        valid $valid:ident;
        $(#[$params_doc:meta])*
        params $params:ident;
        check $check:path;
        fields { $($(#[$field_doc:meta])* $field:ident: $t:ty),* $(,)? }
    ) => {
        $(#[$valid_doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $valid {
            $($(#[$field_doc])* $field: $t,)*
        }

        impl $valid {
            $(
                pub fn $field(&self) -> $t {
                    self.$field
                }
            )*
        }

        $(#[$params_doc])*
        #[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $params(pub(crate) $valid);

        $crate::params::linfa_params!($params($valid), check: $check, builder: { $($field: $t),* });
    };
    ($params:ident($valid:ident), check: $check:path, builder: { $($field:ident: $t:ty),* $(,)? }) => {
        impl $params {
            $(
                pub fn $field(mut self, value: $t) -> Self {
                    self.0.$field = value;
                    self
                }
            )*
        }

        impl linfa::ParamGuard for $params {
            type Checked = $valid;
            type Error = $crate::error::TrainError;

            fn check_ref(&self) -> Result<&$valid, Self::Error> {
                $check(&self.0)?;
                Ok(&self.0)
            }

            fn check(self) -> Result<$valid, Self::Error> {
                $check(&self.0)?;
                Ok(self.0)
            }
        }
    };
}
pub(crate) use linfa_params;
