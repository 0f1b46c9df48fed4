//! The shared layout (header with navigation, the current page, footer) and the whole site.
//!
//! Two apps use the layout: [`App`], the whole site (the `app` binary, loaded on demand), and
//! `first_load::FirstLoadApp`, the Predict page alone (the `predict` binary, what a first visit
//! downloads). Both draw the same [`SiteFrame`], so the hand-over between them is invisible.

use leptos::prelude::*;

use crate::model_store::{ModelState, ModelStore};
use crate::pages::{batch::BatchPage, explore::ExplorePage, predict::PredictPage};
use crate::route::{use_current_page, Page, PredictAddress};

/// The whole site: every page.
#[component]
pub fn App() -> impl IntoView {
    // Loads the bundled model, or brings back the kept model that was active at the last visit.
    let store = ModelStore::provide(crate::pages::predict::link::model_in_location());
    // The Train page's state lives at the app level, so results survive navigating away.
    crate::pages::train::provide_train_state();
    // So do Explore's upload and comparison, and Batch's predictions.
    crate::pages::explore::provide_explore_state();
    crate::pages::batch::provide_batch_state();
    let page = use_current_page();
    view! {
        <SiteFrame page store>
            {move || match page.get() {
                Page::Predict => view! { <PredictPage /> }.into_any(),
                Page::Batch => view! { <BatchPage /> }.into_any(),
                Page::Explore => view! { <ExplorePage /> }.into_any(),
                Page::Train => view! { <crate::pages::train::TrainPage /> }.into_any(),
                Page::Embed => view! { <crate::pages::embed::EmbedPage /> }.into_any(),
            }}
        </SiteFrame>
    }
}

/// Header, navigation, `<main>` holding `children` (the current page), footer; keeps the
/// document title and the scroll position in step with `page`.
#[component]
pub fn SiteFrame(page: ReadSignal<Page>, store: ModelStore, children: Children) -> impl IntoView {
    Effect::new(move |previous: Option<Page>| {
        let current = page.get();
        document().set_title(&format!("{} · Genre Lens", current.title()));
        // A new page starts at its top (the browser keeps the scroll position for fragments).
        if previous.is_some_and(|p| p != current) {
            window().scroll_to_with_x_and_y(0.0, 0.0);
        }
        current
    });

    let predict = PredictAddress::provide();
    let href = move |p: Page| {
        move || match p {
            Page::Predict => predict.href(),
            other => other.href(),
        }
    };
    let nav = Page::ALL
        .into_iter()
        .map(|p| {
            view! {
                <li>
                    <a
                        href=href(p)
                        id=format!("nav-{}", p.id())
                        aria-current=move || (page.get() == p).then_some("page")
                    >
                        {p.title()}
                    </a>
                </li>
            }
        })
        .collect_view();

    let model_status = move || match store.state.get() {
        ModelState::Loading => "Loading model…".to_string(),
        ModelState::Ready(m) => format!("Model: {}", m.meta.name),
        ModelState::Failed(_) => "No model loaded".to_string(),
    };

    view! {
        <header class="site-header">
            <div class="wrap header-row">
                <a class="brand" href=href(Page::Predict)>
                    <svg class="logo" viewBox="0 0 24 24" aria-hidden="true">
                        <circle cx="10.5" cy="10.5" r="6.5" />
                        <line x1="15.5" y1="15.5" x2="21" y2="21" />
                        <path d="M7.5 12.5v-3M10.5 13.5v-5M13.5 12v-2" />
                    </svg>
                    <span>"Genre Lens"</span>
                </a>
                <nav aria-label="Pages">
                    <ul>{nav}</ul>
                </nav>
            </div>
        </header>
        // data-page names the page shown, for tests and page-specific styling.
        <main id="main" class="wrap" data-page=move || page.get().id()>
            {children()}
        </main>
        <footer class="site-footer">
            <div class="wrap">
                <p>
                    "Genre Lens runs entirely in your browser: nothing you enter leaves this page. "
                    <span class="model-status">{model_status}</span>
                </p>
            </div>
        </footer>
    }
}
