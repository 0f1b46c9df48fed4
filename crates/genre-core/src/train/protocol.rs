//! The two ways of turning a file into training and test parts that the product compares.
//!
//! [`Protocol::Honest`] is the product's pipeline ([`super::prepare`]): exact duplicates
//! dropped at ingest, the split first, then everything fitted on the training part.
//! [`Protocol::Report`] is the original student report's: no de-duplication, rows with a
//! missing value dropped, 1.5×IQR capping and SMOTE on the whole file, then an 80/20 split. Its test part then holds
//! SMOTE's synthetic rows (drawn between tracks the model trains on) and twins of training
//! tracks, which is where its 77% came from. Both end in a [`Prepared`], so the models,
//! metrics and workers that follow are the same code.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};

use super::{prepare, Balance, Labelled, Prepared, TrainOptions};
use crate::error::TrainError;
use crate::feature::FeatureSet;
use crate::ingest::{IngestOptions, Ingested};
use crate::model::ModelKind;
use crate::preprocess::Preprocessor;
use crate::smote::{smote_with, SmoteDistance, SMOTE_K};
use crate::split::stratified_split;
use crate::text::{count, percent};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Protocol {
    /// De-duplicate, split, then fit preprocessing and balancing on the training part.
    Honest,
    /// The report's: keep duplicates, drop incomplete rows, cap and SMOTE the whole file, then
    /// split.
    Report,
}

/// How much of a protocol's test part the model has, in effect, already seen.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Leakage {
    pub test_rows: usize,
    /// Test rows made by SMOTE: points between two real tracks of the same genre.
    pub synthetic_test_rows: usize,
    /// Real test rows with an exact twin (same 13 features and genre) in the training part.
    pub twin_test_rows: usize,
    /// Rows left out because a chosen feature is missing (the report's `dropna()`).
    #[serde(default)]
    pub incomplete_rows_dropped: usize,
}

impl Protocol {
    pub const BOTH: [Protocol; 2] = [Protocol::Report, Protocol::Honest];

    /// The five models the report compared, in its table's order: every kind but gradient
    /// boosting, in [`ModelKind::ALL`]'s order.
    pub const REPORT_MODELS: [ModelKind; 5] = {
        let mut five = [ModelKind::RandomForest; 5];
        let (mut i, mut n) = (0, 0);
        while i < ModelKind::ALL.len() {
            if !matches!(ModelKind::ALL[i], ModelKind::GradientBoosting) {
                five[n] = ModelKind::ALL[i];
                n += 1;
            }
            i += 1;
        }
        assert!(
            n == 5,
            "ModelKind::ALL is the report's five and gradient boosting"
        );
        five
    };

    pub fn code(self) -> &'static str {
        match self {
            Protocol::Honest => "honest",
            Protocol::Report => "report",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Protocol::Honest => "Honest: de-duplicated, split first, SMOTE on the training part",
            Protocol::Report => "The report's: SMOTE on the whole file, then an 80/20 split",
        }
    }

    /// The report's settings, the same for both protocols so that only the protocol differs:
    /// the 9 features of its form, outlier capping, SMOTE, 20% held out.
    pub fn report_options(seed: u64) -> TrainOptions {
        TrainOptions {
            features: FeatureSet::original_nine(),
            cap_outliers: true,
            balance: Balance::Smote,
            test_fraction: 0.2,
            seed,
        }
    }

    /// How the file is read: the report kept exact duplicates.
    pub fn ingest_options(self, label_column: Option<String>) -> IngestOptions {
        IngestOptions {
            label_column,
            keep_duplicates: self == Protocol::Report,
            ..IngestOptions::for_training()
        }
    }

    /// Splits `data` (read with [`Protocol::ingest_options`]) as this protocol does. The
    /// report's [`Prepared`] holds preprocessed and balanced rows, so its options say "no
    /// capping, no balancing" for the per-model steps that follow (already done, on the whole
    /// file); its synthetic test rows have row number 0.
    pub fn prepare(
        self,
        data: &Ingested,
        options: &TrainOptions,
        data_file: &str,
    ) -> Result<(Prepared, Leakage), TrainError> {
        match self {
            Protocol::Honest => {
                let prep = prepare(data, options, data_file)?;
                let leakage = Leakage {
                    test_rows: prep.test_y.len(),
                    synthetic_test_rows: 0,
                    twin_test_rows: twins(data, &prep),
                    incomplete_rows_dropped: 0,
                };
                Ok((prep, leakage))
            }
            Protocol::Report => prepare_report(data, options, data_file),
        }
    }
}

