//! The correlation heatmap: Pearson r between every pair of features, the value in each cell
//! (and in its tooltip), on a diverging blue-white-red scale with a legend.
//!
//! Its cells are sized to the box the page gives it (measured once mounted, and again when the
//! window is resized): as wide as the card allows, never narrower than the value written in
//! them needs ([`MIN_CELL`]). A box narrower than that (a phone) scrolls sideways, and the
//! scrolling box is a keyboard stop with a name, so it can be scrolled without a mouse.

use genre_core::feature::Feature;
use leptos::html::Div;
use leptos::prelude::*;

use crate::components::scroll_box::ScrollBox;

const LEFT: f64 = 124.0;
/// Room above the grid for the rotated column labels ("Instrumentalness" is the longest).
const TOP: f64 = 120.0;
/// The colour legend right of the grid, in px.
struct LegendRoom {
    /// Between the grid and the legend's bar.
    gap: f64,
    bar: f64,
    /// Right of the bar: its ticks and their labels ("−0.50").
    text: f64,
}
const LEGEND: LegendRoom = LegendRoom {
    gap: 22.0,
    bar: 14.0,
    text: 48.0,
};
/// The narrowest cell: its value as written ([`cell_text`], "−.46": about 28 px at 12.5 px)
/// with 6 px clear on each side.
pub const MIN_CELL: f64 = 40.0;
/// The widest cell: past this a larger matrix only spreads the same numbers further apart.
pub const MAX_CELL: f64 = 72.0;

/// Where things go for `p` features in a box `room` px wide.
#[derive(Debug, Clone, Copy, PartialEq)]
struct Layout {
    cell: f64,
    width: f64,
    height: f64,
}

impl Layout {
    fn new(p: usize, room: f64) -> Layout {
        let fixed = LEFT + LEGEND.gap + LEGEND.bar + LEGEND.text;
        let cell = ((room - fixed) / p.max(1) as f64)
            .floor()
            .clamp(MIN_CELL, MAX_CELL);
        let grid = cell * p as f64;
        Layout {
            cell,
            width: fixed + grid,
            height: TOP + grid + 12.0,
        }
    }
}

/// Blue for -1, white for 0, red for +1 (ColorBrewer RdBu ends); grey for undefined.
pub fn corr_color(r: f64) -> String {
    if !r.is_finite() {
        return "#b8bcc8".into();
    }
    let t = r.abs().min(1.0);
    let end = if r < 0.0 {
        (33.0, 102.0, 172.0)
    } else {
        (178.0, 24.0, 43.0)
    };
    let mix = |c: f64| (255.0 + (c - 255.0) * t).round() as u8;
    format!("#{:02x}{:02x}{:02x}", mix(end.0), mix(end.1), mix(end.2))
}

/// Dark text on pale cells, white on saturated ones (contrast at least 4.5:1 either way).
fn text_color(r: f64) -> &'static str {
    if r.is_finite() && r.abs() > 0.55 {
        "#ffffff"
    } else {
        "#1b2133"
    }
}

/// The value as written in a tooltip or read out: two decimals and a real minus sign.
pub fn fmt_r(r: f64) -> String {
    if !r.is_finite() {
        return "n/a".into();
    }
    let s = format!("{r:.2}");
    let s = if s == "-0.00" { "0.00".to_string() } else { s };
    s.replace('-', "\u{2212}")
}

/// The value as written in its cell: [`fmt_r`] without the leading zero (".46", "−.46", as
/// correlation tables write it), so that it fits a [`MIN_CELL`] cell.
pub fn cell_text(r: f64) -> String {
    let full = fmt_r(r);
    match full.strip_prefix("\u{2212}0.") {
        Some(rest) => format!("\u{2212}.{rest}"),
        None => full
            .strip_prefix("0.")
            .map_or(full.clone(), |rest| format!(".{rest}")),
    }
}

#[component]
pub fn CorrelationHeatmap(features: Vec<Feature>, matrix: Vec<Vec<f64>>) -> impl IntoView {
    let scroll = NodeRef::<Div>::new();
    // The box's width, once it is on the page (0 until then: the narrowest layout).
    let room = RwSignal::new(0.0);
    let measure = move || {
        if let Some(el) = scroll.get_untracked() {
            room.set(el.client_width() as f64);
        }
    };
    Effect::new(move |_| {
        if scroll.get().is_some() {
            measure();
        }
    });
    let resized = window_event_listener(leptos::ev::resize, move |_| measure());
    on_cleanup(move || resized.remove());
    let features = StoredValue::new(features);
    let matrix = StoredValue::new(matrix);
    view! {
        <figure class="eda-figure" id="chart-heatmap">
            // On a phone the matrix is wider than the screen and scrolls here.
            <ScrollBox label="Correlation matrix" class="chart-scroll" node_ref=scroll>
                {move || {
                    let layout = Layout::new(features.with_value(Vec::len), room.get());
                    features.with_value(|f| matrix.with_value(|m| matrix_svg(f, m, layout)))
                }}
            </ScrollBox>
            <figcaption>
                "Pearson correlation between every pair of features over all tracks (pairs with a \
                 missing value left out). Red: rise together; blue: one rises as the other falls; \
                 white: no linear relation. Hover or focus a cell's row for the values."
            </figcaption>
        </figure>
    }
}

