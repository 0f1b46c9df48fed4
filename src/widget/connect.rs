//! What the widget page may fetch. `widget.html`'s Content-Security-Policy (written by
//! `scripts/post-build.sh`) allows `connect-src 'self' https: http://localhost:*
//! http://127.0.0.1:*`, because a host may name a model file on any https origin (and on a
//! loopback one while developing). As soon as the widget knows its options, [`narrow`] adds a
//! second policy naming only the site and the model file's own origin. A page enforces every
//! policy it has, so from then on the widget can reach nothing else; without `model=<URL>` it
//! is back to the site's `connect-src 'self'`.

/// A model URL from `model=`, resolved against the widget's own address.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ModelUrl {
    pub href: String,
    /// `https://host:port`: what the narrowed policy allows.
    pub origin: String,
}

/// Why an address is not one the widget can load a model file from; shown as its sentence.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UrlError {
    /// `model=` names no web address (as typed).
    #[error("model={0} is not a web address the widget can read.")]
    NotAnAddress(String),
    /// An address typed on the Train page's Publish panel is not a whole one.
    #[error("Type the full address the file will have, starting with https://")]
    NotAbsolute,
    /// Another scheme than http(s): the address as typed, and its scheme (`ftp:`).
    #[error(
        "{typed} uses {scheme} addresses; the widget loads model files over https:// (or \
         http:// on this computer while developing)."
    )]
    Scheme { typed: String, scheme: String },
}

/// Resolves `typed` (absolute, or a path relative to widget.html) and keeps http(s) only.
pub fn resolve(typed: &str) -> Result<ModelUrl, UrlError> {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .unwrap_or_default();
    let url = web_sys::Url::new_with_base(typed, &base)
        .map_err(|_| UrlError::NotAnAddress(typed.to_string()))?;
    checked(
        url.protocol().as_str(),
        url.href(),
        url.origin(),
        &format!("model={typed}"),
    )
}

/// A whole address (where a model file will be published), http(s) only.
pub fn absolute(typed: &str) -> Result<ModelUrl, UrlError> {
    let t = typed.trim();
    let url = web_sys::Url::new(t).map_err(|_| UrlError::NotAbsolute)?;
    checked(url.protocol().as_str(), url.href(), url.origin(), t)
}

/// The scheme rule, apart from the browser's URL parser so it is tested natively.
fn checked(
    protocol: &str,
    href: String,
    origin: String,
    typed: &str,
) -> Result<ModelUrl, UrlError> {
    match protocol {
        "https:" | "http:" => Ok(ModelUrl { href, origin }),
        other => Err(UrlError::Scheme {
            typed: typed.to_string(),
            scheme: other.to_string(),
        }),
    }
}

/// The policy [`narrow`] adds: the site, plus the model file's origin when there is one.
pub fn connect_policy(model: Option<&ModelUrl>) -> String {
    match model {
        // An origin from the URL parser holds no space, quote or semicolon, so it cannot add a
        // directive of its own.
        Some(m) if m.origin != "null" && !m.origin.contains([' ', ';', '\'', '"']) => {
            format!("connect-src 'self' {}", m.origin)
        }
        _ => "connect-src 'self'".to_string(),
    }
}

/// Adds [`connect_policy`] as a `<meta http-equiv="Content-Security-Policy">` in `<head>`.
pub fn narrow(model: Option<&ModelUrl>) {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let (Ok(meta), Some(head)) = (doc.create_element("meta"), doc.head()) else {
        return;
    };
    let _ = meta.set_attribute("http-equiv", "Content-Security-Policy");
    let _ = meta.set_attribute("content", &connect_policy(model));
    let _ = head.append_child(&meta);
}

#[cfg(test)]
mod tests {
    use super::*;

    fn url(origin: &str) -> ModelUrl {
        ModelUrl {
            href: format!("{origin}/m.bin"),
            origin: origin.into(),
        }
    }

    #[test]
    fn the_policy_names_the_model_origin_and_nothing_else() {
        assert_eq!(connect_policy(None), "connect-src 'self'");
        assert_eq!(
            connect_policy(Some(&url("https://models.example:8443"))),
            "connect-src 'self' https://models.example:8443"
        );
        assert_eq!(connect_policy(Some(&url("null"))), "connect-src 'self'");
        assert_eq!(
            connect_policy(Some(&url("https://a.example; script-src *"))),
            "connect-src 'self'"
        );
    }

    #[test]
    fn only_http_and_https_model_urls() {
        let ok = checked(
            "https:",
            "https://a.example/m.bin".into(),
            "https://a.example".into(),
            "x",
        );
        assert_eq!(ok.map(|u| u.origin), Ok("https://a.example".to_string()));
        let refused = checked(
            "ftp:",
            "ftp://a.example/m.bin".into(),
            "null".into(),
            "ftp://a.example/m.bin",
        )
        .unwrap_err()
        .to_string();
        assert!(
            refused.contains("ftp: addresses") && refused.contains("https://"),
            "{refused}"
        );
        assert!(checked("data:", String::new(), "null".into(), "data:,x").is_err());
    }
}
