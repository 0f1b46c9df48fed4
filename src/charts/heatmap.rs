//! The correlation heatmap: Pearson r between every pair of features, the value in each cell
//! (and in its tooltip), on a diverging blue-white-red scale with a legend.

use genre_core::feature::Feature;
use leptos::prelude::*;

const CELL: f64 = 36.0;
const LEFT: f64 = 124.0;
/// Room above the grid for the rotated column labels ("Instrumentalness" is the longest).
const TOP: f64 = 120.0;
const LEGEND_GAP: f64 = 22.0;
const LEGEND_W: f64 = 14.0;

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

/// The value as written in a cell: two decimals and a real minus sign.
pub fn fmt_r(r: f64) -> String {
    if !r.is_finite() {
        return "n/a".into();
    }
    let s = format!("{r:.2}");
    let s = if s == "-0.00" { "0.00".to_string() } else { s };
    s.replace('-', "\u{2212}")
}

#[component]
pub fn CorrelationHeatmap(features: Vec<Feature>, matrix: Vec<Vec<f64>>) -> impl IntoView {
    let p = features.len();
    let grid = CELL * p as f64;
    let legend_x = LEFT + grid + LEGEND_GAP;
    let w = legend_x + LEGEND_W + 48.0;
    let h = TOP + grid + 12.0;

    let col_labels = features
        .iter()
        .enumerate()
        .map(|(j, f)| {
            let cx = LEFT + (j as f64 + 0.5) * CELL;
            view! {
                <text class="tick-label" transform=format!("translate({cx} {}) rotate(-50)", TOP - 6.0)>{f.label()}</text>
            }
        })
        .collect_view();

    let rows = features
        .iter()
        .enumerate()
        .map(|(i, f)| {
            let y = TOP + i as f64 * CELL;
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
                    let x = LEFT + j as f64 * CELL;
                    let tip = format!("{} and {}: r = {}", f.label(), features[j].label(), fmt_r(r));
                    view! {
                        <g>
                            <title>{tip}</title>
                            <rect class="cell" x=x y=y width=CELL height=CELL fill=corr_color(r) />
                            <text class="cell-value" x=x + CELL / 2.0 y=y + CELL / 2.0 text-anchor="middle"
                                dominant-baseline="central" fill=text_color(r)>
                                {fmt_r(r)}
                            </text>
                        </g>
                    }
                })
                .collect_view();
            view! {
                <g class="chart-item" tabindex="0" role="img" aria-label=label>
                    <rect class="hit" x="0" y=y width=LEFT + grid height=CELL />
                    <text class="tick-label" x=LEFT - 8.0 y=y + CELL / 2.0 text-anchor="end" dominant-baseline="central">{f.label()}</text>
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
                <line class="axis" x1=legend_x + LEGEND_W x2=legend_x + LEGEND_W + 4.0 y1=y y2=y />
                <text class="tick-label" x=legend_x + LEGEND_W + 7.0 y=y dominant-baseline="central">{fmt_r(r)}</text>
            }
        })
        .collect_view();

    view! {
        <figure class="eda-figure" id="chart-heatmap">
            <div class="chart-scroll">
                <svg class="eda-chart fixed-size" viewBox=format!("0 0 {w} {h}") width=w height=h role="group"
                    aria-label="Correlation heatmap of the audio features">
                    <defs>
                        <linearGradient id="corr-gradient" x1="0" y1="0" x2="0" y2="1">
                            <stop offset="0%" stop-color=corr_color(1.0) />
                            <stop offset="50%" stop-color=corr_color(0.0) />
                            <stop offset="100%" stop-color=corr_color(-1.0) />
                        </linearGradient>
                    </defs>
                    {col_labels}
                    {rows}
                    <rect class="legend-bar" x=legend_x y=TOP width=LEGEND_W height=grid fill="url(#corr-gradient)" />
                    {legend_ticks}
                    <text class="axis-title" x=legend_x y=TOP - 10.0>"r"</text>
                </svg>
            </div>
            <figcaption>
                "Pearson correlation between every pair of features over all tracks (pairs with a \
                 missing value left out). Red: rise together; blue: one rises as the other falls; \
                 white: no linear relation. Hover or focus a cell's row for the values."
            </figcaption>
        </figure>
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
}
