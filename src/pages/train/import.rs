//! A LightGBM or XGBoost model brought into the saved models: the file is read in the parser
//! worker (`genre_core::interop`), then a panel shows what was read and asks what the file
//! cannot say: the class names (typed, pasted, or a CSV's label column in the order
//! scikit-learn's `LabelEncoder` numbers them) and which audio feature each column is (matched
//! by name, picked where the names are placeholders or unknown). Import converts it in the
//! worker into our model file, which is kept and used like a trained one.
//!
//! The panel's state is the page's ([`ImportView`] in `TrainState`): leaving Train and coming
//! back, or an error, never loses what the user typed.

use std::sync::Arc;

use genre_core::error::{ImportError, IngestError};
use genre_core::feature::Feature;
use genre_core::ingest::IngestOptions;
use genre_core::interop::{class_names, label_encoder_order, ForeignSummary, ImportOptions};
use genre_core::text;
use leptos::prelude::*;
use leptos::task::spawn_local;

use super::keep::{keep_and_use, Brought};
use super::TrainState;
use crate::components::rich_text::rich_text;
use crate::csv_upload::{read_file, sliced::read_csv_sliced, Upload};
use crate::model_store::ModelStore;
use crate::worker::pool::{parser, WorkerError};

/// A model file read, waiting for its class names and features.
#[derive(Clone, Debug, PartialEq)]
pub struct ImportDraft {
    pub file_name: String,
    pub file: Arc<Vec<u8>>,
    pub summary: ForeignSummary,
}

/// The import panel's state: the file read and what the user has said about it.
#[derive(Clone, Copy)]
pub struct ImportView {
    pub draft: RwSignal<Option<ImportDraft>>,
    pub classes: RwSignal<String>,
    /// The audio feature of each model column (`None`: not picked).
    pub features: RwSignal<Vec<Option<Feature>>>,
    pub name: RwSignal<String>,
    /// Where the class names came from (a CSV's label column), or why they could not.
    pub classes_note: RwSignal<Option<(bool, String)>>,
    pub error: RwSignal<Option<String>>,
    /// The worker is reading or converting.
    pub busy: RwSignal<bool>,
}

impl ImportView {
    pub fn new() -> ImportView {
        ImportView {
            draft: RwSignal::new(None),
            classes: RwSignal::new(String::new()),
            features: RwSignal::new(Vec::new()),
            name: RwSignal::new(String::new()),
            classes_note: RwSignal::new(None),
            error: RwSignal::new(None),
            busy: RwSignal::new(false),
        }
    }

    /// Reads a LightGBM or XGBoost model file in the worker and opens the panel for it; the
    /// worker's answer when it cannot be read (the core's sentence).
    pub async fn open(self, file_name: String, file: Vec<u8>) -> Result<(), WorkerError> {
        self.busy.set(true);
        let read = parser().read_model(&file).await;
        self.busy.set(false);
        let summary = read?;
        self.features
            .set(summary.columns.iter().map(|c| c.feature).collect());
        self.name
            .set(format!("{} model ({file_name})", summary.library.name()));
        self.classes_note.set(None);
        self.error.set(None);
        self.draft.set(Some(ImportDraft {
            file_name,
            file: Arc::new(file),
            summary,
        }));
        Ok(())
    }

    fn close(self) {
        self.draft.set(None);
        self.error.set(None);
        self.classes_note.set(None);
    }

    /// What the user said, as the core's options (or why the class list cannot be read).
    fn options(self, draft: &ImportDraft) -> Result<ImportOptions, ImportError> {
        import_options(
            draft,
            &self.classes.get_untracked(),
            &self.features.get_untracked(),
            &self.name.get_untracked(),
            crate::storage::timestamp(),
        )
    }
}

/// The core's options from what the panel holds: the class box, the feature picked for each
/// column, the name (the file's when empty) and the date.
fn import_options(
    draft: &ImportDraft,
    classes: &str,
    picked: &[Option<Feature>],
    name: &str,
    imported_at: String,
) -> Result<ImportOptions, ImportError> {
    let classes = class_names(classes)?;
    // Unpicked columns keep the file's name: the core says why that is not enough for a
    // column the trees use, and ignores it for one they do not.
    let features = draft
        .summary
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| match picked.get(i).copied().flatten() {
            Some(f) => f.name().to_string(),
            None => c.name.clone(),
        })
        .collect();
    let name = name.trim();
    Ok(ImportOptions {
        classes: (!classes.is_empty()).then_some(classes),
        features: Some(features),
        name: if name.is_empty() {
            draft.file_name.clone()
        } else {
            name.to_string()
        },
        file_name: draft.file_name.clone(),
        imported_at,
    })
}

