//! The snippets that embed the widget in another page (an iframe with its postMessage API, and
//! the `<genre-lens-widget>` custom element), written for the URL this site is served from, so
//! they work wherever `dist/` is deployed: the Embed page and Train's Publish panel show them.

use genre_core::feature::Feature;
use leptos::prelude::*;

/// The folder the site is served from (`https://host/some/path/`), from `location`.
pub fn site_base() -> String {
    let href = window().location().href().unwrap_or_default();
    web_sys::Url::new_with_base("./", &href)
        .map(|u| u.href())
        .unwrap_or(href)
}

pub fn site_origin() -> String {
    window().location().origin().unwrap_or_default()
}

/// The widget's query for these options (defaults left out, values URL-encoded).
pub fn widget_query(model: &str, theme: &str, fields: &[Feature], default_fields: bool) -> String {
    let mut q = format!(
        "model={}&theme={theme}",
        String::from(js_sys::encode_uri_component(model))
    );
    if !default_fields && !fields.is_empty() {
        let names: Vec<&str> = fields.iter().map(|f| f.name()).collect();
        q.push_str(&format!("&fields={}", names.join(",")));
    }
    q
}

pub fn iframe_snippet(base: &str, query: &str, origin: &str) -> String {
    let q = query.replace('&', "&amp;");
    format!(
        r#"<iframe id="genre-lens" src="{base}widget.html?{q}"
        title="Genre Lens: predict a track's genre" width="360" height="480"
        style="border:0;max-width:100%"></iframe>
<script>
  // Optional: drive it and listen to it (the widget answers only its sender's origin).
  const frame = document.getElementById("genre-lens");
  window.addEventListener("message", (e) => {{
    if (e.source !== frame.contentWindow) return;
    if (e.data.type === "ready")
      frame.contentWindow.postMessage(
        {{ type: "predict", id: 1, features: {{ energy: 0.8, tempo: 128 }} }}, "{origin}");
    if (e.data.type === "prediction") console.log(e.data.genre, e.data.probabilities);
    if (e.data.type === "error") console.warn(e.data.message);
  }});
</script>"#
    )
}

pub fn element_snippet(base: &str, model: &str, theme: &str, fields: Option<String>) -> String {
    let fields_attr = fields
        .map(|f| format!(r#" fields="{f}""#))
        .unwrap_or_default();
    let model = model.replace('&', "&amp;").replace('"', "&quot;");
    format!(
        r#"<script type="module" src="{base}genre-lens-widget.js"></script>
<genre-lens-widget model="{model}" theme="{theme}"{fields_attr}></genre-lens-widget>
<script type="module">
  const widget = document.querySelector("genre-lens-widget");
  widget.addEventListener("prediction", (e) => console.log(e.detail.genre));
  const answer = await widget.predict({{ energy: 0.8, tempo: 128 }});
  console.log(answer.genre, answer.probabilities);
</script>"#
    )
}
