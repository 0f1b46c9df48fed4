//! Step 2: what was understood in the file, before any training: columns and their roles (with
//! a label-column picker), rows kept and rejected with the first reasons, missing values and how
//! they will be filled, duplicates, class counts, and what blocks training.

use genre_core::genre::display_name;
use genre_core::ingest::ColumnRole;
use genre_core::train;
use leptos::prelude::*;

use super::data_in::start_parse;
use super::TrainState;
use crate::components::rich_text::rich_text;

/// How many rejected rows are listed (the count is always complete).
const SHOWN_REJECTIONS: usize = 8;

fn role_text(role: &ColumnRole) -> (String, &'static str) {
    match role {
        ColumnRole::Feature(f) => (format!("feature: {}", f.label()), "feature"),
        ColumnRole::Label => ("genre (label)".into(), "label"),
        ColumnRole::Name => ("track name".into(), "name"),
        ColumnRole::Identifier => ("identifier, dropped".into(), "dropped"),
        ColumnRole::Ignored => ("not used".into(), "dropped"),
    }
}

#[component]
pub fn Report() -> impl IntoView {
    let page = TrainState::use_state();
    let blockers = move || {
        let s = page.summary()?;
        let b = train::blockers(
            &s.report.class_counts,
            page.options.test_fraction_value(),
            page.options.balance.get(),
        );
        (!b.is_empty()).then(|| {
            view! {
                <div class="msg error blockers" id="train-blockers" role="alert">
                    <strong>"Training cannot start:"</strong>
                    <ul>{b.into_iter().map(|m| view! { <li>{rich_text(&m.to_string())}</li> }).collect_view()}</ul>
                </div>
            }
        })
    };
    // Genres too small to split: left out with a note, not a reason to refuse the file.
    let set_aside = move || {
        let s = page.summary()?;
        // A label that is not the genre has one message (the blocker), not a list of values.
        let labelled = s.report.class_counts.iter().filter(|(_, n)| *n > 0).count();
        if labelled > train::MAX_CLASSES {
            return None;
        }
        let note = s.set_aside.note()?;
        Some(view! { <p class="msg info" id="set-aside" role="status">{rich_text(&note)}</p> })
    };
    let body = move || {
        let s = page.summary()?;
        let r = &s.report;
        let headers: Vec<String> = r.columns.iter().map(|c| c.header.clone()).collect();
        let current_label = r.label_column.clone().unwrap_or_default();
        let columns = r
            .columns
            .iter()
            .map(|c| {
                let (text, class) = role_text(&c.role);
                view! {
                    <li class=format!("col col-{class}")>
                        <code>{c.header.clone()}</code>
                        <span>{text}</span>
                    </li>
                }
            })
            .collect_view();
        let label_options = headers
            .iter()
            .map(|h| {
                let selected = *h == current_label;
                view! { <option value=h.clone() selected=selected>{h.clone()}</option> }
            })
            .collect_view();
        let on_label = move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            page.label_column.set(Some(v));
            if let Some(src) = page.source.get_value() {
                start_parse(page, src, page.sample.get_value());
            }
        };
        let rejections = (r.rows_rejected > 0).then(|| {
            let more = r.rows_rejected.saturating_sub(SHOWN_REJECTIONS as u64);
            view! {
                <div class="report-block" id="report-rejections">
                    <h3>{format!("{} row(s) rejected", r.rows_rejected)}</h3>
                    <ul class="reasons">
                        {r.rejections
                            .iter()
                            .take(SHOWN_REJECTIONS)
                            .map(|x| view! { <li>{rich_text(&x.to_string())}</li> })
                            .collect_view()}
                    </ul>
                    {(more > 0).then(|| view! { <p class="hint">{format!("… and {more} more.")}</p> })}
                </div>
            }
        });
        let missing: Vec<_> = r.missing.iter().filter(|(_, n)| *n > 0).cloned().collect();
        let missing = (!missing.is_empty()).then(|| {
            view! {
                <div class="report-block" id="report-missing">
                    <h3>"Missing values"</h3>
                    <ul class="reasons">
                        {missing
                            .into_iter()
                            .map(|(f, n)| view! {
                                <li>{format!("{}: {n} empty — filled with the training median", f.label())}</li>
                            })
                            .collect_view()}
                    </ul>
                </div>
            }
        });
        let max = r
            .class_counts
            .iter()
            .map(|(_, n)| *n)
            .max()
            .unwrap_or(1)
            .max(1);
        let classes = r
            .class_counts
            .iter()
            .map(|(c, n)| {
                let w = *n as f64 / max as f64 * 100.0;
                let shown = display_name(c);
                view! {
                    <li>
                        <span class="cc-name" title=c.clone()>{shown}</span>
                        <span class="cc-track"><span class="cc-bar" data-value=n.to_string() style:width=format!("{w:.1}%")></span></span>
                        <span class="cc-n">{n.to_string()}</span>
                    </li>
                }
            })
            .collect_view();
        let many = r.class_counts.len() > 20;
        let delimiter = match r.delimiter {
            '\t' => "tab".to_string(),
            d => format!("“{d}”"),
        };
        // A sample of a file too large for the tab: say so before the numbers it explains.
        let sample = r.sample.map(|(s, passed)| {
            view! {
                <p class="msg info" id="sample-note">
                    {format!(
                        "A random sample: {} of the file's {} rows were read ({} each, seed {}); the other {} were passed over because the whole file is too large for this tab.",
                        genre_core::text::count(r.rows_read - passed),
                        genre_core::text::count(r.rows_read),
                        genre_core::text::percent(s.fraction),
                        s.seed,
                        genre_core::text::count(passed),
                    )}
                </p>
            }
        });
        Some(view! {
            {sample}
            <dl class="report-stats" id="report-stats">
                <div><dt>"Rows read"</dt><dd id="rows-read">{r.rows_read}</dd></div>
                <div><dt>"Kept"</dt><dd id="rows-kept">{r.rows_kept}</dd></div>
                <div><dt>"Rejected"</dt><dd id="rows-rejected">{r.rows_rejected}</dd></div>
                <div><dt>"Duplicates dropped"</dt><dd id="rows-duplicates">{r.duplicates_dropped}</dd></div>
                <div><dt>"Genres"</dt><dd>{r.class_counts.len()}</dd></div>
                <div><dt>"Delimiter"</dt><dd>{delimiter}</dd></div>
            </dl>
            <div class="report-grid">
                <div class="report-block">
                    <h3>"Columns"</h3>
                    <div class="param label-picker">
                        <label for="label-column">"Genre (label) column"</label>
                        <select id="label-column" on:change=on_label>{label_options}</select>
                    </div>
                    // Scrolls when the file has many columns: a keyboard stop with a name.
                    <ul class="columns" id="report-columns" tabindex="0" aria-label="The file's columns">{columns}</ul>
                </div>
                <div class="report-block">
                    <h3>"Tracks per genre"</h3>
                    <ul
                        class="class-counts"
                        class:many=many
                        id="class-counts"
                        data-bars="width"
                        tabindex=many.then_some("0")
                        aria-label=many.then_some("Tracks per genre (scrolls)")
                    >
                        {classes}
                    </ul>
                </div>
            </div>
            {rejections}
            {missing}
        })
    };
    view! {
        <section class="card" aria-labelledby="report-title" id="report">
            <h2 id="report-title"><super::StepNumber step=super::Step::Report />"What was understood"</h2>
            {blockers}
            {set_aside}
            {body}
        </section>
    }
}