/// Test rows whose source track has an exact twin among the training part's source tracks.
fn twins(data: &Ingested, prep: &Prepared) -> usize {
    let test: HashSet<u64> = prep.test_rows.iter().copied().collect();
    let key = |t: &crate::ingest::Track| (t.values.map(f64::to_bits), t.label);
    let train: HashSet<_> = data
        .tracks
        .iter()
        .filter(|t| t.label.is_some() && !test.contains(&t.row))
        .map(key)
        .collect();
    data.tracks
        .iter()
        .filter(|t| test.contains(&t.row) && train.contains(&key(t)))
        .count()
}

fn prepare_report(
    data: &Ingested,
    options: &TrainOptions,
    data_file: &str,
) -> Result<(Prepared, Leakage), TrainError> {
    let mut labelled = Labelled::check(data, options, "features that are columns of the file")?;
    // The report's file had no missing cells, and SMOTE and scikit-learn's forest refuse them:
    // its code on a file with gaps drops those rows (`dropna()`) rather than invent values.
    let complete: Vec<bool> = labelled
        .tracks
        .iter()
        .map(|t| {
            options
                .features
                .select(&t.values)
                .iter()
                .all(|v| !v.is_nan())
        })
        .collect();
    let incomplete_rows_dropped = complete.iter().filter(|&&c| !c).count();
    let mut keep = complete.iter();
    labelled
        .y
        .retain(|_| *keep.next().expect("one flag per row"));
    let mut keep = complete.iter();
    labelled
        .tracks
        .retain(|_| *keep.next().expect("one flag per row"));
    let raw: Vec<Vec<f64>> = labelled
        .tracks
        .iter()
        .map(|t| options.features.select(&t.values))
        .collect();
    // Capping fitted on every row, test rows included, as the report did.
    let whole = Preprocessor::fit(
        options.features.clone(),
        raw.iter().map(Vec::as_slice),
        options.cap_outliers,
        false,
    );
    let rows: Vec<Vec<f64>> = raw.iter().map(|r| whole.transform(r)).collect();
    let (x, y) = match options.balance {
        // imbalanced-learn's SMOTE, as the report called it: Euclidean on unscaled values.
        Balance::Smote => smote_with(
            &rows,
            &labelled.y,
            &labelled.classes,
            SMOTE_K,
            options.seed,
            SmoteDistance::Raw,
        )?,
        Balance::None | Balance::ClassWeights => (rows, labelled.y.clone()),
    };
    let real = labelled.tracks.len();
    let split = stratified_split(&y, &labelled.classes, options.test_fraction, options.seed)?;
    let source = |i: usize| labelled.tracks.get(i).map_or(0, |t| t.row);
    let key = |i: usize| {
        let t = labelled.tracks[i];
        (t.values.map(f64::to_bits), t.label)
    };
    let train_keys: HashSet<_> = split
        .train
        .iter()
        .filter(|&&i| i < real)
        .map(|&i| key(i))
        .collect();
    let leakage = Leakage {
        test_rows: split.test.len(),
        synthetic_test_rows: split.test.iter().filter(|&&i| i >= real).count(),
        twin_test_rows: split
            .test
            .iter()
            .filter(|&&i| i < real && train_keys.contains(&key(i)))
            .count(),
        incomplete_rows_dropped,
    };
    let options = TrainOptions {
        cap_outliers: false,
        balance: if options.balance == Balance::ClassWeights {
            Balance::ClassWeights
        } else {
            Balance::None
        },
        ..options.clone()
    };
    let prep = Prepared::of_split(
        options,
        data_file,
        labelled.classes,
        &split,
        |i| (x[i].clone(), y[i]),
        source,
    );
    Ok((prep, leakage))
}

