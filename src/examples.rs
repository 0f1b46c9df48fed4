//! The bundled real tracks (`examples.json`, written by the CLI from the holdout part) used by
//! "random example of genre X".

use genre_core::feature::Feature;
use serde::Deserialize;

#[derive(Deserialize)]
struct ExamplesFile {
    features: Vec<String>,
    tracks: Vec<RawTrack>,
}

#[derive(Deserialize)]
struct RawTrack {
    genre: String,
    #[serde(default)]
    name: String,
    values: Vec<Option<f64>>,
}

/// One real track: its label, title and all 13 feature values (NaN where the file had none).
#[derive(Debug, Clone, PartialEq)]
pub struct ExampleTrack {
    pub genre: String,
    pub name: String,
    pub values: [f64; 13],
}

impl ExampleTrack {
    /// The value of one feature.
    pub fn value(&self, f: Feature) -> f64 {
        self.values[f.index()]
    }
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Examples {
    pub tracks: Vec<ExampleTrack>,
}

impl Examples {
    /// Parses `examples.json`. Columns are matched by name, so the file may list the features in
    /// any order or leave some out (those become NaN, which the model imputes).
    pub fn parse(json: &str) -> Result<Examples, String> {
        let file: ExamplesFile =
            serde_json::from_str(json).map_err(|e| format!("examples.json is malformed: {e}"))?;
        let columns: Vec<Option<Feature>> = file
            .features
            .iter()
            .map(|n| Feature::from_header(n))
            .collect();
        let mut tracks = Vec::with_capacity(file.tracks.len());
        for (i, t) in file.tracks.into_iter().enumerate() {
            if t.values.len() != columns.len() {
                return Err(format!(
                    "examples.json: track {} has {} values for {} features",
                    i + 1,
                    t.values.len(),
                    columns.len()
                ));
            }
            let mut values = [f64::NAN; 13];
            for (col, v) in columns.iter().zip(&t.values) {
                if let Some(f) = col {
                    values[f.index()] = v.unwrap_or(f64::NAN);
                }
            }
            tracks.push(ExampleTrack {
                genre: t.genre,
                name: t.name,
                values,
            });
        }
        Ok(Examples { tracks })
    }

    /// Tracks labelled `genre`.
    pub fn of_genre<'a>(&'a self, genre: &'a str) -> impl Iterator<Item = &'a ExampleTrack> + 'a {
        self.tracks.iter().filter(move |t| t.genre == genre)
    }

    pub fn has_genre(&self, genre: &str) -> bool {
        self.of_genre(genre).next().is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_columns_by_name_in_any_order() {
        let json = r#"{"features": ["tempo", "energy", "not_a_feature"],
            "tracks": [{"genre": "Emo", "name": "A <b>song</b>", "values": [120.5, 0.25, 7]},
                       {"genre": "Pop", "values": [null, 0.5, 1]}]}"#;
        let ex = Examples::parse(json).unwrap();
        assert_eq!(ex.tracks.len(), 2);
        assert_eq!(ex.tracks[0].value(Feature::Tempo), 120.5);
        assert_eq!(ex.tracks[0].value(Feature::Energy), 0.25);
        assert!(ex.tracks[0].value(Feature::Loudness).is_nan());
        assert!(ex.tracks[1].value(Feature::Tempo).is_nan());
        assert_eq!(ex.tracks[1].name, "");
        assert_eq!(ex.of_genre("Emo").count(), 1);
        assert!(!ex.has_genre("Rap"));
    }

    #[test]
    fn rejects_ragged_rows_and_garbage() {
        assert!(Examples::parse(
            r#"{"features": ["tempo"], "tracks": [{"genre": "x", "values": [1, 2]}]}"#
        )
        .is_err());
        assert!(Examples::parse("not json").is_err());
    }
}
