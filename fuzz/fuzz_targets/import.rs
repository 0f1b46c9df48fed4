//! The model import (`genre_core::interop::import`): any bytes give a model or a typed error;
//! an imported model predicts and explains rows without panicking, and its model file decodes
//! to the same bytes again. One target for both libraries: `import` detects the format from
//! the content, so any input reaches the LightGBM and the XGBoost parser alike. Seeded with
//! each library's fixtures (fuzz/seeds/import_lightgbm/, fuzz/seeds/import_xgboost/).
#![no_main]

use genre_core::interop::{import, ImportOptions};
use genre_core::model::TrainedModel;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    match import(data, &ImportOptions::default()) {
        Ok(m) => {
            let p = m.features().len();
            for row in [
                vec![0.5; p],
                vec![0.0; p],
                vec![f64::NAN; p],
                vec![1e300; p],
                vec![-3.0; p],
            ] {
                let pred = m.predict_raw(&row);
                assert!(pred.class < m.n_classes());
                assert_eq!(pred.probabilities.len(), m.n_classes());
                let _ = m.explain_raw(&row, pred.class);
            }
            let bytes = m.to_bytes();
            let back = TrainedModel::from_bytes(&bytes).expect("an imported model's file decodes");
            assert_eq!(back.to_bytes(), bytes);
        }
        Err(e) => assert!(!e.to_string().is_empty()),
    }
});
