//! A file too large to train on whole in the tab (`genre_core::capacity`): the two ways on,
//! a random sample the page reads instead, or the command-line tool with the file's command.

use genre_core::capacity::TooLarge;
use genre_core::ingest::RowSample;
use genre_core::text;
use genre_core::train::TrainOptions;
use leptos::prelude::*;

use super::option_fields::parse_seed;
use super::TrainState;

/// A file name as one word of a shell command (quoted when it needs to be).
fn shell_word(name: &str) -> String {
    if name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || "._-/".contains(c))
    {
        name.to_string()
    } else {
        format!("'{}'", name.replace('\'', "'\\''"))
    }
}

/// The offer under the message: `take` reads the file again as the sample (seeded with the
/// options' seed, so the same seed keeps the same rows).
#[component]
pub fn TooLargeOffer(name: String, too: TooLarge, take: Callback<RowSample>) -> impl IntoView {
    let page = TrainState::use_state();
    let on_take = move |_| {
        let seed =
            parse_seed(&page.options.seed.get_untracked()).unwrap_or(TrainOptions::default().seed);
        take.run(RowSample {
            fraction: too.sample_fraction(),
            seed,
        });
    };
    let cli = format!(
        "genre-lens train --data {} --out model.bin",
        shell_word(&name)
    );
    view! {
        <div class="too-large-offer" id="too-large">
            <p>
                "A random sample of it fits: every row has the same chance to be kept, "
                "and the same seed keeps the same rows."
            </p>
            <button class="button" id="take-sample" on:click=on_take>
                {format!("Train on a random sample of about {} rows", text::count(too.sample_rows))}
            </button>
            <p class="hint">
                "Or train on the whole file with the command-line tool, which keeps to "
                "less memory, then load the model file under Saved models: "
                <code id="too-large-cli">{cli}</code>
            </p>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::shell_word;

    #[test]
    fn names_become_one_shell_word() {
        assert_eq!(shell_word("big-1.csv"), "big-1.csv");
        assert_eq!(shell_word("my file.csv"), "'my file.csv'");
        assert_eq!(shell_word("it's.csv"), "'it'\\''s.csv'");
    }
}