/// The class names in a CSV's label column, found as the ingest finds it for training, in
/// `LabelEncoder`'s order: one a line for the class box, and the note saying where they came
/// from.
async fn classes_from_csv(upload: &Upload) -> Result<(String, String), IngestError> {
    let read = read_csv_sliced(
        &upload.bytes,
        &IngestOptions::for_training(),
        &mut |_, _| {},
    )
    .await?;
    let classes = label_encoder_order(&read.classes);
    let column = read.report.label_column.unwrap_or_default();
    let note = format!(
        "{} class names from the column `{column}` of {}, sorted as scikit-learn's LabelEncoder numbers them.",
        text::count(classes.len() as u64),
        upload.name
    );
    Ok((classes.join("\n"), note))
}

/// How many names the class box holds now (for the count beside it).
fn given_classes(text: &str) -> Option<usize> {
    class_names(text).ok().map(|c| c.len())
}

#[component]
pub fn ImportPanel(
    /// Where the saved-models card says what happened to a model file.
    file_message: RwSignal<Option<(bool, String)>>,
) -> impl IntoView {
    let page = TrainState::use_state();
    let store = ModelStore::use_store();
    let view = page.import;
    let draft = move || view.draft.get();
    let on_csv = move |ev: leptos::ev::Event| {
        let input: web_sys::HtmlInputElement = event_target(&ev);
        let Some(file) = input.files().and_then(|f| f.get(0)) else {
            return;
        };
        input.set_value("");
        spawn_local(async move {
            let upload = match read_file(&file).await {
                Ok(upload) => upload,
                Err(e) => return view.classes_note.set(Some((false, e))),
            };
            match classes_from_csv(&upload).await {
                Ok((classes, note)) => {
                    view.classes.set(classes);
                    view.classes_note.set(Some((true, note)));
                }
                Err(e) => view
                    .classes_note
                    .set(Some((false, format!("{}: {e}", upload.name)))),
            }
        });
    };
    let on_import = move |_| {
        let Some(draft) = view.draft.get_untracked() else {
            return;
        };
        let options = match view.options(&draft) {
            Ok(o) => o,
            Err(e) => return view.error.set(Some(e.to_string())),
        };
        view.error.set(None);
        view.busy.set(true);
        spawn_local(async move {
            let made = parser().import_model(&draft.file, options).await;
            let outcome = match made {
                Ok(model) => keep_and_use((page, store), &draft.file_name, "Imported", model).await,
                Err(e) => Brought::Refused(e.to_string()),
            };
            view.busy.set(false);
            match outcome {
                Brought::Refused(e) => view.error.set(Some(e)),
                shown => {
                    view.close();
                    file_message.set(Some(shown.message()));
                }
            }
        });
    };
    move || {
        draft().map(|d| {
            let s = &d.summary;
            let read = format!(
                "{} {} · objective `{}` · {} trees · {} classes · {} columns",
                s.library.name(),
                s.version,
                s.objective,
                text::count(s.trees as u64),
                s.n_classes,
                s.columns.len()
            );
            let expected = s.n_classes;
            let count = move || match given_classes(&view.classes.get()) {
                Some(0) | None => format!("{expected} expected, in the library's class order (0, 1, …); none given names them 0, 1, …"),
                Some(n) => format!("{n} given, {expected} expected"),
            };
            let placeholder = s.placeholder_names;
            let rows = s
                .columns
                .iter()
                .enumerate()
                .map(|(i, c)| column_row(i, c.name.clone(), c.used, view))
                .collect_view();
            view! {
                <div class="import-panel" id="import-panel" role="region" aria-labelledby="import-title">
                    <h3 id="import-title">{format!("Import {}", d.file_name)}</h3>
                    <p class="import-read" id="import-read">{rich_text(&read)}</p>
                    <div class="param import-classes">
                        <label for="import-classes">"Class names"</label>
                        <textarea id="import-classes" rows="4"
                            placeholder="One a line, or a comma-separated list"
                            prop:value=move || view.classes.get()
                            on:input=move |ev| view.classes.set(event_target_value(&ev))
                        ></textarea>
                        <span class="hint" id="import-classes-count">{count}</span>
                        <label class="button secondary small file-button">
                            "Take them from a CSV's label column…"
                            <input type="file" id="import-classes-csv" class="visually-hidden"
                                accept=".csv,.tsv,.txt,text/csv,text/plain" on:change=on_csv />
                        </label>
                        {move || view.classes_note.get().map(|(ok, m)| view! {
                            <p class=if ok { "msg ok" } else { "msg error" } id="import-classes-note">{rich_text(&m)}</p>
                        })}
                    </div>
                    <div class="import-features">
                        <p class="import-features-title">
                            {if placeholder {
                                "Features: the file has no names for its columns, so say which audio feature each used one is."
                            } else {
                                "Features, matched by name: pick one where a column's name is not an audio feature's."
                            }}
                        </p>
                        <table class="data-table import-map" id="import-map">
                            <thead><tr><th scope="col">"Model column"</th><th scope="col">"Audio feature"</th></tr></thead>
                            <tbody>{rows}</tbody>
                        </table>
                    </div>
                    <div class="param">
                        <label for="import-name">"Name"</label>
                        <input id="import-name" class="num import-name"
                            prop:value=move || view.name.get()
                            on:input=move |ev| view.name.set(event_target_value(&ev)) />
                    </div>
                    <div class="saved-tools">
                        <button class="button" id="import-button" on:click=on_import
                            disabled=move || view.busy.get()>
                            {move || if view.busy.get() { "Importing…" } else { "Import" }}
                        </button>
                        <button class="button secondary" id="import-cancel" on:click=move |_| view.close()>"Cancel"</button>
                    </div>
                    {move || view.error.get().map(|e| view! {
                        <p class="msg error" id="import-error" role="alert">{rich_text(&e)}</p>
                    })}
                </div>
            }
        })
    }
}

