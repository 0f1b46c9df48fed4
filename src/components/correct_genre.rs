//! "The genre is actually …": the one control that keeps a correction (the track's feature
//! values, the right genre, and what which model predicted) in the collection in storage, on the
//! Predict page and on each row of Batch's table. The Train page lists the collection and trains
//! with it (`pages/train/corrections.rs`).

use std::sync::Arc;

use genre_core::corrections::Correction;
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::storage::{self, StoredCorrection};
use genre_core::corrections::Placement;

/// What the model predicted for the track, when the user corrects it.
#[derive(Clone, Debug, PartialEq)]
pub struct Predicted {
    /// The model's class index and its probability.
    pub class: usize,
    pub probability: f32,
    /// The feature values predicted from (missing ones left out).
    pub values: Vec<(Feature, f64)>,
}

/// The model's genres as the select offers them: display names, A to Z, with class indices.
fn choices(genres: &[String]) -> Vec<(usize, String)> {
    let mut out: Vec<(usize, String)> = genres
        .iter()
        .enumerate()
        .map(|(i, g)| (i, display_name(g)))
        .collect();
    out.sort_by_key(|a| a.1.to_lowercase());
    out
}

#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Saving,
    Kept(String),
    /// This track was already kept with this genre: nothing added.
    AlreadyKept(String),
    /// This track was kept with another genre: this one replaced it.
    Replaced(String),
    /// The genre chosen is the one the model predicts: nothing to correct.
    SameAsPredicted(String),
    Failed(String),
}

#[component]
pub fn CorrectGenre(
    /// The predicting model's genre labels, in class order.
    genres: Arc<Vec<String>>,
    /// What the model says now (read when the user confirms).
    predicted: Signal<Predicted>,
    /// The predicting model's name.
    #[prop(into)]
    model: String,
    /// Where this is: "Predict", "Batch · tracks.csv row 12".
    #[prop(into)]
    source: String,
    /// Prefix of the control's element ids (`{id}-genre`, `{id}-keep`, `{id}-status`).
    #[prop(into)]
    id: String,
    /// The table's one-line form (no visible label; the select names the row).
    #[prop(optional)]
    compact: bool,
) -> impl IntoView {
    let chosen = RwSignal::new(None::<usize>);
    let status = RwSignal::new(Status::Idle);
    let genres = StoredValue::new(genres);
    let (model, source) = (StoredValue::new(model), StoredValue::new(source));
    let keep = move |_| {
        let Some(class) = chosen.get_untracked() else {
            return;
        };
        let p = predicted.get_untracked();
        let (genre, said) = genres.with_value(|g| (g[class].clone(), g[p.class].clone()));
        if class == p.class {
            return status.set(Status::SameAsPredicted(display_name(&genre)));
        }
        let record = StoredCorrection {
            id: String::new(),
            correction: Correction {
                values: p.values,
                genre: genre.clone(),
            },
            predicted: said,
            probability: p.probability,
            model: model.get_value(),
            source: source.get_value(),
            saved_at: String::new(),
        };
        status.set(Status::Saving);
        spawn_local(async move {
            status.set(match storage::add_correction(record).await {
                Ok((_, Placement::New)) => Status::Kept(display_name(&genre)),
                Ok((_, Placement::AlreadyKept(_))) => Status::AlreadyKept(display_name(&genre)),
                Ok((_, Placement::Replaces(_))) => Status::Replaced(display_name(&genre)),
                Err(e) => Status::Failed(e.to_string()),
            });
        });
    };
    let label = StoredValue::new(if compact {
        format!("The genre of {} is actually", source.get_value())
    } else {
        "The genre is actually".to_string()
    });
    let on_change = move |ev| {
        chosen.set(event_target_value(&ev).parse::<usize>().ok());
        status.set(Status::Idle);
    };
    let message = move || match status.get() {
        Status::Idle if compact => String::new(),
        Status::Idle => {
            "Kept on this device; train with your corrections on the Train page.".into()
        }
        Status::Saving => "Keeping…".into(),
        Status::Kept(g) if compact => format!("Kept: {g}"),
        Status::Kept(g) => format!("Kept: {g}. Your corrections are listed on the Train page."),
        Status::AlreadyKept(g) if compact => format!("Already kept: {g}"),
        Status::AlreadyKept(g) => {
            format!("Already kept: this track as {g}. A track is kept once, so it counts once.")
        }
        Status::Replaced(g) if compact => {
            format!("Kept: {g} (replaces this track's earlier correction)")
        }
        Status::Replaced(g) => format!(
            "Kept: {g}, in place of this track's earlier correction (a track is kept once)."
        ),
        Status::SameAsPredicted(g) => {
            format!("The model already says {g}: choose the genre it should have said.")
        }
        Status::Failed(e) => e,
    };
    // In the table the select (one option per genre, on each of 50 rows) is drawn only for the
    // row the user opens: a page of rows stays as quick to draw as before.
    let open = RwSignal::new(!compact);
    let ids = StoredValue::new(id.clone());
    let controls = move || {
        let id = ids.get_value();
        if !open.get() {
            return view! {
                <button
                    type="button"
                    class="button secondary small"
                    id=format!("{id}-open")
                    // The accessible name starts with the visible text (WCAG's label in name).
                    aria-label=format!("Correct… the genre of {}", source.get_value())
                    on:click=move |_| open.set(true)
                >
                    "Correct…"
                </button>
            }
            .into_any();
        }
        let options = genres.with_value(|g| {
            choices(g)
                .into_iter()
                .map(|(i, name)| view! { <option value=i.to_string()>{name}</option> })
                .collect_view()
        });
        view! {
            <div class="correct-row">
                <select
                    id=format!("{id}-genre")
                    aria-label=compact.then(|| label.get_value())
                    on:change=on_change
                >
                    <option value="">{if compact { "Actually…" } else { "Choose a genre" }}</option>
                    {options}
                </select>
                <button
                    type="button"
                    class="button secondary small"
                    id=format!("{id}-keep")
                    disabled=move || chosen.get().is_none() || status.get() == Status::Saving
                    on:click=keep
                >
                    "Keep"
                </button>
            </div>
        }
        .into_any()
    };
    view! {
        <div class="correct" class:compact=compact id=id.clone()>
            {(!compact).then(|| view! { <label for=format!("{id}-genre")>{label.get_value()}</label> })}
            {controls}
            <p
                class="correct-status"
                class:error=move || matches!(status.get(), Status::Failed(_))
                id=format!("{id}-status")
                role="status"
            >
                {message}
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::choices;

    #[test]
    fn the_select_offers_display_names_a_to_z_with_their_class() {
        let genres = ["trap", "dnb", "Rap", "Emo"].map(String::from).to_vec();
        assert_eq!(
            choices(&genres),
            vec![
                (1, "Drum & Bass".to_string()),
                (3, "Emo".to_string()),
                (2, "Rap".to_string()),
                (0, "Trap".to_string()),
            ]
        );
    }
}
