//! Step 3: options. Features, outlier capping, class balancing, test fraction, seed, and per
//! model the hyper-parameters. The models' fields (ids, labels, hints, defaults, allowed values)
//! are the core's (`genre_core::params`): the form only shows them. Fields are text so a
//! half-typed value is kept; they are checked when training starts and a problem is shown at its
//! field, the core's own check (`ModelSpec::check`, which names the field) included.

use std::collections::HashMap;

use genre_core::error::TrainError;
use genre_core::feature::{Feature, FeatureSet};
use genre_core::model::ModelKind;
use genre_core::params::{find, param_specs, ParamSpec};
use genre_core::train::{Balance, ModelSpec, TrainOptions};
use leptos::prelude::*;

use super::option_fields::{parse_between, parse_count, parse_seed};
use super::TrainState;
use crate::worker::pool::default_workers;

/// The models offered, in the original comparison's order, then what the core adds.
pub const MODELS: [ModelKind; 6] = [
    ModelKind::RandomForest,
    ModelKind::Bagging,
    ModelKind::Knn,
    ModelKind::DecisionTree,
    ModelKind::Svc,
    ModelKind::GradientBoosting,
];

#[derive(Clone, Copy)]
pub struct Options {
    pub features: RwSignal<Vec<Feature>>,
    pub cap: RwSignal<bool>,
    pub balance: RwSignal<Balance>,
    pub test_fraction: RwSignal<String>,
    pub seed: RwSignal<String>,
    pub models: RwSignal<Vec<ModelKind>>,
    /// Hyper-parameter fields by id (`rf-trees`, `knn-k`, ...).
    pub fields: RwSignal<HashMap<&'static str, String>>,
    /// Problems found when training was asked for, by field id.
    pub errors: RwSignal<HashMap<&'static str, String>>,
}

/// A text field of the form: a model's setting (its id, label, hint and default come from the
/// core's `genre_core::params`), or the app's own worker count.
#[derive(Clone, Copy)]
pub enum FieldDef {
    Param(&'static ParamSpec),
    Workers,
}

/// The forest is trained in shares, one per worker: an app setting, not a model's.
const WORKERS: (&str, &str, &str) = ("workers", "Workers", "parallel shares of the trees");
const WORKERS_MAX: usize = 16;

impl FieldDef {
    pub fn id(self) -> &'static str {
        match self {
            FieldDef::Param(p) => p.id,
            FieldDef::Workers => WORKERS.0,
        }
    }
    fn label(self) -> &'static str {
        match self {
            FieldDef::Param(p) => p.label,
            FieldDef::Workers => WORKERS.1,
        }
    }
    fn hint(self) -> String {
        match self {
            FieldDef::Param(p) => p.hint(),
            FieldDef::Workers => WORKERS.2.into(),
        }
    }
}

/// The fields shown with a model: the core's settings of that model, plus the workers for the
/// random forest.
pub fn fields_of(kind: ModelKind) -> Vec<FieldDef> {
    let mut out: Vec<FieldDef> = param_specs(kind).iter().map(FieldDef::Param).collect();
    if kind == ModelKind::RandomForest {
        out.push(FieldDef::Workers);
    }
    out
}

/// The text every model field starts with: the core's default.
pub fn default_fields() -> HashMap<&'static str, String> {
    MODELS
        .into_iter()
        .flat_map(param_specs)
        .map(|p| (p.id, p.default_text()))
        .collect()
}

