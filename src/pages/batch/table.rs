//! The predictions table: sortable by any column, filtered by predicted genre, paged so a
//! 100,000-row file renders as fast as a 50-row one.

use std::sync::Arc;

use crate::components::scroll_box::ScrollBox;
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::text::percent;
use leptos::prelude::*;

use super::run::Row;
use crate::charts::fmt_count;
use crate::components::correct_genre::{CorrectGenre, Predicted};

pub const PAGE_SIZE: usize = 50;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortKey {
    Row,
    Name,
    Predicted,
    Confidence,
    Truth,
}

/// Row indices after filtering by predicted class and sorting (ties keep file order).
pub fn order(
    rows: &[Row],
    filter: Option<u16>,
    key: SortKey,
    descending: bool,
    classes: &[String],
    file_classes: &[String],
) -> Vec<u32> {
    let mut idx: Vec<u32> = (0..rows.len() as u32)
        .filter(|&i| filter.is_none_or(|c| rows[i as usize].class == c))
        .collect();
    let name = |r: &Row| r.name.clone().unwrap_or_default().to_lowercase();
    match key {
        SortKey::Row => {}
        SortKey::Name => {
            let keys: Vec<String> = rows.iter().map(name).collect();
            idx.sort_by(|&a, &b| keys[a as usize].cmp(&keys[b as usize]));
        }
        SortKey::Predicted => idx.sort_by(|&a, &b| {
            classes[rows[a as usize].class as usize].cmp(&classes[rows[b as usize].class as usize])
        }),
        SortKey::Confidence => idx.sort_by(|&a, &b| {
            rows[a as usize]
                .confidence
                .total_cmp(&rows[b as usize].confidence)
        }),
        SortKey::Truth => idx.sort_by(|&a, &b| {
            let t = |i: u32| {
                rows[i as usize]
                    .truth
                    .map(|t| file_classes[t as usize].as_str())
            };
            t(a).cmp(&t(b))
        }),
    }
    if descending {
        // Reverse the sorted runs but keep ties in file order: a stable sort on the reversed key.
        idx.reverse();
        if key != SortKey::Row {
            let mut i = 0;
            while i < idx.len() {
                let mut j = i + 1;
                while j < idx.len() && same_key(&rows[idx[i] as usize], &rows[idx[j] as usize], key)
                {
                    j += 1;
                }
                idx[i..j].reverse();
                i = j;
            }
        }
    }
    idx
}

fn same_key(a: &Row, b: &Row, key: SortKey) -> bool {
    match key {
        SortKey::Row => a.row == b.row,
        SortKey::Name => {
            a.name.as_deref().map(str::to_lowercase) == b.name.as_deref().map(str::to_lowercase)
        }
        SortKey::Predicted => a.class == b.class,
        SortKey::Confidence => a.confidence == b.confidence,
        SortKey::Truth => a.truth == b.truth,
    }
}

