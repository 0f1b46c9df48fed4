//! The widget's options, read from its URL's query (`widget.html?model=bundled&theme=dark&...`).
//! Pure (no browser types) so it is tested natively; unknown or malformed options fall back to
//! the defaults instead of failing, because a host page cannot see the widget's errors.

use genre_core::feature::Feature;

use crate::route::query_pairs;

/// Which model the widget runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ModelChoice {
    /// `model=bundled` (the default): the model that ships with the site.
    Bundled,
    /// `model=forest`: the random forest that ships with the site (fetched only then).
    BundledForest,
    /// `model=<name>`: a model saved in this browser by the Train page, by its name.
    Saved(String),
    /// `model=https://…` (any `scheme://`, or a path starting with `/`, `./` or `../`, relative
    /// to the widget page): a model file published by the host, fetched with CORS. As typed;
    /// the widget resolves it against its own address and refuses schemes other than http(s)
    /// with a message (a name with `://` in it would be a strange name for a saved model).
    Url(String),
}

impl ModelChoice {
    /// What `model=` holds: a URL when it looks like one (a scheme or a path), else a name.
    pub fn from_value(value: &str) -> ModelChoice {
        let v = value.trim();
        let lower = v.to_ascii_lowercase();
        if v.is_empty() || lower == "bundled" {
            ModelChoice::Bundled
        } else if lower == "forest" {
            ModelChoice::BundledForest
        } else if v.contains("://") || ["/", "./", "../"].iter().any(|p| v.starts_with(p)) {
            ModelChoice::Url(v.to_string())
        } else {
            ModelChoice::Saved(v.to_string())
        }
    }
}

/// `theme=light|dark`; anything else follows the visitor's system setting.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Theme {
    Auto,
    Light,
    Dark,
}

