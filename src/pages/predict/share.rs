//! "Copy link": the address of this prediction (values and model), copied with the Clipboard
//! API; where that is missing or refused (an insecure origin, a denied permission), the link is
//! shown selected in a field to copy by hand. Either way the link is shown, so the user sees
//! what they share.

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

#[derive(Clone, PartialEq)]
enum Copied {
    Not,
    Yes(String),
    ByHand(String),
}

/// Writes `text` to the clipboard; Err with a sentence when the browser has no Clipboard API
/// here or refuses it.
async fn write_clipboard(text: &str) -> Result<(), String> {
    let navigator = window().navigator();
    let clipboard = js_sys::Reflect::get(&navigator, &"clipboard".into())
        .ok()
        .filter(|c| !c.is_undefined() && !c.is_null())
        .ok_or("This browser offers no clipboard here.")?;
    let write = js_sys::Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("This browser offers no clipboard here.")?;
    let promise = write
        .call1(&clipboard, &text.into())
        .map_err(|e| crate::browser::js_error_text(&e))?
        .dyn_into::<js_sys::Promise>()
        .map_err(|_| "The clipboard did not answer.".to_string())?;
    wasm_bindgen_futures::JsFuture::from(promise)
        .await
        .map(drop)
        .map_err(|e| crate::browser::js_error_text(&e))
}

#[component]
pub fn ShareLink(
    /// The link to share, as it is now.
    #[prop(into)]
    link: Signal<String>,
) -> impl IntoView {
    let copied = RwSignal::new(Copied::Not);
    // An edit after copying makes the shown link stale: hide it.
    Effect::new(move |_| {
        link.track();
        copied.set(Copied::Not);
    });
    let on_copy = move |_| {
        let url = link.get_untracked();
        spawn_local(async move {
            let result = write_clipboard(&url).await;
            copied.set(match result {
                Ok(()) => Copied::Yes(url),
                Err(_) => Copied::ByHand(url),
            });
        });
    };
    let shown = move || match copied.get() {
        Copied::Not => None,
        Copied::Yes(url) => Some(("Link copied: it opens this prediction.", url)),
        Copied::ByHand(url) => Some((
            "The browser did not allow copying: copy this link by hand.",
            url,
        )),
    };
    view! {
        <div class="share">
            <button class="button secondary" type="button" id="copy-link" on:click=on_copy>
                "Copy link"
            </button>
            <span class="share-note">"The values and the model, as a link."</span>
            {move || shown().map(|(text, url)| view! {
                <p class="share-status" id="share-status" role="status">{text}</p>
                <input
                    class="share-url"
                    id="share-url"
                    type="text"
                    readonly=true
                    aria-label="Link to this prediction"
                    prop:value=url
                    on:focus=move |ev| {
                        if let Some(input) = ev
                            .target()
                            .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
                        {
                            input.select();
                        }
                    }
                />
            })}
        </div>
    }
}