#[component]
pub fn ResultsTable(
    rows: Arc<Vec<Row>>,
    classes: Arc<Vec<String>>,
    file_classes: Arc<Vec<String>>,
    /// The predicting model's features and name, and the file's name: what a row's correction
    /// keeps.
    features: Arc<Vec<Feature>>,
    model_name: String,
    file_name: String,
) -> impl IntoView {
    let has_truth = !file_classes.is_empty();
    let sort = RwSignal::new((SortKey::Row, false));
    let filter = RwSignal::new(None::<u16>);
    let page = RwSignal::new(0usize);
    let (r, c, fc) = (rows.clone(), classes.clone(), file_classes.clone());
    let ordered = Memo::new(move |_| {
        let (key, desc) = sort.get();
        Arc::new(order(&r, filter.get(), key, desc, &c, &fc))
    });
    let pages = move || ordered.with(|o| o.len().div_ceil(PAGE_SIZE).max(1));

    let mut counts = vec![0usize; classes.len()];
    for row in rows.iter() {
        counts[row.class as usize] += 1;
    }
    let filter_options = classes
        .iter()
        .enumerate()
        .filter(|&(c, _)| counts[c] > 0)
        .map(|(c, name)| view! { <option value=c.to_string()>{format!("{} ({})", display_name(name), fmt_count(counts[c] as u64))}</option> })
        .collect_view();

    let header = move |key: SortKey, label: &'static str| {
        let aria = move || match sort.get() {
            (k, false) if k == key => "ascending",
            (k, true) if k == key => "descending",
            _ => "none",
        };
        let arrow = move || match sort.get() {
            (k, false) if k == key => " ▲",
            (k, true) if k == key => " ▼",
            _ => "",
        };
        view! {
            <th scope="col" aria-sort=aria>
                <button
                    type="button"
                    class="sort-button"
                    data-sort=label
                    on:click=move |_| {
                        // Confidence reads best highest first; everything else A to Z first.
                        let first_desc = key == SortKey::Confidence;
                        sort.update(|s| *s = if s.0 == key { (key, !s.1) } else { (key, first_desc) });
                        page.set(0);
                    }
                >
                    {label}
                    <span aria-hidden="true">{arrow}</span>
                </button>
            </th>
        }
    };

    let (r, c, fc) = (rows.clone(), classes.clone(), file_classes.clone());
    let (model_name, file_name) = (StoredValue::new(model_name), StoredValue::new(file_name));
    let body = move || {
        let o = ordered.get();
        let start = page.get() * PAGE_SIZE;
        o.iter()
            .skip(start)
            .take(PAGE_SIZE)
            .map(|&i| {
                let row = &r[i as usize];
                let top = row
                    .top
                    .iter()
                    .map(|&(k, p)| format!("{} {}", display_name(&c[k as usize]), percent(p)))
                    .collect::<Vec<_>>()
                    .join(" · ");
                let name = row.name.clone().unwrap_or_else(|| format!("row {}", row.row));
                let truth_cell = has_truth.then(|| {
                    let t = row.truth.map(|t| fc[t as usize].clone());
                    let right = t.as_deref() == Some(c[row.class as usize].as_str());
                    let wrong = t.is_some() && !right;
                    let mark = t.as_ref().map(|_| if right { "✓" } else { "✗" });
                    view! {
                        <td class="truth" class:right=right class:wrong=wrong>
                            {t.as_deref().map(display_name).unwrap_or_default()}
                            " "
                            <span aria-label=if right { "correct" } else { "wrong" }>{mark}</span>
                        </td>
                    }
                });
                let warn = row.far_out.clone().map(|f| {
                    let text = format!("Far outside the training range: {f}. This prediction cannot be trusted.");
                    view! { <span class="far-out" role="img" tabindex="0" title=text.clone() aria-label=text>"⚠"</span> }
                });
                let predicted = Predicted {
                    class: row.class as usize,
                    probability: row.confidence,
                    values: features
                        .iter()
                        .zip(row.values.iter())
                        .filter(|(_, v)| v.is_finite())
                        .map(|(&f, &v)| (f, v))
                        .collect(),
                };
                let correct = view! {
                    <td class="correct-cell">
                        <CorrectGenre
                            genres=c.clone()
                            predicted=Signal::stored(predicted)
                            model=model_name.get_value()
                            source=format!("{} row {}", file_name.get_value(), row.row)
                            id=format!("correct-row-{}", row.row)
                            compact=true
                        />
                    </td>
                };
                view! {
                    <tr>
                        <td class="num-cell">{row.row}</td>
                        <td class="name-cell" title=name.clone()>{name.clone()}</td>
                        <td class="genre-cell">{display_name(&c[row.class as usize])} " " {warn}</td>
                        <td class="num-cell">{percent(row.confidence)}</td>
                        <td class="top3">{top}</td>
                        {truth_cell}
                        {correct}
                    </tr>
                }
            })
            .collect_view()
    };
    let showing = move || {
        let n = ordered.with(|o| o.len());
        let start = page.get() * PAGE_SIZE;
        if n == 0 {
            "No rows".to_string()
        } else {
            format!(
                "Rows {}–{} of {}",
                fmt_count(start as u64 + 1),
                fmt_count((start + PAGE_SIZE).min(n) as u64),
                fmt_count(n as u64)
            )
        }
    };

    view! {
        <div class="table-tools">
            <label class="control">
                <span>"Predicted genre"</span>
                <select id="batch-filter" on:change=move |ev| {
                    filter.set(event_target_value(&ev).parse::<u16>().ok());
                    page.set(0);
                }>
                    <option value="">{format!("All ({})", fmt_count(rows.len() as u64))}</option>
                    {filter_options}
                </select>
            </label>
            <div class="pager" role="group" aria-label="Pages">
                <button type="button" class="button secondary" id="batch-prev" disabled=move || page.get() == 0
                    on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"‹ Previous"</button>
                <span id="batch-showing" aria-live="polite">{showing}</span>
                <button type="button" class="button secondary" id="batch-next" disabled=move || { page.get() + 1 >= pages() }
                    on:click=move |_| page.update(|p| *p += 1)>"Next ›"</button>
            </div>
        </div>
        <ScrollBox label="Predictions">
            <table class="data-table" id="batch-table">
                <caption class="visually-hidden">"Predicted genre of every track in the file"</caption>
                <thead>
                    <tr>
                        {header(SortKey::Row, "Row")}
                        {header(SortKey::Name, "Track")}
                        {header(SortKey::Predicted, "Predicted genre")}
                        {header(SortKey::Confidence, "Confidence")}
                        <th scope="col">"Top 3"</th>
                        {has_truth.then(|| header(SortKey::Truth, "Genre in file"))}
                        <th scope="col">"Correct it"</th>
                    </tr>
                </thead>
                <tbody>{body}</tbody>
            </table>
        </ScrollBox>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(row: u64, name: &str, class: u16, confidence: f32) -> Row {
        Row {
            row,
            name: Some(name.into()),
            class,
            confidence,
            top: vec![],
            far_out: None,
            truth: None,
            probabilities: Box::new([]),
            values: Box::new([]),
        }
    }

    #[test]
    fn sorts_filters_and_keeps_ties_in_file_order() {
        let rows = vec![
            row(2, "b", 1, 0.5),
            row(3, "a", 0, 0.9),
            row(4, "c", 1, 0.5),
            row(5, "d", 1, 0.7),
        ];
        let classes = vec!["x".to_string(), "y".to_string()];
        let o = |f, k, d| order(&rows, f, k, d, &classes, &[]);
        assert_eq!(o(None, SortKey::Row, false), vec![0, 1, 2, 3]);
        assert_eq!(o(None, SortKey::Row, true), vec![3, 2, 1, 0]);
        assert_eq!(o(None, SortKey::Name, false), vec![1, 0, 2, 3]);
        assert_eq!(o(None, SortKey::Confidence, true), vec![1, 3, 0, 2]);
        assert_eq!(o(None, SortKey::Confidence, false), vec![0, 2, 3, 1]);
        assert_eq!(o(Some(1), SortKey::Confidence, true), vec![3, 0, 2]);
    }
}
