//! Corrections: tracks whose genre the user has set right ("the genre is actually …"), kept by
//! the app and added to a training run (see [`crate::train::add_corrections`]), and written out
//! as a CSV the ingest reads back.
//!
//! How they count: each correction enters the training part as [`CORRECTION_WEIGHT`] identical
//! rows. Copies rather than a sample weight because all six models take them (KNN, the
//! decision tree and the SVC have no per-row weights), and a copy is exactly what a weight of
//! one row means to a bootstrap, a histogram and a neighbour search. Twenty copies is enough for
//! a few corrections to decide the prediction at and right around their own point (a fully
//! grown forest's leaf, KNN's 5 neighbours, a boosted tree's 20-row minimum leaf) while a
//! hundred corrections are still 2,000 rows against ~31,000 of the bundled data's training
//! part: they move their neighbourhood, not the whole model.

use serde::{Deserialize, Serialize};

use crate::feature::Feature;

/// How many training rows one correction counts as.
pub const CORRECTION_WEIGHT: usize = 20;

/// One track and the genre the user says it is.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Correction {
    /// The feature values the prediction was made from (the predicting model's features);
    /// a feature not listed is missing and imputed like any missing value.
    pub values: Vec<(Feature, f64)>,
    /// The genre label as the model and the data files spell it (`dnb`, not "Drum & Bass").
    pub genre: String,
}

impl Correction {
    /// All 13 features in [`Feature::ALL`] order, NaN where the correction has no value (the
    /// layout of an ingested `Track`).
    pub fn track_values(&self) -> [f64; 13] {
        let mut all = [f64::NAN; 13];
        for &(f, v) in &self.values {
            all[f.index()] = v;
        }
        all
    }
}

/// Where a new correction goes in a collection: one track, one correction (a track kept twice
/// would count twice in training).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Placement {
    /// A track not in the collection yet.
    New,
    /// The collection's correction `i` says the same of the same track: nothing to add.
    AlreadyKept(usize),
    /// The collection's correction `i` is of the same track with another genre: the newer
    /// word replaces it.
    Replaces(usize),
}

impl Correction {
    /// The same track: the same features with the same values (in any order).
    pub fn same_track(&self, other: &Correction) -> bool {
        let key = |c: &Correction| c.track_values().map(f64::to_bits);
        key(self) == key(other)
    }
}

/// Where `new` goes among `existing` ([`Placement`]).
pub fn place(existing: &[Correction], new: &Correction) -> Placement {
    match existing.iter().position(|c| new.same_track(c)) {
        None => Placement::New,
        Some(i) if existing[i].genre == new.genre => Placement::AlreadyKept(i),
        Some(i) => Placement::Replaces(i),
    }
}

/// The corrections as a CSV in `genres_v2.csv`'s column names and order (only the features some
/// correction has) plus `genre`: the core's ingest reads it back as the same tracks, so it can
/// train on its own or be added to another data file. A correction without one of the columns
/// leaves its cell empty (read back as missing).
pub fn to_csv(corrections: &[Correction]) -> String {
    let columns: Vec<Feature> = Feature::ALL
        .into_iter()
        .filter(|f| {
            corrections
                .iter()
                .any(|c| c.values.iter().any(|(g, _)| g == f))
        })
        .collect();
    // csv's writer quotes a cell holding a delimiter, quote or line break.
    let mut out = csv::WriterBuilder::new().from_writer(Vec::new());
    let header = columns.iter().map(|f| f.name()).chain(["genre"]);
    out.write_record(header).expect("writing to memory");
    for c in corrections {
        let values = c.track_values();
        // Rust's shortest round-trip text: the value read back is the same f64.
        let cells = columns.iter().map(|f| {
            let v = values[f.index()];
            if v.is_finite() {
                v.to_string()
            } else {
                String::new()
            }
        });
        out.write_record(cells.chain([c.genre.clone()]))
            .expect("writing to memory");
    }
    let bytes = out.into_inner().expect("writing to memory");
    String::from_utf8(bytes).expect("written from UTF-8 text")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{read_csv, IngestOptions};

    fn correction(values: &[(Feature, f64)], genre: &str) -> Correction {
        Correction {
            values: values.to_vec(),
            genre: genre.into(),
        }
    }

    #[test]
    fn the_csv_reads_back_through_the_ingest_as_the_same_tracks() {
        let corrections = vec![
            correction(
                &[
                    (Feature::Energy, 0.812),
                    (Feature::Tempo, 174.00001),
                    (Feature::DurationMs, 215_000.0),
                ],
                "dnb",
            ),
            correction(
                &[(Feature::Energy, 0.1 + 0.2), (Feature::Loudness, -7.25)],
                "Underground Rap",
            ),
            correction(&[(Feature::Tempo, 90.0)], "pop, \"indie\""),
            correction(&[(Feature::Tempo, 91.0)], "r&b; soul\tand more"),
        ];
        let csv = to_csv(&corrections);
        assert_eq!(
            csv.lines().next(),
            Some("energy,loudness,tempo,duration_ms,genre"),
            "genres_v2 names and order, only the features present"
        );
        let read = read_csv(csv.as_bytes(), &IngestOptions::for_training()).unwrap();
        assert_eq!(read.report.rows_kept, 4);
        assert_eq!(read.report.rows_rejected, 0);
        for (c, t) in corrections.iter().zip(&read.tracks) {
            let expected = c.track_values();
            for f in Feature::ALL {
                let (a, b) = (expected[f.index()], t.values[f.index()]);
                assert!(
                    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
                    "{f:?}: {a} written, {b} read"
                );
            }
            assert_eq!(read.classes[t.label.unwrap() as usize], c.genre);
        }
    }

    #[test]
    fn no_corrections_is_a_header_only() {
        assert_eq!(to_csv(&[]), "genre\n");
    }

    #[test]
    fn one_track_one_correction() {
        let c = |energy: f64, genre: &str| Correction {
            values: vec![(Feature::Energy, energy), (Feature::Tempo, 120.0)],
            genre: genre.into(),
        };
        let kept = [c(0.5, "trap"), c(0.7, "dnb")];
        assert_eq!(place(&kept, &c(0.9, "trap")), Placement::New);
        assert_eq!(place(&kept, &c(0.7, "dnb")), Placement::AlreadyKept(1));
        assert_eq!(place(&kept, &c(0.5, "Emo")), Placement::Replaces(0));
        // The same values listed in another order are the same track.
        let reordered = Correction {
            values: vec![(Feature::Tempo, 120.0), (Feature::Energy, 0.5)],
            genre: "trap".into(),
        };
        assert_eq!(place(&kept, &reordered), Placement::AlreadyKept(0));
    }
}
