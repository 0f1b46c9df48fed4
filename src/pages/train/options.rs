//! Step 3: options. Features, outlier capping, class balancing, test fraction, seed, and per
//! model the hyper-parameters (sane defaults: scikit-learn's where the original used them).
//! Fields are text so a half-typed value is kept; they are checked when training starts and a
//! problem is shown at its field. The core re-checks every setting (`ParamGuard`) and its
//! message is shown with the model if it disagrees.

use std::collections::HashMap;

use genre_core::feature::{Feature, FeatureSet};
use genre_core::model::ModelKind;
use genre_core::svc::SvcParams;
use genre_core::train::{Balance, ModelSpec, TrainOptions};
use genre_core::tree::boost::BoostParams;
use genre_core::tree::forest::{ForestParams, MaxFeatures};
use leptos::prelude::*;

use super::logic::{parse_between, parse_count, parse_depth, parse_seed};
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

/// Field id, label, default, hint.
type FieldDef = (&'static str, &'static str, &'static str, &'static str);

fn fields_of(kind: ModelKind) -> &'static [FieldDef] {
    match kind {
        ModelKind::RandomForest => &[
            ("rf-trees", "Trees", "100", "1 to 10,000"),
            ("rf-depth", "Max depth", "", "empty = no limit"),
            ("rf-leaf", "Min samples per leaf", "1", ""),
            (
                "rf-maxf",
                "Features per split",
                "sqrt",
                "sqrt, all or a number",
            ),
            ("workers", "Workers", "", "parallel shares of the trees"),
        ],
        ModelKind::Bagging => &[
            ("bag-trees", "Trees", "10", "every feature at every split"),
            ("bag-depth", "Max depth", "", "empty = no limit"),
        ],
        ModelKind::Knn => &[("knn-k", "Neighbours k", "5", "on scaled features")],
        ModelKind::DecisionTree => &[("tree-depth", "Max depth", "", "empty = no limit")],
        ModelKind::Svc => &[
            (
                "svc-components",
                "Random features",
                "1000",
                "RBF kernel approximation",
            ),
            ("svc-c", "C", "1", "larger = less regularisation"),
            ("svc-epochs", "Epochs", "8", ""),
        ],
        ModelKind::GradientBoosting => &[
            (
                "gbt-rounds",
                "Max rounds",
                "600",
                "early stopping picks fewer",
            ),
            ("gbt-lr", "Learning rate", "0.05", ""),
            ("gbt-leaves", "Leaves per tree", "31", ""),
        ],
    }
}

impl Options {
    pub fn new() -> Options {
        let mut fields = HashMap::new();
        for kind in MODELS {
            for (id, _, default, _) in fields_of(kind) {
                fields.insert(*id, default.to_string());
            }
        }
        fields.insert("workers", default_workers().to_string());
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
        let count = |id: &'static str, min: usize, max: usize, errors: &mut HashMap<_, _>| {
            parse_count(&self.field(id), min, max)
                .map_err(|e| {
                    errors.insert(id, e);
                })
                .unwrap_or(min)
        };
        let depth = |id: &'static str, errors: &mut HashMap<_, _>| {
            parse_depth(&self.field(id))
                .map_err(|e| {
                    errors.insert(id, e);
                })
                .unwrap_or(None)
        };
        let real = |id: &'static str, lo: f64, hi: f64, errors: &mut HashMap<_, _>| {
            parse_between(&self.field(id), lo, hi)
                .map_err(|e| {
                    errors.insert(id, e);
                })
                .unwrap_or(lo)
        };
        let workers = count("workers", 1, 16, &mut errors);
        for kind in MODELS.into_iter().filter(|k| models.contains(k)) {
            let spec = match kind {
                ModelKind::RandomForest => {
                    let maxf = match self.field("rf-maxf").trim().to_ascii_lowercase().as_str() {
                        "sqrt" | "" => MaxFeatures::Sqrt,
                        "all" => MaxFeatures::All,
                        other => match other.parse::<usize>() {
                            Ok(n) if n >= 1 => MaxFeatures::Count(n),
                            _ => {
                                errors.insert(
                                    "rf-maxf",
                                    "Expected sqrt, all or a whole number ≥ 1.".into(),
                                );
                                MaxFeatures::Sqrt
                            }
                        },
                    };
                    ModelSpec::Forest(
                        ForestParams::default()
                            .n_trees(count("rf-trees", 1, 10_000, &mut errors))
                            .max_depth(depth("rf-depth", &mut errors))
                            .min_samples_leaf(count("rf-leaf", 1, 100_000, &mut errors))
                            .max_features(maxf)
                            .seed(seed_v),
                    )
                }
                ModelKind::Bagging => ModelSpec::Bagging(
                    ForestParams::bagging()
                        .n_trees(count("bag-trees", 1, 10_000, &mut errors))
                        .max_depth(depth("bag-depth", &mut errors))
                        .seed(seed_v),
                ),
                ModelKind::Knn => ModelSpec::Knn {
                    k: count("knn-k", 1, 1000, &mut errors),
                },
                ModelKind::DecisionTree => ModelSpec::Tree {
                    max_depth: depth("tree-depth", &mut errors),
                },
                ModelKind::Svc => ModelSpec::Svc(SvcParams {
                    components: count("svc-components", 1, 20_000, &mut errors),
                    c: real("svc-c", 0.0, 1e6, &mut errors),
                    epochs: count("svc-epochs", 1, 1000, &mut errors),
                    seed: seed_v,
                    ..SvcParams::default()
                }),
                ModelKind::GradientBoosting => ModelSpec::Boost(
                    BoostParams::default()
                        .max_rounds(count("gbt-rounds", 1, 10_000, &mut errors))
                        .learning_rate(real("gbt-lr", 0.0, 1.0 + f64::EPSILON, &mut errors))
                        .max_leaves(count("gbt-leaves", 2, 4096, &mut errors))
                        .seed(seed_v),
                ),
            };
            specs.push(spec);
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
    let (id, label, _, hint) = def;
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
                .iter()
                .map(|d| view! { <ParamField def=*d /> })
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
