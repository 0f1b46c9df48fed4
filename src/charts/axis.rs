//! The ticks of the charts' axes: round values from `nice_ticks`, labelled with `fmt_tick`, with
//! either a short mark under the axis or a grid line across the plot. One component for every
//! chart, so all axes look and read alike.

use leptos::prelude::*;

use super::{fmt_tick, Scale};

/// Ticks along a horizontal axis drawn at `at` (its y).
#[component]
pub fn XTicks(
    scale: Scale,
    ticks: Vec<f64>,
    at: f64,
    /// Grid lines up to this y; without it, a short mark under the axis.
    #[prop(optional)]
    grid_from: Option<f64>,
    /// From the axis down to the labels' baseline.
    label_gap: f64,
) -> impl IntoView {
    ticks
        .into_iter()
        .map(|t| {
            let px = scale.map(t);
            let line = match grid_from {
                Some(top) => view! { <line class="grid" x1=px x2=px y1=top y2=at /> }.into_any(),
                None => view! { <line class="axis" x1=px x2=px y1=at y2=at + 4.0 /> }.into_any(),
            };
            view! {
                {line}
                <text class="tick-label" x=px y=at + label_gap text-anchor="middle">{fmt_tick(t)}</text>
            }
        })
        .collect_view()
}

/// Ticks along a vertical axis at x = `at`, with grid lines across to `grid_to`.
#[component]
pub fn YTicks(
    scale: Scale,
    ticks: Vec<f64>,
    at: f64,
    grid_to: f64,
    /// After each label (a unit such as "%").
    #[prop(default = "")]
    suffix: &'static str,
) -> impl IntoView {
    ticks
        .into_iter()
        .map(|t| {
            let py = scale.map(t);
            view! {
                <line class="grid" x1=at x2=grid_to y1=py y2=py />
                <text class="tick-label" x=at - 6.0 y=py text-anchor="end" dominant-baseline="central">
                    {format!("{}{suffix}", fmt_tick(t))}
                </text>
            }
        })
        .collect_view()
}
