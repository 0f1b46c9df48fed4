//! One feature's input: a label with unit, a number field and a slider over the training range
//! (a note picker for key, a major/minor switch for mode), the range hint, and the field's
//! messages (invalid input, out of range).

use genre_core::feature::Feature;
use leptos::prelude::*;

use crate::form::{
    display_text, mode_name, note_name, out_of_range_message, parse_field, range_hint,
    slider_attrs, slider_step, unit, with_unit, NOTES,
};

/// The state of one field. `text` is what the user typed; `value` is the last valid number, which
/// the prediction uses, so a half-typed or invalid entry never blanks the result.
#[derive(Clone, Copy)]
pub struct FieldState {
    pub feature: Feature,
    pub range: (f64, f64),
    pub text: RwSignal<String>,
    /// A value the page set and the text it shows for it: while the text is unchanged the field
    /// holds the exact value, even where the display is rounded (a duration's milliseconds).
    pinned: RwSignal<Option<(String, f64)>>,
    pub error: Memo<Option<String>>,
    pub value: Memo<f64>,
}

impl FieldState {
    pub fn new(feature: Feature, range: (f64, f64), initial: f64) -> FieldState {
        let text = RwSignal::new(String::new());
        let pinned = RwSignal::new(None::<(String, f64)>);
        let parsed = Memo::new(move |_| {
            text.with(|t| {
                pinned.with(|p| match p {
                    Some((shown, v)) if shown == t => Ok(*v),
                    _ => parse_field(t, feature),
                })
            })
        });
        let error = Memo::new(move |_| parsed.with(|p| p.as_ref().err().map(ToString::to_string)));
        let fallback = (range.0 + range.1) / 2.0;
        let value = Memo::new(move |previous: Option<&f64>| match parsed.get() {
            Ok(v) => v,
            Err(_) => previous.copied().unwrap_or(fallback),
        });
        let state = FieldState {
            feature,
            range,
            text,
            pinned,
            error,
            value,
        };
        state.set_value(if initial.is_finite() {
            initial
        } else {
            fallback
        });
        state
    }

    /// Sets the field to `v` (a default, an example track, a host's request, a slider): the
    /// field shows it as people read it and the model gets exactly `v`.
    pub fn set_value(&self, v: f64) {
        let shown = display_text(v, self.feature);
        self.pinned.set(Some((shown.clone(), v)));
        self.text.set(shown);
    }

    /// Moves the value by `steps` slider steps (arrow keys in a number field), from the last
    /// valid value, rounded to the step so that repeated presses stay on round numbers.
    pub fn step_by(&self, steps: f64) {
        let step = slider_step(self.range, self.feature);
        let v = self.value.get_untracked();
        let next = ((v / step).round() + steps) * step;
        // Round away binary noise (0.1 + 0.2) at the step's decimals.
        let decimals = (-step.log10().floor()).max(0.0) as i32;
        let scale = 10f64.powi(decimals);
        self.set_value((next * scale).round() / scale);
    }
}

/// Arrow Up/Down in a number field step the value like the slider (Shift: ten steps).
pub fn on_arrow_keys(field: FieldState, ev: &web_sys::KeyboardEvent) -> bool {
    let steps = match ev.key().as_str() {
        "ArrowUp" => 1.0,
        "ArrowDown" => -1.0,
        _ => return false,
    };
    ev.prevent_default();
    field.step_by(if ev.shift_key() { steps * 10.0 } else { steps });
    true
}

/// The key as a select of the twelve notes; a value that is no note (a host's 5.5, Spotify's
/// -1 for "no key detected") is shown as an extra option with its number.
#[component]
pub fn KeySelect(
    field: FieldState,
    id: String,
    #[prop(into)] on_edit: Callback<()>,
) -> impl IntoView {
    let other = move || {
        let v = field.value.get();
        note_name(v).is_none().then(|| {
            let t = v.to_string();
            view! { <option value=t.clone() selected=true>{format!("{t} (no note)")}</option> }
        })
    };
    view! {
        <select
            id=id
            class="key-select"
            prop:value=move || field.value.get().to_string()
            on:change=move |ev| {
                if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                    field.set_value(v);
                    on_edit.run(());
                }
            }
        >
            {NOTES
                .iter()
                .enumerate()
                .map(|(k, n)| {
                    view! {
                        <option value=k.to_string() selected=move || field.value.get() == k as f64>
                            {*n}
                        </option>
                    }
                })
                .collect_view()}
            {other}
        </select>
    }
}

