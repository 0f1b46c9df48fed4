//! Step 3: options. Features, outlier capping, class balancing, test fraction, seed, and per
//! model the hyper-parameters (see `model_fields`). The models' fields (ids, labels, hints,
//! defaults, allowed values) are the core's (`genre_core::params`): the form only shows them.

use std::collections::HashMap;

use genre_core::feature::Feature;
use genre_core::train::Balance;
use leptos::prelude::*;

use super::model_fields::{set_member, ModelFieldset, TextField, MODELS};
use super::TrainState;

/// A text field of the run's own options (not a model's).
#[component]
fn RunField(
    id: &'static str,
    label: &'static str,
    inputmode: &'static str,
    text: RwSignal<String>,
) -> impl IntoView {
    let on_input = Callback::new(move |v: String| text.set(v));
    view! { <TextField id label hint=String::new() inputmode value=text.into() on_input /> }
}

#[component]
pub fn OptionsCard() -> impl IntoView {
    let page = TrainState::use_state();
    let o = page.options;
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
    let present = move || {
        page.summary()
            .map(|s| s.present.clone())
            .unwrap_or_default()
    };
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
                            on:change=move |ev| set_member(o.features, f, event_target_checked(&ev))
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
        .map(|kind| view! { <ModelFieldset kind /> })
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
                <RunField id="test-fraction" label="Test fraction" inputmode="decimal" text=o.test_fraction />
                <RunField id="seed" label="Seed" inputmode="numeric" text=o.seed />
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