/// The model `kind` as its fields say (`field` gives a field's text), or the problems by field
/// id. Starts from the core's defaults and sets what the form shows; the core's own check then
/// runs on the result, and its refusal is put at the field it names.
pub fn spec_from_fields(
    kind: ModelKind,
    seed: u64,
    field: impl Fn(&str) -> String,
) -> Result<ModelSpec, Vec<(&'static str, String)>> {
    let mut spec = ModelSpec::default_for(kind, seed);
    let mut errors = Vec::new();
    for p in param_specs(kind) {
        match p.parse(&field(p.id)) {
            Ok(v) => {
                spec.set(p.param, v);
            }
            Err(e) => errors.push((p.id, e)),
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    match spec.check() {
        Ok(()) => Ok(spec),
        Err(e) => {
            let at = match &e {
                TrainError::InvalidParam { name, .. } if find(kind, name).is_some() => *name,
                _ => "models",
            };
            Err(vec![(at, e.to_string())])
        }
    }
}

impl Options {
    pub fn new() -> Options {
        let mut fields = default_fields();
        fields.insert(WORKERS.0, default_workers().to_string());
        Options {
            features: RwSignal::new(FeatureSet::original_nine().as_slice().to_vec()),
            cap: RwSignal::new(true),
            balance: RwSignal::new(Balance::None),
            test_fraction: RwSignal::new("0.2".into()),
            seed: RwSignal::new("42".into()),
            models: RwSignal::new(MODELS.to_vec()),
            fields: RwSignal::new(fields),
            errors: RwSignal::new(HashMap::new()),
        }
    }

    /// After a file is read: the original nine where the file has them, else what it has.
    pub fn select_features(&self, present: &[Feature]) {
        let nine: Vec<Feature> = FeatureSet::original_nine()
            .as_slice()
            .iter()
            .copied()
            .filter(|f| present.contains(f))
            .collect();
        self.features.set(if nine.is_empty() {
            present.to_vec()
        } else {
            nine
        });
    }

    pub fn field(&self, id: &str) -> String {
        self.fields
            .with_untracked(|f| f.get(id).cloned())
            .unwrap_or_default()
    }

    /// The test fraction if it parses (for the live blocking checks).
    pub fn test_fraction_value(&self) -> f64 {
        parse_between(&self.test_fraction.get(), 0.0, 1.0).unwrap_or(0.2)
    }

    /// Everything needed to train, or the problems (also put at their fields).
    pub fn build(&self) -> Result<(TrainOptions, Vec<ModelSpec>, usize), String> {
        let mut errors: HashMap<&'static str, String> = HashMap::new();
        let mut check = |id: &'static str, r: Result<(), String>| {
            if let Err(e) = r {
                errors.insert(id, e);
            }
        };
        let features = FeatureSet::new(
            Feature::ALL
                .iter()
                .copied()
                .filter(|f| self.features.with_untracked(|v| v.contains(f)))
                .collect(),
        );
        check(
            "features",
            features
                .as_ref()
                .map(|_| ())
                .map_err(|_| "Choose at least one feature.".into()),
        );
        let test_fraction = parse_between(&self.test_fraction.get_untracked(), 0.0, 1.0);
        check(
            "test-fraction",
            test_fraction.as_ref().map(|_| ()).map_err(Clone::clone),
        );
        let seed = parse_seed(&self.seed.get_untracked());
        check("seed", seed.as_ref().map(|_| ()).map_err(Clone::clone));
        let seed_v = *seed.as_ref().unwrap_or(&42);

        let mut specs = Vec::new();
        let models = self.models.get_untracked();
        if models.is_empty() {
            errors.insert("models", "Choose at least one model.".into());
        }
        let workers = parse_count(&self.field(WORKERS.0), 1, WORKERS_MAX)
            .map_err(|e| {
                errors.insert(WORKERS.0, e);
            })
            .unwrap_or(1);
        for kind in MODELS.into_iter().filter(|k| models.contains(k)) {
            match spec_from_fields(kind, seed_v, |id| self.field(id)) {
                Ok(spec) => specs.push(spec),
                Err(problems) => {
                    for (id, e) in problems {
                        errors.entry(id).or_insert(e);
                    }
                }
            }
        }
        let ok = errors.is_empty();
        self.errors.set(errors);
        match (ok, features, test_fraction, seed) {
            (true, Ok(features), Ok(test_fraction), Ok(seed)) => Ok((
                TrainOptions {
                    features,
                    cap_outliers: self.cap.get_untracked(),
                    balance: self.balance.get_untracked(),
                    test_fraction,
                    seed,
                },
                specs,
                workers,
            )),
            _ => Err("Some options need fixing (see the marked fields).".into()),
        }
    }
}

impl Default for Options {
    fn default() -> Self {
        Self::new()
    }
}

/// A labelled text field bound to `Options::fields[id]`, with its error under it.
#[component]
fn ParamField(def: FieldDef) -> impl IntoView {
    let o = TrainState::use_state().options;
    let (id, label, hint) = (def.id(), def.label(), def.hint());
    let error = move || o.errors.with(|e| e.get(id).cloned());
    view! {
        <div class="param" class:invalid=move || error().is_some()>
            <label for=format!("opt-{id}")>{label}</label>
            <input
                id=format!("opt-{id}")
                class="num"
                type="text"
                inputmode="decimal"
                prop:value=move || o.fields.with(|f| f.get(id).cloned().unwrap_or_default())
                on:input=move |ev| {
                    let v = event_target_value(&ev);
                    o.fields.update(|f| {
                        f.insert(id, v);
                    });
                }
            />
            {(!hint.is_empty()).then(|| view! { <span class="hint">{hint}</span> })}
            {move || error().map(|e| view! { <span class="msg error field-error">{e}</span> })}
        </div>
    }
}

#[component]
pub fn OptionsCard() -> impl IntoView {
    let st = TrainState::use_state();
    let o = st.options;
    // Once a training was refused for its options, every edit checks them again, so a fixed
    // field loses its mark (and the run card its "need fixing") at once.
    Effect::new(move |_| {
        o.fields.track();
        o.test_fraction.track();
        o.seed.track();
        o.models.track();
        o.features.track();
        if !o.errors.with_untracked(HashMap::is_empty) {
            let _ = o.build();
        }
    });
    let present = move || st.summary().map(|s| s.present.clone()).unwrap_or_default();
    let feature_boxes = move || {
        let present = present();
        Feature::ALL
            .into_iter()
            .map(|f| {
                let has = present.contains(&f);
                view! {
                    <label class="check" class:disabled=!has title=(!has).then_some("not a column of this file")>
                        <input
                            type="checkbox"
                            id=format!("feat-{}", f.name())
                            disabled=!has
                            prop:checked=move || o.features.with(|v| v.contains(&f))
                            on:change=move |ev| {
                                let on = event_target_checked(&ev);
                                o.features.update(|v| {
                                    v.retain(|x| *x != f);
                                    if on {
                                        v.push(f);
                                    }
                                });
                            }
                        />
                        {f.label()}
                    </label>
                }
            })
            .collect_view()
    };
    let err = move |id: &'static str| {
        move || {
            o.errors
                .with(|e| e.get(id).cloned())
                .map(|e| view! { <p class="msg error">{e}</p> })
        }
    };
    let balance_value = move || match o.balance.get() {
        Balance::None => "none",
        Balance::Smote => "smote",
        Balance::ClassWeights => "weights",
    };
    let models = MODELS
        .into_iter()
        .map(|kind| {
            let fields = fields_of(kind)
                .into_iter()
                .map(|d| view! { <ParamField def=d /> })
                .collect_view();
            view! {
                <fieldset class="model-opts" class:off=move || !o.models.with(|m| m.contains(&kind))>
                    <legend>
                        <label class="check">
                            <input
                                type="checkbox"
                                id=format!("model-{}", kind.code())
                                prop:checked=move || o.models.with(|m| m.contains(&kind))
                                on:change=move |ev| {
                                    let on = event_target_checked(&ev);
                                    o.models.update(|m| {
                                        m.retain(|k| *k != kind);
                                        if on {
                                            m.push(kind);
                                        }
                                    });
                                }
                            />
                            <strong>{kind.label()}</strong>
                        </label>
                    </legend>
                    <div class="params">{fields}</div>
                </fieldset>
            }
        })
        .collect_view();

    view! {
        <section class="card" aria-labelledby="options-title">
            <h2 id="options-title"><super::StepNumber step=super::Step::Options />"Options"</h2>
            <div class="opt-group">
                <h3>"Features"</h3>
                <p class="card-sub">"The original project used these nine; the others are in the data too."</p>
                <div class="feature-grid">{feature_boxes}</div>
                {err("features")}
            </div>
            <div class="opt-row">
                <label class="check">
                    <input
                        type="checkbox"
                        id="opt-cap"
                        prop:checked=move || o.cap.get()
                        on:change=move |ev| o.cap.set(event_target_checked(&ev))
                    />
                    "Cap outliers (1.5 × IQR, fitted on the training part)"
                </label>
                <div class="param">
                    <label for="opt-balance">"Class balancing"</label>
                    <select
                        id="opt-balance"
                        prop:value=balance_value
                        on:change=move |ev| {
                            o.balance.set(match event_target_value(&ev).as_str() {
                                "smote" => Balance::Smote,
                                "weights" => Balance::ClassWeights,
                                _ => Balance::None,
                            })
                        }
                    >
                        <option value="none">"None"</option>
                        <option value="smote">"SMOTE (training part only)"</option>
                        <option value="weights">"Class weights"</option>
                    </select>
                </div>
                <div class="param" class:invalid=move || o.errors.with(|e| e.contains_key("test-fraction"))>
                    <label for="opt-test-fraction">"Test fraction"</label>
                    <input
                        id="opt-test-fraction"
                        class="num"
                        type="text"
                        inputmode="decimal"
                        prop:value=move || o.test_fraction.get()
                        on:input=move |ev| o.test_fraction.set(event_target_value(&ev))
                    />
                    {err("test-fraction")}
                </div>
                <div class="param" class:invalid=move || o.errors.with(|e| e.contains_key("seed"))>
                    <label for="opt-seed">"Seed"</label>
                    <input
                        id="opt-seed"
                        class="num"
                        type="text"
                        inputmode="numeric"
                        prop:value=move || o.seed.get()
                        on:input=move |ev| o.seed.set(event_target_value(&ev))
                    />
                    {err("seed")}
                </div>
            </div>
            <div class="opt-group">
                <h3>"Models"</h3>
                <p class="card-sub">"The original comparison (the first five) plus gradient-boosted trees, trained in one go. Untick what you do not need."</p>
                {err("models")}
                <div class="model-grid">{models}</div>
            </div>
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genre_core::params::{Param, Value};

    fn build(
        fields: &HashMap<&'static str, String>,
        kind: ModelKind,
        seed: u64,
    ) -> Result<ModelSpec, Vec<(&'static str, String)>> {
        spec_from_fields(kind, seed, |id| fields.get(id).cloned().unwrap_or_default())
    }

    /// The form and the core cannot disagree on a default: what every field starts with, read
    /// by the form's own parsing, is exactly the core's default model.
    #[test]
    fn the_form_starts_with_the_cores_defaults() {
        assert!(ModelKind::ALL.iter().all(|k| MODELS.contains(k)));
        let fields = default_fields();
        for seed in [0, 42, 2026] {
            for kind in MODELS {
                for def in fields_of(kind) {
                    if let FieldDef::Param(p) = def {
                        assert!(fields.contains_key(p.id), "{} has no default", p.id);
                    }
                }
                assert_eq!(
                    build(&fields, kind, seed),
                    Ok(ModelSpec::default_for(kind, seed)),
                    "{kind:?}"
                );
            }
        }
        // The value the form used to get wrong (C = 1 against the core's 100).
        assert_eq!(fields["svc-c"], "100");
        match build(&fields, ModelKind::Svc, 42) {
            Ok(spec) => assert_eq!(spec.get(Param::C), Some(Value::Real(100.0))),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn the_ids_the_pages_and_tests_use_stay() {
        let ids = |kind| {
            fields_of(kind)
                .into_iter()
                .map(FieldDef::id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            ids(ModelKind::RandomForest),
            ["rf-trees", "rf-depth", "rf-leaf", "rf-maxf", "workers"]
        );
        assert_eq!(ids(ModelKind::Bagging), ["bag-trees", "bag-depth"]);
        assert_eq!(ids(ModelKind::Knn), ["knn-k"]);
        assert_eq!(ids(ModelKind::DecisionTree), ["tree-depth"]);
        assert_eq!(
            ids(ModelKind::Svc),
            ["svc-components", "svc-c", "svc-epochs"]
        );
        assert_eq!(
            ids(ModelKind::GradientBoosting),
            ["gbt-rounds", "gbt-lr", "gbt-leaves"]
        );
    }

    #[test]
    fn problems_are_put_at_their_fields_with_the_cores_limits() {
        let with = |id: &'static str, text: &str| {
            let mut f = default_fields();
            f.insert(id, text.to_string());
            f
        };
        let at = |r: Result<ModelSpec, Vec<(&'static str, String)>>| {
            r.unwrap_err()
                .into_iter()
                .map(|(id, _)| id)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            at(build(&with("rf-trees", "many"), ModelKind::RandomForest, 1)),
            ["rf-trees"]
        );
        assert_eq!(at(build(&with("svc-c", "0"), ModelKind::Svc, 1)), ["svc-c"]);
        assert_eq!(
            at(build(
                &with("gbt-rounds", "20001"),
                ModelKind::GradientBoosting,
                1
            )),
            ["gbt-rounds"]
        );
        // The core allows 20,000 rounds; the form used to stop at 10,000.
        match build(&with("gbt-rounds", "15000"), ModelKind::GradientBoosting, 1) {
            Ok(spec) => assert_eq!(spec.get(Param::Rounds), Some(Value::Count(15_000))),
            other => panic!("{other:?}"),
        }
        assert_eq!(
            at(build(&with("bag-depth", "0"), ModelKind::Bagging, 1)),
            ["bag-depth"]
        );
        // A half-typed value is an error at its field, not a silent default.
        assert_eq!(
            at(build(&with("gbt-lr", "1e"), ModelKind::GradientBoosting, 1)),
            ["gbt-lr"]
        );
    }
}
