//! A button that starts a long run in the workers and, while it runs, the button that cancels
//! it, side by side: Train's run, auto-tune and Explore's report keep one look and one wording.

use leptos::prelude::*;

/// Ids `{name}-start` and `{name}-cancel`; `labels` are the two buttons' words.
#[component]
pub fn StartCancel(
    name: &'static str,
    labels: (&'static str, &'static str),
    #[prop(into)] on_start: Callback<()>,
    #[prop(into)] on_cancel: Callback<()>,
    /// The start button is off (a run is under way, or nothing can run yet).
    #[prop(into)]
    disabled: Signal<bool>,
    /// The cancel button shows.
    #[prop(into)]
    running: Signal<bool>,
) -> impl IntoView {
    view! {
        <button
            type="button"
            class="button"
            id=format!("{name}-start")
            on:click=move |_| on_start.run(())
            disabled=move || disabled.get()
        >
            {labels.0}
        </button>
        <Show when=move || running.get()>
            <button
                type="button"
                class="button danger"
                id=format!("{name}-cancel")
                on:click=move |_| on_cancel.run(())
            >
                {labels.1}
            </button>
        </Show>
    }
}
