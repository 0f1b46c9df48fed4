//! The 13 numeric Spotify audio features and ordered subsets of them.

use serde::{Deserialize, Serialize};

/// One numeric audio feature of a track, as Spotify's audio-features API names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum Feature {
    Danceability,
    Energy,
    Key,
    Loudness,
    Mode,
    Speechiness,
    Acousticness,
    Instrumentalness,
    Liveness,
    Valence,
    Tempo,
    DurationMs,
    TimeSignature,
}

/// Spotify's `key` (pitch class 0..11) as note names: how the key picker and the tests name it.
pub const NOTE_NAMES: [&str; 12] = [
    "C",
    "C♯/D♭",
    "D",
    "D♯/E♭",
    "E",
    "F",
    "F♯/G♭",
    "G",
    "G♯/A♭",
    "A",
    "A♯/B♭",
    "B",
];

impl Feature {
    /// All 13 features, in the column order of `genres_v2.csv`.
    pub const ALL: [Feature; 13] = [
        Feature::Danceability,
        Feature::Energy,
        Feature::Key,
        Feature::Loudness,
        Feature::Mode,
        Feature::Speechiness,
        Feature::Acousticness,
        Feature::Instrumentalness,
        Feature::Liveness,
        Feature::Valence,
        Feature::Tempo,
        Feature::DurationMs,
        Feature::TimeSignature,
    ];

    /// The 9 fields of the original project's form (its feature selection): [`Feature::ALL`]
    /// without the four it dropped as weak (danceability, key, mode, time signature), in the
    /// same order.
    pub const ORIGINAL_NINE: [Feature; 9] = {
        let mut nine = [Feature::Energy; 9];
        let (mut i, mut n) = (0, 0);
        while i < Feature::ALL.len() {
            let f = Feature::ALL[i];
            let dropped = matches!(
                f,
                Feature::Danceability | Feature::Key | Feature::Mode | Feature::TimeSignature
            );
            if !dropped {
                nine[n] = f;
                n += 1;
            }
            i += 1;
        }
        nine
    };

    /// Position in [`Feature::ALL`]; stable, used as the on-disk id.
    pub fn index(self) -> usize {
        self as usize
    }

    pub fn from_index(i: usize) -> Option<Feature> {
        Feature::ALL.get(i).copied()
    }

    /// The canonical column name (`genres_v2.csv` spelling).
    pub fn name(self) -> &'static str {
        match self {
            Feature::Danceability => "danceability",
            Feature::Energy => "energy",
            Feature::Key => "key",
            Feature::Loudness => "loudness",
            Feature::Mode => "mode",
            Feature::Speechiness => "speechiness",
            Feature::Acousticness => "acousticness",
            Feature::Instrumentalness => "instrumentalness",
            Feature::Liveness => "liveness",
            Feature::Valence => "valence",
            Feature::Tempo => "tempo",
            Feature::DurationMs => "duration_ms",
            Feature::TimeSignature => "time_signature",
        }
    }

    /// A human label for forms and charts.
    pub fn label(self) -> &'static str {
        match self {
            Feature::Danceability => "Danceability",
            Feature::Energy => "Energy",
            Feature::Key => "Key",
            Feature::Loudness => "Loudness",
            Feature::Mode => "Mode",
            Feature::Speechiness => "Speechiness",
            Feature::Acousticness => "Acousticness",
            Feature::Instrumentalness => "Instrumentalness",
            Feature::Liveness => "Liveness",
            Feature::Valence => "Valence",
            Feature::Tempo => "Tempo",
            Feature::DurationMs => "Duration",
            Feature::TimeSignature => "Time signature",
        }
    }

    /// Unit shown beside the number field ("" for unitless 0-1 scores).
    pub fn unit(self) -> &'static str {
        match self {
            Feature::Loudness => "dB",
            Feature::Tempo => "BPM",
            Feature::DurationMs => "ms",
            Feature::TimeSignature => "beats/bar",
            Feature::Key => "pitch class",
            _ => "",
        }
    }

    /// Whether the feature only takes whole numbers.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Feature::Key | Feature::Mode | Feature::DurationMs | Feature::TimeSignature
        )
    }

    /// Parses a column header: case-insensitive, ignoring spaces, `_`, `-` and a unit suffix
    /// in parentheses, so `duration_ms`, `Duration (ms)` and `Time Signature` all match.
    pub fn from_header(header: &str) -> Option<Feature> {
        let key = normalize_header(header);
        Feature::ALL
            .into_iter()
            .find(|f| normalize_header(f.name()) == key)
    }
}

