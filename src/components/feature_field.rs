//! One feature's input: a label with unit, a number field, a slider over the training range, the
//! range hint, and the field's messages (invalid input, out of range).

use genre_core::feature::Feature;
use leptos::prelude::*;

use crate::form::{out_of_range_message, parse_value, range_hint, slider_step};

/// The state of one field. `text` is what the user typed; `value` is the last valid number, which
/// the prediction uses, so a half-typed or invalid entry never blanks the result.
#[derive(Clone, Copy)]
pub struct FieldState {
    pub feature: Feature,
    pub range: (f64, f64),
    pub text: RwSignal<String>,
    pub error: Memo<Option<String>>,
    pub value: Memo<f64>,
}

impl FieldState {
    pub fn new(feature: Feature, range: (f64, f64), initial: String) -> FieldState {
        let text = RwSignal::new(initial);
        let parsed = Memo::new(move |_| text.with(|t| parse_value(t)));
        let error = Memo::new(move |_| parsed.get().err());
        let fallback = (range.0 + range.1) / 2.0;
        let value = Memo::new(move |previous: Option<&f64>| match parsed.get() {
            Ok(v) => v,
            Err(_) => previous.copied().unwrap_or(fallback),
        });
        FieldState {
            feature,
            range,
            text,
            error,
            value,
        }
    }
}

#[component]
pub fn FeatureField(field: FieldState) -> impl IntoView {
    let f = field.feature;
    let name = f.name();
    let id = format!("field-{name}");
    let slider_id = format!("slider-{name}");
    let hint_id = format!("hint-{name}");
    let msg_id = format!("msg-{name}");
    let (lo, hi) = field.range;
    let step = slider_step(field.range, f);
    let unit = f.unit();

    let warning = move || {
        let v = field.value.get();
        (v < lo || v > hi).then(|| out_of_range_message(v, field.range, f))
    };
    let invalid = move || field.error.get().is_some();

    view! {
        <div class="field" class:invalid=invalid class:warned=move || warning().is_some()>
            <div class="field-top">
                <label for=id.clone()>
                    {f.label()}
                    {(!unit.is_empty()).then(|| view! { <span class="unit">{unit}</span> })}
                </label>
                <input
                    id=id
                    class="num"
                    type="text"
                    inputmode="decimal"
                    autocomplete="off"
                    spellcheck="false"
                    aria-describedby=format!("{hint_id} {msg_id}")
                    aria-invalid=move || if invalid() { "true" } else { "false" }
                    prop:value=move || field.text.get()
                    on:input=move |ev| field.text.set(event_target_value(&ev))
                />
            </div>
            <input
                id=slider_id
                class="slider"
                type="range"
                min=lo.to_string()
                max=hi.to_string()
                step=step.to_string()
                aria-label=format!("{} slider", f.label())
                aria-valuetext=move || crate::form::with_unit(field.value.get(), f)
                prop:value=move || field.value.get().to_string()
                on:input=move |ev| field.text.set(event_target_value(&ev))
            />
            <p class="hint" id=hint_id>{range_hint(field.range, f)}</p>
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
