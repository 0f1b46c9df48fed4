//! Horizontal SVG bar chart of the class probabilities, most probable first: every class up to
//! [`ALL_UP_TO`] classes, beyond that the top [`TOP_N`] and one "others" bar with the rest (a
//! model trained on the 114 genres of the Spotify Tracks data set stays readable).

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

/// Up to this many classes, every one has its bar (the bundled models' 15 genres all show).
pub const ALL_UP_TO: usize = 20;
/// Beyond [`ALL_UP_TO`] classes, the bars shown before "others".
pub const TOP_N: usize = 10;

/// One bar: a class, or the sum of the classes not shown (`None`, with their count).
#[derive(Debug, Clone, PartialEq)]
pub enum Bar {
    Class(usize, f32),
    Others { count: usize, sum: f32 },
}

/// How many bars `classes` classes get.
pub fn bar_count(classes: usize) -> usize {
    if classes <= ALL_UP_TO {
        classes
    } else {
        TOP_N + 1
    }
}

/// The bars to draw for these probabilities (see the module docs).
pub fn bars(probabilities: &[f32]) -> Vec<Bar> {
    let order = ranked(probabilities);
    if order.len() <= ALL_UP_TO {
        return order.into_iter().map(|(c, p)| Bar::Class(c, p)).collect();
    }
    let rest = &order[TOP_N..];
    let mut out: Vec<Bar> = order[..TOP_N]
        .iter()
        .map(|&(c, p)| Bar::Class(c, p))
        .collect();
    out.push(Bar::Others {
        count: rest.len(),
        sum: rest.iter().map(|&(_, p)| p).sum(),
    });
    out
}

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
    let n = bar_count(labels.len());
    let height = TOP * 2.0 + ROW * n as f64;
    let labels = StoredValue::new(labels);

    let rows = move || {
        let probs = probabilities.get();
        bars(&probs)
            .into_iter()
            .enumerate()
            .map(|(rank, bar)| {
                let y = TOP + rank as f64 * ROW;
                let (label, p) = bar_text(&bar, &labels);
                let w = (p as f64).clamp(0.0, 1.0) * BAR_W;
                let tip = format!("{label}: {}", percent(p));
                let others = matches!(bar, Bar::Others { .. });
                view! {
                    <g class:top=rank == 0 class:others=others>
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
        let parts: Vec<String> = bars(&probs)
            .iter()
            .map(|bar| {
                let (label, p) = bar_text(bar, &labels);
                format!("{label} {}", percent(p))
            })
            .collect();
        format!("Probability of each genre: {}", parts.join(", "))
    };

    view! {
        <svg class="chart bar-chart" data-bars="width" width="100%" height=height role="img" aria-label=summary>
            {rows}
        </svg>
    }
}

/// A bar's label and value.
fn bar_text(bar: &Bar, labels: &StoredValue<Vec<String>>) -> (String, f32) {
    match *bar {
        Bar::Class(c, p) => (labels.with_value(|l| l[c].clone()), p),
        Bar::Others { count, sum } => (format!("{count} other genres"), sum),
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

    #[test]
    fn every_class_up_to_twenty_then_top_ten_and_others() {
        let twenty: Vec<f32> = (0..20).map(|i| i as f32 / 190.0).collect();
        let b = bars(&twenty);
        assert_eq!(b.len(), 20);
        assert_eq!(b[0], Bar::Class(19, 19.0 / 190.0));

        // 114 genres: class i has weight i + 1; the top ten are 113..104, the rest summed.
        let total = (1..=114).sum::<u32>() as f32;
        let many: Vec<f32> = (0..114).map(|i| (i + 1) as f32 / total).collect();
        let b = bars(&many);
        assert_eq!(b.len(), 11);
        assert_eq!((bar_count(20), bar_count(21), bar_count(114)), (20, 11, 11));
        let top: Vec<usize> = b[..10]
            .iter()
            .map(|x| match x {
                Bar::Class(c, _) => *c,
                Bar::Others { .. } => usize::MAX,
            })
            .collect();
        assert_eq!(top, (104..114).rev().collect::<Vec<_>>());
        let Bar::Others { count, sum } = b[10] else {
            panic!("the last bar is the others")
        };
        assert_eq!(count, 104);
        let expected = (1..=104).sum::<u32>() as f32 / total;
        assert!((sum - expected).abs() < 1e-5, "{sum} vs {expected}");
    }
}
