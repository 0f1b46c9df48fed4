//! The hyper-parameters a user can set, one owner for each: per model, the Train form's fields
//! (id, label, hint), the values each allows and its default, read from the model's own
//! defaults ([`ModelSpec::default_for`]), never written twice. The models' own checks
//! (`ParamGuard::check_ref` of the forest and the booster, KNN, SVC, decision tree) use these
//! same limits, and their [`TrainError::InvalidParam`] names the field's id, so a form can put
//! the core's refusal at its field.

use crate::error::TrainError;
use crate::model::ModelKind;
use crate::train::ModelSpec;
use crate::tree::forest::MaxFeatures;

/// The values a parameter allows.
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
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let first = match digits.len() % 3 {
        0 => 3.min(digits.len()),
        r => r,
    };
    let mut out = digits[..first].to_string();
    for group in digits.as_bytes()[first..].chunks(3) {
        out.push(',');
        out.extend(group.iter().map(|&b| b as char));
    }
    out
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
    /// The model's default, read from [`ModelSpec::default_for`].
    pub fn default_value(&self) -> Value {
        ModelSpec::default_for(self.model, 0)
            .get(self.param)
            .expect("every field of a model is a setting of its spec")
    }

    /// The default as the form shows it.
    pub fn default_text(&self) -> String {
        self.default_value().text()
    }

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
                name: self.id,
                value: v.shown(),
                expected: self.domain.describe(),
            })
        }
    }
}

impl ModelSpec {
    /// A form setting of this spec (`None` if the model has no such setting).
    pub fn get(&self, param: Param) -> Option<Value> {
        use ModelSpec as S;
        use Param as P;
        Some(match (self, param) {
            (S::Forest(p), P::Trees) => Value::Count(p.0.n_trees()),
            (S::Forest(p), P::MaxDepth) => Value::Depth(p.0.max_depth()),
            (S::Forest(p), P::MinSamplesLeaf) => Value::Count(p.0.min_samples_leaf()),
            (S::Forest(p), P::MaxFeatures) => Value::MaxFeatures(p.0.max_features()),
            (S::Bagging(p), P::Trees) => Value::Count(p.0.n_trees()),
            (S::Bagging(p), P::MaxDepth) => Value::Depth(p.0.max_depth()),
            (S::Tree(p), P::MaxDepth) => Value::Depth(p.0.max_depth()),
            (S::Knn(p), P::Neighbours) => Value::Count(p.0.k()),
            (S::Svc(p), P::Components) => Value::Count(p.0.components()),
            (S::Svc(p), P::C) => Value::Real(p.0.c()),
            (S::Svc(p), P::Epochs) => Value::Count(p.0.epochs()),
            (S::Boost(p), P::Rounds) => Value::Count(p.0.max_rounds()),
            (S::Boost(p), P::LearningRate) => Value::Real(p.0.learning_rate()),
            (S::Boost(p), P::Leaves) => Value::Count(p.0.max_leaves()),
            _ => return None,
        })
    }

    /// Sets a form setting; `false` (and no change) if the model has no such setting or the
    /// value is of another type. Values are not checked here: [`ModelSpec::check`] does.
    pub fn set(&mut self, param: Param, value: Value) -> bool {
        use ModelSpec as S;
        use Param as P;
        match (self, param, value) {
            (S::Forest(p), P::Trees, Value::Count(n)) => *p = p.clone().n_trees(n),
            (S::Forest(p), P::MaxDepth, Value::Depth(d)) => *p = p.clone().max_depth(d),
            (S::Forest(p), P::MinSamplesLeaf, Value::Count(n)) => {
                *p = p.clone().min_samples_leaf(n)
            }
            (S::Forest(p), P::MaxFeatures, Value::MaxFeatures(m)) => *p = p.clone().max_features(m),
            (S::Bagging(p), P::Trees, Value::Count(n)) => *p = p.clone().n_trees(n),
            (S::Bagging(p), P::MaxDepth, Value::Depth(d)) => *p = p.clone().max_depth(d),
            (S::Tree(p), P::MaxDepth, Value::Depth(d)) => *p = p.clone().max_depth(d),
            (S::Knn(p), P::Neighbours, Value::Count(n)) => *p = p.clone().k(n),
            (S::Svc(p), P::Components, Value::Count(n)) => *p = p.clone().components(n),
            (S::Svc(p), P::C, Value::Real(x)) => *p = p.clone().c(x),
            (S::Svc(p), P::Epochs, Value::Count(n)) => *p = p.clone().epochs(n),
            (S::Boost(p), P::Rounds, Value::Count(n)) => *p = p.clone().max_rounds(n),
            (S::Boost(p), P::LearningRate, Value::Real(x)) => *p = p.clone().learning_rate(x),
            (S::Boost(p), P::Leaves, Value::Count(n)) => *p = p.clone().max_leaves(n),
            _ => return false,
        }
        true
    }

