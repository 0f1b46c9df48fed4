//! Step 1: the data. A file picker, a drop zone and "use the bundled data set"; the file is
//! read by the parser worker, with progress, and can be cancelled.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use genre_core::capacity;
use genre_core::corrections::Correction;
use genre_core::ingest::RowSample;
use genre_core::text;
use genre_core::train::TrainOptions;

use super::too_large::TooLargeOffer;
use super::{figures, DataState, ParseFailure, Reading, SourceRef, TrainState};
use crate::components::busy::progress_bar_transform;
use crate::components::rich_text::rich_text;
use crate::csv_upload::FileDrop;
use crate::worker::calls::{CsvInput, Split, BUNDLED_NAME};
use crate::worker::pool::{parser, WorkerError};
use crate::worker::protocol::DataSummary;

impl SourceRef {
    fn name(&self) -> String {
        match self {
            SourceRef::File(f) => f.name(),
            SourceRef::Bundled => BUNDLED_NAME.to_string(),
        }
    }
}

/// Reads `src` (all of it, or the `sample`) in the parser worker, with the label column chosen
/// for it.
async fn parse(
    page: TrainState,
    src: &SourceRef,
    sample: Option<RowSample>,
    progress: impl FnMut(u64, u64) + 'static,
) -> Result<DataSummary, WorkerError> {
    let input = match src {
        SourceRef::File(f) => CsvInput::File(f),
        SourceRef::Bundled => CsvInput::BUNDLED,
    };
    parser()
        .parse(input, page.label_column.get_untracked(), sample, progress)
        .await
}

/// Reads `src` in the parser worker (a read in progress is stopped first), all of it or the
/// `sample`. The data set in use stays in use until the new one is read: if the file cannot be
/// used, or its reading is cancelled ([`cancel_read`]), nothing the page shows changes but a
/// message (the parser, restarted, reads the kept data set again when training needs it, see
/// [`ensure_parsed`]).
pub fn start_parse(page: TrainState, src: SourceRef, sample: Option<RowSample>) {
    let p = parser();
    // A newer choice wins: stop the old read for real (its answer would be dropped anyway).
    p.terminate();
    page.parse_error.set(None);
    page.read_cancelled.set(None);
    let name = src.name();
    let total = match &src {
        SourceRef::File(f) => f.size() as u64,
        SourceRef::Bundled => 0,
    };
    page.reading.set(Some(Reading {
        name: name.clone(),
        done: 0,
        total,
    }));
    spawn_local(async move {
        let progress_name = name.clone();
        let on_progress = move |done, total| {
            page.reading.set(Some(Reading {
                name: progress_name.clone(),
                done,
                total,
            }))
        };
        let read = parse(page, &src, sample, on_progress).await;
        if matches!(read, Err(WorkerError::Cancelled)) {
            // Cancelled, or replaced by a newer read: whoever stopped it says what is next.
            return;
        }
        page.reading.set(None);
        let problem = match read {
            Ok(summary) => {
                page.source.set_value(Some(src));
                page.sample.set_value(sample);
                page.parsed_in.set_value(p.generation());
                page.options.select_features(&summary.present);
                // A new data set: the option problems found for the old one no longer apply.
                page.run_error.set(None);
                page.data.set(DataState::Ready(Arc::new(summary)));
                return;
            }
            Err(WorkerError::Cancelled) => return,
            Err(e) => e,
        };
        let columns = problem.label_choices().unwrap_or_default().to_vec();
        let too_large = match problem {
            WorkerError::TooLarge(too) => Some(too),
            _ => None,
        };
        keep_data_in_use(page);
        page.parse_error.set(Some(ParseFailure {
            name,
            problem,
            columns,
            source: src,
            sample,
            too_large,
        }));
    });
}

/// The data set in use stays: its own label column again (a new file's choice reset it).
fn keep_data_in_use(page: TrainState) {
    if let Some(summary) = page.summary() {
        page.label_column.set(summary.report.label_column.clone());
    }
}

/// Stops the file being read; the data set in use (if any) stays, and the page says so.
pub fn cancel_read(page: TrainState) {
    let Some(reading) = page.reading.get_untracked() else {
        return;
    };
    parser().terminate();
    page.reading.set(None);
    keep_data_in_use(page);
    page.read_cancelled.set(Some(reading.name));
}

/// Makes sure the parser worker still holds the data the page shows: if it was restarted
/// since (it crashed), the same file is read again, without touching the report or the
/// options, so training goes on instead of asking the user to choose the file again.
pub async fn ensure_parsed(page: TrainState) -> Result<(), WorkerError> {
    let p = parser();
    if p.generation() == page.parsed_in.get_value() {
        return Ok(());
    }
    let Some(src) = page.source.get_value() else {
        return Ok(());
    };
    parse(page, &src, page.sample.get_value(), |_, _| {}).await?;
    page.parsed_in.set_value(p.generation());
    Ok(())
}

/// The data set in use split with `options` (and the user's `corrections` in its training
/// part), read again first if the parser was restarted. Above
/// [`capacity::KEEP_READ_ROWS`] rows the parser is then let go: its copy of the file would sit
/// beside the training workers' copies for the whole run (460 MB of heap at a million rows),
/// and the next split reads the file again instead (seconds).
///
/// Answers the split and how many of the `workers` asked for the run may use: each holds its
/// own copy of the data, so on a big file fewer than asked ([`capacity::max_workers`]), which
/// the run card then says.
pub async fn split_for_training(
    page: TrainState,
    options: TrainOptions,
    data_file: String,
    corrections: Vec<Correction>,
    workers: usize,
) -> Result<(Split, usize), WorkerError> {
    ensure_parsed(page).await?;
    let split = parser()
        .prepare_with_corrections(options, data_file, corrections)
        .await?;
    let rows = (split.summary.train_rows + split.summary.test_rows) as u64;
    if rows > capacity::KEEP_READ_ROWS {
        parser().terminate();
    }
    let fit = capacity::max_workers(rows);
    page.workers_note.set((workers > fit).then(|| {
        format!(
            "{fit} of the {workers} workers asked for: with {} rows, each more would need more memory than this tab keeps to.",
            text::count(rows)
        )
    }));
    Ok((split, workers.min(fit)))
}

