//! Horizontal SVG bar chart of all class probabilities, most probable first.

use genre_core::text::percent;
use leptos::prelude::*;

// Horizontal positions are percentages of the chart's width and vertical ones are pixels, with
// no viewBox: text keeps its CSS size at every width (a scaled viewBox made it 9 px on phones).
const ROW: f64 = 24.0;
const TOP: f64 = 4.0;
/// Labels end here (right-aligned); bars span BAR_X .. BAR_X + BAR_W; values follow.
const LABEL_END: f64 = 35.0;
const BAR_X: f64 = 37.0;
const BAR_W: f64 = 48.0;

/// Orders classes by probability, highest first (ties: class order), for the chart and its label.
pub fn ranked(probabilities: &[f32]) -> Vec<(usize, f32)> {
    let mut order: Vec<(usize, f32)> = probabilities.iter().copied().enumerate().collect();
    order.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    order
}

/// An SVG length in percent of the chart's width.
pub fn pc(x: f64) -> String {
    format!("{x:.2}%")
}

#[component]
pub fn BarChart(
    /// Class names, in class order.
    labels: Vec<String>,
    /// Probabilities in class order.
    #[prop(into)]
    probabilities: Signal<Vec<f32>>,
) -> impl IntoView {
    let n = labels.len();
    let height = TOP * 2.0 + ROW * n as f64;
    let labels = StoredValue::new(labels);

    let rows = move || {
        let probs = probabilities.get();
        ranked(&probs)
            .into_iter()
            .enumerate()
            .map(|(rank, (class, p))| {
                let y = TOP + rank as f64 * ROW;
                let w = (p as f64).clamp(0.0, 1.0) * BAR_W;
                let label = labels.with_value(|l| l[class].clone());
                let tip = format!("{label}: {}", percent(p));
                view! {
                    <g class:top=rank == 0>
                        <title>{tip}</title>
                        <text class="bar-label" x=pc(LABEL_END) y=y + ROW / 2.0 text-anchor="end" dominant-baseline="central">
                            {label}
                        </text>
                        <rect class="bar-track" x=pc(BAR_X) y=y + 4.0 width=pc(BAR_W) height=ROW - 8.0 rx="3" />
                        <rect class="bar" data-value=p.to_string() x=pc(BAR_X) y=y + 4.0 width=pc(w) height=ROW - 8.0 rx="3" />
                        <text class="bar-value" x=pc(BAR_X + BAR_W + 1.5) y=y + ROW / 2.0 dominant-baseline="central">
                            {percent(p)}
                        </text>
                    </g>
                }
            })
            .collect_view()
    };
    // A text alternative for screen readers: the whole ranking in one sentence.
    let summary = move || {
        let probs = probabilities.get();
        let parts: Vec<String> = ranked(&probs)
            .into_iter()
            .map(|(c, p)| format!("{} {}", labels.with_value(|l| l[c].clone()), percent(p)))
            .collect();
        format!("Probability of each genre: {}", parts.join(", "))
    };

    view! {
        <svg class="chart bar-chart" data-bars="width" width="100%" height=height role="img" aria-label=summary>
            {rows}
        </svg>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranks_highest_first_and_formats() {
        let r = ranked(&[0.1, 0.6, 0.1, 0.2]);
        assert_eq!(r.iter().map(|x| x.0).collect::<Vec<_>>(), vec![1, 3, 0, 2]);
    }
}
