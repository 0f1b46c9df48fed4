//! Box plots of one feature, one row per genre: median, quartiles, 1.5×IQR whiskers and the
//! number of points beyond them.

use genre_core::eda::{BoxStats, FeatureSummary};
use leptos::prelude::*;

use super::axis::XTicks;
use super::{
    chart_width, feature_title, fmt_count, fmt_value, genre_color, nice_ticks, x_tick_count, Scale,
    GENRE_LABEL_END,
};

const ROW: f64 = 24.0;
const TOP: f64 = 8.0;
const PLOT_X: f64 = 146.0;
/// Room right of the plot for the outlier count.
const AXIS_H: f64 = 42.0;

/// The rows to draw: genres with data, highest median first (so the ranking reads top-down).
pub fn rows_by_median(boxes: &[Option<BoxStats>]) -> Vec<(usize, &BoxStats)> {
    let mut rows: Vec<(usize, &BoxStats)> = boxes
        .iter()
        .enumerate()
        .filter_map(|(c, b)| b.as_ref().map(|b| (c, b)))
        .collect();
    rows.sort_by(|a, b| b.1.median.total_cmp(&a.1.median).then(a.0.cmp(&b.0)));
    rows
}

/// The plotted interval: every genre's whiskers (outliers are counted, not drawn).
fn extent(rows: &[(usize, &BoxStats)]) -> (f64, f64) {
    let lo = rows
        .iter()
        .map(|r| r.1.whisker_low)
        .fold(f64::INFINITY, f64::min);
    let hi = rows
        .iter()
        .map(|r| r.1.whisker_high)
        .fold(f64::NEG_INFINITY, f64::max);
    if lo.is_finite() && hi.is_finite() {
        (lo, hi)
    } else {
        (0.0, 1.0)
    }
}

#[component]
pub fn BoxPlot(classes: Vec<String>, summary: FeatureSummary) -> impl IntoView {
    let w = chart_width();
    let plot_end = w - 84.0;
    let feature = summary.feature;
    let rows = rows_by_median(&summary.boxes);
    let (lo, hi) = extent(&rows);
    let ticks = nice_ticks(lo, hi, x_tick_count(plot_end - PLOT_X, 5));
    let x = Scale::new((lo, hi), (PLOT_X, plot_end));
    let plot_h = ROW * rows.len().max(1) as f64;
    let axis_y = TOP + plot_h;
    let h = TOP + plot_h + AXIS_H;

    let boxes = rows
        .iter()
        .enumerate()
        .map(|(rank, &(class, b))| {
            let y = TOP + rank as f64 * ROW;
            let mid = y + ROW / 2.0;
            let name = classes.get(class).cloned().unwrap_or_default();
            let label = format!(
                "{name}: median {}, quartiles {} to {}, whiskers {} to {}, {} outliers of {} tracks",
                fmt_value(b.median),
                fmt_value(b.q1),
                fmt_value(b.q3),
                fmt_value(b.whisker_low),
                fmt_value(b.whisker_high),
                fmt_count(b.outliers),
                fmt_count(b.count),
            );
            let tip = label.clone();
            let (q1, q3) = (x.map_clamped(b.q1), x.map_clamped(b.q3));
            let outliers = (b.outliers > 0).then(|| format!("{} out", fmt_count(b.outliers)));
            view! {
                <g class="chart-item" tabindex="0" role="img" aria-label=label>
                    <title>{tip}</title>
                    <rect class="hit" x="0" y=y width=w height=ROW />
                    <text class="tick-label" x=GENRE_LABEL_END y=mid text-anchor="end" dominant-baseline="central">{name}</text>
                    <line class="whisker" x1=x.map_clamped(b.whisker_low) x2=q1 y1=mid y2=mid />
                    <line class="whisker" x1=q3 x2=x.map_clamped(b.whisker_high) y1=mid y2=mid />
                    <line class="whisker" x1=x.map_clamped(b.whisker_low) x2=x.map_clamped(b.whisker_low) y1=mid - 5.0 y2=mid + 5.0 />
                    <line class="whisker" x1=x.map_clamped(b.whisker_high) x2=x.map_clamped(b.whisker_high) y1=mid - 5.0 y2=mid + 5.0 />
                    <rect class="box" x=q1 y=y + 4.0 width=(q3 - q1).max(1.0) height=ROW - 8.0 fill=genre_color(class) />
                    <line class="median" x1=x.map_clamped(b.median) x2=x.map_clamped(b.median) y1=y + 3.0 y2=y + ROW - 3.0 />
                    <text class="value-label" x=plot_end + 8.0 y=mid dominant-baseline="central">{outliers}</text>
                </g>
            }
        })
        .collect_view();

    view! {
        <figure class="eda-figure" id="chart-box-plot">
            <div class="chart-scroll">
                <svg class="eda-chart" viewBox=format!("0 0 {w} {h}") width=w height=h role="group"
                    aria-label=format!("Box plots of {} by genre", feature.label())>
                    <XTicks scale=x ticks at=axis_y grid_from=TOP label_gap=14.0 />
                    <line class="axis" x1=PLOT_X x2=plot_end y1=axis_y y2=axis_y />
                    {boxes}
                    <text class="axis-title" x=(PLOT_X + plot_end) / 2.0 y=h - 4.0 text-anchor="middle">{feature_title(feature)}</text>
                </svg>
            </div>
            <figcaption>
                {format!(
                    "{} by genre, highest median first. Box: middle half of the tracks (quartiles) \
                     with the median line; whiskers: the furthest values within 1.5 × IQR; \
                     \"out\": how many tracks lie beyond the whiskers.",
                    feature.label(),
                )}
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn b(median: f64) -> Option<BoxStats> {
        genre_core::eda::box_stats(&[median - 1.0, median, median + 1.0])
    }

    #[test]
    fn rows_skip_empty_classes_and_sort_by_median() {
        let boxes = vec![b(1.0), None, b(5.0), b(3.0)];
        let order: Vec<usize> = rows_by_median(&boxes).iter().map(|r| r.0).collect();
        assert_eq!(order, vec![2, 3, 0]);
        assert_eq!(extent(&rows_by_median(&boxes)), (0.0, 6.0));
    }
}
