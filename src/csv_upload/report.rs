//! What the ingest understood in an uploaded file: columns and their roles, rows read, kept
//! and rejected (with the reasons), missing values. Everything from the file is rendered as
//! text (Leptos escapes it), never as markup.

use crate::components::scroll_box::ScrollBox;
use genre_core::ingest::{ColumnRole, IngestReport};
use leptos::prelude::*;

use crate::charts::fmt_count;
use crate::components::rich_text::rich_text;

fn role_text(role: &ColumnRole) -> String {
    match role {
        ColumnRole::Feature(f) => format!("feature: {}", f.name()),
        ColumnRole::Label => "genre (label)".into(),
        ColumnRole::Name => "track name".into(),
        ColumnRole::Identifier => "identifier, dropped".into(),
        ColumnRole::Ignored => "not used".into(),
    }
}

fn delimiter_name(c: char) -> &'static str {
    match c {
        ';' => "semicolon",
        '\t' => "tab",
        _ => "comma",
    }
}

#[component]
pub fn IngestReportView(file_name: String, report: IngestReport) -> impl IntoView {
    let r = report;
    let summary = format!(
        "{}: {} rows read, {} kept, {} rejected{} ({}-separated).",
        file_name,
        fmt_count(r.rows_read),
        fmt_count(r.rows_kept),
        fmt_count(r.rows_rejected),
        if r.duplicates_dropped > 0 {
            format!(
                ", {} exact duplicates dropped",
                fmt_count(r.duplicates_dropped)
            )
        } else {
            String::new()
        },
        delimiter_name(r.delimiter),
    );
    let missing: Vec<String> = r
        .missing
        .iter()
        .filter(|m| m.1 > 0)
        .map(|(f, n)| format!("{} {}", f.name(), fmt_count(*n)))
        .collect();
    let missing = (!missing.is_empty()).then(|| {
        view! {
            <p class="report-missing">
                {format!("Missing values (filled with the training median): {}.", missing.join(", "))}
            </p>
        }
    });
    let label = match &r.label_column {
        Some(c) => format!("Genre column: `{c}`."),
        None => "No genre column: predictions only, no accuracy.".into(),
    };
    let columns = r
        .columns
        .iter()
        .map(|c| {
            let used = !matches!(c.role, ColumnRole::Ignored | ColumnRole::Identifier);
            view! {
                <tr class:unused=!used>
                    <td>{c.header.clone()}</td>
                    <td>{role_text(&c.role)}</td>
                </tr>
            }
        })
        .collect_view();
    let shown = r.rejections.len() as u64;
    let rejections = (!r.rejections.is_empty()).then(|| {
        let items = r
            .rejections
            .iter()
            .map(|rej| view! { <li>{rich_text(&rej.to_string())}</li> })
            .collect_view();
        let more = (r.rows_rejected > shown)
            .then(|| format!("… and {} more.", fmt_count(r.rows_rejected - shown)));
        view! {
            <details class="report-rejections" open=true>
                <summary>{format!("Rejected rows ({})", fmt_count(r.rows_rejected))}</summary>
                <ul>{items}</ul>
                <p>{more}</p>
            </details>
        }
    });
    view! {
        <div class="ingest-report" role="status">
            <p class="report-summary">{summary}</p>
            <p>{rich_text(&label)}</p>
            {missing}
            <details class="report-columns">
                <summary>{format!("Columns ({})", r.columns.len())}</summary>
                <ScrollBox label="The file's columns">
                    <table class="data-table compact">
                        <thead><tr><th scope="col">"Column"</th><th scope="col">"Read as"</th></tr></thead>
                        <tbody>{columns}</tbody>
                    </table>
                </ScrollBox>
            </details>
            {rejections}
        </div>
    }
}
