use genre_core::ingest::{read_csv, IngestOptions};
use genre_core::model::{Estimator, TrainedModel};
fn main() {
    let bytes = std::fs::read("/work/main/public/model.bin").unwrap();
    let model = TrainedModel::from_bytes(&bytes).unwrap();
    let data = read_csv(
        std::fs::File::open("/work/main/data/genres_v2.csv").unwrap(),
        &IngestOptions::for_training(),
    )
    .unwrap();
    let rows: Vec<Vec<f64>> = data
        .tracks
        .iter()
        .take(2000)
        .map(|t| model.features().select(&t.values))
        .collect();
    let Estimator::Trees(e) = &model.estimator else {
        panic!()
    };
    let mut internal = 0u64;
    let mut right = 0u64;
    let mut maxleaves = 0;
    for t in &e.trees {
        let leaves = t.feature.iter().filter(|&&f| f == 255).count();
        maxleaves = maxleaves.max(leaves);
        for i in 0..t.feature.len() {
            if t.feature[i] != 255 {
                internal += 1;
                for x in &rows {
                    if x[t.feature[i] as usize] > t.threshold[i] as f64 {
                        right += 1;
                    }
                }
            }
        }
    }
    println!(
        "internal {} avg right per row {:.0} max leaves {}",
        internal,
        right as f64 / rows.len() as f64,
        maxleaves
    );
}
