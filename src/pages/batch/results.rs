//! A finished run: the scores (when the file has genres), the predictions table and the
//! download of the user's own file with the predictions added.

use std::sync::Arc;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::metrics_panel::MetricsPanel;
use super::table::ResultsTable;
use super::{download, BatchResult};
use crate::browser;
use crate::browser::yield_now;
use crate::charts::fmt_count;
use crate::csv_upload::Upload;

#[component]
pub fn Results(outcome: Arc<BatchResult>, upload: RwSignal<Option<Upload>>) -> impl IntoView {
    let o = outcome.clone();
    let far = o.rows.iter().filter(|r| r.far_out.is_some()).count();
    let far_note = (far > 0).then(|| {
        view! {
            <p class="msg warn" id="batch-far-out">
                {format!(
                    "⚠ {} rows have values far outside what the model was trained on (more than half \
                     the training range beyond it); their predictions cannot be trusted.",
                    fmt_count(far as u64)
                )}
            </p>
        }
    });
    // The scores and the table are two renders in two tasks: together (a big confusion matrix
    // and the first page of rows) they come close to the 50 ms long-task line.
    let table_ready = RwSignal::new(false);
    spawn_local(async move {
        yield_now().await;
        table_ready.set(true);
    });
    let (preparing, set_preparing) = signal(false);
    let (download_error, set_download_error) = signal(None::<String>);
    let od = outcome.clone();
    let on_download = move |_| {
        let Some(u) = upload.get_untracked() else {
            return;
        };
        let o = od.clone();
        set_preparing.set(true);
        set_download_error.set(None);
        spawn_local(async move {
            let result = download::predictions_csv(&u.bytes, &o.spans, &o.rows, &o.classes)
                .await
                .and_then(|bytes| {
                    let stem = u.name.trim_end_matches(".csv").trim_end_matches(".CSV");
                    browser::download(
                        &format!("{stem}-predictions.csv"),
                        "text/csv;charset=utf-8",
                        &bytes,
                    )
                });
            set_preparing.set(false);
            if let Err(e) = result {
                set_download_error.set(Some(e));
            }
        });
    };
    view! {
        {o.score.clone().map(|s| view! { <MetricsPanel score=s classes=(*o.classes).clone() /> })}
        <section class="card" aria-labelledby="h-batch-results">
            <div class="card-head">
                <div>
                    <h2 id="h-batch-results">"Predictions"</h2>
                    <p class="card-sub" id="batch-summary">
                        {format!(
                            "{} rows predicted with “{}” in {:.0} ms (file read in {:.0} ms).",
                            fmt_count(o.rows.len() as u64),
                            o.model_name,
                            o.predict_ms,
                            o.read_ms
                        )}
                    </p>
                </div>
                <button type="button" class="button" id="batch-download" disabled=preparing on:click=on_download>
                    {move || if preparing.get() { "Preparing…" } else { "Download CSV" }}
                </button>
            </div>
            {move || download_error.get().map(|e| view! { <p class="msg error" role="alert">{e}</p> })}
            {far_note}
            <Show when=move || table_ready.get()>
                <ResultsTable
                    rows=o.rows.clone()
                    classes=o.classes.clone()
                    file_classes=o.file_classes.clone()
                    features=o.features.clone()
                    model_name=o.model_name.clone()
                    file_name=o.file_name.clone()
                />
            </Show>
        </section>
    }
}
