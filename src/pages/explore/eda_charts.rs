//! Explore's charts for one summary (the bundled data's or an upload's), with their controls.

use std::sync::Arc;

use genre_core::eda::EdaSummary;
use genre_core::feature::Feature;
use genre_core::genre::display_name;
use leptos::prelude::*;

use super::controls::{FeatureSelect, GenrePicker};
use crate::charts::box_plot::BoxPlot;
use crate::charts::class_counts::ClassCounts;
use crate::charts::heatmap::CorrelationHeatmap;
use crate::charts::histogram::Histogram;
use crate::charts::scatter::Scatter;

/// The charts for one summary. Controls keep their state while the summary stays the same.
#[component]
pub(super) fn Charts(summary: Arc<EdaSummary>) -> impl IntoView {
    let features: Vec<Feature> = summary.features.iter().map(|f| f.feature).collect();
    let has_classes = !summary.classes.is_empty();
    let first = |wanted: Feature| {
        if features.contains(&wanted) {
            wanted
        } else {
            features.first().copied().unwrap_or(wanted)
        }
    };
    let feature = RwSignal::new(first(Feature::Energy));
    let capped = RwSignal::new(false);
    let can_cap = summary.features.iter().any(|f| !f.capped_boxes.is_empty());
    let x_feature = RwSignal::new(first(Feature::Tempo));
    let y_feature = RwSignal::new(first(Feature::Danceability));
    // A few contrasting genres to start with: the largest four.
    let mut by_size: Vec<usize> = (0..summary.classes.len()).collect();
    by_size.sort_by(|&a, &b| summary.class_counts[b].cmp(&summary.class_counts[a]));
    let mut start: Vec<usize> = by_size.into_iter().take(4).collect();
    start.sort_unstable();
    let selected = RwSignal::new(start);
    let s = StoredValue::new(summary.clone());

    let feature_summary = move || {
        s.with_value(|s| {
            s.features
                .iter()
                .find(|f| f.feature == feature.get())
                .cloned()
        })
    };
    // The box plot shows the boxes after the report's 1.5×IQR capping when asked.
    let box_summary = move || {
        feature_summary().map(|mut fs| {
            if capped.get() && !fs.capped_boxes.is_empty() {
                fs.boxes = std::mem::take(&mut fs.capped_boxes);
            }
            fs
        })
    };
    let no_labels = (!has_classes).then(|| {
        view! {
            <p class="msg warn" id="explore-no-genre">
                "This file has no genre column, so the per-genre charts (class counts, box plots, \
                 distributions, scatter) are left out; the correlations below use every row."
            </p>
        }
    });
    let classes: Vec<String> = summary.classes.iter().map(|c| display_name(c)).collect();
    let per_genre = has_classes.then(|| {
        let c1 = classes.clone();
        let c2 = classes.clone();
        let c3 = classes.clone();
        view! {
            <section class="card" aria-labelledby="h-counts">
                <h2 id="h-counts">"Class counts"</h2>
                <ClassCounts classes=classes.clone() counts=summary.class_counts.clone() />
            </section>
            <section class="card" aria-labelledby="h-feature">
                <div class="card-head">
                    <h2 id="h-feature">"One feature, genre by genre"</h2>
                    <div class="controls">
                        <FeatureSelect id="explore-feature" label="Feature" features=features.clone() value=feature />
                        {can_cap.then(|| view! {
                            <label class="check" for="explore-capped">
                                <input
                                    type="checkbox"
                                    id="explore-capped"
                                    prop:checked=move || capped.get()
                                    on:change=move |ev| capped.set(event_target_checked(&ev))
                                />
                                "After 1.5×IQR capping"
                            </label>
                        })}
                    </div>
                </div>
                {move || capped.get().then(|| view! {
                    <p class="card-sub" id="explore-capped-note">
                        "Each feature capped at Q1 − 1.5 IQR and Q3 + 1.5 IQR over all tracks, as \
                         the report did before training (the model's outlier capping uses the same \
                         limits, fitted on its training part)."
                    </p>
                })}
                {move || box_summary().map(|fs| view! { <BoxPlot classes=c1.clone() summary=fs /> })}
                <GenrePicker classes=c2.clone() selected />
                {move || feature_summary().map(|fs| view! { <Histogram classes=c3.clone() summary=fs selected=selected.get() /> })}
            </section>
        }
    });
    let c4 = classes.clone();
    let scatter = has_classes.then(|| {
        view! {
            <section class="card" aria-labelledby="h-scatter">
                <div class="card-head">
                    <h2 id="h-scatter">"Two features at once"</h2>
                    <div class="controls">
                        <FeatureSelect id="scatter-x" label="Across" features=features.clone() value=x_feature />
                        <FeatureSelect id="scatter-y" label="Up" features=features.clone() value=y_feature />
                    </div>
                </div>
                <p class="card-sub">"The genres ticked under “Genres to compare” above."</p>
                {move || view! {
                    <Scatter
                        classes=c4.clone()
                        sample=s.with_value(|s| s.scatter.clone())
                        x_feature=x_feature.get()
                        y_feature=y_feature.get()
                        selected=selected.get()
                    />
                }}
            </section>
        }
    });
    view! {
        {no_labels}
        {per_genre}
        <section class="card" aria-labelledby="h-corr">
            <h2 id="h-corr">"Which features move together"</h2>
            <CorrelationHeatmap features=summary.correlation_features.clone() matrix=summary.correlation.clone() />
        </section>
        {scatter}
    }
}
