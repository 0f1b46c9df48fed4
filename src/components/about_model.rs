//! "About this model": what the active model is, what it was trained on and how it scored.

use std::sync::Arc;

use genre_core::genre::display_name;
use genre_core::model::TrainedModel;
use genre_core::text::percent;
use leptos::prelude::*;

#[component]
pub fn AboutModel(model: Arc<TrainedModel>) -> impl IntoView {
    let meta = &model.meta;
    let features = model
        .features()
        .as_slice()
        .iter()
        .map(|f| f.label())
        .collect::<Vec<_>>()
        .join(", ");
    let genres = format!(
        "{}: {}",
        model.classes.len(),
        model
            .classes
            .iter()
            .map(|c| display_name(c))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let holdout = meta.holdout.as_ref().map(|h| {
        view! {
            <dt>"Holdout accuracy"</dt>
            <dd id="about-accuracy">
                <strong>{percent(h.accuracy)}</strong>
                {format!(" on {} unseen tracks · macro F1 {:.3} · weighted F1 {:.3}", h.rows, h.macro_f1, h.weighted_f1)}
            </dd>
        }
    });
    view! {
        <section class="card about" aria-labelledby="about-title">
            <h2 id="about-title">"About this model"</h2>
            <dl>
                <dt>"Name"</dt>
                <dd id="about-name">{meta.name.clone()}</dd>
                <dt>"Kind"</dt>
                <dd>{meta.kind.label()}</dd>
                <dt>"Origin"</dt>
                <dd id="about-origin">{meta.origin()}</dd>
                {holdout}
                <dt>"Features"</dt>
                <dd>{features}</dd>
                <dt>"Genres"</dt>
                <dd id="about-genres">{genres}</dd>
                {(!meta.settings.is_empty()).then(|| view! {
                    <dt>"Settings"</dt>
                    <dd class="settings">{meta.settings.clone()}</dd>
                })}
            </dl>
        </section>
    }
}