/// The matrix drawn with `layout`'s cells.
fn matrix_svg(features: &[Feature], matrix: &[Vec<f64>], layout: Layout) -> impl IntoView {
    let Layout {
        cell: cell_size,
        width: w,
        height: h,
    } = layout;
    let p = features.len();
    let grid = cell_size * p as f64;
    let legend_x = LEFT + grid + LEGEND.gap;

    let col_labels = features
        .iter()
        .enumerate()
        .map(|(j, f)| {
            let cx = LEFT + (j as f64 + 0.5) * cell_size;
            view! {
                <text class="tick-label" transform=format!("translate({cx} {}) rotate(-50)", TOP - 6.0)>{f.label()}</text>
            }
        })
        .collect_view();

    let rows = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let y = TOP + i as f64 * cell_size;
            let row = &matrix[i];
            // One focusable row per feature, read out in full, rather than 169 tab stops.
            let strongest: Vec<String> = {
                let mut others: Vec<(usize, f64)> = row
                    .iter()
                    .copied()
                    .enumerate()
                    .filter(|&(j, r)| j != i && r.is_finite())
                    .collect();
                others.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
                others
                    .iter()
                    .map(|&(j, r)| format!("{} {}", features[j].label(), fmt_r(r)))
                    .collect()
            };
            let label = format!("{}: correlation with {}", f.label(), strongest.join(", "));
            let cells = row
                .iter()
                .enumerate()
                .map(|(j, &r)| {
                    let x = LEFT + j as f64 * cell_size;
                    let tip = format!("{} and {}: r = {}", f.label(), features[j].label(), fmt_r(r));
                    view! {
                        <g>
                            <title>{tip}</title>
                            <rect class="cell" x=x y=y width=cell_size height=cell_size fill=corr_color(r) />
                            <text class="cell-value" x=x + cell_size / 2.0 y=y + cell_size / 2.0 text-anchor="middle"
                                dominant-baseline="central" fill=text_color(r)>
                                {cell_text(r)}
                            </text>
                        </g>
                    }
                })
                .collect_view();
            view! {
                <g class="chart-item" tabindex="0" role="img" aria-label=label>
                    <rect class="hit" x="0" y=y width=LEFT + grid height=cell_size />
                    <text class="tick-label" x=LEFT - 8.0 y=y + cell_size / 2.0 text-anchor="end" dominant-baseline="central">{f.label()}</text>
                    {cells}
                </g>
            }
        })
        .collect_view();

    let legend_ticks = [1.0, 0.5, 0.0, -0.5, -1.0]
        .into_iter()
        .map(|r| {
            let y = TOP + (1.0 - r) / 2.0 * grid;
            view! {
                <line class="axis" x1=legend_x + LEGEND.bar x2=legend_x + LEGEND.bar + 4.0 y1=y y2=y />
                <text class="tick-label" x=legend_x + LEGEND.bar + 7.0 y=y dominant-baseline="central">{fmt_r(r)}</text>
            }
        })
        .collect_view();

    view! {
        // data-labels-apart: the look checks measure every value against its cell and its
        // neighbours (tests/e2e).
        <svg class="eda-chart heatmap" viewBox=format!("0 0 {w} {h}") width=w height=h role="group"
            aria-label="Correlation heatmap of the audio features" data-labels-apart="">
            <defs>
                <linearGradient id="corr-gradient" x1="0" y1="0" x2="0" y2="1">
                    <stop offset="0%" stop-color=corr_color(1.0) />
                    <stop offset="50%" stop-color=corr_color(0.0) />
                    <stop offset="100%" stop-color=corr_color(-1.0) />
                </linearGradient>
            </defs>
            {col_labels}
            {rows}
            <rect class="legend-bar" x=legend_x y=TOP width=LEGEND.bar height=grid fill="url(#corr-gradient)" />
            {legend_ticks}
            <text class="axis-title" x=legend_x y=TOP - 10.0>"r"</text>
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn colours_diverge_from_white() {
        assert_eq!(corr_color(0.0), "#ffffff");
        assert_eq!(corr_color(1.0), "#b2182b");
        assert_eq!(corr_color(-1.0), "#2166ac");
        assert_eq!(corr_color(f64::NAN), "#b8bcc8");
        assert_eq!(fmt_r(-0.456), "\u{2212}0.46");
        assert_eq!(fmt_r(-0.001), "0.00");
    }

    #[test]
    fn cells_drop_the_leading_zero_only() {
        assert_eq!(cell_text(-0.456), "\u{2212}.46");
        assert_eq!(cell_text(0.05), ".05");
        assert_eq!(cell_text(-0.001), ".00");
        assert_eq!(cell_text(1.0), "1.00");
        assert_eq!(cell_text(-1.0), "\u{2212}1.00");
        assert_eq!(cell_text(f64::NAN), "n/a");
    }

    #[test]
    fn cells_fill_the_box_between_the_text_and_the_widest() {
        // A 1280 px window's card (1,098 px): the matrix takes the width, within a cell.
        let wide = Layout::new(13, 1098.0);
        assert!(
            wide.width <= 1098.0 && wide.width > 1098.0 - 13.0,
            "{wide:?}"
        );
        // A phone: never narrower than the text needs (the box scrolls instead).
        assert_eq!(Layout::new(13, 329.0).cell, MIN_CELL);
        // Few features in a wide box: no giant cells.
        assert_eq!(Layout::new(3, 1098.0).cell, MAX_CELL);
        // Before the box is measured.
        assert_eq!(Layout::new(13, 0.0).cell, MIN_CELL);
    }
}
