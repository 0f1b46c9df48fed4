//! Batch prediction speed: 10,000 tracks of the bundled data through the bundled models
//! (`public/model.bin`, `public/forest.bin`) and any other model files given as arguments (e.g.
//! an imported LightGBM model), one thread. For each: the median of 7 decodings of the file, of
//! 7 encodings of it (each checked to give the file's bytes) and of 7 runs of `predict_batch` (CPU time where Linux reports it), and a check that every
//! probability equals the row-by-row path (`predict_raw`, walking the trees as decoded) bit for
//! bit.
//! Run: `cargo bench -p genre-core --bench predict [-- MODEL.bin …]` (paths from the repository's
//! root).

use std::time::Instant;

use genre_core::ingest::{read_csv, IngestOptions};
use genre_core::model::{Estimator, TrainedModel};

const RUNS: usize = 7;

/// This thread's CPU time in ms where Linux tells it (`/proc/thread-self/schedstat`), which
/// other processes on the machine disturb much less than wall time; else wall time.
fn clock_ms(start: &Instant) -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map(|ns| ns / 1e6)
        .unwrap_or_else(|| start.elapsed().as_secs_f64() * 1e3)
}
const ROWS: usize = 10_000;

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let file =
        std::fs::File::open(format!("{root}/data/genres_v2.csv")).expect("data/genres_v2.csv");
    let data = read_csv(file, &IngestOptions::for_training()).expect("bundled data reads");
    let mut paths: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with("--"))
        // Cargo runs benches in the crate's folder: a relative path is from the repository's.
        .map(|a| match std::path::Path::new(&a).is_absolute() {
            true => a,
            false => format!("{root}/{a}"),
        })
        .collect();
    if paths.is_empty() {
        paths = vec![
            format!("{root}/public/model.bin"),
            format!("{root}/public/forest.bin"),
        ];
    }
    println!(
        "| model | trees | nodes | decode the file | encode it | {ROWS} rows, median of {RUNS} | per row | same as row by row |"
    );
    println!("|---|---:|---:|---:|---:|---:|---:|:---:|");
    for path in paths {
        let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
        let model = TrainedModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        let rows: Vec<Vec<f64>> = data
            .tracks
            .iter()
            .take(ROWS)
            .map(|t| model.features().select(&t.values))
            .collect();
        let (trees, nodes) = match &model.estimator {
            Estimator::Trees(t) => (t.trees.len(), t.n_nodes()),
            Estimator::Imported(t) => (t.trees.len(), t.n_nodes()),
            _ => (0, 0),
        };
        let mut times: Vec<f64> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let t = clock_ms(&start);
                std::hint::black_box(model.predict_batch(std::hint::black_box(&rows)));
                clock_ms(&start) - t
            })
            .collect();
        times.sort_by(f64::total_cmp);
        let mut decode: Vec<f64> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let t = clock_ms(&start);
                std::hint::black_box(TrainedModel::from_bytes(std::hint::black_box(&bytes)))
                    .expect("decodes");
                clock_ms(&start) - t
            })
            .collect();
        decode.sort_by(f64::total_cmp);
        // Encoding: what a worker does once per trained model before handing it to the page.
        let mut encode: Vec<f64> = (0..RUNS)
            .map(|_| {
                let start = Instant::now();
                let t = clock_ms(&start);
                let again = std::hint::black_box(&model).to_bytes();
                let ms = clock_ms(&start) - t;
                assert!(again == bytes, "{path}: encodes to its own bytes");
                ms
            })
            .collect();
        encode.sort_by(f64::total_cmp);
        let batch = model.predict_batch(&rows);
        // A model fresh from the file walks one row through the trees as decoded, not the
        // batch's packed copy: the check compares the two walks.
        let fresh = TrainedModel::from_bytes(&bytes).expect("decodes");
        let same = rows.iter().zip(&batch).all(|(r, b)| {
            let one = fresh.predict_raw(r);
            one.probabilities
                .iter()
                .zip(&b.probabilities)
                .all(|(x, y)| x.to_bits() == y.to_bits())
        });
        let name = path.strip_prefix(&format!("{root}/")).unwrap_or(&path);
        let ms = times[RUNS / 2];
        println!(
            "| {name} | {trees} | {nodes} | {:.1} ms | {:.1} ms | {ms:.1} ms | {:.1} µs | {} |",
            decode[RUNS / 2],
            encode[RUNS / 2],
            ms * 1e3 / ROWS as f64,
            if same { "yes" } else { "NO" }
        );
    }
}
