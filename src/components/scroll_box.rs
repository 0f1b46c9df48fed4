//! A box whose content (a wide table, a large matrix or chart) scrolls sideways in it on a
//! narrow screen. It is a keyboard stop with a name, so a keyboard can reach it and scroll it
//! with the arrow keys, as a mouse or a finger can (axe's `scrollable-region-focusable`).

use leptos::html::Div;
use leptos::prelude::*;

#[component]
pub fn ScrollBox(
    /// What the box holds, as a screen reader announces the region ("Per-genre scores").
    #[prop(into)]
    label: String,
    /// Its classes: `table-scroll` (tables), `chart-scroll`, `cm-scroll`, with modifiers.
    #[prop(into, default = "table-scroll".to_string())]
    class: String,
    /// For a caller that measures the box.
    #[prop(optional)]
    node_ref: Option<NodeRef<Div>>,
    children: Children,
) -> impl IntoView {
    let node_ref = node_ref.unwrap_or_default();
    view! {
        <div class=class node_ref=node_ref tabindex="0" role="region" aria-label=label>
            {children()}
        </div>
    }
}
