//! The user's corrections ("the genre is actually …", made on Predict and Batch): listed with
//! what each track's features are and what was predicted, deleted one by one or all, exported as
//! a CSV the ingest reads back, and trained with ("Train with my corrections": the chosen data
//! set plus them, each counted as `CORRECTION_WEIGHT` training rows, never in the test part).
//! Each entry shows the prediction before (the model that was corrected, and the active model
//! now) and after (every model of the last run with corrections).

use genre_core::corrections::{to_csv, CORRECTION_WEIGHT};
use genre_core::genre::display_name;
use genre_core::text::percent;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::{JobStatus, TrainState};
use crate::browser;
use crate::components::rich_text::rich_text;
use crate::form::with_unit;
use crate::model_store::{ModelState, ModelStore};
use crate::storage::{self, StoredCorrection};

/// The file name of the export.
pub const EXPORT_FILE: &str = "genre-lens-corrections.csv";

/// Lists the corrections again from storage.
fn reload(page: TrainState, error: RwSignal<Option<String>>) {
    spawn_local(async move {
        match storage::corrections().await {
            Ok(list) => page.corrections.set(list),
            Err(e) => error.set(Some(e.to_string())),
        }
    });
}

/// "Energy 0.81 · Tempo 174 BPM · …": the features a correction keeps.
fn features_summary(c: &StoredCorrection) -> String {
    c.correction
        .values
        .iter()
        .map(|&(f, v)| format!("{} {}", f.label(), with_unit(v, f)))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// "Rap (54%)".
fn said(genre: &str, probability: f32) -> String {
    format!("{} ({})", display_name(genre), percent(probability))
}

#[component]
fn CorrectionItem(
    number: usize,
    c: StoredCorrection,
    error: RwSignal<Option<String>>,
) -> impl IntoView {
    let page = TrainState::use_state();
    let store = ModelStore::use_store();
    let id = StoredValue::new(c.id.clone());
    let track = c.correction.track_values();
    // The active model's answer for the track now (its own features; one it lacks is imputed).
    let active_now = move || match store.state.get() {
        ModelState::Ready(m) => {
            let p = m.predict_track(&track);
            Some(format!(
                "{} with the active model, {}",
                said(&m.classes[p.class], p.confidence()),
                m.meta.name
            ))
        }
        _ => None,
    };
    // After: what each model of the last run with corrections says for this track.
    let after = move || {
        let at = page
            .run_corrections
            .with(|ids| ids.iter().position(|i| *i == id.get_value()))?;
        let lines: Vec<String> = page
            .jobs
            .get()
            .iter()
            .filter_map(|j| match j.status.get() {
                JobStatus::Done(r) => r
                    .summary
                    .corrections
                    .get(at)
                    .map(|p| format!("{} with {}", said(&p.genre, p.probability), r.name)),
                _ => None,
            })
            .collect();
        (!lines.is_empty()).then_some(lines)
    };
    let delete_it = move |_| {
        spawn_local(async move {
            match storage::delete_corrections(Some(&id.get_value())).await {
                Ok(()) => reload(page, error),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let right = c.correction.genre == c.predicted;
    view! {
        <li class="correction" id=format!("correction-{number}") data-id=c.id.clone()>
            <div class="correction-head">
                <span class="correction-number">{number}</span>
                <span class="correction-genres">
                    <span class="was-genre">{display_name(&c.predicted)}</span>
                    {if right { " = " } else { " → " }}
                    <strong class="right-genre">{display_name(&c.correction.genre)}</strong>
                </span>
                <button
                    type="button"
                    class="button secondary small danger-text"
                    id=format!("correction-delete-{number}")
                    aria-label=format!("Delete correction {number}")
                    on:click=delete_it
                >
                    "Delete"
                </button>
            </div>
            <p class="correction-features">{features_summary(&c)}</p>
            <dl class="correction-predictions">
                <dt>"Was"</dt>
                <dd class="correction-was">
                    {format!("{} with {}", said(&c.predicted, c.probability), c.model)}
                    <span class="hint">{format!(" · {} · {}", c.source, c.saved_at)}</span>
                </dd>
                {move || active_now().map(|t| view! { <dt>"Active"</dt><dd class="correction-active">{t}</dd> })}
                {move || after().map(|lines| view! {
                    <dt>"Now"</dt>
                    <dd class="correction-now">
                        {lines.into_iter().map(|l| view! { <span class="now-line">{l}</span> }).collect_view()}
                    </dd>
                })}
            </dl>
        </li>
    }
}

#[component]
pub fn Corrections() -> impl IntoView {
    let page = TrainState::use_state();
    let error = RwSignal::new(None::<String>);
    // Listed each time the page shows (Predict and Batch add to storage, not to this list), and
    // again when another tab changes them.
    Effect::new(move |_| {
        page.corrections_version.track();
        reload(page, error);
    });
    let count = move || page.corrections.with(Vec::len);
    let confirm_clear = RwSignal::new(false);
    let clear = move |_| {
        if !confirm_clear.get_untracked() {
            return confirm_clear.set(true);
        }
        confirm_clear.set(false);
        spawn_local(async move {
            match storage::delete_corrections(None).await {
                Ok(()) => reload(page, error),
                Err(e) => error.set(Some(e.to_string())),
            }
        });
    };
    let export = move |_| {
        let list: Vec<_> = page
            .corrections
            .get_untracked()
            .into_iter()
            .map(|c| c.correction)
            .collect();
        if let Err(e) = browser::download(
            EXPORT_FILE,
            "text/csv;charset=utf-8",
            to_csv(&list).as_bytes(),
        ) {
            error.set(Some(e));
        }
    };
    let no_data = move || page.summary().is_none();
    let items = move || {
        page.corrections
            .get()
            .into_iter()
            .enumerate()
            .map(|(i, c)| view! { <CorrectionItem number=i + 1 c error /> })
            .collect_view()
    };
    view! {
        <section class="card corrections" id="corrections" aria-labelledby="corrections-title">
            <h2 id="corrections-title">"Your corrections"</h2>
            <p class="card-sub">
                "Tracks whose genre you set right with “The genre is actually …” on Predict or \
                 Batch, kept in this browser. Training with them adds each one to the training \
                 part as " {CORRECTION_WEIGHT} " rows, so a few of them change the prediction \
                 around their tracks; the test part stays the data's own rows."
            </p>
            {move || error.get().map(|e| view! { <p class="msg error" id="corrections-error" role="alert">{rich_text(&e)}</p> })}
            <Show
                when=move || { count() > 0 }
                fallback=|| view! {
                    <p class="hint" id="corrections-empty">
                        "No corrections yet: on Predict or on Batch's table, choose the right genre \
                         under “The genre is actually …” and keep it."
                    </p>
                }
            >
                <div class="corrections-actions">
                    <button
                        type="button"
                        class="button"
                        id="train-with-corrections"
                        disabled=move || page.running.get() || no_data()
                        on:click=move |_| super::run::start_training_with_corrections(page)
                    >
                        {move || format!("Train with my corrections ({})", count())}
                    </button>
                    <button type="button" class="button secondary" id="corrections-export" on:click=export>
                        "Export CSV"
                    </button>
                    <button type="button" class="button secondary danger-text" id="corrections-clear" on:click=clear>
                        {move || if confirm_clear.get() {
                            format!("Really delete all {}?", count())
                        } else {
                            "Delete all".to_string()
                        }}
                    </button>
                </div>
                <p class="hint" hidden=move || !no_data()>
                    "Choose the data to train on first (step 1): the corrections are added to it."
                </p>
                <ol class="corrections-list" id="corrections-list">{items}</ol>
            </Show>
        </section>
    }
}
