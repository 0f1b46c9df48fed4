//! The widget's compact predictor: a grid of number fields, the genre and the top three.
//! It reuses the site's field state (parsing, last valid value) but not its tall field view:
//! the whole widget must fit a 360×480 box.

use std::sync::Arc;

use genre_core::feature::Feature;
use genre_core::model::TrainedModel;
use genre_core::text::percent;
use leptos::prelude::*;

use super::bridge::{self, HostValues};
use super::message::{self, Source};
use super::options::WidgetOptions;
use crate::components::feature_field::{FieldControl, FieldState};
use crate::components::live_prediction::LivePrediction;
use crate::form::{out_of_range_message, unit};

#[component]
pub fn Widget(
    model: Arc<TrainedModel>,
    options: Arc<WidgetOptions>,
    host_values: HostValues,
) -> impl IntoView {
    // Effects run after the view is mounted, in the order they were made: this one first.
    Effect::new(|_| crate::perf::FirstAnswer::FormRendered.reached());
    let features = model.features().as_slice().to_vec();
    let live = LivePrediction::new(&model);
    let (fields, values, prediction) = (live.fields, live.values, live.prediction);

    // A host's request fills every field with exactly what it sent, and the training median
    // where it sent nothing, which is what the model imputed for its reply; so the form shows
    // the values the host's prediction was made for.
    let filler = live.clone();
    Effect::new(move |_| {
        if let Some(sent) = host_values.get() {
            filler.fill(|j, _| sent[j]);
        }
    });

    // The user's own edits are announced to the embedding page (host requests are answered
    // directly instead, so they are not announced twice).
    let m = model.clone();
    let opts = options.clone();
    let on_user_edit = move || {
        let v = values.get_untracked();
        let p = prediction.get_untracked();
        bridge::announce(&opts, &message::prediction(None, Source::User, &m, &v, &p));
    };

    let genre = live.genre();
    let confidence = live.confidence();
    let c = live.genres.clone();
    let top3 = move || {
        prediction.with(|p| {
            p.top(3)
                .into_iter()
                .map(|(k, q)| {
                    let w = format!("{:.2}%", (q as f64).clamp(0.0, 1.0) * 100.0);
                    view! {
                        <li>
                            <span class="w-top-name">{c[k].clone()}</span>
                            <svg class="w-top-bar" aria-hidden="true" width="100%" height="8">
                                <rect class="bar-track" x="0" y="0" width="100%" height="8" rx="4" />
                                <rect class="bar" x="0" y="0" width=w height="8" rx="4" />
                            </svg>
                            <span class="w-top-pct">{percent(q)}</span>
                        </li>
                    }
                })
                .collect_view()
        })
    };
    let any_warning = move || {
        fields.with_value(|fs| {
            fs.iter().any(|f| {
                let v = f.value.get();
                f.error.get().is_some() || v < f.range.0 || v > f.range.1
            })
        })
    };

    let shown = options.shown_fields(&features);
    let field_views = fields.with_value(|fs| {
        shown
            .iter()
            .map(|&j| {
                let field = fs[j];
                let on_edit = on_user_edit.clone();
                view! { <CompactField field on_edit=Callback::new(move |_| on_edit()) /> }
            })
            .collect_view()
    });

    view! {
        <div class="widget">
            <header class="w-head">
                <h1 class="w-title">
                    <a class="w-brand" href="./" target="_blank" rel="noopener">"Genre Lens"</a>
                </h1>
                <span class="w-model" title="The model this widget runs">{model.meta.name.clone()}</span>
            </header>
            <section class="w-result" aria-label="Prediction">
                <div role="status" aria-live="polite" aria-atomic="true">
                    <p class="w-genre" id="w-genre">{move || genre.get()}</p>
                    <p class="w-conf">
                        <span id="w-confidence">{move || confidence.get()}</span>
                        " confidence"
                    </p>
                </div>
                <ol class="w-top" id="w-top">{top3}</ol>
            </section>
            <form class="w-fields" on:submit=move |ev| ev.prevent_default() aria-label="Audio features">
                {field_views}
            </form>
            {options.fields_note(model.features().as_slice()).map(|note| view! {
                <p class="w-note" id="w-fields-note">{note}</p>
            })}
            <p class="w-note" id="w-note" hidden=move || !any_warning()>
                "⚠ A value is invalid or outside the training range: see the marked field."
            </p>
        </div>
    }
}

/// One feature as a label and a number input (a note picker for key, a major/minor switch for
/// mode); out-of-range and invalid values are marked on the field and explained in its tooltip
/// and accessible description. Arrow Up/Down step a number like the site's sliders.
#[component]
fn CompactField(field: FieldState, on_edit: Callback<()>) -> impl IntoView {
    let f = field.feature;
    let id = format!("w-field-{}", f.name());
    let desc_id = format!("w-desc-{}", f.name());
    let (lo, hi) = field.range;
    let problem = move || {
        field.error.get().or_else(|| {
            let v = field.value.get();
            (v < lo || v > hi).then(|| out_of_range_message(v, field.range, f))
        })
    };
    let unit = unit(f);
    let title = Signal::derive(move || problem().unwrap_or_default());
    let control = view! {
        <FieldControl field id=id.clone() described_by=desc_id.clone() title on_edit />
    };
    view! {
        <div class="w-field" class:invalid=move || field.error.get().is_some() class:warned=move || problem().is_some()>
            <label for=(f != Feature::Mode).then(|| id.clone()) id=format!("label-{}", f.name())>
                {f.label()}
                {(!unit.is_empty()).then(|| view! { <span class="unit">{unit}</span> })}
            </label>
            {control}
            <span class="visually-hidden" id=desc_id>{move || problem().unwrap_or_default()}</span>
        </div>
    }
}
