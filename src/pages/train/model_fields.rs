//! The models' fields of the options form: which fields each model shows (the core's
//! `genre_core::params`, plus the app's worker count for the forest), their starting text (the
//! core's defaults), how their text becomes a checked `ModelSpec` (problems put at their
//! fields), and the fieldset that shows one model.

use std::collections::HashMap;

use genre_core::error::TrainError;
use genre_core::model::ModelKind;
use genre_core::params::{find, param_specs, ParamSpec};
use genre_core::train::ModelSpec;
use leptos::prelude::*;

use super::TrainState;

/// The models offered, in the original comparison's order, then what the core adds.
pub const MODELS: [ModelKind; 6] = [
    ModelKind::RandomForest,
    ModelKind::Bagging,
    ModelKind::Knn,
    ModelKind::DecisionTree,
    ModelKind::Svc,
    ModelKind::GradientBoosting,
];

/// A text field of the form: a model's setting (its id, label, hint and default come from the
/// core's `genre_core::params`), or the app's own worker count.
#[derive(Clone, Copy)]
pub enum FieldDef {
    Param(&'static ParamSpec),
    Workers,
}

/// How many workers share out the forest's trees: an app setting, not a model's.
pub const WORKERS: (&str, &str, &str) = ("workers", "Workers", "parallel shares of the trees");
pub const WORKERS_MAX: usize = 16;

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
                // The field's own id (`'static`, from the parameter table), not the error's copy.
                TrainError::InvalidParam { name, .. } => {
                    find(kind, name).map_or("models", |p| p.id)
                }
                _ => "models",
            };
            Err(vec![(at, e.to_string())])
        }
    }
}

/// A labelled text field of the options form (`#opt-{id}`), with its hint and, once training
/// was asked for, its problem under it.
#[component]
pub fn TextField(
    id: &'static str,
    label: &'static str,
    hint: String,
    inputmode: &'static str,
    value: Signal<String>,
    on_input: Callback<String>,
) -> impl IntoView {
    let o = TrainState::use_state().options;
    let error = move || o.errors.with(|e| e.get(id).cloned());
    view! {
        <div class="param" class:invalid=move || error().is_some()>
            <label for=format!("opt-{id}")>{label}</label>
            <input
                id=format!("opt-{id}")
                class="num"
                type="text"
                inputmode=inputmode
                prop:value=move || value.get()
                on:input=move |ev| on_input.run(event_target_value(&ev))
            />
            {(!hint.is_empty()).then(|| view! { <span class="hint">{hint}</span> })}
            {move || error().map(|e| view! { <span class="msg error field-error">{e}</span> })}
        </div>
    }
}

/// A model's field, bound to `Options::fields[id]`.
#[component]
fn ParamField(def: FieldDef) -> impl IntoView {
    let o = TrainState::use_state().options;
    let id = def.id();
    let value = Signal::derive(move || o.fields.with(|f| f.get(id).cloned().unwrap_or_default()));
    let on_input = Callback::new(move |v: String| {
        o.fields.update(|f| {
            f.insert(id, v);
        })
    });
    view! { <TextField id label=def.label() hint=def.hint() inputmode="decimal" value on_input /> }
}

/// One model's fieldset: its checkbox (train it or not) and its fields.
#[component]
pub fn ModelFieldset(kind: ModelKind) -> impl IntoView {
    let o = TrainState::use_state().options;
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
                        on:change=move |ev| set_member(o.models, kind, event_target_checked(&ev))
                    />
                    <strong>{kind.label()}</strong>
                </label>
            </legend>
            <div class="params">{fields}</div>
        </fieldset>
    }
}

/// A ticked box adds `item` to `list` (once), an unticked one removes it.
pub fn set_member<T: PartialEq + Send + Sync + 'static>(list: RwSignal<Vec<T>>, item: T, on: bool) {
    list.update(|v| {
        v.retain(|x| *x != item);
        if on {
            v.push(item);
        }
    });
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
