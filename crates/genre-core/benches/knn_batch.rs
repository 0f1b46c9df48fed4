//! KNN batch prediction on the bundled data's holdout: this crate's brute-force search (the
//! model's own, `f32` points) against linfa-nn's KdTree and BallTree (index build included),
//! to decide which one the KNN model uses. Prints the median of 5 runs of each, and how many
//! holdout rows the two disagree on. Run: `cargo bench -p genre-core --bench knn_batch`.

use std::sync::atomic::AtomicBool;
use std::time::Instant;

use genre_core::ingest::{read_csv, IngestOptions};
use genre_core::model::{Estimator, ModelKind};
use genre_core::train::{build_training_set, fit_estimator, prepare, ModelSpec, TrainOptions};
use linfa_nn::distance::L2Dist;
use linfa_nn::{CommonNearestNeighbour, NearestNeighbour};
use ndarray::Array2;

const RUNS: usize = 5;

fn median_ms(mut f: impl FnMut()) -> f64 {
    let mut times: Vec<f64> = (0..RUNS)
        .map(|_| {
            let t = Instant::now();
            f();
            t.elapsed().as_secs_f64() * 1e3
        })
        .collect();
    times.sort_by(f64::total_cmp);
    times[RUNS / 2]
}

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../data/genres_v2.csv");
    let file = std::fs::File::open(root).expect("data/genres_v2.csv");
    let data = read_csv(file, &IngestOptions::for_training()).expect("bundled data reads");
    let prep = prepare(&data, &TrainOptions::default(), "genres_v2.csv").expect("splits");
    let spec = ModelSpec::default_for(ModelKind::Knn, 42);
    let stage = build_training_set(&prep, ModelKind::Knn).expect("preprocesses");
    let never = AtomicBool::new(false);
    let estimator =
        fit_estimator(&stage, prep.classes.len(), &spec, None, &mut |_| {}, &never).expect("fits");
    let Estimator::Knn(knn) = &estimator else {
        unreachable!("a KNN spec")
    };
    let p = stage.x.ncols();
    let mut holdout = Array2::zeros((prep.test_x.len(), p));
    for (raw, mut row) in prep.test_x.iter().zip(holdout.rows_mut()) {
        stage
            .preprocessor
            .transform_into(raw, row.as_slice_mut().expect("contiguous"));
    }
    let k = knn.k;
    let n_classes = prep.classes.len();
    println!(
        "KNN (k = {k}) batch prediction of {} holdout rows against {} training rows, {p} features",
        holdout.nrows(),
        stage.x.nrows()
    );

    let mut ours = Vec::new();
    let ours_ms = median_ms(|| {
        let probs = estimator.predict_probabilities(&holdout);
        ours = probs
            .rows()
            .into_iter()
            .map(|r| genre_core::model::argmax(r.as_slice().expect("contiguous")))
            .collect();
    });
    println!("genre-core brute force (f32):   {ours_ms:8.1} ms");

    for (name, algo) in [
        ("KdTree", CommonNearestNeighbour::KdTree),
        ("BallTree", CommonNearestNeighbour::BallTree),
    ] {
        let mut theirs = Vec::new();
        let ms = median_ms(|| {
            let index = algo
                .from_batch(&stage.x, L2Dist)
                .expect("an index of the training rows");
            theirs = holdout
                .rows()
                .into_iter()
                .map(|q| {
                    let mut votes = vec![0usize; n_classes];
                    for (_, i) in index.k_nearest(q, k).expect("k neighbours") {
                        votes[stage.y[i]] += 1;
                    }
                    // The most votes; ties: the lower class (as argmax does).
                    let best = votes.iter().copied().max().unwrap_or(0);
                    votes.iter().position(|&v| v == best).unwrap_or(0)
                })
                .collect();
        });
        let differ = ours.iter().zip(&theirs).filter(|(a, b)| a != b).count();
        println!("linfa-nn {name:<8} (f64, build + query): {ms:8.1} ms; {differ} rows predicted differently");
    }
}
