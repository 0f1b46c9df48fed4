//! Predict (home): which model, the feature form, the live prediction, why, and what the
//! model is. The values and the model are kept in the address (`link`), so a copied link
//! (`share`) opens the same prediction.

mod chooser;
pub mod link;
mod share;

use std::sync::Arc;

use genre_core::model::{ModelKind, TrainedModel};
use genre_core::text::percent;
use leptos::prelude::*;

use crate::components::about_model::AboutModel;
use crate::components::bar_chart::BarChart;
use crate::components::busy::Busy;
use crate::components::contrib_chart::{ContribChart, Contribution};
use crate::components::correct_genre::{CorrectGenre, Predicted};
use crate::components::example_picker::ExamplePicker;
use crate::components::feature_field::FeatureField;
use crate::components::live_prediction::LivePrediction;
use crate::components::page_intro::PageIntro;
use crate::examples::ExampleTrack;
use crate::form::with_unit;
use crate::model_store::{BundledModel, ModelState, ModelStore};
use crate::perf::FirstAnswer;
use chooser::ModelChooser;
use link::PredictLink;
use share::ShareLink;

/// What the page is for, under its title.
const LEAD: &str =
    "Set a track's Spotify audio features and the model names its genre, live. It runs in \
    this tab; nothing is sent anywhere.";

#[component]
pub fn PredictPage() -> impl IntoView {
    let store = ModelStore::use_store();
    // "Random example of": the user's genre outlives a switch of model.
    let example_genre = RwSignal::new(None::<String>);
    view! {
        <PageIntro title="Which genre is this track?" lead=LEAD />
        <ModelChooser />
        {move || match store.state.get() {
            ModelState::Loading => view! { <Busy class="card loading" text="Loading the model…" /> }.into_any(),
            ModelState::Failed(message) => view! {
                <div class="card load-error" role="alert">
                    <h2>"The model could not be loaded"</h2>
                    <p id="load-error">{message}</p>
                    <button class="button" type="button" on:click=move |_| store.retry_bundled()>
                        "Try again"
                    </button>
                </div>
            }
            .into_any(),
            ModelState::Ready(model) => view! { <Predictor model example_genre /> }.into_any(),
        }}
    }
}

