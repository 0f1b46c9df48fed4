//! Class counts: one horizontal bar per genre, most frequent first, with its count.

use leptos::prelude::*;

use super::axis::XTicks;
use super::{
    chart_width, fmt_count, genre_color, nice_ticks, x_tick_count, Scale, GENRE_LABEL_END,
};

const ROW: f64 = 22.0;
const TOP: f64 = 8.0;
const BAR_X: f64 = 142.0;
/// Room right of the longest bar for its count.
const AXIS_H: f64 = 40.0;

/// Genres ordered by count, largest first (ties: class order).
pub fn sorted_counts(counts: &[u64]) -> Vec<(usize, u64)> {
    let mut v: Vec<(usize, u64)> = counts.iter().copied().enumerate().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    v
}

#[component]
pub fn ClassCounts(classes: Vec<String>, counts: Vec<u64>) -> impl IntoView {
    let w = chart_width();
    let bar_end = w - 64.0;
    let order = sorted_counts(&counts);
    let max = order.first().map(|x| x.1).unwrap_or(0).max(1) as f64;
    let total: u64 = counts.iter().sum();
    let x = Scale::new((0.0, max), (BAR_X, bar_end));
    let plot_h = ROW * order.len() as f64;
    let h = TOP + plot_h + AXIS_H;
    let axis_y = TOP + plot_h;

    let bars = order
        .iter()
        .enumerate()
        .map(|(rank, &(class, n))| {
            let y = TOP + rank as f64 * ROW;
            let name = classes[class].clone();
            let share = if total > 0 { n as f64 / total as f64 * 100.0 } else { 0.0 };
            let label = format!("{name}: {} tracks ({share:.1}%)", fmt_count(n));
            let tip = label.clone();
            view! {
                <g class="chart-item" tabindex="0" role="img" aria-label=label>
                    <title>{tip}</title>
                    <rect class="hit" x="0" y=y width=w height=ROW />
                    <text class="tick-label" x=GENRE_LABEL_END y=y + ROW / 2.0 text-anchor="end" dominant-baseline="central">
                        {name}
                    </text>
                    <rect data-value=n.to_string() x=BAR_X y=y + 3.0 width=(x.map(n as f64) - BAR_X).max(1.0) height=ROW - 6.0 rx="2" fill=genre_color(class) />
                    <text class="value-label" x=x.map(n as f64) + 5.0 y=y + ROW / 2.0 dominant-baseline="central">
                        {fmt_count(n)}
                    </text>
                </g>
            }
        })
        .collect_view();

    view! {
        <figure class="eda-figure" id="chart-class-counts">
            <div class="chart-scroll">
                <svg class="eda-chart" data-bars="width" viewBox=format!("0 0 {w} {h}") width=w height=h role="group"
                    aria-label="Class counts: number of tracks per genre">
                    <XTicks scale=x ticks=nice_ticks(0.0, max, x_tick_count(bar_end - BAR_X, 5)) at=axis_y grid_from=TOP label_gap=14.0 />
                    <line class="axis" x1=BAR_X x2=BAR_X y1=TOP y2=axis_y />
                    <line class="axis" x1=BAR_X x2=bar_end y1=axis_y y2=axis_y />
                    {bars}
                    <text class="axis-title" x=(BAR_X + bar_end) / 2.0 y=h - 4.0 text-anchor="middle">"Number of tracks"</text>
                </svg>
            </div>
            <figcaption>
                {format!(
                    "Tracks per genre ({} in all), most frequent first. Uneven classes are why the \
                     model is scored with macro F1 as well as accuracy.",
                    fmt_count(total),
                )}
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn sorts_by_count_then_class() {
        assert_eq!(
            super::sorted_counts(&[5, 9, 5, 1]),
            vec![(1, 9), (0, 5), (2, 5), (3, 1)]
        );
    }
}
