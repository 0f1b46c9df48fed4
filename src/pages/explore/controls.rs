//! The Explore page's controls: a feature picker and the genres to compare.

use genre_core::feature::Feature;
use leptos::prelude::*;

use crate::charts::genre_color;

/// A `<select>` of features; `value` holds the chosen one.
#[component]
pub fn FeatureSelect(
    id: &'static str,
    #[prop(into)] label: String,
    features: Vec<Feature>,
    value: RwSignal<Feature>,
) -> impl IntoView {
    let options = features
        .into_iter()
        .map(|f| {
            view! {
                <option value=f.name() selected=move || value.get() == f>{f.label()}</option>
            }
        })
        .collect_view();
    view! {
        <label class="control">
            <span>{label}</span>
            <select
                id=id
                on:change=move |ev| {
                    if let Some(f) = Feature::from_header(&event_target_value(&ev)) {
                        value.set(f);
                    }
                }
            >
                {options}
            </select>
        </label>
    }
}

/// One checkbox per genre, with its chart colour; `selected` holds class indices in class order.
#[component]
pub fn GenrePicker(classes: Vec<String>, selected: RwSignal<Vec<usize>>) -> impl IntoView {
    let n = classes.len();
    let boxes = classes
        .into_iter()
        .enumerate()
        .map(|(c, name)| {
            view! {
                <ChoiceBox id=format!("genre-pick-{c}") class="genre-chip" item=c chosen=selected rank=|&c| c>
                    <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
                        <rect width="10" height="10" rx="2" fill=genre_color(c) />
                    </svg>
                    <span>{name}</span>
                </ChoiceBox>
            }
        })
        .collect_view();
    view! {
        <fieldset class="genre-picker">
            <legend>
                "Genres to compare "
                <button type="button" class="link-button" on:click=move |_| selected.set((0..n).collect())>"all"</button>
                " · "
                <button type="button" class="link-button" on:click=move |_| selected.set(Vec::new())>"none"</button>
            </legend>
            <div class="chips">{boxes}</div>
        </fieldset>
    }
}

/// A labelled checkbox for `item`: ticked while `chosen` holds it; ticking adds it and keeps
/// `chosen` in `rank` order, unticking takes it out. `children` are the label's text.
#[component]
pub fn ChoiceBox<T>(
    id: String,
    class: &'static str,
    item: T,
    chosen: RwSignal<Vec<T>>,
    rank: fn(&T) -> usize,
    #[prop(optional, into)] disabled: Signal<bool>,
    children: Children,
) -> impl IntoView
where
    T: Copy + PartialEq + Send + Sync + 'static,
{
    let for_id = id.clone();
    view! {
        <label class=class for=for_id>
            <input
                type="checkbox"
                id=id
                prop:checked=move || chosen.with(|c| c.contains(&item))
                disabled=disabled
                on:change=move |ev| {
                    let on = event_target_checked(&ev);
                    chosen.update(|c| {
                        c.retain(|&x| x != item);
                        if on {
                            c.push(item);
                            c.sort_by_key(rank);
                        }
                    });
                }
            />
            {children()}
        </label>
    }
}
