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
}
