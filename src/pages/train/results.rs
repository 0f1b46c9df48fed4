//! Step 5: compare and keep. The results table (best per column marked), and for the chosen
//! model its confusion matrix, per-class report, feature importances and the actions: use it,
//! save it, download it.

use std::sync::Arc;

use crate::components::scroll_box::ScrollBox;
use genre_core::format::read_info;
use genre_core::genre::display_name;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::saved::MODEL_FILE_TYPE;
use super::{figures, JobStatus, ModelResult, TrainState};
use crate::browser;
use crate::components::confusion_matrix::{ConfusionMatrix, MANY_GENRES};
use crate::components::rich_text::rich_text;
use crate::model_store::{load, LoadError, ModelSource, ModelStore};
use crate::storage::{self, SavedModel};

type Column = (
    &'static str,
    fn(&ModelResult) -> f64,
    bool,
    fn(f64) -> String,
);

/// A holdout metric column: a share, higher is better.
const fn share(title: &'static str, value: fn(&ModelResult) -> f64) -> Column {
    (title, value, true, figures::pct)
}

/// Table columns: title, value, higher is better, format.
const COLUMNS: [Column; 9] = [
    share("Accuracy", |r| r.summary.metrics.accuracy),
    share("Macro precision", |r| r.summary.metrics.macro_precision),
    share("Macro recall", |r| r.summary.metrics.macro_recall),
    share("Macro F1", |r| r.summary.metrics.macro_f1),
    share("Weighted precision", |r| {
        r.summary.metrics.weighted_precision
    }),
    share("Weighted recall", |r| r.summary.metrics.weighted_recall),
    share("Weighted F1", |r| r.summary.metrics.weighted_f1),
    ("Train time", |r| r.wall_ms, false, figures::seconds),
    (
        "Model size",
        |r| r.file.len() as f64,
        false,
        |b| figures::bytes(b as u64),
    ),
];

fn done(page: TrainState) -> Vec<Arc<ModelResult>> {
    page.jobs
        .get_untracked()
        .iter()
        .filter_map(|j| match j.status.get_untracked() {
            JobStatus::Done(r) => Some(r),
            _ => None,
        })
        .collect()
}

/// Saves the result (once) and returns its storage key. Its description is read from the model
/// file without decoding the model.
async fn ensure_saved(r: &ModelResult) -> Result<String, LoadError> {
    if let Some(id) = r.saved_id.get_untracked() {
        return Ok(id);
    }
    let info = read_info(&r.file)?;
    let meta = storage::save(SavedModel::describing(&info), &r.file).await?;
    r.saved_id.set(Some(meta.id.clone()));
    Ok(meta.id)
}

#[component]
fn Detail(result: Arc<ModelResult>) -> impl IntoView {
    let page = TrainState::use_state();
    let store = ModelStore::use_store();
    let message: RwSignal<Option<(bool, String)>> = RwSignal::new(None);
    let busy = RwSignal::new(false);
    let r = result.clone();
    let use_model = move |_| {
        let r = r.clone();
        busy.set(true);
        spawn_local(async move {
            let mut loaded = match load(ModelSource::Bytes(r.file.clone())).await {
                Ok(loaded) => loaded,
                Err(e) => {
                    busy.set(false);
                    return message.set(Some((false, e.to_string())));
                }
            };
            match ensure_saved(&r).await {
                Ok(id) => {
                    loaded.saved_id = Some(id);
                    store.activate(loaded);
                    page.saved_version.update(|v| *v += 1);
                    message.set(Some((
                        true,
                        format!("{} is now the active model on every page.", r.name),
                    )));
                }
                Err(e) => {
                    // Still usable in this tab; say that it will not survive a reload.
                    store.activate(loaded);
                    message.set(Some((
                        false,
                        format!("Active in this tab, but not kept across reloads: {e}"),
                    )));
                }
            }
            busy.set(false);
        });
    };
    let r = result.clone();
    let save = move |_| {
        let r = r.clone();
        busy.set(true);
        spawn_local(async move {
            match ensure_saved(&r).await {
                Ok(_) => {
                    page.saved_version.update(|v| *v += 1);
                    message.set(Some((
                        true,
                        "Saved in this browser (see Saved models).".into(),
                    )));
                }
                Err(e) => message.set(Some((false, e.to_string()))),
            }
            busy.set(false);
        });
    };
    let r = result.clone();
    let download_file = move |_| {
        let name = format!("genre-lens-{}.bin", r.kind.code());
        if let Err(e) = browser::download(&name, MODEL_FILE_TYPE, &r.file) {
            message.set(Some((false, e)));
        }
    };
    let m = &result.summary.metrics;
    let classes = result.summary.classes.clone();
    let per_class = classes
        .iter()
        .zip(&m.per_class)
        .map(|(c, pc)| {
            view! {
                <tr>
                    <th scope="row">{display_name(c)}</th>
                    <td>{format!("{:.3}", pc.precision)}</td>
                    <td>{format!("{:.3}", pc.recall)}</td>
                    <td>{format!("{:.3}", pc.f1)}</td>
                    <td>{pc.support}</td>
                </tr>
            }
        })
        .collect_view();
    let importances = result.summary.importance.as_ref().map(|imp| {
        let mut rows: Vec<(String, f32)> = result
            .summary
            .features
            .iter()
            .zip(imp)
            .map(|(f, v)| (f.label().to_string(), *v))
            .collect();
        rows.sort_by(|a, b| b.1.total_cmp(&a.1));
        let max = rows.first().map_or(1.0, |r| r.1).max(f32::MIN_POSITIVE);
        view! {
            <div class="detail-block">
                <h3>"Feature importances"</h3>
                <ul class="class-counts importances" id="importances" data-bars="width">
                    {rows
                        .into_iter()
                        .map(|(f, v)| view! {
                            <li>
                                <span class="cc-name">{f}</span>
                                <span class="cc-track"><span class="cc-bar" data-value=v.to_string() style:width=format!("{:.1}%", v / max * 100.0)></span></span>
                                <span class="cc-n">{format!("{:.1}%", v * 100.0)}</span>
                            </li>
                        })
                        .collect_view()}
                </ul>
            </div>
        }
    });
    let code = result.kind.code();
    view! {
        <div class="detail" id=format!("detail-{code}")>
            <div class="detail-head">
                <h3>{result.name.clone()}</h3>
                <div class="detail-actions">
                    <button class="button" id="use-model" on:click=use_model disabled=move || busy.get()>"Use this model"</button>
                    <button class="button secondary" id="save-model" on:click=save disabled=move || busy.get()>"Save"</button>
                    <button class="button secondary" id="download-model" on:click=download_file>"Download model file"</button>
                </div>
            </div>
            {move || message.get().map(|(ok, m)| view! {
                <p class=if ok { "msg ok" } else { "msg error" } id="detail-message" role="status">{rich_text(&m)}</p>
            })}
            {(!result.summary.settings.is_empty()).then(|| view! {
                <p class="model-settings" id="model-settings"><strong>"Settings: "</strong>{result.summary.settings.clone()}</p>
            })}
            <div class="detail-grid">
                <div class="detail-block">
                    <h3>"Confusion matrix (test part)"</h3>
                    <ConfusionMatrix classes=classes.clone() confusion=m.confusion.clone() id=format!("cm-{code}") />
                </div>
                <div class="detail-block">
                    <h3>"Per genre"</h3>
                    <ScrollBox label="Per-genre scores"
                        class={if classes.len() > MANY_GENRES { "table-scroll long" } else { "table-scroll" }}>
                    <table class="data-table per-class" id="per-class">
                        <thead><tr><th scope="col">"Genre"</th><th scope="col">"Precision"</th><th scope="col">"Recall"</th><th scope="col">"F1"</th><th scope="col">"Support"</th></tr></thead>
                        <tbody>{per_class}</tbody>
                    </table>
                    </ScrollBox>
                </div>
            </div>
            {importances}
        </div>
    }
}

