//! What the user sees while the app works: a spinner with a sentence, and the progress of
//! reading a file. One look for every page.

use leptos::prelude::*;

/// A spinner and what is being waited for, announced to screen readers (`role="status"`).
#[component]
pub fn Busy(
    /// The box's classes (`loading`, `card loading`, the widget's `w-status`).
    class: &'static str,
    #[prop(into)] text: String,
) -> impl IntoView {
    view! {
        <div class=class role="status">
            <span class="spinner" aria-hidden="true"></span>
            {text}
        </div>
    }
}

/// "Reading <file>…" with a progress bar of the bytes read.
#[component]
pub fn ReadingProgress(
    /// The progress bar's id (the label points at it).
    id: &'static str,
    name: String,
    done: usize,
    total: usize,
) -> impl IntoView {
    view! {
        <div class="progress-line" role="status">
            <label for=id>{format!("Reading {name}…")}</label>
            <progress id=id max=total.max(1) value=done></progress>
        </div>
    }
}
