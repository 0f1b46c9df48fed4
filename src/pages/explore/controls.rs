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
            let id = format!("genre-pick-{c}");
            let for_id = id.clone();
            view! {
                <label class="genre-chip" for=for_id>
                    <input
                        type="checkbox"
                        id=id
                        prop:checked=move || selected.with(|s| s.contains(&c))
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            selected.update(|s| {
                                s.retain(|&x| x != c);
                                if on {
                                    s.push(c);
                                    s.sort_unstable();
                                }
                            });
                        }
                    />
                    <svg class="swatch" viewBox="0 0 10 10" aria-hidden="true">
                        <rect width="10" height="10" rx="2" fill=genre_color(c) />
                    </svg>
                    <span>{name}</span>
                </label>
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
