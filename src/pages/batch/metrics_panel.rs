//! How well the predictions match the file's genres: accuracy, macro F1, the rows left out, and
//! the confusion matrix (the same component as the Train page).

use genre_core::genre::display_name;
use leptos::prelude::*;

use super::run::Score;
use crate::charts::fmt_count;
use crate::components::confusion_matrix::ConfusionMatrix;

#[component]
pub fn MetricsPanel(score: Score, classes: Vec<String>) -> impl IntoView {
    let m = &score.metrics;
    let unknown = (!score.unknown.is_empty()).then(|| {
        let list: Vec<String> = score
            .unknown
            .iter()
            .map(|(g, n)| format!("{} ({})", display_name(g), fmt_count(*n as u64)))
            .collect();
        let total: usize = score.unknown.iter().map(|u| u.1).sum();
        view! {
            <p class="msg warn" id="batch-unknown">
                {format!(
                    "{} labelled rows are left out of the scores: the model does not know their genre: {}.",
                    fmt_count(total as u64),
                    list.join(", ")
                )}
            </p>
        }
    });
    if score.compared == 0 {
        return view! {
            <section class="card" aria-labelledby="h-batch-score">
                <h2 id="h-batch-score">"How right was it?"</h2>
                {unknown}
                <p>"No row has a genre the model knows, so there is nothing to score."</p>
            </section>
        }
        .into_any();
    }
    let stats = [
        (
            "batch-accuracy",
            "Accuracy",
            format!("{:.1}%", m.accuracy * 100.0),
            "share of rows predicted right",
            m.accuracy,
        ),
        (
            "batch-macro-f1",
            "Macro F1",
            format!("{:.3}", m.macro_f1),
            "F1 averaged over genres, each counting equally",
            m.macro_f1,
        ),
        (
            "batch-compared",
            "Rows scored",
            fmt_count(score.compared as u64),
            "rows with a genre the model knows",
            score.compared as f64,
        ),
    ]
    .into_iter()
    // The exact value rides along in `data-value`, so tests compare it with the native figure.
    .map(|(id, label, value, hint, exact)| {
        view! {
            <div class="stat">
                <dt>{label}</dt>
                <dd id=id data-value=exact.to_string()>{value}</dd>
                <dd class="stat-hint">{hint}</dd>
            </div>
        }
    })
    .collect_view();
    view! {
        <section class="card" aria-labelledby="h-batch-score">
            <h2 id="h-batch-score">"How right was it?"</h2>
            <p class="card-sub">"The file has a genre column, so the predictions are compared with it."</p>
            <dl class="stats">{stats}</dl>
            {unknown}
            <ConfusionMatrix classes confusion=score.metrics.confusion.clone() id="cm-batch" />
        </section>
    }
    .into_any()
}
