//! What the user sees while the app works: a spinner with a sentence, the progress of reading
//! a file, and where a progress bar's fill stands. One look for every page.

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

/// Where a `.progress-bar` stands for `fraction` done: the full-width bar slid left out of its
/// `.progress` track (which hides what sticks out), not its width changed. Moving it is the
/// compositor's work alone; a width animated on every progress message laid out and painted the
/// page at 60 frames a second for the whole run, on the cores the training workers need.
pub fn progress_bar_transform(fraction: f64) -> String {
    format!(
        "translateX({:.1}%)",
        (fraction.clamp(0.0, 1.0) - 1.0) * 100.0
    )
}

#[cfg(test)]
mod tests {
    use super::progress_bar_transform;

    #[test]
    fn a_progress_bar_slides_in_from_the_left_and_never_past_its_track() {
        assert_eq!(progress_bar_transform(0.0), "translateX(-100.0%)");
        assert_eq!(progress_bar_transform(0.25), "translateX(-75.0%)");
        assert_eq!(progress_bar_transform(1.0), "translateX(0.0%)");
        assert_eq!(progress_bar_transform(1.5), "translateX(0.0%)");
        assert_eq!(progress_bar_transform(-0.2), "translateX(-100.0%)");
    }
}
