//! Shared fixtures: a small labelled data set with the structure of the real one.

use std::sync::atomic::AtomicBool;

use genre_core::ingest::{read_csv, IngestOptions, Ingested};
use genre_core::model::TrainedModel;
use genre_core::rng::Rng;
use genre_core::train::{train_model, ModelSpec, Prepared};

/// `n` tracks of 3 genres whose energy/tempo/valence differ, with some missing loudness.
pub fn synthetic_csv(n: usize, seed: u64) -> String {
    let mut rng = Rng::new(seed);
    let mut s = String::from(
        "danceability,energy,key,loudness,mode,speechiness,acousticness,instrumentalness,liveness,valence,tempo,duration_ms,time_signature,genre,song_name\n",
    );
    let genres = ["techno", "Rap", "Emo"];
    for i in 0..n {
        let g = i % 3;
        let energy = 0.3 + 0.25 * g as f64 + 0.15 * rng.normal();
        let tempo = 90.0 + 20.0 * g as f64 + 10.0 * rng.normal();
        let loud = if rng.unit() < 0.2 {
            String::new()
        } else {
            format!("{:.3}", -12.0 + 3.0 * g as f64 + rng.normal())
        };
        s.push_str(&format!(
            "{:.3},{:.3},{},{},{},{:.3},{:.3},{:.3},{:.3},{:.3},{:.1},{},4,{},track {}\n",
            rng.unit(),
            energy,
            rng.below(12),
            loud,
            rng.below(2),
            0.05 + 0.1 * rng.unit(),
            rng.unit() * 0.5,
            rng.unit() * 0.3 * (g == 0) as u8 as f64,
            0.1 + 0.2 * rng.unit(),
            0.2 + 0.2 * g as f64 + 0.1 * rng.normal(),
            tempo,
            180_000 + rng.below(60_000),
            genres[g],
            i
        ));
    }
    s
}

#[allow(dead_code)] // not every test file uses it
pub fn synthetic(n: usize, seed: u64) -> Ingested {
    read_csv(
        synthetic_csv(n, seed).as_bytes(),
        &IngestOptions::for_training(),
    )
    .expect("valid CSV")
}

/// Trains `spec` on `prep` without progress reports or cancellation, dated 2026-01-01.
#[allow(dead_code)] // not every test file uses it
pub fn fit(prep: &Prepared, spec: &ModelSpec, name: &str) -> TrainedModel {
    train_model(
        prep,
        spec,
        name,
        "2026-01-01",
        &mut |_| {},
        &AtomicBool::new(false),
    )
    .unwrap()
    .0
}
