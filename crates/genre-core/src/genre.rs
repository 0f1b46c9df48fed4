//! How a genre's name is shown to people. The data set spells its genres in two styles
//! ("Dark Trap", "Underground Rap" beside "trap", "dnb", "techhouse"); the model keeps the
//! labels exactly as the data has them (files, downloads and the CLI's `--json` round-trip), and
//! every view shows them through [`display_name`] so one page never mixes the two styles.

/// The data set's labels that title-casing alone would show wrongly.
const KNOWN: [(&str, &str); 7] = [
    ("dnb", "Drum & Bass"),
    ("techhouse", "Tech House"),
    ("hiphop", "Hip-Hop"),
    ("hip-hop", "Hip-Hop"),
    ("rnb", "R&B"),
    ("r-n-b", "R&B"),
    ("edm", "EDM"),
];

/// The label as shown: known spellings mapped ("dnb" → "Drum & Bass"); lower-case slugs with
/// each word capitalised ("trap" → "Trap", "alt-rock" → "Alt-Rock", "dark_trap" → "Dark Trap");
/// anything else exactly as the file spells it ("Dark Trap", "EDM", a user's own "K-Pop (old)"),
/// since a label that already has capitals or other characters was written that way on purpose.
pub fn display_name(label: &str) -> String {
    let trimmed = label.trim();
    let key = trimmed.to_lowercase();
    if let Some((_, shown)) = KNOWN.iter().find(|(k, _)| *k == key) {
        return (*shown).to_string();
    }
    let slug = trimmed
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '-' | '_' | ' '));
    if !slug {
        return trimmed.to_string();
    }
    let mut out = String::with_capacity(trimmed.len());
    let mut start_of_word = true;
    for c in trimmed.chars() {
        let c = if c == '_' { ' ' } else { c };
        if start_of_word && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start_of_word = c == ' ' || c == '-';
    }
    out
}

/// A genre named in a sentence: as the charts show it, with the file's own spelling in
/// backticks when that differs ("Rnb-0 (`rnb-0`)", "`Dark Trap`"), so a message and a chart
/// never seem to speak of two genres.
pub fn named(label: &str) -> String {
    let shown = display_name(label);
    if shown == label {
        format!("`{label}`")
    } else {
        format!("{shown} (`{label}`)")
    }
}

#[cfg(test)]
mod tests {
    use super::{display_name, named};

    #[test]
    fn a_named_genre_is_the_charts_name_and_the_files() {
        assert_eq!(named("rnb-0"), "Rnb-0 (`rnb-0`)");
        assert_eq!(named("Dark Trap"), "`Dark Trap`");
        assert_eq!(named("dnb"), "Drum & Bass (`dnb`)");
    }

    #[test]
    fn the_data_sets_two_styles_look_alike() {
        assert_eq!(display_name("trap"), "Trap");
        assert_eq!(display_name("Dark Trap"), "Dark Trap");
        assert_eq!(display_name("dnb"), "Drum & Bass");
        assert_eq!(display_name("techhouse"), "Tech House");
        assert_eq!(display_name("psytrance"), "Psytrance");
        assert_eq!(display_name("Hiphop"), "Hip-Hop");
        assert_eq!(display_name("RnB"), "R&B");
        assert_eq!(display_name("Underground Rap"), "Underground Rap");
    }

    #[test]
    fn other_layouts_are_title_cased() {
        assert_eq!(display_name("alt-rock"), "Alt-Rock");
        assert_eq!(display_name("j-pop"), "J-Pop");
        assert_eq!(display_name("dark_trap"), "Dark Trap");
        assert_eq!(display_name("EDM"), "EDM");
        assert_eq!(display_name("  "), "");
        assert_eq!(display_name("rock-n-roll"), "Rock-N-Roll");
        assert_eq!(display_name("dark-trap-3"), "Dark-Trap-3");
    }

    #[test]
    fn a_label_written_with_care_is_kept() {
        assert_eq!(display_name("K-Pop (old)"), "K-Pop (old)");
        assert_eq!(
            display_name("<script>window.__xss=1</script>"),
            "<script>window.__xss=1</script>"
        );
        assert_eq!(
            display_name("Rap \"double\" 'single'"),
            "Rap \"double\" 'single'"
        );
    }
}
