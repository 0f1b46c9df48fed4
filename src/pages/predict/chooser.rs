//! Which of the site's two models predicts: "Boosted trees: most accurate" or "Random forest:
//! the report's model". Choosing loads the model through the store (the forest's file is
//! fetched only now), for every page; when a kept or just-trained model is active, neither is
//! checked and the chooser says which model is.

use leptos::prelude::*;

use crate::model_store::{BundledModel, ModelState, ModelStore};

#[component]
pub fn ModelChooser() -> impl IntoView {
    let store = ModelStore::use_store();
    let active = move || store.bundled.get();
    let own_model = move || match (store.bundled.get(), store.state.get()) {
        (None, ModelState::Ready(m)) => Some(m.meta.name.clone()),
        _ => None,
    };
    let choice =
        move |which: BundledModel, id: &'static str, name: &'static str, note: &'static str| {
            view! {
                <input
                    type="radio"
                    id=id
                    name="bundled-model"
                    value=which.code()
                    prop:checked=move || active() == Some(which)
                    on:change=move |_| store.choose_bundled(which)
                />
                <label for=id>
                    <span class="choice-name">{name}</span>
                    <span class="choice-note">{note}</span>
                </label>
            }
        };
    view! {
        <section class="card model-choice" aria-labelledby="model-choice-title">
            <h2 id="model-choice-title" class="eyebrow">"Model"</h2>
            <div class="choice-switch" role="radiogroup" aria-labelledby="model-choice-title">
                {choice(BundledModel::Boosted, "model-boosted", "Boosted trees", "most accurate")}
                {choice(BundledModel::Forest, "model-forest", "Random forest", "the report's model")}
            </div>
            <p class="choice-hint">"Both run in this tab; your values stay when you switch."</p>
            {move || own_model().map(|name| view! {
                <p class="choice-own" id="model-own">
                    "Now predicting: " <strong>{name}</strong>
                    ", a model from the Train page. Choose one of the site's models to switch back."
                </p>
            })}
        </section>
    }
}