/// Identity of a result (its allocation), so views re-render only when results change, not
/// on every progress message of the models still training.
fn ids(results: &[Arc<ModelResult>]) -> Vec<usize> {
    results.iter().map(|r| Arc::as_ptr(r) as usize).collect()
}

#[component]
pub fn Results() -> impl IntoView {
    let page = TrainState::use_state();
    let finished = Memo::new(move |_| {
        // Track every job's status, then compare by identity.
        page.jobs
            .with(|jobs| jobs.iter().for_each(|j| j.status.track()));
        ids(&done(page))
    });
    let chosen = Memo::new(move |_| {
        finished.track();
        let kind = page.selected.get()?;
        let r = done(page).into_iter().find(|r| r.kind == kind)?;
        Some(Arc::as_ptr(&r) as usize)
    });
    let table = move || {
        finished.track();
        let results = done(page);
        if results.is_empty() {
            return None;
        }
        let best: Vec<Option<usize>> = COLUMNS
            .iter()
            .map(|(_, f, high, _)| {
                let v: Vec<f64> = results.iter().map(|r| f(r)).collect();
                figures::best(&v, *high)
            })
            .collect();
        let rows = results
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let kind = r.kind;
                let cells = COLUMNS
                    .iter()
                    .enumerate()
                    .map(|(c, (title, f, _, fmt))| {
                        let is_best = best[c] == Some(i) && results.len() > 1;
                        view! {
                            <td class:best=is_best title=is_best.then(|| format!("best {}", title.to_lowercase()))>
                                {fmt(f(r))}
                                {is_best.then(|| view! { <span class="visually-hidden">" (best)"</span> })}
                            </td>
                        }
                    })
                    .collect_view();
                view! {
                    <tr class:selected=move || page.selected.get() == Some(kind)>
                        <th scope="row">
                            <button class="linklike" on:click=move |_| page.selected.set(Some(kind)) id=format!("show-{}", kind.code())>
                                {kind.label()}
                            </button>
                        </th>
                        {cells}
                    </tr>
                }
            })
            .collect_view();
        Some(view! {
            <ScrollBox label="Models trained">
                <table class="data-table results-table" id="results-table">
                    <thead>
                        <tr>
                            <th scope="col">"Model"</th>
                            {COLUMNS.iter().map(|(t, ..)| view! { <th scope="col">{*t}</th> }).collect_view()}
                        </tr>
                    </thead>
                    <tbody>{rows}</tbody>
                </table>
            </ScrollBox>
            <p class="hint">"Scores on the test part, which no step of the training saw (P = precision, R = recall). Best per column in bold. Choose a model to see its details."</p>
        })
    };
    let detail = move || {
        let id = chosen.get()?;
        let r = done(page)
            .into_iter()
            .find(|r| Arc::as_ptr(r) as usize == id)?;
        Some(view! { <Detail result=r /> })
    };
    view! {
        <Show when=move || finished.with(|f| !f.is_empty())>
            <section class="card" aria-labelledby="results-title">
                <h2 id="results-title"><super::StepNumber step=super::Step::Compare />"Compare"</h2>
                {table}
                {detail}
            </section>
        </Show>
    }
}
