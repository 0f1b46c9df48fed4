//! A page's title and the sentence that says what the page is for.

use leptos::prelude::*;

#[component]
pub fn PageIntro(title: &'static str, lead: &'static str) -> impl IntoView {
    view! {
        <section class="page-intro">
            <h1>{title}</h1>
            <p class="lead">{lead}</p>
        </section>
    }
}
