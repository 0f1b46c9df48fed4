//! The Train form's settings read from and written into a model's [`ModelSpec`]: each field's
//! default comes from the model's own defaults ([`ModelSpec::default_for`]), and
//! [`ModelSpec::check`] runs the model's own checks, which use the limits of
//! [`crate::params`].

use crate::error::TrainError;
use crate::params::{Param, ParamSpec, Value};
use crate::train::ModelSpec;

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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dtree::TreeParams;
    use crate::knn::KnnParams;
    use crate::model::ModelKind;
    use crate::params::*;
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

    fn names(e: TrainError) -> String {
        match e {
            TrainError::InvalidParam { name, .. } => name.into_owned(),
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
        assert_eq!(RF_TREES.default_text(), "60");
        assert_eq!(BAG_TREES.default_text(), "10");
        assert_eq!(RF_DEPTH.default_text(), "12");
        assert_eq!(RF_LEAF.default_text(), "4");
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
            binned: Default::default(),
            holdout: Default::default(),
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
