//! The placeholder for pages whose issues have not landed yet: says what is coming.

use leptos::prelude::*;

use crate::route::Page;

fn plan(page: Page) -> (&'static str, &'static [&'static str]) {
    match page {
        Page::Batch => (
            "Predict a whole CSV of tracks at once.",
            &[
                "Upload a CSV (Kaggle or Exportify layout); see which columns were understood.",
                "A sortable table: genre, confidence and top 3 per track.",
                "Accuracy and a confusion matrix when the file has a genre column.",
                "Download the predictions as CSV.",
            ],
        ),
        Page::Explore => (
            "The data set, interactive.",
            &[
                "Class counts, box plots and distributions of any feature by genre.",
                "The correlation heatmap of the 13 audio features.",
                "A scatter plot of any two features, coloured by genre.",
            ],
        ),
        Page::Train => (
            "Retrain the model on your own CSV, in this tab.",
            &[
                "A validation report before training: columns, rejected rows, class counts.",
                "Train and compare Random Forest, Bagging, KNN, Decision Tree and SVC in Web Workers.",
                "Keep the best model across reloads, download it, or go back to the bundled one.",
            ],
        ),
        Page::Embed => (
            "Put the predictor on another page.",
            &[
                "A compact widget with an iframe snippet and a postMessage API.",
                "A custom element, <genre-lens-widget>, with a predict() method.",
                "A live example page.",
            ],
        ),
        Page::Predict => ("", &[]),
    }
}

#[component]
pub fn ComingSoon(page: Page) -> impl IntoView {
    let (lead, items) = plan(page);
    view! {
        <section class="page-intro">
            <h1>{page.title()}</h1>
            <p class="lead">{lead}</p>
        </section>
        <section class="card coming-soon" aria-labelledby="coming-title">
            <p class="badge">"Coming soon"</p>
            <h2 id="coming-title">"What this page will do"</h2>
            <ul>{items.iter().map(|i| view! { <li>{*i}</li> }).collect_view()}</ul>
            <p>
                "Meanwhile, the " <a href=Page::Predict.href()>"Predict"</a>
                " page works: try a track there."
            </p>
        </section>
    }
}