/// A model column and the select of its audio feature. A used column without a feature is
/// marked until one is picked; an unused one needs none.
fn column_row(i: usize, name: String, used: bool, view: ImportView) -> impl IntoView {
    let picked = move || view.features.with(|f| f.get(i).copied().flatten());
    let missing = move || used && picked().is_none();
    let on_pick = move |ev: leptos::ev::Event| {
        let value = event_target_value(&ev);
        let feature = Feature::ALL.into_iter().find(|f| f.name() == value);
        view.features.update(|f| {
            if let Some(slot) = f.get_mut(i) {
                *slot = feature;
            }
        });
    };
    let empty = if used {
        "— pick a feature —"
    } else {
        "— unused —"
    };
    let options = Feature::ALL
        .into_iter()
        .map(|f| {
            view! {
                <option value=f.name() selected=move || picked() == Some(f)>{f.label()}</option>
            }
        })
        .collect_view();
    let label = format!("Audio feature of column {} ({name})", i + 1);
    view! {
        <tr class:missing=missing>
            <td>
                <code>{name}</code>
                {(!used).then(|| view! { <span class="hint">" (not used by the trees)"</span> })}
            </td>
            <td class:invalid=missing>
                <select id=format!("import-feature-{i}") aria-label=label
                    aria-invalid=move || missing().to_string() on:change=on_pick>
                    <option value="" selected=move || picked().is_none()>{empty}</option>
                    {options}
                </select>
            </td>
        </tr>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use genre_core::interop::{import, read};

    const UNNAMED: &str =
        include_str!("../../../crates/genre-core/tests/fixtures/interop/lgb_unnamed.txt");
    const NAMED: &str =
        include_str!("../../../crates/genre-core/tests/fixtures/interop/lgb_multiclass.txt");

    fn draft(text: &str) -> ImportDraft {
        ImportDraft {
            file_name: "model.txt".into(),
            file: Arc::new(text.as_bytes().to_vec()),
            summary: read(text.as_bytes()).unwrap().summary(),
        }
    }

    #[test]
    fn the_panels_answers_are_what_the_core_needs() {
        let unnamed = draft(UNNAMED);
        let columns = unnamed.summary.columns.len();
        // Nothing picked: the file's placeholders go to the core, which names the first used.
        let nothing = import_options(&unnamed, "", &vec![None; columns], " ", "d".into()).unwrap();
        assert_eq!(nothing.classes, None);
        assert_eq!(nothing.name, "model.txt");
        let err = import(UNNAMED.as_bytes(), &nothing).unwrap_err();
        assert!(matches!(err, ImportError::UnknownFeature { .. }), "{err}");
        assert!(err.to_string().contains("feature picker"), "{err}");
        // Picked as the named twin's columns: it imports, each column its feature.
        let picked: Vec<Option<Feature>> = read(NAMED.as_bytes())
            .unwrap()
            .summary()
            .columns
            .iter()
            .map(|c| c.feature)
            .collect();
        assert!(picked.iter().all(Option::is_some));
        let opts = import_options(&unnamed, "a\nb\nc\nd", &picked, " Mine ", "d".into()).unwrap();
        assert_eq!(opts.name, "Mine");
        let model = import(UNNAMED.as_bytes(), &opts).unwrap();
        assert_eq!(model.classes, ["a", "b", "c", "d"]);
        let used: Vec<Feature> = picked
            .iter()
            .zip(&unnamed.summary.columns)
            .filter(|(_, c)| c.used)
            .map(|(f, _)| f.unwrap())
            .collect();
        assert_eq!(model.features().as_slice(), used.as_slice());
        // Three names for four classes: the core's count, not a guess.
        let short = import_options(&unnamed, "a, b, c", &picked, "", "d".into()).unwrap();
        assert_eq!(
            import(UNNAMED.as_bytes(), &short).unwrap_err(),
            ImportError::ClassCount {
                given: 3,
                expected: 4
            }
        );
        assert_eq!(
            import_options(&unnamed, "a,,b", &picked, "", "d".into()).unwrap_err(),
            ImportError::EmptyClassName { position: 2 }
        );
    }
}
