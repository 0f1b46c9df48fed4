//! A scatter plot of two features over the summary's sample of tracks, coloured by genre.

use genre_core::feature::Feature;
use leptos::prelude::*;

use super::axis::{XTicks, YTicks};
use super::{chart_width, feature_title, genre_color, nice_ticks, x_tick_count, LegendGrid, Scale};

const PLOT_X: f64 = 64.0;
const TOP: f64 = 12.0;
const PLOT_H: f64 = 340.0;

/// The sample's (class, x, y) points for the chosen genres; rows missing either value are left out.
pub fn points(
    sample: &[(u32, Vec<Option<f32>>)],
    fx: Feature,
    fy: Feature,
    selected: &[usize],
) -> Vec<(usize, f64, f64)> {
    sample
        .iter()
        .filter(|(c, _)| selected.contains(&(*c as usize)))
        .filter_map(|(c, v)| {
            let x = (*v.get(fx.index())?)?;
            let y = (*v.get(fy.index())?)?;
            Some((*c as usize, x as f64, y as f64))
        })
        .collect()
}

fn padded(values: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = values.fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
        (a.min(v), b.max(v))
    });
    if !lo.is_finite() {
        return (0.0, 1.0);
    }
    let pad = ((hi - lo) * 0.03).max(1e-9);
    (lo - pad, hi + pad)
}

#[component]
pub fn Scatter(
    classes: Vec<String>,
    sample: Vec<(u32, Vec<Option<f32>>)>,
    x_feature: Feature,
    y_feature: Feature,
    selected: Vec<usize>,
) -> impl IntoView {
    let w = chart_width();
    let plot_end = w - 16.0;
    let pts = points(&sample, x_feature, y_feature, &selected);
    let (x0, x1) = padded(pts.iter().map(|p| p.1));
    let (y0, y1) = padded(pts.iter().map(|p| p.2));
    let x = Scale::new((x0, x1), (PLOT_X, plot_end));
    let y = Scale::new((y0, y1), (TOP + PLOT_H, TOP));
    let axis_y = TOP + PLOT_H;
    let legend_grid = LegendGrid::new(PLOT_X, plot_end, axis_y + 50.0);
    let h = legend_grid.top + legend_grid.height(selected.len());

    let dots = pts
        .iter()
        .map(|&(c, vx, vy)| {
            view! { <circle class="dot" cx=format!("{:.1}", x.map(vx)) cy=format!("{:.1}", y.map(vy)) r="3" fill=genre_color(c) /> }
        })
        .collect_view();
    let x_marks = view! { <XTicks scale=x ticks=nice_ticks(x0, x1, x_tick_count(plot_end - PLOT_X, 6)) at=axis_y grid_from=TOP label_gap=17.0 /> };
    let y_marks =
        view! { <YTicks scale=y ticks=nice_ticks(y0, y1, 5) at=PLOT_X grid_to=plot_end /> };
    let legend = selected
        .iter()
        .enumerate()
        .map(|(i, &c)| {
            let n = pts.iter().filter(|p| p.0 == c).count();
            let name = classes.get(c).cloned().unwrap_or_default();
            let (lx, ly) = legend_grid.at(i);
            let label = format!("{name}: {n} tracks in the sample");
            let tip = label.clone();
            view! {
                <g class="chart-item" tabindex="0" role="img" aria-label=label>
                    <title>{tip}</title>
                    <circle cx=lx + 5.0 cy=ly r="5" fill=genre_color(c) />
                    <text class="legend-label" x=lx + 15.0 y=ly dominant-baseline="central">{name}</text>
                </g>
            }
        })
        .collect_view();

    let summary = format!(
        "Scatter plot of {} against {}: {} sampled tracks of {} genres",
        y_feature.label(),
        x_feature.label(),
        pts.len(),
        selected.len()
    );

    view! {
        <figure class="eda-figure" id="chart-scatter">
            <div class="chart-scroll">
                <svg class="eda-chart" viewBox=format!("0 0 {w} {h}") width=w height=h role="group" aria-label=summary>
                    <g tabindex="0" role="img" aria-label=format!("{} points", pts.len())>{x_marks}{y_marks}{dots}</g>
                    <line class="axis" x1=PLOT_X x2=plot_end y1=axis_y y2=axis_y />
                    <line class="axis" x1=PLOT_X x2=PLOT_X y1=TOP y2=axis_y />
                    <text class="axis-title" x=(PLOT_X + plot_end) / 2.0 y=axis_y + 36.0 text-anchor="middle">{feature_title(x_feature)}</text>
                    <text class="axis-title" transform=format!("translate(14 {}) rotate(-90)", TOP + PLOT_H / 2.0) text-anchor="middle">{feature_title(y_feature)}</text>
                    {legend}
                </svg>
            </div>
            <figcaption>
                {format!(
                    "{} against {} for a random sample of up to {} tracks per genre (not the whole \
                     data set), coloured by genre. Overlapping clouds are genres these two \
                     features cannot tell apart.",
                    y_feature.label(),
                    x_feature.label().to_lowercase(),
                    genre_core::eda::SCATTER_PER_CLASS,
                )}
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_skip_missing_values_and_unselected_genres() {
        let mut a = vec![Some(0.5f32); 13];
        a[Feature::Energy.index()] = None;
        let b = vec![Some(0.25f32); 13];
        let sample = vec![(0, a), (1, b.clone()), (2, b)];
        let p = points(&sample, Feature::Energy, Feature::Tempo, &[0, 1]);
        assert_eq!(p, vec![(1, 0.25, 0.25)]);
        assert_eq!(padded([0.0, 10.0].into_iter()), (-0.3, 10.3));
    }
}
