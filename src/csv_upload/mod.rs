//! Uploading a CSV: the `FileDrop` picker (click or drop), reading the file's bytes, reading
//! them with the core's reader in time slices (`sliced`), and showing what the ingest
//! understood (`report`).
//! Shared by Explore and Batch (and usable by Train).

pub mod report;
pub mod sliced;

use leptos::prelude::*;

/// Runs a future whose only awaits are [`crate::browser::yield_now`] (ready at once natively)
/// to completion: lets native unit tests drive the sliced async loops.
#[cfg(test)]
pub(crate) fn block_on<F: std::future::Future>(f: F) -> F::Output {
    use std::task::{Context, Poll, Waker};
    let mut cx = Context::from_waker(Waker::noop());
    let mut f = std::pin::pin!(f);
    loop {
        if let Poll::Ready(v) = f.as_mut().poll(&mut cx) {
            return v;
        }
    }
}

/// A chosen file: its name and bytes.
#[derive(Clone)]
pub struct Upload {
    pub name: String,
    pub bytes: std::sync::Arc<Vec<u8>>,
}

/// Reads the whole file into memory (the browser reads it; nothing is uploaded anywhere).
pub async fn read_file(file: &web_sys::File) -> Result<Upload, String> {
    let buffer = wasm_bindgen_futures::JsFuture::from(file.array_buffer())
        .await
        .map_err(|_| format!("Could not read {}: the browser refused.", file.name()))?;
    Ok(Upload {
        name: file.name(),
        bytes: std::sync::Arc::new(js_sys::Uint8Array::new(&buffer).to_vec()),
    })
}

/// The one file picker of the site (Batch, Explore, Train): a drop zone that is also a button,
/// with the file in use named under it (the bare browser button would still say "No file
/// chosen" after a file was read, since the input is cleared to allow picking it again).
#[component]
pub fn FileDrop(
    /// The `<input>`'s id (tests upload through it).
    id: &'static str,
    /// What to choose, e.g. "Choose a CSV of tracks".
    #[prop(into)]
    label: String,
    /// A hint under the label.
    #[prop(into)]
    hint: String,
    on_file: Callback<web_sys::File>,
    #[prop(into, optional)] disabled: Signal<bool>,
    /// The name of the file the page is using now, shown in the zone.
    #[prop(into, optional)]
    current: Signal<Option<String>>,
    /// The `<input>`'s `accept` list; CSV and text files when not given.
    #[prop(optional)]
    accept: Option<&'static str>,
) -> impl IntoView {
    let (over, set_over) = signal(false);
    let on_change = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        if let Some(file) = input.files().and_then(|f| f.get(0)) {
            on_file.run(file);
        }
        // Clear, so choosing the same file again (after editing it) fires `change` again.
        input.set_value("");
    };
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        set_over.set(false);
        if disabled.get_untracked() {
            return;
        }
        let file = ev
            .data_transfer()
            .and_then(|dt| dt.files())
            .and_then(|f| f.get(0));
        if let Some(file) = file {
            on_file.run(file);
        }
    };
    view! {
        <label
            class="dropzone"
            class:dragging=over
            class:disabled=move || disabled.get()
            on:dragover=move |ev: leptos::ev::DragEvent| {
                ev.prevent_default();
                set_over.set(true);
            }
            on:dragleave=move |_| set_over.set(false)
            on:drop=on_drop
        >
            <input
                id=id
                type="file"
                class="visually-hidden"
                accept=accept.unwrap_or(".csv,.tsv,.txt,text/csv,text/plain")
                disabled=disabled
                on:change=on_change
            />
            <span class="dropzone-title">{label}" — drop it here or "<u>"choose a file"</u></span>
            <span class="dropzone-hint">{hint}</span>
            {move || current.get().map(|name| view! {
                <span class="dropzone-current" id=format!("{id}-current")>
                    "In use: "<strong>{name}</strong>" · choose or drop another to replace it"
                </span>
            })}
        </label>
    }
}