/// The mode as a two-choice switch (radio buttons styled as a segmented control): Major is
/// Spotify's 1, Minor its 0.
#[component]
pub fn ModeSwitch(
    field: FieldState,
    id: String,
    #[prop(into)] on_edit: Callback<()>,
) -> impl IntoView {
    let name = format!("{id}-choice");
    let group_id = id.clone();
    let choice = move |v: f64, label: &'static str| {
        let input_id = format!("{group_id}-{}", label.to_lowercase());
        view! {
            <input
                type="radio"
                id=input_id.clone()
                name=name.clone()
                value=v.to_string()
                prop:checked=move || field.value.get() == v
                on:change=move |_| {
                    field.set_value(v);
                    on_edit.run(());
                }
            />
            <label for=input_id>{label}</label>
        }
    };
    view! {
        <div class="mode-switch" role="radiogroup" id=id aria-labelledby=format!("label-{}", Feature::Mode.name())>
            {choice(1.0, "Major")}
            {choice(0.0, "Minor")}
        </div>
    }
}

/// A feature's control, the same on the Predict page and in the widget: key and mode are
/// chosen (a note picker, a major/minor switch), every other feature is typed in a number field
/// whose Arrow Up/Down keys step it like its slider. `on_edit` runs after each edit by the user.
#[component]
pub fn FieldControl(
    field: FieldState,
    id: String,
    /// The ids of the elements that describe the field (hint, messages).
    described_by: String,
    /// A tooltip (the widget explains a marked field in it; the site shows messages instead).
    #[prop(into, optional)]
    title: Option<Signal<String>>,
    #[prop(into)] on_edit: Callback<()>,
) -> impl IntoView {
    let f = field.feature;
    match f {
        Feature::Key => view! { <KeySelect field id on_edit /> }.into_any(),
        Feature::Mode => view! { <ModeSwitch field id on_edit /> }.into_any(),
        _ => view! {
            <input
                id=id
                class="num"
                type="text"
                inputmode=if f == Feature::DurationMs { "text" } else { "decimal" }
                autocomplete="off"
                spellcheck="false"
                aria-describedby=described_by
                aria-invalid=move || if field.error.get().is_some() { "true" } else { "false" }
                title=move || title.map(|t| t.get())
                prop:value=move || field.text.get()
                on:input=move |ev| {
                    field.text.set(event_target_value(&ev));
                    on_edit.run(());
                }
                on:keydown=move |ev| {
                    if on_arrow_keys(field, &ev) {
                        on_edit.run(());
                    }
                }
            />
        }
        .into_any(),
    }
}

#[component]
pub fn FeatureField(field: FieldState) -> impl IntoView {
    let f = field.feature;
    let name = f.name();
    let id = format!("field-{name}");
    let hint_id = format!("hint-{name}");
    let msg_id = format!("msg-{name}");
    let (lo, hi) = field.range;
    let unit = unit(f);

    let warning = move || {
        let v = field.value.get();
        (v < lo || v > hi).then(|| out_of_range_message(v, field.range, f))
    };
    let invalid = move || field.error.get().is_some();
    let control = view! {
        <FieldControl field id=id.clone() described_by=format!("{hint_id} {msg_id}") on_edit=|_| {} />
    };
    // Key and mode are chosen, not typed: no slider.
    let slider = (!matches!(f, Feature::Key | Feature::Mode)).then(|| {
        let (min, max, step) = slider_attrs(field.range, f);
        view! {
            <input
                id=format!("slider-{name}")
                class="slider"
                type="range"
                min=min
                max=max
                step=step
                aria-label=format!("{} slider", f.label())
                aria-valuetext=move || with_unit(field.value.get(), f)
                prop:value=move || field.value.get().to_string()
                on:input=move |ev| {
                    if let Ok(v) = event_target_value(&ev).parse::<f64>() {
                        field.set_value(v);
                    }
                }
            />
        }
    });
    let label_for = (!matches!(f, Feature::Mode)).then(|| id.clone());
    let current = move || match f {
        Feature::Mode if mode_name(field.value.get()).is_none() => {
            Some(format!("Now {} (neither).", field.value.get()))
        }
        _ => None,
    };

    view! {
        <div class="field" class:invalid=invalid class:warned=move || warning().is_some()>
            <div class="field-top">
                <label for=label_for id=format!("label-{name}")>
                    {f.label()}
                    {(!unit.is_empty()).then(|| view! { <span class="unit">{unit}</span> })}
                </label>
                {control}
            </div>
            {slider}
            <p class="hint" id=hint_id>{range_hint(field.range, f)} {current}</p>
            // Always present so screen readers announce changes to it (aria-live).
            <div class="msgs" id=msg_id aria-live="polite">
                {move || field.error.get().map(|e| view! {
                    <p class="msg error" id=format!("error-{name}")>
                        {e} " The prediction keeps the last valid value."
                    </p>
                })}
                {move || warning().map(|w| view! {
                    <p class="msg warn" id=format!("warn-{name}")>{w}</p>
                })}
            </div>
        </div>
    }
}
