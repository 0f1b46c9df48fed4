//! Hash routing (`#/train`).
//!
//! Why not leptos_router: its `<Router>` (0.8) always uses History-API paths (`/train`), which a
//! plain static server without rewrite rules answers with 404 on reload, and which break when the
//! site lives under an unknown sub-path (GitHub Pages `/<repo>/`). A fragment never reaches the
//! server, so `index.html#/train` works on any static host, from any folder.

use leptos::prelude::*;

/// The site's pages, in navigation order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Page {
    Predict,
    Batch,
    Explore,
    Train,
    Embed,
}

impl Page {
    pub const ALL: [Page; 5] = [
        Page::Predict,
        Page::Batch,
        Page::Explore,
        Page::Train,
        Page::Embed,
    ];

    /// The path inside the fragment: `#/` for Predict, `#/batch` for Batch, ...
    pub fn slug(self) -> &'static str {
        match self {
            Page::Predict => "",
            Page::Batch => "batch",
            Page::Explore => "explore",
            Page::Train => "train",
            Page::Embed => "embed",
        }
    }

    /// A stable lower-case name (`predict`, `batch`, ...) for ids and `data-page`.
    pub fn id(self) -> &'static str {
        match self {
            Page::Predict => "predict",
            other => other.slug(),
        }
    }

    pub fn title(self) -> &'static str {
        match self {
            Page::Predict => "Predict",
            Page::Batch => "Batch",
            Page::Explore => "Explore",
            Page::Train => "Train",
            Page::Embed => "Embed",
        }
    }

    /// A relative link (fragment only), so it keeps whatever path the site is served from.
    pub fn href(self) -> String {
        format!("#/{}", self.slug())
    }

    /// Parses `location.hash`. Unknown fragments fall back to Predict, so an old or mistyped
    /// link still shows something useful; a query after the path (`#/train?x=1`) is ignored.
    pub fn from_hash(hash: &str) -> Page {
        let path = hash.trim_start_matches('#').trim_start_matches('/');
        let path = path.split(['?', '/']).next().unwrap_or("");
        Page::ALL
            .into_iter()
            .find(|p| p.slug().eq_ignore_ascii_case(path))
            .unwrap_or(Page::Predict)
    }
}

/// The current fragment (`#/?energy=0.8`), or "" outside a browser.
pub fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The decoded `name=value` pairs of a URL query: `location.search` (with or without its `?`) or
/// the part of a fragment after its `?`. Empty pairs are skipped; a name without `=` has an empty
/// value. The one query parser of the site (Predict links and the widget's options).
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    query
        .trim_start_matches('?')
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (key, value) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(key), percent_decode(value))
        })
        .collect()
}

/// `application/x-www-form-urlencoded` decoding: `+` is a space, `%XX` a byte; invalid escapes
/// are kept as typed and invalid UTF-8 is replaced, never an error.
pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).ok();
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Escapes everything but letters, digits, `-._~` and `:` (a duration's separator, legal in a
/// fragment), so `&`, `=`, `#`, `%`, `+` and spaces in typed text survive the round trip.
pub fn percent_encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~:".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// Where the navigation's Predict link goes: the Predict page's last address in this page
/// (`#/?energy=0.8&…`), so a visitor who opened a shared prediction, went to Train and came
/// back finds it as they left it. Kept on `window` too, where the whole site reads it when it
/// takes over from the first app (two binaries in one page, src/first_load.rs).
#[derive(Debug, Clone, Copy)]
pub struct PredictAddress(RwSignal<String>);

/// The `window` property the two binaries share the Predict address through.
const PREDICT_ADDRESS_SLOT: &str = "genreLensPredictAddress";

impl PredictAddress {
    /// The address kept by this page so far (`#/` at first), in context for the navigation and
    /// the Predict page.
    pub fn provide() -> PredictAddress {
        let kept = js_sys::Reflect::get(&js_sys::global(), &PREDICT_ADDRESS_SLOT.into())
            .ok()
            .and_then(|v| v.as_string())
            .filter(|hash| Page::from_hash(hash) == Page::Predict);
        let address = PredictAddress(RwSignal::new(kept.unwrap_or_else(|| Page::Predict.href())));
        provide_context(address);
        address
    }

    /// Where the Predict link goes now (tracked).
    pub fn href(&self) -> String {
        self.0.get()
    }

    /// The Predict page is now at `hash`: the link goes there from now on.
    pub fn remember(hash: &str) {
        if let Some(address) = use_context::<PredictAddress>() {
            address.0.set(hash.to_string());
        }
        let _ = js_sys::Reflect::set(
            &js_sys::global(),
            &PREDICT_ADDRESS_SLOT.into(),
            &hash.into(),
        );
    }
}

/// The current page as a signal, kept in sync with `hashchange` (links, back/forward, typing).
pub fn use_current_page() -> ReadSignal<Page> {
    let initial = window().location().hash().unwrap_or_default();
    let (page, set_page) = signal(Page::from_hash(&initial));
    let handle = window_event_listener(leptos::ev::hashchange, move |_| {
        let hash = window().location().hash().unwrap_or_default();
        set_page.set(Page::from_hash(&hash));
    });
    // The listener lives as long as the app; dropping the handle would not remove it, but be explicit.
    on_cleanup(move || handle.remove());
    page
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_fragments() {
        assert_eq!(Page::from_hash(""), Page::Predict);
        assert_eq!(Page::from_hash("#"), Page::Predict);
        assert_eq!(Page::from_hash("#/"), Page::Predict);
        assert_eq!(Page::from_hash("#/train"), Page::Train);
        assert_eq!(Page::from_hash("#/Train?model=x"), Page::Train);
        assert_eq!(Page::from_hash("#/embed/snippets"), Page::Embed);
        assert_eq!(Page::from_hash("#explore"), Page::Explore);
        assert_eq!(Page::from_hash("#/nope"), Page::Predict);
    }

    #[test]
    fn hrefs_round_trip() {
        for p in Page::ALL {
            assert_eq!(Page::from_hash(&p.href()), p);
        }
    }

    #[test]
    fn decoding_never_fails() {
        assert_eq!(percent_decode("a%2Cb"), "a,b");
        assert_eq!(percent_decode("100%"), "100%");
        assert_eq!(percent_decode("%zz%4"), "%zz%4");
        assert_eq!(percent_decode("%FF"), "\u{FFFD}");
    }

    #[test]
    fn query_pairs_decode_names_and_values_and_skip_empty_pairs() {
        assert_eq!(
            query_pairs("?model=forest&&fields=energy%2Ctempo&flag&a+b=c+d"),
            [
                ("model".to_string(), "forest".to_string()),
                ("fields".into(), "energy,tempo".into()),
                ("flag".into(), String::new()),
                ("a b".into(), "c d".into()),
            ]
        );
        assert!(query_pairs("").is_empty());
    }
}