/// The sentence that says why the report's figure and the honest one differ, from what each
/// protocol's test part held (`report` and `honest` accuracies are of the same model).
pub fn why_they_differ(
    model: ModelKind,
    report: (f64, &Leakage),
    honest: (f64, &Leakage),
    duplicates_dropped: u64,
) -> String {
    let (report_accuracy, leak) = report;
    let (honest_accuracy, _) = honest;
    format!(
        "{model} scores {r} under the report's protocol and {h} under the honest one. The report \
         ran SMOTE on the whole file before splitting it: {synthetic} of its {tests} test rows \
         are synthetic points drawn between tracks of the same genre, most of them tracks the \
         model trained on, and {twins} more are exact twins of training rows (the file's \
         {dups} duplicate tracks were kept). The model is graded on copies of what it learned; \
         the honest protocol drops the duplicates, splits first and runs SMOTE on the training \
         part only, so its test rows are tracks the model has never seen.",
        model = model.label(),
        r = percent(report_accuracy),
        h = percent(honest_accuracy),
        synthetic = count(leak.synthetic_test_rows as u64),
        tests = count(leak.test_rows as u64),
        twins = count(leak.twin_test_rows as u64),
        dups = count(duplicates_dropped),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::read_csv;

    /// Two genres, 60 and 20 rows, with a block of exact duplicates in the first and four rock
    /// tracks without loudness.
    fn csv() -> String {
        let mut s = String::from("energy,tempo,loudness,genre\n");
        for i in 0..60 {
            let v = (i % 40) as f64; // rows 40..60 repeat rows 0..20 exactly
            s.push_str(&format!("{},{},{},pop\n", 0.1 + v * 0.001, 100.0 + v, -5.0));
        }
        for i in 0..20 {
            let loudness = if i % 5 == 0 {
                String::new()
            } else {
                format!("-{i}")
            };
            s.push_str(&format!(
                "{},{},{loudness},rock\n",
                0.8 + i as f64 * 0.002,
                150.0 + i as f64
            ));
        }
        s
    }

    fn options() -> TrainOptions {
        TrainOptions {
            features: FeatureSet::new(vec![
                crate::feature::Feature::Energy,
                crate::feature::Feature::Tempo,
                crate::feature::Feature::Loudness,
            ])
            .unwrap(),
            ..Protocol::report_options(7)
        }
    }

    fn read(protocol: Protocol) -> Ingested {
        read_csv(csv().as_bytes(), &protocol.ingest_options(None)).unwrap()
    }

    fn prepared(protocol: Protocol, data: &Ingested) -> (Prepared, Leakage) {
        protocol.prepare(data, &options(), "f.csv").unwrap()
    }

    #[test]
    fn the_report_keeps_duplicates_and_smotes_the_whole_file_before_the_split() {
        let data = read(Protocol::Report);
        assert_eq!(data.tracks.len(), 80, "no de-duplication");
        let (prep, leak) = prepared(Protocol::Report, &data);
        // The 4 rock rows without loudness are dropped; SMOTE grew rock from 16 to 60 rows
        // before the split: 120 rows, 24 held out.
        assert_eq!(leak.incomplete_rows_dropped, 4);
        assert_eq!(prep.train_y.len() + prep.test_y.len(), 120);
        assert_eq!(leak.test_rows, 24);
        assert_eq!(prep.test_y.iter().filter(|&&c| c == 1).count(), 12);
        // Synthetic rows are in the test part, with no source row.
        assert!(leak.synthetic_test_rows > 0);
        let no_source = prep.test_rows.iter().filter(|&&r| r == 0).count();
        assert_eq!(no_source, leak.synthetic_test_rows);
        // Complete rows capped on the whole file: no missing value reaches the models, and the
        // per-model steps neither cap nor balance again.
        assert!(prep.train_x.iter().flatten().all(|v| !v.is_nan()));
        assert!(!prep.options.cap_outliers);
        assert_eq!(prep.options.balance, Balance::None);
        // Twins: 20 duplicated pop tracks, some of whose copies land on both sides.
        assert!(leak.twin_test_rows > 0 && leak.twin_test_rows <= 12);
        // Deterministic.
        assert_eq!(prepared(Protocol::Report, &data), (prep, leak));
    }

    #[test]
    fn the_honest_protocol_is_the_products_pipeline() {
        let data = read(Protocol::Honest);
        assert_eq!(data.tracks.len(), 60, "duplicates dropped at ingest");
        let (prep, leak) = prepared(Protocol::Honest, &data);
        // (Compared as text: the missing values are NaN, which is never equal to itself.)
        let product = prepare(&data, &options(), "f.csv").unwrap();
        assert_eq!(format!("{prep:?}"), format!("{product:?}"));
        assert_eq!(leak.test_rows, prep.test_y.len());
        assert_eq!(leak.synthetic_test_rows, 0);
        assert_eq!(leak.twin_test_rows, 0);
        // Raw rows: missing loudness stays missing for the training part's own imputation.
        assert!(prep.test_x.iter().flatten().any(|v| v.is_nan()));
    }

    #[test]
    fn the_sentence_gives_both_figures_and_the_leaks() {
        let leak = Leakage {
            test_rows: 17_625,
            synthetic_test_rows: 9_170,
            twin_test_rows: 480,
            incomplete_rows_dropped: 0,
        };
        let s = why_they_differ(
            ModelKind::RandomForest,
            (0.7727, &leak),
            (0.6064, &Leakage::default()),
            2_984,
        );
        assert!(s.contains("77.3%") && s.contains("60.6%"), "{s}");
        assert!(s.contains("9,170 of its 17,625 test rows"), "{s}");
        assert!(
            s.contains("480 more") && s.contains("2,984 duplicate"),
            "{s}"
        );
    }
}
