//! A code snippet with its title and a Copy button (the Embed page, Train's Publish panel).

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::JsCast;

/// Copies `text` with the async Clipboard API (reached through Reflect: web-sys gates it behind
/// an unstable feature); resolves to whether it worked.
async fn copy_text(text: String) -> bool {
    let nav = window().navigator();
    let Ok(clipboard) = js_sys::Reflect::get(&nav, &"clipboard".into()) else {
        return false;
    };
    let Ok(write) = js_sys::Reflect::get(&clipboard, &"writeText".into()) else {
        return false;
    };
    let Some(write) = write.dyn_ref::<js_sys::Function>() else {
        return false;
    };
    match write.call1(&clipboard, &text.into()) {
        Ok(p) => match p.dyn_into::<js_sys::Promise>() {
            Ok(p) => wasm_bindgen_futures::JsFuture::from(p).await.is_ok(),
            Err(_) => false,
        },
        Err(_) => false,
    }
}

#[component]
pub fn Snippet(id: &'static str, title: &'static str, text: Signal<String>) -> impl IntoView {
    let status = RwSignal::new("");
    let on_copy = move |_| {
        let t = text.get_untracked();
        spawn_local(async move {
            status.set(if copy_text(t).await {
                "Copied."
            } else {
                "Copy failed: select the text and copy it."
            });
        });
    };
    view! {
        <div class="snippet">
            <div class="snippet-head">
                <h3>{title}</h3>
                <button class="button small" type="button" id=format!("copy-{id}") on:click=on_copy>"Copy"</button>
                <span class="copy-status" role="status">{move || status.get()}</span>
            </div>
            <pre class="code"><code id=format!("snippet-{id}")>{move || text.get()}</code></pre>
        </div>
    }
}
