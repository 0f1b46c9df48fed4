//! Distributions of one feature for the chosen genres, overlaid: each genre's histogram as a
//! step line, normalised to the share of that genre's tracks, so a small genre (Pop, 454 tracks)
//! and a large one (Underground Rap, 5,809) compare on the same axis.

use genre_core::eda::FeatureSummary;
use leptos::prelude::*;

use super::axis::{XTicks, YTicks};
use super::{
    chart_width, feature_title, fmt_value, genre_color, nice_ticks, x_tick_count, LegendGrid, Scale,
};

const PLOT_X: f64 = 56.0;
const TOP: f64 = 12.0;
const PLOT_H: f64 = 220.0;

/// Per-bin share (%) of a genre's tracks; all zeros for an empty genre.
pub fn shares(hist: &[u32]) -> Vec<f64> {
    let total: u32 = hist.iter().sum();
    hist.iter()
        .map(|&n| {
            if total > 0 {
                n as f64 * 100.0 / total as f64
            } else {
                0.0
            }
        })
        .collect()
}

/// An SVG path of a step outline over `values` (one per bin), closed down to the baseline.
fn step_path(values: &[f64], x: &Scale, y: &Scale) -> String {
    let n = values.len();
    let base = y.map(0.0);
    let mut d = format!("M{:.1},{:.1}", x.map(0.0), base);
    for (i, v) in values.iter().enumerate() {
        let (x0, x1) = (x.map(i as f64 / n as f64), x.map((i + 1) as f64 / n as f64));
        let yy = y.map(*v);
        d.push_str(&format!(" L{x0:.1},{yy:.1} L{x1:.1},{yy:.1}"));
    }
    d.push_str(&format!(" L{:.1},{:.1} Z", x.map(1.0), base));
    d
}

#[component]
pub fn Histogram(
    classes: Vec<String>,
    summary: FeatureSummary,
    /// Genres to overlay, in class indices.
    selected: Vec<usize>,
) -> impl IntoView {
    let w = chart_width();
    let plot_end = w - 16.0;
    let feature = summary.feature;
    let (lo, hi) = (summary.lo, summary.hi);
    let series: Vec<(usize, Vec<f64>)> = selected
        .iter()
        .filter_map(|&c| summary.histograms.get(c).map(|h| (c, shares(h))))
        .collect();
    let y_max = series
        .iter()
        .flat_map(|s| s.1.iter().copied())
        .fold(1.0f64, f64::max);
    let y_ticks = nice_ticks(0.0, y_max, 4);
    let y_top = y_ticks.last().copied().unwrap_or(y_max).max(y_max);
    // Bins are drawn on a unit interval: bin i spans [i/n, (i+1)/n] of [lo, hi].
    let x_unit = Scale::new((0.0, 1.0), (PLOT_X, plot_end));
    let x = Scale::new((lo, hi), (PLOT_X, plot_end));
    let y = Scale::new((0.0, y_top), (TOP + PLOT_H, TOP));
    let axis_y = TOP + PLOT_H;
    let legend_grid = LegendGrid::new(PLOT_X, plot_end, axis_y + 48.0);
    let h = legend_grid.top + legend_grid.height(series.len());
    let bin_w = (hi - lo) / summary.histograms.first().map_or(1, |h| h.len().max(1)) as f64;

    let paths = series
        .iter()
        .map(|(c, v)| {
            let name = classes.get(*c).cloned().unwrap_or_default();
            let peak = v
                .iter()
                .enumerate()
                .max_by(|a, b| a.1.total_cmp(b.1))
                .map(|(i, p)| (lo + (i as f64 + 0.5) * bin_w, *p))
                .unwrap_or((lo, 0.0));
            let label = format!(
                "{name}: most common around {} ({:.1}% of its tracks in that bin)",
                fmt_value(peak.0),
                peak.1
            );
            let tip = label.clone();
            view! {
                <g class="chart-item" tabindex="0" role="img" aria-label=label>
                    <title>{tip}</title>
                    <path class="hist" d=step_path(v, &x_unit, &y) fill=genre_color(*c) stroke=genre_color(*c) />
                </g>
            }
        })
        .collect_view();

    let legend = series
        .iter()
        .enumerate()
        .map(|(i, (c, _))| {
            let (lx, ly) = legend_grid.at(i);
            view! {
                <rect x=lx y=ly - 6.0 width="12" height="12" rx="2" fill=genre_color(*c) />
                <text class="legend-label" x=lx + 17.0 y=ly dominant-baseline="central">{classes.get(*c).cloned().unwrap_or_default()}</text>
            }
        })
        .collect_view();

    let empty = series.is_empty().then(|| {
        view! { <text class="axis-note" x=(PLOT_X + plot_end) / 2.0 y=TOP + PLOT_H / 2.0 text-anchor="middle">"Pick at least one genre above."</text> }
    });

    view! {
        <figure class="eda-figure" id="chart-histogram">
            <div class="chart-scroll">
                <svg class="eda-chart" viewBox=format!("0 0 {w} {h}") width=w height=h role="group"
                    aria-label=format!("Distribution of {} for the chosen genres", feature.label())>
                    <YTicks scale=y ticks=y_ticks at=PLOT_X grid_to=plot_end suffix="%" />
                    {paths}
                    {empty}
                    <line class="axis" x1=PLOT_X x2=plot_end y1=axis_y y2=axis_y />
                    <line class="axis" x1=PLOT_X x2=PLOT_X y1=TOP y2=axis_y />
                    <XTicks scale=x ticks=nice_ticks(lo, hi, x_tick_count(plot_end - PLOT_X, 6)) at=axis_y label_gap=17.0 />
                    <text class="axis-title" x=(PLOT_X + plot_end) / 2.0 y=axis_y + 34.0 text-anchor="middle">{feature_title(feature)}</text>
                    <text class="axis-title" transform=format!("translate(14 {}) rotate(-90)", TOP + PLOT_H / 2.0) text-anchor="middle">"Share of the genre's tracks"</text>
                    {legend}
                </svg>
            </div>
            <figcaption>
                {format!(
                    "How {} is distributed within each chosen genre ({} bins from the 1st to the \
                     99th percentile of all tracks; values beyond fall in the end bins). Heights \
                     are shares of each genre's tracks, so genres of different sizes compare.",
                    feature.label().to_lowercase(),
                    summary.histograms.first().map_or(0, |h| h.len()),
                )}
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_sum_to_100() {
        let s = shares(&[1, 3, 0, 4]);
        assert!((s.iter().sum::<f64>() - 100.0).abs() < 1e-9);
        assert_eq!(shares(&[0, 0]), vec![0.0, 0.0]);
    }

    #[test]
    fn step_path_closes_on_the_baseline() {
        let x = Scale::new((0.0, 1.0), (0.0, 100.0));
        let y = Scale::new((0.0, 10.0), (50.0, 0.0));
        let d = step_path(&[5.0, 10.0], &x, &y);
        assert!(d.starts_with("M0.0,50.0 L0.0,25.0 L50.0,25.0 L50.0,0.0 L100.0,0.0"));
        assert!(d.ends_with("L100.0,50.0 Z"));
    }
}
