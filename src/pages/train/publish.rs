//! Publish a kept model: its file (downloaded when the user presses Publish) goes on the user's
//! own web server, and the widget loads it from there with `model=<URL>`. The panel asks where
//! the file will be, and writes both embed snippets (the iframe and the custom element, the
//! Embed page's [`iframe_snippet`] and [`element_snippet`]) for that address.

use leptos::prelude::*;

use crate::components::snippet::Snippet;
use crate::widget::connect::absolute;
use crate::widget::snippets::{
    element_snippet, iframe_snippet, site_base, site_origin, widget_query,
};

/// The header the file's server must send so the widget (on this site) may read it.
const CORS_HEADER: &str = "Access-Control-Allow-Origin: *";

#[component]
pub fn PublishPanel(
    /// The model file's name, as downloaded.
    file: String,
) -> impl IntoView {
    let example = format!("https://your.site/models/{file}");
    let typed = RwSignal::new(String::new());
    let checked = Memo::new(move |_| {
        let t = typed.get();
        (!t.trim().is_empty()).then(|| absolute(&t).map(|u| u.href))
    });
    // Until a valid address is typed, the snippets show the example one: a complete template.
    let ex = example.clone();
    let url = Memo::new(move |_| match checked.get() {
        Some(Ok(u)) => u,
        _ => ex.clone(),
    });
    let base = site_base();
    let origin = site_origin();
    let b = base.clone();
    let iframe_text = Signal::derive(move || {
        iframe_snippet(&b, &widget_query(&url.get(), "light", &[], true), &origin)
    });
    let element_text = Signal::derive(move || element_snippet(&base, &url.get(), "light", None));
    let try_it = move || {
        checked
            .get()
            .and_then(Result::ok)
            .map(|u| format!("widget.html?{}", widget_query(&u, "light", &[], true)))
    };
    view! {
        <div class="publish" id="publish-panel" role="region" aria-labelledby="publish-title">
            <h3 id="publish-title">"Publish this model"</h3>
            <ol class="publish-steps">
                <li>
                    "Its file, " <code id="publish-file">{file.clone()}</code>
                    ", is in your downloads. Put it on your web site."
                </li>
                <li>
                    "Serve it with the header " <code>{CORS_HEADER}</code>
                    ": the widget runs on this site and may only read a file on another site "
                    "that allows it (the " <a href="#/embed">"Embed page"</a> " says how on common hosts)."

                </li>
                <li>
                    <label class="publish-url" for="publish-url">"The file's address on your site"</label>
                    <input id="publish-url" class="text-input" type="url" inputmode="url" autocomplete="off"
                        spellcheck="false" placeholder=example
                        aria-describedby="publish-url-message"
                        prop:value=move || typed.get()
                        on:input=move |ev| typed.set(event_target_value(&ev)) />
                    <p id="publish-url-message" role="status"
                        class=move || if matches!(checked.get(), Some(Err(_))) { "msg error" } else { "hint" }>
                        {move || match checked.get() {
                            None => "The snippets below use the example address until you type yours.".to_string(),
                            Some(Ok(_)) => "The snippets below load the model from this address.".to_string(),
                            Some(Err(e)) => e.to_string(),
                        }}
                    </p>
                </li>
            </ol>
            <Snippet id="publish-iframe" title="An iframe" text=iframe_text />
            <Snippet id="publish-element" title="A custom element" text=element_text />
            {move || try_it().map(|href| view! {
                <p class="hint">
                    "Once the file is there: "
                    <a href=href id="publish-try" target="_blank" rel="noopener">"open the widget with it"</a>
                    "; a problem with the file is shown in the widget."
                </p>
            })}
        </div>
    }
}
