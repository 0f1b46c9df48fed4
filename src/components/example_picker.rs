//! "Random example of <genre>": fills the form with a real track from `examples.json`.

use std::sync::Arc;

use genre_core::genre::display_name;
use leptos::prelude::*;

use crate::examples::ExampleTrack;
use crate::model_store::{ExamplesState, ModelStore};

/// A uniformly random index below `n` (n > 0), from the browser's Math.random.
fn random_index(n: usize) -> usize {
    ((js_sys::Math::random() * n as f64) as usize).min(n - 1)
}

#[component]
pub fn ExamplePicker(
    /// Genres to offer, in the model's class order.
    genres: Vec<String>,
    /// Called with the chosen track; returns how many missing values were filled in.
    on_pick: Callback<Arc<ExampleTrack>, usize>,
    /// The genre the user chose, kept by the page across models: a new model that has it
    /// starts with it instead of its first genre.
    chosen: RwSignal<Option<String>>,
) -> impl IntoView {
    let store = ModelStore::use_store();
    let first = chosen
        .get_untracked()
        .filter(|g| genres.contains(g))
        .or_else(|| genres.first().cloned())
        .unwrap_or_default();
    let (genre, set_genre) = signal(first);
    let (picked, set_picked) = signal::<Option<(Arc<ExampleTrack>, usize)>>(None);
    let genres = StoredValue::new(genres);

    let pick = move |_| {
        let ExamplesState::Ready(examples) = store.examples.get_untracked() else {
            return;
        };
        let g = genre.get_untracked();
        let tracks: Vec<&ExampleTrack> = examples.of_genre(&g).collect();
        if tracks.is_empty() {
            return;
        }
        let track = Arc::new(tracks[random_index(tracks.len())].clone());
        let imputed = on_pick.run(track.clone());
        set_picked.set(Some((track, imputed)));
    };

    let status = move || match store.examples.get() {
        ExamplesState::Loading => Some("Loading example tracks…".to_string()),
        ExamplesState::Failed(e) => Some(format!("Examples unavailable: {e}")),
        ExamplesState::Ready(ex) => {
            (!ex.has_genre(&genre.get())).then(|| "No bundled example for this genre.".to_string())
        }
    };
    let disabled = move || status().is_some();

    view! {
        <div class="example-picker">
            <label for="example-genre">"Random example of"</label>
            <div class="example-row">
                <select id="example-genre" on:change=move |ev| {
                    let g = event_target_value(&ev);
                    chosen.set(Some(g.clone()));
                    set_genre.set(g);
                }>
                    {move || genres.get_value().into_iter().map(|g| {
                        let selected = g == genre.get_untracked();
                        view! { <option value=g.clone() selected=selected>{display_name(&g)}</option> }
                    }).collect_view()}
                </select>
                <button id="example-fill" type="button" class="button" on:click=pick disabled=disabled>
                    "Fill"
                </button>
            </div>
            <p class="example-note" id="example-note" aria-live="polite">
                {move || match (status(), picked.get()) {
                    (Some(s), _) => s,
                    (None, Some((t, imputed))) => {
                        let genre = display_name(&t.genre);
                        let what = if t.name.is_empty() {
                            format!("a {genre} track")
                        } else {
                            format!("“{}” ({genre})", t.name)
                        };
                        let missing = match imputed {
                            0 => String::new(),
                            1 => " Its one missing value is set to the training median.".into(),
                            n => format!(" Its {n} missing values are set to the training median."),
                        };
                        format!("Filled with {what}.{missing}")
                    }
                    (None, None) => "Fill the form from a real track of the data set.".into(),
                }}
            </p>
        </div>
    }
}