#[component]
fn Predictor(model: Arc<TrainedModel>, example_genre: RwSignal<Option<String>>) -> impl IntoView {
    // Effects run after the view is mounted, in the order they were made: this one first.
    Effect::new(|_| FirstAnswer::FormRendered.reached());
    let live = LivePrediction::new(&model);
    let (fields, values, prediction) = (live.fields, live.values, live.prediction);
    let store = ModelStore::use_store();

    // The address's values (a shared link, or this page before the model was switched) fill
    // the fields as typed: an invalid one shows its field's message, the prediction keeping
    // the training median for it.
    let opened_with = link::current();
    fields.with_value(|fs| {
        for f in fs {
            if let Some(text) = opened_with.value(f.feature) {
                // The last valid value is the median until the text parses.
                f.value.get_untracked();
                f.text.set(text.to_string());
            }
        }
    });
    // The address follows every edit and the model choice, replacing the current history
    // entry. A page opened at `#/` with nothing changed keeps its plain address.
    let link_now = Memo::new(move |_| PredictLink {
        values: fields.with_value(|fs| fs.iter().map(|f| (f.feature, f.text.get())).collect()),
        model: store.bundled.get().filter(|m| *m == BundledModel::Forest),
    });
    let at_mount = link_now.get_untracked();
    let untouched = StoredValue::new(link::address_is_bare() && at_mount.model.is_none());
    Effect::new(move |_| {
        let now = link_now.get();
        if untouched.get_value() && now == at_mount {
            return;
        }
        untouched.set_value(false);
        link::replace(&now);
    });
    let share_url = Signal::derive(move || link_now.with(link::absolute_url));
    // The answer comes first: the form and the predicted genre are painted, then (in the first
    // task after that frame) the explanation is computed, from then on with every prediction,
    // and the charts and the model's card are drawn.
    let answer_painted = RwSignal::new(false);
    // Only the fields the first screen can show are built with the answer; the others (a
    // field's height of blank until then) come in the next task, and the correction control
    // and "About this model" in the one after: each task stays short enough for input to be
    // answered in between.
    let all_fields_shown = RwSignal::new(false);
    let rest_shown = RwSignal::new(false);
    // Scheduled once the view is mounted, after the first prediction's mark (an earlier effect),
    // so that its "painted" mark comes before this work.
    Effect::new(move |_| {
        crate::browser::after_next_paint(move || {
            answer_painted.try_set(true);
            leptos::task::spawn_local(async move {
                crate::browser::yield_now().await;
                all_fields_shown.try_set(true);
                crate::browser::yield_now().await;
                rest_shown.try_set(true);
            });
        })
    });
    let m = model.clone();
    let explanation = Memo::new(move |_| {
        if !answer_painted.get() {
            return None;
        }
        let class = prediction.with(|p| p.class);
        values.with(|v| m.explain_raw(v, class))
    });
    Effect::new(move |_| {
        if explanation.with(Option::is_some) {
            FirstAnswer::Explanation.reached();
        }
    });
    let any_invalid = move || fields.with_value(|fs| fs.iter().any(|f| f.error.get().is_some()));

    let classes = live.genres.clone();
    let top_genre = live.genre();
    let confidence = live.confidence();
    let c = classes.clone();
    let runner_up = move || {
        prediction.with(|p| {
            p.top(2)
                .get(1)
                .map(|&(k, q)| format!("Next: {} ({})", c[k], percent(q)))
        })
    };
    let probabilities = Signal::derive(move || prediction.with(|p| p.probabilities.clone()));

    let m = model.clone();
    let contributions = Signal::derive(move || {
        let features = m.features().as_slice();
        let v = values.get();
        explanation.with(|e| {
            e.as_ref()
                .map(|e| {
                    e.contributions
                        .iter()
                        .enumerate()
                        .map(|(j, &amount)| Contribution {
                            label: features[j].label().to_string(),
                            value: with_unit(v[j], features[j]),
                            amount,
                        })
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
        })
    });
    let has_explanation = move || explanation.with(|e| e.is_some());
    let scale_note = match model.meta.kind {
        ModelKind::GradientBoosting => {
            "Units are the model's raw score (log-odds) for the genre, relative to an average track."
        }
        _ => "Units are probability, relative to an average track.",
    };

    // Fills the form with a real track (values the data set lacks at the training median, so
    // the prediction is the track's own; the picker says how many were filled).
    let on_pick = Callback::new(move |track: Arc<ExampleTrack>| live.fill(|_, f| track.value(f)));

    // What "the genre is actually …" keeps: the values predicted from (a missing one is left
    // out, as the model imputes it) and the prediction.
    let features = model.features().as_slice().to_vec();
    let predicted = Signal::derive(move || Predicted {
        class: prediction.with(|p| p.class),
        probability: prediction.with(|p| p.confidence()),
        values: values.with(|v| {
            features
                .iter()
                .zip(v)
                .filter(|(_, x)| x.is_finite())
                .map(|(&f, &x)| (f, x))
                .collect()
        }),
    });
    let model_name = model.meta.name.clone();
    let about = model.clone();
    let model_genres = Arc::new(model.classes.clone());

    let genres = model.classes.clone();
    let (first_fields, later_fields) = fields.with_value(|fs| {
        let (first, later) = fs.split_at(first_screen_fields(fs.len()));
        (first.to_vec(), later.to_vec())
    });
    let first_field_views = first_fields
        .into_iter()
        .map(|field| view! { <FeatureField field /> })
        .collect_view();
    let later_field_views = move || {
        if all_fields_shown.get() {
            later_fields
                .iter()
                .map(|&field| view! { <FeatureField field /> })
                .collect_view()
                .into_any()
        } else {
            later_fields
                .iter()
                .map(|_| view! { <div class="field field-pending" aria-hidden="true"></div> })
                .collect_view()
                .into_any()
        }
    };

    view! {
        <div class="predict-grid">
            <form
                class="card form-card"
                aria-labelledby="form-title"
                // Prediction is live; Enter must not reload the page, it just confirms.
                on:submit=move |ev| ev.prevent_default()
            >
                <div class="card-head">
                    <h2 id="form-title">"Audio features"</h2>
                    <ExamplePicker genres on_pick chosen=example_genre />
                </div>
                // Stays in view while scrolling the long form, so slider moves show their effect
                // (on phones the full result is below the form). Hidden from screen readers: the
                // result card's status region already announces the same.
                <div class="mini-result" aria-hidden="true">
                    <span class="mini-label">"Prediction"</span>
                    <span class="mini-genre">{move || top_genre.get()}</span>
                    <span class="mini-conf">{move || confidence.get()}</span>
                </div>
                <div class="fields">{first_field_views}{later_field_views}</div>
                <button type="submit" class="visually-hidden" tabindex="-1">"Predict"</button>
            </form>
            <div class="results">
                <section class="card result-card" aria-labelledby="result-title">
                    <h2 id="result-title" class="eyebrow">"Predicted genre"</h2>
                    <div role="status" aria-live="polite" aria-atomic="true" class="result-summary">
                        <p class="top-genre" id="top-genre">{move || top_genre.get()}</p>
                        <p class="confidence">
                            <span id="confidence">{move || confidence.get()}</span>
                            " confidence · "
                            <span class="runner-up">{runner_up}</span>
                        </p>
                    </div>
                    <p class="stale-note" id="stale-note" hidden=move || !any_invalid()>
                        "A field is invalid: this is the prediction for the last valid values."
                    </p>
                    {move || answer_painted.get().then(|| view! { <BarChart labels=classes.to_vec() probabilities /> })}
                    <ShareLink link=share_url />
                    {move || rest_shown.get().then(|| view! {
                        <CorrectGenre genres=model_genres.clone() predicted model=model_name.clone() source="Predict" id="correct" />
                    })}
                </section>
                // Built with the first explanation, after the answer is painted.
                {move || answer_painted.get().then(|| view! {
                    <section class="card why-card" aria-labelledby="why-title" hidden=move || !has_explanation()>
                        <h2 id="why-title">"Why " {move || top_genre.get()} "?"</h2>
                        <p class="card-sub">
                            "How each feature pushes the prediction towards or away from "
                            {move || top_genre.get()} ". " {scale_note}
                        </p>
                        <ContribChart genre=top_genre items=contributions />
                    </section>
                })}
                {move || rest_shown.get().then(|| view! { <AboutModel model=about.clone() /> })}
            </div>
        </div>
    }
}

/// How many of the form's `n` fields are built with the answer: on the page's first answer,
/// those that can be on the first screen (the screen's height, at least the window's, below the
/// header, the title and the model chooser, 300 px at any width, with fields at their shortest,
/// 5.5rem), so that a field built a task later is never one the first screen shows. Asking the
/// window or the page for a size would lay the page out inside the task that shows the answer;
/// the screen's size needs no layout. Later (another model chosen, maybe scrolled down the
/// form), and natively (the app's native tests), all of them.
fn first_screen_fields(n: usize) -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        use std::sync::atomic::{AtomicBool, Ordering};
        static ANSWERED: AtomicBool = AtomicBool::new(false);
        const FORM_TOP_PX: f64 = 300.0;
        const MIN_FIELD_PX: f64 = 88.0;
        if ANSWERED.swap(true, Ordering::Relaxed) {
            return n;
        }
        let Some(height) = web_sys::window()
            .and_then(|w| w.screen().ok())
            .and_then(|s| s.height().ok())
        else {
            return n;
        };
        (((height as f64 - FORM_TOP_PX) / MIN_FIELD_PX)
            .ceil()
            .max(1.0) as usize)
            .min(n)
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        n
    }
}
