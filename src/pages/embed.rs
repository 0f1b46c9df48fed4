//! Embed: the widget's options, a live preview, and copy-paste snippets (an iframe with its
//! postMessage API, and the `<genre-lens-widget>` custom element) written for the URL this site
//! is served from, so they work wherever `dist/` is deployed.

use genre_core::feature::Feature;
use leptos::prelude::*;
use leptos::task::spawn_local;

use crate::components::page_intro::PageIntro;
use crate::components::snippet::Snippet;
use crate::model_store::ModelStore;
use crate::widget::snippets::{
    element_snippet, iframe_snippet, site_base, site_origin, widget_query,
};

/// What the page is for, under its title.
const LEAD: &str =
    "A compact widget for any web page: paste one of the snippets below. It runs the model in \
    the visitor's browser, like this site, and talks to your page only through the messages \
    you send it.";

/// The Model select's value for "a model file at a URL" (`:` keeps it apart from the names of
/// saved models, which the select lists too).
const MODEL_AT_URL: &str = ":url";

/// The address the snippets show until the user types the real one.
const EXAMPLE_MODEL_URL: &str = "https://your.site/models/my-model.bin";

#[component]
pub fn EmbedPage() -> impl IntoView {
    let store = ModelStore::use_store();
    let base = site_base();
    let origin = site_origin();

    // The select's value: "bundled", a saved model's name, or MODEL_AT_URL (then the address
    // typed beside it is the model).
    let choice = RwSignal::new("bundled".to_string());
    let typed_url = RwSignal::new(String::new());
    let at_url = move || choice.get() == MODEL_AT_URL;
    // The snippets always name a model: the example address until one is typed. The preview
    // only fetches an address the user typed.
    let model = Memo::new(move |_| {
        if !at_url() {
            return choice.get();
        }
        let t = typed_url.get().trim().to_string();
        if t.is_empty() {
            EXAMPLE_MODEL_URL.to_string()
        } else {
            t
        }
    });
    let preview_model = Memo::new(move |_| {
        if at_url() && typed_url.get().trim().is_empty() {
            "bundled".to_string()
        } else {
            model.get()
        }
    });
    let theme = RwSignal::new("light".to_string());
    let saved = RwSignal::new(Vec::<String>::new());
    spawn_local(async move {
        if let Ok(list) = crate::storage::list().await {
            saved.set(list.into_iter().map(|m| m.name).collect());
        }
    });
    // The fields offered are the active model's; the widget shows the original nine by default.
    let model_features = Memo::new(move |_| {
        store
            .model()
            .map(|m| m.features().as_slice().to_vec())
            .unwrap_or_else(|| Feature::ORIGINAL_NINE.to_vec())
    });
    let default_fields = move || {
        model_features.with(|all| {
            Feature::ORIGINAL_NINE
                .iter()
                .copied()
                .filter(|f| all.contains(f))
                .collect::<Vec<_>>()
        })
    };
    let chosen = RwSignal::new(Vec::<Feature>::new());
    Effect::new(move |_| chosen.set(default_fields()));

    let query_for = move |model: &str| {
        let fields = chosen.get();
        let is_default = fields == default_fields();
        widget_query(model, &theme.get(), &fields, is_default)
    };
    let query = Memo::new(move |_| query_for(&model.get()));
    let preview_src = move || format!("widget.html?{}", query_for(&preview_model.get()));
    let b = base.clone();
    let o = origin.clone();
    let iframe_text = Signal::derive(move || iframe_snippet(&b, &query.get(), &o));
    let b = base.clone();
    let element_text = Signal::derive(move || {
        let fields = chosen.get();
        let f = (fields != default_fields()).then(|| {
            fields
                .iter()
                .map(|f| f.name())
                .collect::<Vec<_>>()
                .join(",")
        });
        element_snippet(&b, &model.get(), &theme.get(), f)
    });

    let field_boxes = move || {
        model_features
            .get()
            .into_iter()
            .map(|f| {
                let checked = move || chosen.with(|c| c.contains(&f));
                let on_change = move |_| {
                    chosen.update(|c| {
                        if let Some(i) = c.iter().position(|x| *x == f) {
                            c.remove(i);
                        } else {
                            c.push(f);
                        }
                    })
                };
                view! {
                    <label class="check">
                        <input type="checkbox" prop:checked=checked on:change=on_change />
                        {f.label()}
                    </label>
                }
            })
            .collect_view()
    };

    view! {
        <PageIntro title="Put the predictor in your page" lead=LEAD />
        <div class="embed-grid">
            <div class="embed-side">
                <section class="card" aria-labelledby="embed-options-title">
                    <h2 id="embed-options-title">"Options"</h2>
                    <div class="embed-options">
                        <label class="opt">
                            "Model"
                            <select id="embed-model" on:change=move |ev| choice.set(event_target_value(&ev))>
                                <option value="bundled" selected=true>"Bundled model"</option>
                                <option value="forest">"Bundled random forest"</option>
                                <option value=MODEL_AT_URL>"A model file you publish (URL)"</option>
                                {move || saved.get().into_iter().map(|name| {
                                    let label = format!("Saved: {name}");
                                    view! { <option value=name>{label}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <Show when=at_url>
                            <label class="opt">
                                "The model file's address"
                                <input id="embed-model-url" type="url" inputmode="url" autocomplete="off"
                                    spellcheck="false" placeholder=EXAMPLE_MODEL_URL
                                    prop:value=move || typed_url.get()
                                    on:change=move |ev| typed_url.set(event_target_value(&ev)) />
                            </label>
                            <p class="card-sub" id="embed-url-note">
                                "Publish a kept model from the Train page, put its file on your site, and "
                                "serve it with the header " <code>"Access-Control-Allow-Origin: *"</code>
                                " so the widget (on this site) may read it. The preview shows what your "
                                "visitors will see, a problem with the file included."
                            </p>
                        </Show>
                        <fieldset class="opt">
                            <legend>"Theme"</legend>
                            {["light", "dark"].into_iter().map(|t| view! {
                                <label class="check">
                                    <input type="radio" name="embed-theme" id=format!("embed-theme-{t}")
                                        prop:checked=move || theme.get() == t
                                        on:change=move |_| theme.set(t.to_string()) />
                                    {if t == "light" { "Light" } else { "Dark" }}
                                </label>
                            }).collect_view()}
                        </fieldset>
                        <fieldset class="opt">
                            <legend>"Fields shown"</legend>
                            <div class="checks">{field_boxes}</div>
                        </fieldset>
                    </div>
                    <p class="card-sub">
                        "A saved model is read from the visitor's own browser, so it only works for "
                        "people who saved a model of that name on this site's Train page."
                    </p>
                </section>
                <section class="card" aria-labelledby="embed-preview-title">
                    <h2 id="embed-preview-title">"Preview"</h2>
                    <iframe id="embed-preview" class="embed-preview" title="Genre Lens widget preview"
                        src=preview_src width="360" height="480"></iframe>
                    <p class="card-sub">
                        <a href="widget.html" target="_blank" rel="noopener">"Open the widget alone"</a>
                        " · "
                        <a href="embed-example.html" id="embed-example-link">"Live example page"</a>
                    </p>
                </section>
            </div>
            <section class="card embed-snippets" aria-labelledby="embed-snippets-title">
                <h2 id="embed-snippets-title">"Snippets"</h2>
                <p class="card-sub">"Written for " <code id="embed-base">{base.clone()}</code> "."</p>
                <Snippet id="iframe" title="An iframe, with its postMessage API" text=iframe_text />
                <Snippet id="element" title="A custom element" text=element_text />
                <h3>"Messages"</h3>
                <ul class="api-list">
                    <li><code>"{type: \"predict\", id?, features: {energy: 0.8, …}}"</code>
                        " → "<code>"{type: \"prediction\", id?, genre, confidence, probabilities: {genre: p}, top}"</code>
                        ". Missing features take the training median."</li>
                    <li>"A malformed message gets " <code>"{type: \"error\", id?, message}"</code> "."</li>
                    <li><code>"{type: \"ready\", features, genres}"</code>
                        " when the model has loaded; the visitor's own edits are announced as "
                        <code>"prediction"</code> " with " <code>"source: \"user\""</code> "."</li>
                    <li>"Add " <code>"&origin=https://your.site"</code>
                        " to the widget URL to accept and announce to that origin only."</li>
                    <li>"A model that cannot be loaded (no file at the address, a server that does "
                        "not allow other sites, a file that is not a Genre Lens model or is from a newer "
                        "version) is named in the widget and sent as " <code>"{type: \"error\", message}"</code>
                        "; the widget keeps a copy of a file it loaded once, for visits without a network."</li>
                </ul>
            </section>
        </div>
    }
}
