//! Diverging SVG bars: how much each feature pushed the model towards or away from one genre.

use leptos::prelude::*;

use super::bar_chart::pc;

// Same geometry scheme as the bar chart: x in percent of the width, y in pixels, no viewBox.
const ROW: f64 = 26.0;
const TOP: f64 = 22.0;
/// Labels end here; the diverging bars span BARS_X .. BARS_X + 2 * HALF around the middle axis.
const LABEL_END: f64 = 37.0;
const BARS_X: f64 = 39.0;
const HALF: f64 = 24.0;

/// One bar: the feature's label, its current value as text, and its contribution.
#[derive(Debug, Clone, PartialEq)]
pub struct Contribution {
    pub label: String,
    pub value: String,
    pub amount: f64,
}

/// Largest effect first; the scale is symmetric so left and right bars compare directly.
pub fn layout(mut items: Vec<Contribution>) -> (Vec<Contribution>, f64) {
    items.sort_by(|a, b| b.amount.abs().total_cmp(&a.amount.abs()));
    let max = items
        .iter()
        .map(|c| c.amount.abs())
        .fold(0.0f64, f64::max)
        .max(1e-9);
    (items, max)
}

pub fn signed(v: f64) -> String {
    if v.abs() < 0.005 {
        "0.00".into()
    } else {
        format!("{v:+.2}")
    }
}

#[component]
pub fn ContribChart(
    /// The genre the contributions are for.
    #[prop(into)]
    genre: Signal<String>,
    #[prop(into)] items: Signal<Vec<Contribution>>,
) -> impl IntoView {
    let chart = move || {
        let (items, max) = layout(items.get());
        let genre = genre.get();
        let n = items.len();
        let height = TOP + ROW * n as f64 + 6.0;
        let mid = BARS_X + HALF;
        let rows = items
            .iter()
            .enumerate()
            .map(|(i, c)| {
                let y = TOP + i as f64 * ROW;
                let w = c.amount.abs() / max * HALF;
                let towards = c.amount >= 0.0;
                let x = if towards { mid } else { mid - w };
                let tip = format!(
                    "{} = {}: {} {} {genre}",
                    c.label,
                    c.value,
                    signed(c.amount),
                    if towards { "towards" } else { "away from" }
                );
                view! {
                    <g>
                        <title>{tip}</title>
                        <text class="contrib-label" x=pc(LABEL_END) y=y + ROW / 2.0 text-anchor="end" dominant-baseline="central">
                            {c.label.clone()}
                        </text>
                        <rect class=if towards { "contrib-pos" } else { "contrib-neg" }
                            data-value=c.amount.abs().to_string()
                            x=pc(x) y=y + 5.0 width=pc(w.max(0.2)) height=ROW - 10.0 rx="2" />
                        <text class="bar-value" x=pc(BARS_X + 2.0 * HALF + 2.0) y=y + ROW / 2.0 dominant-baseline="central">
                            {signed(c.amount)}
                        </text>
                    </g>
                }
            })
            .collect_view();
        let summary = format!(
            "Feature contributions for {genre}: {}",
            items
                .iter()
                .map(|c| format!(
                    "{} {} {}",
                    c.label,
                    if c.amount >= 0.0 { "towards" } else { "away" },
                    signed(c.amount)
                ))
                .collect::<Vec<_>>()
                .join(", ")
        );
        view! {
            <svg class="chart contrib-chart" data-bars="width" width="100%" height=height role="img" aria-label=summary>
                <text class="axis-note" x=pc(mid - 1.0) y="11" text-anchor="end">"← away"</text>
                <text class="axis-note" x=pc(mid + 1.0) y="11">"towards →"</text>
                <line class="axis" x1=pc(mid) x2=pc(mid) y1=TOP - 4.0 y2=height - 2.0 />
                {rows}
            </svg>
        }
    };
    view! { <div class="contrib">{chart}</div> }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(label: &str, amount: f64) -> Contribution {
        Contribution {
            label: label.into(),
            value: String::new(),
            amount,
        }
    }

    #[test]
    fn sorts_by_size_and_scales_symmetrically() {
        let (items, max) = layout(vec![c("a", 0.1), c("b", -0.5), c("c", 0.3)]);
        assert_eq!(
            items.iter().map(|c| c.label.as_str()).collect::<Vec<_>>(),
            ["b", "c", "a"]
        );
        assert_eq!(max, 0.5);
        let (_, max) = layout(vec![c("z", 0.0)]);
        assert!(max > 0.0, "an all-zero chart must not divide by zero");
        assert_eq!(signed(0.4242), "+0.42");
        assert_eq!(signed(-1.0), "-1.00");
        assert_eq!(signed(-0.001), "0.00");
    }
}
