//! The live predictor behind both the Predict page and the widget: one field per model feature,
//! the model's input row (the last valid value of every field), the prediction, and the genres
//! as people read them. The two views differ in layout only; what they predict is this.

use std::sync::Arc;

use genre_core::feature::Feature;
use genre_core::genre::display_name;
use genre_core::model::{Prediction, TrainedModel};
use genre_core::text::percent;
use leptos::prelude::*;

use super::feature_field::FieldState;

#[derive(Clone)]
pub struct LivePrediction {
    pub fields: StoredValue<Vec<FieldState>>,
    /// The model's input row.
    pub values: Memo<Vec<f64>>,
    pub prediction: Memo<Prediction>,
    /// Genres as people read them ("Drum & Bass", not "dnb"), in class order; the model keeps
    /// its labels.
    pub genres: Arc<Vec<String>>,
    medians: Arc<Vec<f64>>,
}

impl LivePrediction {
    /// Fields start at the training median, the most typical track.
    pub fn new(model: &Arc<TrainedModel>) -> LivePrediction {
        let medians = Arc::new(model.preprocessor.medians.clone());
        let fields: Vec<FieldState> = model
            .features()
            .as_slice()
            .iter()
            .enumerate()
            .map(|(j, &f)| {
                let median = medians.get(j).copied().unwrap_or(f64::NAN);
                // A feature without a median (never seen in training) starts mid-range.
                FieldState::new(f, model.preprocessor.ranges[j], median)
            })
            .collect();
        let fields = StoredValue::new(fields);
        let values = Memo::new(move |_| {
            fields.with_value(|fs| fs.iter().map(|f| f.value.get()).collect::<Vec<f64>>())
        });
        let m = model.clone();
        let prediction = Memo::new(move |_| values.with(|v| m.predict_raw(v)));
        Effect::new(move |_| {
            prediction.track();
            crate::perf::FirstAnswer::Prediction.reached();
        });
        LivePrediction {
            fields,
            values,
            prediction,
            genres: Arc::new(model.classes.iter().map(|c| display_name(c)).collect()),
            medians,
        }
    }

    /// The predicted genre's name.
    pub fn genre(&self) -> Signal<String> {
        let (genres, prediction) = (self.genres.clone(), self.prediction);
        Signal::derive(move || genres[prediction.with(|p| p.class)].clone())
    }

    /// The prediction's confidence, as a percentage.
    pub fn confidence(&self) -> Signal<String> {
        let prediction = self.prediction;
        Signal::derive(move || prediction.with(|p| percent(p.confidence())))
    }

    /// Sets every field from `value(index, feature)` (an example track, a host's request). A
    /// value that is missing (not finite) is filled with the training median, which is exactly
    /// what the model imputes for a missing value, so the form shows the values the prediction
    /// is made for. Returns how many were filled so.
    pub fn fill(&self, value: impl Fn(usize, Feature) -> f64) -> usize {
        let medians = self.medians.clone();
        self.fields.with_value(|fs| {
            let mut imputed = 0;
            for (j, f) in fs.iter().enumerate() {
                let mut v = value(j, f.feature);
                if !v.is_finite() {
                    v = medians.get(j).copied().unwrap_or(f64::NAN);
                    imputed += 1;
                }
                if v.is_finite() {
                    f.set_value(v);
                } else {
                    f.text.set(String::new());
                }
            }
            imputed
        })
    }
}
