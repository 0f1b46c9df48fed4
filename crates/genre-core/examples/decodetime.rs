use genre_core::model::TrainedModel;
use std::time::Instant;
fn main() {
    let bytes = std::fs::read("/work/main/public/model.bin").unwrap();
    for _ in 0..300 {
        let t = Instant::now();
        let model = TrainedModel::from_bytes(&bytes).unwrap();
        let d = t.elapsed();
        let x = vec![0.5f64; model.features().len()];
        let t2 = Instant::now();
        let p = model.predict_raw(&x);
        let d2 = t2.elapsed();
        let t3 = Instant::now();
        let p2 = model.predict_raw(&x);
        println!(
            "decode {:?} first predict {:?} second {:?} {}",
            d,
            d2,
            t3.elapsed(),
            p.probabilities[0] == p2.probabilities[0]
        );
    }
}
