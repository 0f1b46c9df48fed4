//! Decodes a model file N times, for counting the decoder's instructions under valgrind
//! (`valgrind --tool=cachegrind target/release/examples/decode public/model.bin 20`), where a
//! wall-clock bench is too noisy to compare small changes. `--encode` encodes the decoded model
//! N times instead (checking it gives the file's bytes), for the encoder's instructions.
//! `--dump` prints the decoded estimator instead (`{:?}` prints floats exactly), to check that a
//! change to the decoder decodes the same model.
//! Run: `cargo run -p genre-core --release --example decode -- [MODEL.bin] [N] [--encode]
//! [--dump]` (the path from the repository's root; default `public/model.bin`, 20 times).

use genre_core::model::TrainedModel;

fn main() {
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../..");
    let args: Vec<String> = std::env::args().skip(1).collect();
    let dump = args.iter().any(|a| a == "--dump");
    let encode = args.iter().any(|a| a == "--encode");
    let mut rest = args.iter().filter(|a| !a.starts_with("--"));
    let path = match rest.next() {
        Some(p) if std::path::Path::new(p).is_absolute() => p.clone(),
        Some(p) => format!("{root}/{p}"),
        None => format!("{root}/public/model.bin"),
    };
    let n: usize = rest
        .next()
        .map_or(20, |s| s.parse().expect("N is a number"));
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    if dump {
        let model = TrainedModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        println!("{:?}", model.estimator);
        return;
    }
    if encode {
        let model = TrainedModel::from_bytes(&bytes).unwrap_or_else(|e| panic!("{path}: {e}"));
        for _ in 0..n {
            let again = std::hint::black_box(&model).to_bytes();
            assert!(again == bytes, "{path}: encodes to its own bytes");
        }
        return;
    }
    for _ in 0..n {
        std::hint::black_box(TrainedModel::from_bytes(std::hint::black_box(&bytes)))
            .unwrap_or_else(|e| panic!("{path}: {e}"));
    }
}