#[component]
pub fn DataIn() -> impl IntoView {
    let page = TrainState::use_state();
    let on_file = Callback::new(move |f: web_sys::File| {
        // A new file: its own label column will be detected again.
        page.label_column.set(None);
        start_parse(page, SourceRef::File(f), None);
    });
    let bundled = move |_| {
        page.label_column.set(None);
        start_parse(page, SourceRef::Bundled, None);
    };
    let cancel = move |_| cancel_read(page);
    let parsing = Signal::derive(move || page.is_reading());
    let in_use = Signal::derive(move || page.summary().map(|s| s.file_name.clone()));

    let read = move || {
        let Reading { name, done, total } = page.reading.get()?;
        let pct = if total > 0 {
            (done as f64 / total as f64).clamp(0.0, 1.0)
        } else {
            0.0
        };
        let what = if total > 0 {
            format!(
                "Reading {name}: {} of {} ({})",
                figures::bytes(done),
                figures::bytes(total),
                figures::pct(pct)
            )
        } else {
            format!("Downloading and unpacking {name}…")
        };
        Some(view! {
            <div class="parse-status" id="parse-status" role="status">
                <p>{what}</p>
                <div class="progress" aria-hidden="true">
                    <div class="progress-bar" style:transform=progress_bar_transform(pct)></div>
                </div>
                <button class="button secondary" id="parse-cancel" on:click=cancel>"Cancel"</button>
            </div>
        })
    };
    let status = move || match page.data.get() {
        DataState::Empty => None,
        DataState::Ready(s) => Some(view! {
            <p
                class="msg ok"
                id="parse-done"
                role="status"
                data-parse-ms=format!("{:.0}", s.parse_ms)
                data-heap-bytes=s.heap_bytes.to_string()
            >
                {format!(
                    "Read {} ({}) in {}.",
                    s.file_name,
                    figures::bytes(s.file_bytes),
                    figures::seconds(s.parse_ms)
                )}
            </p>
        }),
    };
    let cancelled = move || {
        let name = page.read_cancelled.get()?;
        let kept = page.summary().map_or_else(
            || " No data set is in use yet.".to_string(),
            |s| {
                format!(
                    " The data set read before, {}, is still in use.",
                    s.file_name
                )
            },
        );
        Some(view! {
            <p class="msg info" id="parse-cancelled" role="status">
                {format!("Cancelled: {name} was not read.{kept}")}
            </p>
        })
    };
    let failure = move || {
        let f = page.parse_error.get()?;
        let kept = page.summary().map(|s| {
            format!(
                " The data set read before, {}, is still in use.",
                s.file_name
            )
        });
        let picker = (!f.columns.is_empty()).then(|| {
            let source = f.source.clone();
            let sample = f.sample;
            let on_pick = move |ev: leptos::ev::Event| {
                let column = event_target_value(&ev);
                if column.is_empty() {
                    return;
                }
                page.label_column.set(Some(column));
                start_parse(page, source.clone(), sample);
            };
            let options = f
                .columns
                .iter()
                .map(|c| view! { <option value=c.clone()>{c.clone()}</option> })
                .collect_view();
            view! {
                <div class="param label-picker" id="label-picker">
                    <label for="pick-label">"Which column holds the genre?"</label>
                    <select id="pick-label" on:change=on_pick>
                        <option value="" selected=true>"Choose a column…"</option>
                        {options}
                    </select>
                </div>
            }
        });
        let offer = f.too_large.map(|too| {
            let source = f.source.clone();
            let take = Callback::new(move |sample| start_parse(page, source.clone(), Some(sample)));
            view! { <TooLargeOffer name=f.name.clone() too=too take=take /> }
        });
        let title = if f.too_large.is_some() {
            format!("{} is too large to train on whole in this tab. ", f.name)
        } else {
            format!("{} could not be used. ", f.name)
        };
        Some(view! {
            <div class="msg error" id="parse-error" role="alert">
                <strong>{title}</strong>
                {rich_text(&f.problem.to_string())}
                {kept}
                {picker}
                {offer}
            </div>
        })
    };

    view! {
        <section class="card" aria-labelledby="data-title">
            <h2 id="data-title"><super::StepNumber step=super::Step::Data />"Data"</h2>
            <p class="card-sub">
                "A CSV with a genre column and Spotify audio features (the Kaggle "
                <code>"genres_v2.csv"</code>" layout, the Spotify Tracks Dataset with its "
                <code>"track_genre"</code>", or an Exportify export with a genre column). "
                "It is read in a background worker and never leaves this tab."
            </p>
            <FileDrop
                id="train-file"
                label="Your CSV"
                hint="Comma, semicolon or tab separated; UTF-8. Big files are fine: they are read in slices."
                on_file=on_file
                disabled=parsing
                current=in_use
            />
            <div class="data-actions">
                <span class="or">"or"</span>
                <button class="button secondary" id="use-bundled" on:click=bundled disabled=parsing>
                    "Use the bundled data set (genres_v2.csv, 42,305 tracks)"
                </button>
            </div>
            {read}
            {status}
            {cancelled}
            {failure}
        </section>
    }
}