    /// Every check the model's training makes of its settings, before any work: the model's
    /// own `ParamGuard`, which checks its form fields with the limits above (errors named by
    /// the field's id, so bagging's are `bag-…`), then its other settings.
    pub fn check(&self) -> Result<(), TrainError> {
        use linfa::ParamGuard;
        match self {
            ModelSpec::Forest(p) => p.check_ref().map(drop),
            ModelSpec::Bagging(p) => p.check_ref().map(drop),
            ModelSpec::Boost(p) => p.check_ref().map(drop),
            ModelSpec::Knn(p) => p.check_ref().map(drop),
            ModelSpec::Tree(p) => p.check_ref().map(drop),
            ModelSpec::Svc(p) => p.check_ref().map(drop),
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
            name,
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtree::TreeParams;
    use crate::knn::KnnParams;
    use crate::svc::SvcParams;
    use crate::tree::boost::BoostParams;
    use crate::tree::forest::{BaggingParams, ForestParams};
    use linfa::ParamGuard;

    /// A value just outside the field's domain (of the field's type).
    fn outside(d: Domain) -> Value {
        match d {
            Domain::Count { max, .. } => Value::Count(max + 1),
            Domain::Depth { max } => Value::Depth(Some(max + 1)),
            Domain::Real { max, .. } => Value::Real(max * 2.0),
            Domain::MaxFeatures => Value::MaxFeatures(MaxFeatures::Count(0)),
        }
    }

    fn below(d: Domain) -> Option<Value> {
        match d {
            Domain::Count { min, .. } => min.checked_sub(1).map(Value::Count),
            Domain::Depth { .. } => Some(Value::Depth(Some(0))),
            Domain::Real { above, .. } => Some(Value::Real(above)),
            Domain::MaxFeatures => None,
        }
    }

    fn names(e: TrainError) -> &'static str {
        match e {
            TrainError::InvalidParam { name, .. } => name,
            other => panic!("not an InvalidParam: {other:?}"),
        }
    }

    #[test]
    fn every_field_reads_its_default_from_the_model_and_reads_it_back() {
        for kind in ModelKind::ALL {
            let specs = param_specs(kind);
            assert!(!specs.is_empty(), "{kind:?}");
            let mut spec = ModelSpec::default_for(kind, 7);
            for p in specs {
                assert_eq!(p.model, kind, "{}", p.id);
                let v = p.parse(&p.default_text()).unwrap();
                assert_eq!(v, p.default_value(), "{}", p.id);
                assert!(p.domain.contains(v), "{}: default outside its range", p.id);
                assert!(spec.set(p.param, v), "{}", p.id);
                assert_eq!(find(kind, p.id), Some(p));
            }
            assert_eq!(spec, ModelSpec::default_for(kind, 7), "{kind:?}");
            assert_eq!(spec.check(), Ok(()), "{kind:?}");
        }
        // The values the README and the Train page state.
        assert_eq!(SVC_C.default_text(), "100");
        assert_eq!(RF_TREES.default_text(), "100");
        assert_eq!(BAG_TREES.default_text(), "10");
        assert_eq!(RF_DEPTH.default_text(), "");
        assert_eq!(RF_MAXF.default_text(), "sqrt");
    }

    #[test]
    fn out_of_range_values_are_refused_by_the_core_naming_the_field() {
        let mut ids = std::collections::HashSet::new();
        for kind in ModelKind::ALL {
            for p in param_specs(kind) {
                assert!(ids.insert(p.id), "id {} used twice", p.id);
                for bad in std::iter::once(outside(p.domain)).chain(below(p.domain)) {
                    let mut spec = ModelSpec::default_for(kind, 42);
                    assert!(spec.set(p.param, bad), "{}", p.id);
                    let e = spec.check().unwrap_err();
                    assert_eq!(names(e.clone()), p.id, "{bad:?}: {e}");
                    assert!(e.to_string().contains(p.id), "{e}");
                    // The field's parsing refuses the same value.
                    assert!(p.parse(&bad.text()).is_err(), "{}: {bad:?}", p.id);
                }
            }
        }
    }

    #[test]
    fn the_models_own_checks_use_the_same_limits_and_names() {
        let forest = ForestParams::default().n_trees(10_001);
        assert_eq!(names(forest.check_ref().unwrap_err()), "rf-trees");
        assert!(ForestParams::default().n_trees(10_000).check_ref().is_ok());
        let deep = ForestParams::default().max_depth(Some(201));
        assert_eq!(names(deep.check_ref().unwrap_err()), "rf-depth");
        // Bagging shares the forest's parameters but has its own fields.
        let bag = ModelSpec::Bagging(BaggingParams::default().n_trees(0));
        assert_eq!(names(bag.check().unwrap_err()), "bag-trees");
        let bag = BaggingParams::default().max_depth(Some(0));
        assert_eq!(names(bag.check_ref().unwrap_err()), "bag-depth");

        let boost = BoostParams::default().max_rounds(20_001);
        assert_eq!(names(boost.check_ref().unwrap_err()), "gbt-rounds");
        assert!(BoostParams::default()
            .max_rounds(20_000)
            .check_ref()
            .is_ok());
        let lr = BoostParams::default().learning_rate(1.5);
        assert_eq!(names(lr.check_ref().unwrap_err()), "gbt-lr");

        let svc = SvcParams::default().c(0.0);
        assert_eq!(names(svc.check().unwrap_err()), "svc-c");
        let svc = SvcParams::default().epochs(0);
        assert_eq!(names(svc.check().unwrap_err()), "svc-epochs");
        let svc = SvcParams::default().gamma(Some(f64::NAN));
        assert_eq!(names(svc.check().unwrap_err()), "gamma");

        let knn = KnnParams::default().k(101);
        assert_eq!(names(knn.check().unwrap_err()), "knn-k");
        let tree = TreeParams::default().max_depth(Some(0));
        assert_eq!(names(tree.check().unwrap_err()), "tree-depth");
    }

    /// The pipeline itself (what the CLI and the workers call) refuses a bad value of every
    /// field, named by the field's id, before any work (no progress is reported).
    #[test]
    fn the_pipeline_refuses_each_fields_bad_value_before_any_work() {
        use crate::feature::FeatureSet;
        use crate::preprocess::Preprocessor;
        use crate::train::{fit_estimator, TrainingSet};
        use ndarray::{Array1, Array2};
        use std::sync::atomic::AtomicBool;

        let features = FeatureSet::original_nine();
        let p = features.len();
        let rows: Vec<Vec<f64>> = (0..20)
            .map(|i| (0..p).map(|j| (i * (j + 1)) as f64).collect())
            .collect();
        let stage = TrainingSet {
            preprocessor: Preprocessor::fit(features, rows.iter().map(Vec::as_slice), false, false),
            x: Array2::from_shape_fn((rows.len(), p), |(i, j)| rows[i][j]),
            y: Array1::from_iter((0..rows.len()).map(|i| i % 2)),
            weight: None,
        };
        for kind in ModelKind::ALL {
            for p in param_specs(kind) {
                let mut spec = ModelSpec::default_for(kind, 1);
                assert!(spec.set(p.param, outside(p.domain)), "{}", p.id);
                let mut reports = 0;
                let never = AtomicBool::new(false);
                let e = fit_estimator(&stage, 2, &spec, None, &mut |_| reports += 1, &never)
                    .unwrap_err();
                assert_eq!(names(e), p.id);
                assert_eq!(reports, 0, "{}", p.id);
            }
        }
    }

    #[test]
    fn hints_and_messages_read_well() {
        assert_eq!(RF_TREES.hint(), "1 to 10,000");
        assert_eq!(GBT_ROUNDS.domain.describe(), "1 to 20,000");
        assert_eq!(RF_DEPTH.hint(), "empty = no limit, or 1 to 200");
        assert_eq!(SVC_C.domain.describe(), "above 0, at most 1,000,000");
        assert_eq!(GBT_LR.domain.describe(), "above 0, at most 1");
        assert_eq!(
            KNN_K.parse("0"),
            Err("Expected a whole number from 1 to 100.".into())
        );
        assert_eq!(SVC_C.parse(" 2.5 "), Ok(Value::Real(2.5)));
        assert!(SVC_C.parse("NaN").is_err());
        assert!(SVC_C.parse("inf").is_err());
        assert_eq!(RF_DEPTH.parse("None"), Ok(Value::Depth(None)));
        assert_eq!(
            RF_MAXF.parse("4"),
            Ok(Value::MaxFeatures(MaxFeatures::Count(4)))
        );
        assert_eq!(
            RF_MAXF.parse("ALL"),
            Ok(Value::MaxFeatures(MaxFeatures::All))
        );
        assert!(RF_MAXF.parse("0").is_err());
    }
}