impl std::fmt::Display for Feature {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

impl std::str::FromStr for Feature {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Feature::from_header(s).ok_or_else(|| {
            format!(
                "unknown feature `{s}` (expected one of: {})",
                Feature::ALL.map(|f| f.name()).join(", ")
            )
        })
    }
}

/// Header normalisation used for all column matching: lower-case, a trailing unit in
/// parentheses kept as letters (`Duration (ms)` -> `durationms`), separators dropped.
pub fn normalize_header(header: &str) -> String {
    header
        .trim()
        .trim_start_matches('\u{feff}')
        .chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(|c| c.to_lowercase())
        .collect()
}

/// An ordered, duplicate-free list of features a model uses.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct FeatureSet(Vec<Feature>);

impl FeatureSet {
    /// Builds a set, keeping the given order and refusing duplicates and an empty list.
    pub fn new(features: Vec<Feature>) -> Result<FeatureSet, String> {
        if features.is_empty() {
            return Err("a model needs at least one feature".into());
        }
        for (i, f) in features.iter().enumerate() {
            if features[..i].contains(f) {
                return Err(format!("feature `{f}` is listed twice"));
            }
        }
        Ok(FeatureSet(features))
    }

    pub fn original_nine() -> FeatureSet {
        FeatureSet(Feature::ORIGINAL_NINE.to_vec())
    }

    pub fn all() -> FeatureSet {
        FeatureSet(Feature::ALL.to_vec())
    }

    pub fn as_slice(&self) -> &[Feature] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    pub fn contains(&self, f: Feature) -> bool {
        self.0.contains(&f)
    }

    pub fn names(&self) -> Vec<&'static str> {
        self.0.iter().map(|f| f.name()).collect()
    }

    /// Picks this set's values out of a full 13-feature row.
    pub fn select(&self, all: &[f64; 13]) -> Vec<f64> {
        self.0.iter().map(|f| all[f.index()]).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_match_both_layouts() {
        let header = Feature::from_header;
        assert_eq!(header("duration_ms"), Some(Feature::DurationMs));
        assert_eq!(header("Duration (ms)"), Some(Feature::DurationMs));
        assert_eq!(header(" Time Signature "), Some(Feature::TimeSignature));
        assert_eq!(header("\u{feff}danceability"), Some(Feature::Danceability));
        assert_eq!(header("ENERGY"), Some(Feature::Energy));
        assert_eq!(header("genre"), None);
        assert_eq!(header("duration"), None);
    }

    #[test]
    fn feature_set_refuses_duplicates_and_empty() {
        assert!(FeatureSet::new(vec![]).is_err());
        assert!(FeatureSet::new(vec![Feature::Key, Feature::Key]).is_err());
        let s = FeatureSet::new(vec![Feature::Tempo, Feature::Key]).unwrap();
        let mut row = [0.0; 13];
        row[Feature::Tempo.index()] = 120.0;
        row[Feature::Key.index()] = 5.0;
        assert_eq!(s.select(&row), vec![120.0, 5.0]);
    }

    #[test]
    fn the_original_nine_are_the_reports_form_in_its_order() {
        let names: Vec<&str> = Feature::ORIGINAL_NINE.iter().map(|f| f.name()).collect();
        let form = "energy loudness speechiness acousticness instrumentalness liveness valence \
                    tempo duration_ms";
        assert_eq!(names, form.split_whitespace().collect::<Vec<_>>());
    }

    #[test]
    fn index_round_trips() {
        for f in Feature::ALL {
            assert_eq!(Feature::from_index(f.index()), Some(f));
        }
    }
}
