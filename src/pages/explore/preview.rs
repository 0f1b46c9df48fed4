//! The data at a glance, as the report's notebook opened it: the first rows (`head()`) and a
//! per-column summary (`describe()` plus the missing cells). The figures are the core's
//! (`eda::summarize`); this only lays them out.

use crate::components::scroll_box::ScrollBox;
use genre_core::eda::{ColumnSummary, EdaSummary, PreviewRow};
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::text::count;
use leptos::prelude::*;

/// A value as a table shows it: integers grouped, others to 4 significant digits.
fn number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        let grouped = count(v.abs() as u64);
        return if v < 0.0 {
            format!("-{grouped}")
        } else {
            grouped
        };
    }
    let digits = (3 - v.abs().log10().floor() as i32).clamp(0, 6) as usize;
    format!("{v:.digits$}")
}

/// One of the preview's tables, under its heading and scrolling sideways: the header row's
/// cells, then the body's rows.
fn preview_table(
    heading: &'static str,
    id: &'static str,
    header: impl IntoView + 'static,
    rows: impl IntoView + 'static,
) -> impl IntoView {
    view! {
        <h3>{heading}</h3>
        <ScrollBox label=heading>
            <table class="data-table compact preview-table" id=id>
                <thead>
                    <tr>{header}</tr>
                </thead>
                <tbody>{rows}</tbody>
            </table>
        </ScrollBox>
    }
}

#[component]
pub fn DataPreview(summary: std::sync::Arc<EdaSummary>) -> impl IntoView {
    if summary.describe.is_empty() {
        return ().into_any();
    }
    let features: Vec<Feature> = summary.describe.iter().map(|c| c.feature).collect();
    let has_genre = summary.head.iter().any(|r| r.genre.is_some());
    let has_name = summary.head.iter().any(|r| r.name.is_some());
    let head_cols = features
        .iter()
        .map(|f| view! { <th class="num-cell">{f.name()}</th> })
        .collect_view();
    let head_rows = summary
        .head
        .iter()
        .map(|r| head_row(r, has_genre, has_name))
        .collect_view();
    let describe_rows = summary.describe.iter().map(describe_row).collect_view();
    view! {
        <section class="card" aria-labelledby="h-preview">
            <h2 id="h-preview">"The data at a glance"</h2>
            <p class="card-sub">
                "The first rows as read, and every feature column summarised (pandas' "
                <code>"head()"</code>" and "<code>"describe()"</code>", with the missing cells)."
            </p>
            {preview_table(
                "First rows",
                "preview-head",
                view! {
                    <th>"Row"</th>
                    {has_genre.then(|| view! { <th>"Genre"</th> })}
                    {has_name.then(|| view! { <th>"Name"</th> })}
                    {head_cols}
                },
                head_rows,
            )}
            {preview_table(
                "Per column",
                "preview-describe",
                view! {
                    <th>"Column"</th>
                    {["count", "missing", "mean", "std", "min", "25%", "50%", "75%", "max"]
                        .map(|h| view! { <th class="num-cell">{h}</th> })}
                },
                describe_rows,
            )}
        </section>
    }
    .into_any()
}

fn head_row(r: &PreviewRow, has_genre: bool, has_name: bool) -> impl IntoView {
    let cells = r
        .values
        .iter()
        .map(|v| view! { <td class="num-cell">{v.map_or("—".to_string(), number)}</td> })
        .collect_view();
    view! {
        <tr>
            <td class="num-cell">{r.row}</td>
            {has_genre.then(|| view! { <td class="genre-cell">{r.genre.as_deref().map(display_name).unwrap_or_default()}</td> })}
            {has_name.then(|| view! { <td class="name-cell">{r.name.clone().unwrap_or_default()}</td> })}
            {cells}
        </tr>
    }
}

fn describe_row(c: &ColumnSummary) -> impl IntoView {
    let figures: Vec<String> = match &c.stats {
        Some(s) => vec![
            number(s.mean),
            s.std.map_or("—".to_string(), number),
            number(s.min),
            number(s.q1),
            number(s.median),
            number(s.q3),
            number(s.max),
        ],
        None => vec!["—".to_string(); 7],
    };
    view! {
        <tr id=format!("describe-{}", c.feature.name())>
            <th scope="row">{c.feature.name()}</th>
            <td class="num-cell">{count(c.count)}</td>
            <td class="num-cell">{count(c.missing)}</td>
            {figures.into_iter().map(|f| view! { <td class="num-cell">{f}</td> }).collect_view()}
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::number;

    #[test]
    fn numbers_read_like_a_table() {
        assert_eq!(number(124_539.0), "124,539");
        assert_eq!(number(-7.364), "-7.364");
        assert_eq!(number(0.0598), "0.05980");
        assert_eq!(number(156.985), "157.0");
        assert_eq!(number(2.0), "2");
    }
}
