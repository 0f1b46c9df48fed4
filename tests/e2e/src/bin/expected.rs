//! Writes what the core computes natively for a set of rows, so the in-browser test
//! (`tests/web.rs`, wasm) can check that the same model gives the same bits in the browser.
//!
//! Usage: `cargo run -p genre-lens-e2e --bin expected [-- OUT.json]`
//! (default OUT: `target/expected-predictions.json`; `./x test` runs it before the wasm tests).
//! Rows: every track in `public/examples.json` (missing values stay missing) plus edge rows
//! (all missing, every feature at its training minimum / maximum, far outside the range).

use genre_core::format::crc32;
use genre_core::model::{Estimator, TrainedModel};
use genre_core::tree::flat::EnsembleKind;
use genre_lens_e2e::{examples, repo_root, Result};
use serde_json::{json, Value};

/// Boosting's pre-softmax scores: pure sums of stored f32 leaves, no transcendental function.
pub fn raw_scores(model: &TrainedModel, raw: &[f64]) -> Option<Vec<f32>> {
    match &model.estimator {
        Estimator::Trees(t) if t.kind == EnsembleKind::Boosted => {
            let mut out = vec![0.0f32; model.n_classes()];
            t.raw_scores_into(&model.preprocessor.transform(raw), &mut out);
            Some(out)
        }
        _ => None,
    }
}

fn main() -> Result<()> {
    let out = std::env::args()
        .nth(1)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| repo_root().join("target/expected-predictions.json"));
    let bytes = std::fs::read(repo_root().join("public/model.bin"))?;
    let model = TrainedModel::from_bytes(&bytes)?;
    let features = model.features().as_slice().to_vec();
    let ranges = &model.preprocessor.ranges;

    let mut rows: Vec<(String, Vec<f64>)> = examples()?
        .tracks
        .iter()
        .map(|t| {
            (
                t.name.clone(),
                features.iter().map(|f| t.values[f.index()]).collect(),
            )
        })
        .collect();
    rows.push(("all missing".into(), vec![f64::NAN; features.len()]));
    rows.push((
        "training minimum".into(),
        ranges.iter().map(|r| r.0).collect(),
    ));
    rows.push((
        "training maximum".into(),
        ranges.iter().map(|r| r.1).collect(),
    ));
    rows.push((
        "far outside".into(),
        ranges.iter().map(|r| r.1 + 10.0 * (r.1 - r.0)).collect(),
    ));

    let rows: Vec<Value> = rows
        .into_iter()
        .map(|(name, raw)| {
            let p = model.predict_raw(&raw);
            let explanation = model.explain_raw(&raw, p.class);
            json!({
                "name": name,
                // JSON has no NaN: null is a missing value.
                "raw": raw.iter().map(|v| v.is_finite().then_some(*v)).collect::<Vec<_>>(),
                "class": p.class,
                "genre": model.classes[p.class],
                "probability_bits": p.probabilities.iter().map(|x| x.to_bits()).collect::<Vec<_>>(),
                "raw_score_bits": raw_scores(&model, &raw).map(|v| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
                "contribution_bits": explanation.map(|e| e.contributions.iter().map(|x| x.to_bits()).collect::<Vec<_>>()),
            })
        })
        .collect();
    let doc = json!({
        "model_crc32": crc32(&bytes),
        "model_len": bytes.len(),
        "rows": rows,
    });
    if let Some(dir) = out.parent() {
        std::fs::create_dir_all(dir)?;
    }
    std::fs::write(&out, serde_json::to_string_pretty(&doc)?)?;
    println!(
        "wrote {} native predictions to {}",
        doc["rows"].as_array().map_or(0, |r| r.len()),
        out.display()
    );
    Ok(())
}
