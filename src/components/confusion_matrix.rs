//! Confusion-matrix heatmap (SVG): rows are the true genres, columns the predicted ones.
//!
//! Reusable by Train (one per model) and Batch (uploaded labelled file). A toggle switches between
//! counts and row-normalised shares (each row sums to 100%, i.e. the recall view, which makes
//! small genres readable). Hovering or focusing a cell shows it in words under the chart, so the
//! numbers are reachable by keyboard and screen readers, not only by colour.

use genre_core::genre::display_name;
use genre_core::metrics::top_confusions;
use leptos::prelude::*;

use crate::components::scroll_box::ScrollBox;

/// Geometry in CSS pixels: the SVG is drawn at its natural size (never scaled down, so its text
/// stays at least 11 px on a phone) and scrolls sideways in its box when wider than the screen.
const CELL: f64 = 32.0;
const LEFT: f64 = 124.0;
const TOP: f64 = 112.0;

/// Share of row `i` that cell `(i, j)` holds (0 when the row is empty).
pub fn row_share(confusion: &[Vec<u64>], i: usize, j: usize) -> f64 {
    let total: u64 = confusion[i].iter().sum();
    if total == 0 {
        0.0
    } else {
        confusion[i][j] as f64 / total as f64
    }
}

/// Shortens long genre names so the axes stay readable (full names are in the tooltips).
fn short(name: &str) -> String {
    const MAX: usize = 16;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        let cut: String = name.chars().take(MAX - 1).collect();
        format!("{cut}…")
    }
}

/// Above this many genres the matrix is too big to read at a glance: the most confused pairs are
/// listed above it, and it scrolls in a box of limited height.
pub const MANY_GENRES: usize = 20;

/// The sentence shown for a cell on hover/focus.
pub fn describe(classes: &[String], confusion: &[Vec<u64>], i: usize, j: usize) -> String {
    let n = confusion[i][j];
    let share = row_share(confusion, i, j) * 100.0;
    let verb = if i == j {
        "correctly predicted as".to_string()
    } else {
        "predicted as".to_string()
    };
    format!(
        "{n} {} track(s) {verb} {} ({share:.1}% of {})",
        classes[i], classes[j], classes[i]
    )
}