impl Theme {
    /// The value of `<html data-theme>` (style/widget.css keys its palettes on it).
    pub fn attr(self) -> &'static str {
        match self {
            Theme::Auto => "auto",
            Theme::Light => "light",
            Theme::Dark => "dark",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WidgetOptions {
    pub model: ModelChoice,
    pub theme: Theme,
    /// `fields=energy,tempo`: the features shown, in this order (`all`: every model feature).
    /// None: the original form's nine fields the model uses.
    pub fields: Option<FieldChoice>,
    /// Names in `fields=` that are no audio feature (as typed, at most [`MAX_UNKNOWN`]): the
    /// widget says so instead of dropping them silently.
    pub unknown_fields: Vec<String>,
    /// `origin=https://a.example,https://b.example`: the only origins whose messages are
    /// answered and to which predictions are announced. Empty: any origin (replies still go only
    /// to the sender's origin).
    pub origins: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FieldChoice {
    All,
    Some(Vec<Feature>),
}

/// At most this many unknown `fields=` names are named back (each cut to 40 characters).
const MAX_UNKNOWN: usize = 8;

/// At most this many allowed origins (a query is not a place for a long list).
const MAX_ORIGINS: usize = 16;

impl WidgetOptions {
    /// Parses `location.search` (with or without the leading `?`).
    pub fn parse(query: &str) -> WidgetOptions {
        let mut out = WidgetOptions {
            model: ModelChoice::Bundled,
            theme: Theme::Auto,
            fields: None,
            unknown_fields: Vec::new(),
            origins: Vec::new(),
        };
        for (key, value) in query_pairs(query) {
            match key.as_str() {
                "model" => out.model = ModelChoice::from_value(&value),
                "theme" => {
                    out.theme = match value.trim().to_ascii_lowercase().as_str() {
                        "light" => Theme::Light,
                        "dark" => Theme::Dark,
                        _ => Theme::Auto,
                    }
                }
                "fields" => (out.fields, out.unknown_fields) = parse_fields(&value),
                "origin" | "origins" => {
                    out.origins = value
                        .split(',')
                        .map(|o| o.trim().trim_end_matches('/').to_string())
                        .filter(|o| !o.is_empty())
                        .take(MAX_ORIGINS)
                        .collect();
                }
                _ => {}
            }
        }
        out
    }

    /// Whether a message from `origin` may be answered.
    pub fn allows(&self, origin: &str) -> bool {
        self.origins.is_empty() || self.origins.iter().any(|o| o == "*" || o == origin)
    }

    /// Features `fields=` names that the model does not use: the widget cannot show them, and
    /// says so (a note in the widget, an `error` message to the host) instead of dropping them.
    pub fn missing_fields(&self, model_features: &[Feature]) -> Vec<Feature> {
        match &self.fields {
            Some(FieldChoice::Some(list)) => list
                .iter()
                .copied()
                .filter(|f| !model_features.contains(f))
                .collect(),
            _ => Vec::new(),
        }
    }

    /// The sentence for what `fields=` asks that the widget cannot show: names that are no
    /// audio feature, and features this model does not use. Shown in the widget and sent to
    /// the host as an `error` message (not fatal: the widget works with the fields it has).
    pub fn fields_note(&self, model_features: &[Feature]) -> Option<String> {
        let mut notes = Vec::new();
        if !self.unknown_fields.is_empty() {
            let n = self.unknown_fields.len();
            notes.push(format!(
                "fields= names {}, which {} no audio feature the widget knows.",
                self.unknown_fields.join(", "),
                if n == 1 { "is" } else { "are" }
            ));
        }
        let missing = self.missing_fields(model_features);
        if !missing.is_empty() {
            let names: Vec<&str> = missing.iter().map(|f| f.name()).collect();
            notes.push(format!(
                "fields= names {} but this model does not use {}, so the widget cannot show {}.",
                names.join(", "),
                if missing.len() == 1 { "it" } else { "them" },
                if missing.len() == 1 {
                    "that field"
                } else {
                    "those fields"
                },
            ));
        }
        (!notes.is_empty()).then(|| notes.join(" "))
    }

    /// Indices (in the model's feature order) of the fields to show.
    pub fn shown_fields(&self, model_features: &[Feature]) -> Vec<usize> {
        let pick = |wanted: &[Feature]| -> Vec<usize> {
            wanted
                .iter()
                .filter_map(|f| model_features.iter().position(|m| m == f))
                .collect()
        };
        let chosen = match &self.fields {
            Some(FieldChoice::All) => (0..model_features.len()).collect(),
            Some(FieldChoice::Some(list)) => pick(list),
            None => pick(&Feature::ORIGINAL_NINE),
        };
        // A model trained on none of the asked-for features still gets a usable form.
        if chosen.is_empty() {
            (0..model_features.len()).collect()
        } else {
            chosen
        }
    }
}

/// The features `fields=` names, and the names in it that are no feature.
fn parse_fields(value: &str) -> (Option<FieldChoice>, Vec<String>) {
    if value.trim().eq_ignore_ascii_case("all") {
        return (Some(FieldChoice::All), Vec::new());
    }
    let mut list: Vec<Feature> = Vec::new();
    let mut unknown = Vec::new();
    for name in value.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        match Feature::from_header(name) {
            Some(f) if !list.contains(&f) => list.push(f),
            Some(_) => {}
            None if unknown.len() < MAX_UNKNOWN => unknown.push(name.chars().take(40).collect()),
            None => {}
        }
    }
    (
        (!list.is_empty()).then_some(FieldChoice::Some(list)),
        unknown,
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults() {
        let o = WidgetOptions::parse("");
        assert_eq!(o.model, ModelChoice::Bundled);
        assert_eq!(o.theme, Theme::Auto);
        assert_eq!(o.fields, None);
        assert!(o.origins.is_empty() && o.allows("https://any.example"));
    }

    #[test]
    fn parses_every_option() {
        let o = WidgetOptions::parse(
            "?model=My+model%20%C3%A9&theme=Dark&fields=tempo,energy,nope,tempo&origin=https://a.example/,http://127.0.0.1:9",
        );
        assert_eq!(o.model, ModelChoice::Saved("My model é".into()));
        assert_eq!(o.theme, Theme::Dark);
        assert_eq!(
            o.fields,
            Some(FieldChoice::Some(vec![Feature::Tempo, Feature::Energy]))
        );
        assert!(o.allows("https://a.example"));
        assert!(o.allows("http://127.0.0.1:9"));
        assert!(!o.allows("https://evil.example"));
        assert_eq!(
            WidgetOptions::parse("model=bundled&theme=light").theme,
            Theme::Light
        );
        assert_eq!(WidgetOptions::parse("theme=purple").theme, Theme::Auto);
        assert_eq!(
            WidgetOptions::parse("model=Forest").model,
            ModelChoice::BundledForest
        );
        assert!(WidgetOptions::parse("origin=*").allows("https://x.example"));
    }

    #[test]
    fn a_model_url_is_a_url_and_anything_else_a_name() {
        let url = "https://models.example/genre%20lens/my.bin?v=2";
        let query = format!(
            "model={}",
            url.replace('%', "%25")
                .replace('?', "%3F")
                .replace('=', "%3D")
        );
        assert_eq!(
            WidgetOptions::parse(&query).model,
            ModelChoice::Url(url.into())
        );
        for (value, want) in [
            (
                "HTTP://127.0.0.1:9/m.bin",
                ModelChoice::Url("HTTP://127.0.0.1:9/m.bin".into()),
            ),
            ("/models/m.bin", ModelChoice::Url("/models/m.bin".into())),
            ("./m.bin", ModelChoice::Url("./m.bin".into())),
            ("../m.bin", ModelChoice::Url("../m.bin".into())),
            (" Bundled ", ModelChoice::Bundled),
            ("", ModelChoice::Bundled),
            ("my model.bin", ModelChoice::Saved("my model.bin".into())),
            (
                "ftp://x.example/m.bin",
                ModelChoice::Url("ftp://x.example/m.bin".into()),
            ),
        ] {
            assert_eq!(ModelChoice::from_value(value), want, "{value}");
        }
    }

    #[test]
    fn shown_fields_follow_the_model() {
        let model = [Feature::Danceability, Feature::Energy, Feature::Tempo];
        let o = WidgetOptions::parse("");
        assert_eq!(o.shown_fields(&model), vec![1, 2]);
        assert_eq!(
            WidgetOptions::parse("fields=tempo,danceability").shown_fields(&model),
            vec![2, 0]
        );
        assert_eq!(
            WidgetOptions::parse("fields=all").shown_fields(&model),
            vec![0, 1, 2]
        );
        // Only features the model lacks: fall back to all of the model's, and name them.
        let lacking = WidgetOptions::parse("fields=liveness,tempo");
        assert_eq!(lacking.shown_fields(&model), vec![2]);
        assert_eq!(lacking.missing_fields(&model), vec![Feature::Liveness]);
        assert_eq!(
            WidgetOptions::parse("fields=liveness").shown_fields(&model),
            vec![0, 1, 2]
        );
        assert!(WidgetOptions::parse("fields=all")
            .missing_fields(&model)
            .is_empty());
    }

    #[test]
    fn unknown_field_names_are_kept_and_named() {
        let model = [Feature::Energy, Feature::Tempo];
        let o = WidgetOptions::parse("fields=energy,bogus,tempo,,Tempo,vibes");
        assert_eq!(
            o.fields,
            Some(FieldChoice::Some(vec![Feature::Energy, Feature::Tempo]))
        );
        assert_eq!(o.unknown_fields, ["bogus", "vibes"]);
        assert_eq!(
            o.fields_note(&model).as_deref(),
            Some("fields= names bogus, vibes, which are no audio feature the widget knows.")
        );
        let both = WidgetOptions::parse("fields=liveness,nope");
        let note = both.fields_note(&model).unwrap();
        assert!(
            note.starts_with("fields= names nope, which is no audio feature"),
            "{note}"
        );
        assert!(
            note.contains("names liveness but this model does not use it"),
            "{note}"
        );
        assert_eq!(
            WidgetOptions::parse("fields=energy").fields_note(&model),
            None
        );
        assert!(WidgetOptions::parse("fields=all").unknown_fields.is_empty());
    }
}
