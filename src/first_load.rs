//! What a first visit downloads: the Predict page (and the widget) in the `predict` binary,
//! about 40% of the whole site's code. The other pages (Batch, Explore, Train, Embed) live in
//! the `app` binary, which `public/boot.js` fetches with their styles the first time the
//! visitor goes to one of them (`genreLensLoadSite()`); that binary then mounts the whole
//! site ([`crate::app::App`]) and this one steps aside.
//!
//! Why two binaries and not one split module: trunk has no code splitting (Leptos' lazy routes
//! need cargo-leptos' `wasm-split` pass), and two wasm-bindgen outputs are plain files any
//! static host serves. The cost: the Predict page's code is in both (the site needs it after
//! the hand-over), and a visitor who starts on another page loads this one first (~275 KB),
//! then the site (measured in docs/benchmarks.md).

use std::any::Any;
use std::cell::RefCell;

use leptos::prelude::*;
use leptos::task::spawn_local;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::app::SiteFrame;
use crate::browser::js_error_text;
use crate::components::busy::Busy;
use crate::model_store::ModelStore;
use crate::pages::predict::PredictPage;
use crate::route::{use_current_page, Page};

#[wasm_bindgen]
extern "C" {
    /// `public/boot.js`: loads the site's styles and the `app` binary, which mounts the whole
    /// site; resolves once it has. Retries after a failure.
    #[wasm_bindgen(catch, js_name = genreLensLoadSite)]
    fn load_site() -> Result<js_sys::Promise, JsValue>;
}

thread_local! {
    /// This app's mount, dropped (its nodes removed, its effects and listeners disposed) once
    /// the whole site has mounted beside it.
    static MOUNTED: RefCell<Option<Box<dyn Any>>> = const { RefCell::new(None) };
}

/// Mounts [`FirstLoadApp`] on `<body>`, in place of the site's frame that index.html shows
/// while the wasm loads (`#shell`): both in one task, so no frame shows the two.
pub fn mount() {
    if let Some(shell) = document().get_element_by_id(SHELL_ID) {
        shell.remove();
    }
    let handle = leptos::mount::mount_to(document().body().expect("a <body>"), FirstLoadApp);
    MOUNTED.with(|m| *m.borrow_mut() = Some(Box::new(handle)));
}

/// index.html's static copy of the site's frame.
const SHELL_ID: &str = "shell";

/// The site's frame with the Predict page; any other page hands over to the whole site.
#[component]
pub fn FirstLoadApp() -> impl IntoView {
    let store = ModelStore::provide(crate::pages::predict::link::model_in_location());
    let page = use_current_page();
    // Why the site could not load; cleared when the visitor tries again.
    let failed = RwSignal::new(None::<String>);
    let loading = StoredValue::new(false);
    let start = move || {
        if loading.get_value() {
            return;
        }
        loading.set_value(true);
        failed.set(None);
        spawn_local(async move {
            // On success this app is gone: touch nothing of it.
            if let Err(e) = hand_over().await {
                loading.set_value(false);
                failed.set(Some(e));
            }
        });
    };
    Effect::new(move |_| {
        if page.get() != Page::Predict {
            start();
        }
    });
    view! {
        <SiteFrame page store>
            {move || match (page.get(), failed.get()) {
                (Page::Predict, _) => view! { <PredictPage /> }.into_any(),
                (other, None) => {
                    view! {
                        <div id="site-loading">
                            <Busy class="card loading" text=format!("Loading the {} page…", other.title()) />
                        </div>
                    }
                        .into_any()
                }
                (other, Some(why)) => {
                    view! {
                        <div class="card load-error" role="alert">
                            <h2>{format!("The {} page could not load", other.title())}</h2>
                            <p>{why}</p>
                            <p>"The Predict page still works. Check your connection, then try again."</p>
                            <button class="button" on:click=move |_| start()>"Try again"</button>
                        </div>
                    }
                        .into_any()
                }
            }}
        </SiteFrame>
    }
}

/// Loads and starts the whole site, then removes this app. Errors as a sentence.
async fn hand_over() -> Result<(), String> {
    let promise = load_site().map_err(|e| js_error_text(&e))?;
    JsFuture::from(promise)
        .await
        .map_err(|e| js_error_text(&e))?;
    let handle = MOUNTED.with(|m| m.borrow_mut().take());
    drop(handle);
    Ok(())
}

#[cfg(test)]
mod tests {
    use crate::route::Page;

    /// index.html's frame (shown until the app mounts its own) links the pages the app's does,
    /// under the same titles, in the same order.
    #[test]
    fn the_shell_in_index_html_links_the_apps_pages() {
        let html = include_str!("../index.html");
        let start = html
            .find(&format!("<div id=\"{}\">", super::SHELL_ID))
            .expect("a shell");
        let shell = &html[start..html.find("<!-- /shell -->").expect("its end")];
        let nav =
            &shell[shell.find("<nav").expect("a nav")..shell.find("</nav>").expect("nav's end")];
        let links: Vec<String> = nav
            .split("<a href=\"")
            .skip(1)
            .map(|a| {
                let (href, rest) = a.split_once("\">").expect("a link");
                format!("{href} {}", rest.split_once("</a>").expect("its text").0)
            })
            .collect();
        let pages: Vec<String> = Page::ALL
            .iter()
            .map(|p| format!("{} {}", p.href(), p.title()))
            .collect();
        assert_eq!(links, pages);
        for class in ["site-header", "wrap header-row", "brand", "site-footer"] {
            assert!(shell.contains(&format!("class=\"{class}\"")), "{class}");
            assert!(
                include_str!("app.rs").contains(&format!("class=\"{class}\"")),
                "the app's frame has {class}"
            );
        }
    }
}