#[component]
pub fn ConfusionMatrix(
    /// Class names, in class order (both axes).
    classes: Vec<String>,
    /// `confusion[true][predicted]` counts.
    confusion: Vec<Vec<u64>>,
    /// Prefix for element ids, unique on the page (e.g. "cm-rf").
    #[prop(into)]
    id: String,
) -> impl IntoView {
    let n = classes.len();
    let classes: Vec<String> = classes.iter().map(|c| display_name(c)).collect();
    let normalised = RwSignal::new(false);
    let focus: RwSignal<Option<(usize, usize)>> = RwSignal::new(None);
    let max_count = confusion
        .iter()
        .flat_map(|r| r.iter().copied())
        .max()
        .unwrap_or(0)
        .max(1);
    let width = LEFT + CELL * n as f64 + 8.0;
    let height = TOP + CELL * n as f64 + 8.0;
    let data = StoredValue::new((classes, confusion));

    // Axis labels: true genres on the left, predicted genres rotated along the top.
    let labels = data.with_value(|(classes, _)| {
        classes
            .iter()
            .enumerate()
            .map(|(k, c)| {
                let mid = k as f64 * CELL + CELL / 2.0;
                let (xl, yt) = (LEFT + mid, TOP - 6.0);
                view! {
                    <text class="cm-label" x=LEFT - 6.0 y=TOP + mid text-anchor="end" dominant-baseline="central">
                        {short(c)}
                    </text>
                    <text class="cm-label" x=xl y=yt transform=format!("rotate(-50 {xl} {yt})")>
                        {short(c)}
                    </text>
                }
            })
            .collect_view()
    });

    let cells = move || {
        let norm = normalised.get();
        data.with_value(|(classes, confusion)| {
            let mut out = Vec::with_capacity(n * n);
            for i in 0..n {
                for j in 0..n {
                    let count = confusion[i][j];
                    let share = row_share(confusion, i, j);
                    let intensity = if norm {
                        share
                    } else {
                        count as f64 / max_count as f64
                    };
                    // A square root keeps small off-diagonal counts visible next to a big diagonal.
                    let alpha = intensity.sqrt();
                    let text = if norm {
                        if count == 0 {
                            String::new()
                        } else {
                            format!("{:.0}", share * 100.0)
                        }
                    } else if count == 0 {
                        String::new()
                    } else {
                        count.to_string()
                    };
                    let (x, y) = (LEFT + j as f64 * CELL, TOP + i as f64 * CELL);
                    let tip = describe(classes, confusion, i, j);
                    let label = tip.clone();
                    out.push(view! {
                        <g
                            class="cm-cell"
                            class:diag={i == j}
                            class:dark={alpha > 0.55}
                            tabindex="0"
                            role="img"
                            aria-label=label
                            on:mouseenter=move |_| focus.set(Some((i, j)))
                            on:focus=move |_| focus.set(Some((i, j)))
                        >
                            <title>{tip}</title>
                            <rect class="cm-bg" x=x + 1.0 y=y + 1.0 width=CELL - 2.0 height=CELL - 2.0 rx="3" />
                            <rect
                                class="cm-fill"
                                x=x + 1.0
                                y=y + 1.0
                                width=CELL - 2.0
                                height=CELL - 2.0
                                rx="3"
                                fill-opacity=format!("{alpha:.3}")
                            />
                            <text class="cm-value" x=x + CELL / 2.0 y=y + CELL / 2.0 text-anchor="middle" dominant-baseline="central">
                                {text}
                            </text>
                        </g>
                    });
                }
            }
            out
        })
    };

    let caption = move || match focus.get() {
        Some((i, j)) => data.with_value(|(c, m)| describe(c, m, i, j)),
        None => "Hover over or focus a cell to see it in words.".to_string(),
    };
    let toggle_id = format!("{id}-norm");
    let many = n > MANY_GENRES;
    let confused = many.then(|| {
        let items = data.with_value(|(classes, confusion)| {
            top_confusions(confusion, 10)
                .into_iter()
                .map(|(i, j, count)| {
                    let share = row_share(confusion, i, j) * 100.0;
                    view! {
                        <li>
                            <span class="cm-pair">{classes[i].clone()}" → "{classes[j].clone()}</span>
                            <span class="cm-pair-n">{format!("{count} ({share:.0}% of {})", classes[i])}</span>
                        </li>
                    }
                })
                .collect_view()
        });
        view! {
            <div class="cm-confused">
                <h4>"Most confused (true → predicted)"</h4>
                <ol class="cm-confused-list" id=format!("{id}-confused")>{items}</ol>
            </div>
        }
    });

    view! {
        <figure class="cm" id=id.clone()>
            <div class="cm-controls">
                <label class="check">
                    <input
                        type="checkbox"
                        id=toggle_id
                        prop:checked=move || normalised.get()
                        on:change=move |ev| normalised.set(event_target_checked(&ev))
                    />
                    " Row-normalised (% of each true genre)"
                </label>
            </div>
            {confused}
            <ScrollBox label="Confusion matrix" class={if many { "cm-scroll many" } else { "cm-scroll" }}>
            <svg
                class="cm-chart"
                width=width
                height=height
                viewBox=format!("0 0 {width} {height}")
                role="group"
                aria-label="Confusion matrix: rows are true genres, columns predicted genres"
                on:mouseleave=move |_| focus.set(None)
            >
                <text class="cm-axis" x=4 y=TOP - 20.0>"true ↓ / predicted →"</text>
                {labels}
                {cells}
            </svg>
            </ScrollBox>
            <figcaption class="cm-caption" aria-live="polite">{caption}</figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shares_and_sentences() {
        let classes = vec!["rap".to_string(), "pop".to_string()];
        let m = vec![vec![3, 1], vec![0, 0]];
        assert_eq!(row_share(&m, 0, 0), 0.75);
        assert_eq!(row_share(&m, 1, 1), 0.0);
        assert_eq!(
            describe(&classes, &m, 0, 1),
            "1 rap track(s) predicted as pop (25.0% of rap)"
        );
        assert_eq!(short("Underground Rap and more"), "Underground Rap…");
    }
}
