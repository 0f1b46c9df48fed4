//! Messages as people read them. The core writes its sentences for every front end and marks
//! names from the file (columns, genres) with backticks, which a terminal shows as they are;
//! the page shows those names as `<code>` instead of showing the backticks.

use leptos::prelude::*;

/// The pieces of `text`: `(is_code, piece)`, split at backticks. An unpaired backtick is kept
/// as text, so nothing the user wrote is lost.
pub fn pieces(text: &str) -> Vec<(bool, String)> {
    let parts: Vec<&str> = text.split('`').collect();
    // An odd number of backticks leaves the last one unpaired: rejoin the tail as plain text.
    let paired = if parts.len() % 2 == 1 {
        parts.len()
    } else {
        parts.len() - 1
    };
    let mut out: Vec<(bool, String)> = parts[..paired]
        .iter()
        .enumerate()
        .filter(|(_, p)| !p.is_empty())
        .map(|(i, p)| (i % 2 == 1, p.to_string()))
        .collect();
    if paired < parts.len() {
        let tail = format!("`{}", parts[paired]);
        match out.last_mut() {
            Some((false, last)) => last.push_str(&tail),
            _ => out.push((false, tail)),
        }
    }
    out
}

/// `text` with its backticked names as `<code>` (everything escaped: it is all text nodes).
pub fn rich_text(text: &str) -> impl IntoView {
    pieces(text)
        .into_iter()
        .map(|(code, p)| {
            if code {
                view! { <code class="name">{p}</code> }.into_any()
            } else {
                p.into_any()
            }
        })
        .collect_view()
}

#[cfg(test)]
mod tests {
    use super::pieces;

    /// (text, its pieces as (is code, text)).
    const CASES: [(&str, &[(bool, &str)]); 4] = [
        (
            "Row 2, column `song_name`: bad",
            &[
                (false, "Row 2, column "),
                (true, "song_name"),
                (false, ": bad"),
            ],
        ),
        ("plain", &[(false, "plain")]),
        // An unpaired backtick stays text.
        (
            "a `b` c ` d",
            &[(false, "a "), (true, "b"), (false, " c ` d")],
        ),
        ("`", &[(false, "`")]),
    ];

    #[test]
    fn backticked_names_become_code_and_a_lone_backtick_stays_text() {
        for (text, want) in CASES {
            let want: Vec<(bool, String)> = want.iter().map(|&(c, t)| (c, t.to_string())).collect();
            assert_eq!(pieces(text), want, "{text}");
        }
    }
}
