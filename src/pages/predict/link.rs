//! The Predict page's shareable link: its values in the URL's fragment (`#/?energy=0.8&…`, and
//! `&model=forest` when the forest is chosen). The fragment keeps routing hash-based (a static
//! host never sees it); the page rewrites it with `history.replaceState`, so edits add no
//! history entries and the back button still leaves the page.
//!
//! Values are the fields' texts as shown (exact: a number's shortest round-trip text, a
//! duration's m:ss with milliseconds), so a link restores what was typed, invalid text
//! included: the field then shows its usual message instead of the value being dropped.
//! Parameters that name no feature are ignored.

use genre_core::feature::Feature;

use crate::model_store::BundledModel;
use crate::route::{location_hash, percent_encode, query_pairs, PredictAddress};

/// What a Predict link holds.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PredictLink {
    /// Each feature's text, in the order given (the last one wins when a name repeats).
    pub values: Vec<(Feature, String)>,
    /// The bundled model it names (`None`: the default, boosted trees).
    pub model: Option<BundledModel>,
}

impl PredictLink {
    /// Reads a fragment (`#/?energy=0.8&model=forest`, with or without `#`); anything but the
    /// query after the path is ignored, and so is a parameter naming no feature.
    pub fn parse(hash: &str) -> PredictLink {
        let mut link = PredictLink::default();
        let Some((_, query)) = hash.split_once('?') else {
            return link;
        };
        for (key, value) in query_pairs(query) {
            if key.eq_ignore_ascii_case("model") {
                link.model =
                    BundledModel::from_code(&value).filter(|m| *m != BundledModel::Boosted);
            } else if let Some(f) = Feature::ALL
                .into_iter()
                .find(|f| f.name().eq_ignore_ascii_case(key.trim()))
            {
                link.values.retain(|(g, _)| *g != f);
                link.values.push((f, value));
            }
        }
        link
    }

    /// The text of `feature`, if the link has it.
    pub fn value(&self, feature: Feature) -> Option<&str> {
        self.values
            .iter()
            .find(|(f, _)| *f == feature)
            .map(|(_, v)| v.as_str())
    }

    /// The Predict page's fragment for this link: `#/?name=value&…[&model=forest]`.
    pub fn to_hash(&self) -> String {
        let mut parts: Vec<String> = self
            .values
            .iter()
            .map(|(f, v)| format!("{}={}", f.name(), percent_encode(v)))
            .collect();
        if let Some(m) = self.model {
            parts.push(format!("model={}", m.code()));
        }
        format!("#/?{}", parts.join("&"))
    }
}

/// The link the page was opened with (or last rewritten to).
pub fn current() -> PredictLink {
    PredictLink::parse(&location_hash())
}

/// Whether the address has no Predict query at all (`#/`, `#`, or no fragment).
pub fn address_is_bare() -> bool {
    !location_hash().contains('?')
}

/// The bundled model the address names, when it is a Predict link (the store opens with it).
pub fn model_in_location() -> Option<BundledModel> {
    let hash = location_hash();
    (crate::route::Page::from_hash(&hash) == crate::route::Page::Predict)
        .then(|| PredictLink::parse(&hash).model)
        .flatten()
}

/// Puts `link` in the address bar in place of the current entry (no new history entry), and
/// makes it where the navigation's Predict link goes.
pub fn replace(link: &PredictLink) {
    let hash = link.to_hash();
    PredictAddress::remember(&hash);
    if location_hash() == hash {
        return;
    }
    if let Some(history) = web_sys::window().and_then(|w| w.history().ok()) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&hash));
    }
}

/// The whole URL of `link`: this page's address (path and search kept) with its fragment.
pub fn absolute_url(link: &PredictLink) -> String {
    let href = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let base = href.split('#').next().unwrap_or_default();
    format!("{base}{}", link.to_hash())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_values_and_the_model() {
        let link = PredictLink {
            values: vec![
                (Feature::Energy, "0.8".into()),
                (Feature::DurationMs, "3:43.794".into()),
                (Feature::Tempo, "a&b=c #%+ é".into()),
            ],
            model: Some(BundledModel::Forest),
        };
        let hash = link.to_hash();
        assert_eq!(
            hash,
            "#/?energy=0.8&duration_ms=3:43.794&tempo=a%26b%3Dc%20%23%25%2B%20%C3%A9&model=forest"
        );
        assert_eq!(PredictLink::parse(&hash), link);
    }

    #[test]
    fn unknown_parameters_are_ignored_and_invalid_text_kept() {
        let link = PredictLink::parse("#/?utm=x&Energy=abc&tempo=&tempo=120&model=nope&valence");
        assert_eq!(
            link.values,
            vec![
                (Feature::Energy, "abc".into()),
                (Feature::Tempo, "120".into()),
                (Feature::Valence, String::new()),
            ]
        );
        assert_eq!(link.model, None);
        assert_eq!(link.value(Feature::Energy), Some("abc"));
        assert_eq!(link.value(Feature::Key), None);
    }

    #[test]
    fn no_query_is_the_default_link() {
        for hash in ["", "#", "#/", "#/train"] {
            assert_eq!(PredictLink::parse(hash), PredictLink::default());
        }
        assert_eq!(
            PredictLink::parse("#/?model=boosted").model,
            None,
            "the default model is not named"
        );
        assert_eq!(
            PredictLink::parse("#/?model=FOREST").model,
            Some(BundledModel::Forest)
        );
    }
}
