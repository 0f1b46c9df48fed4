//! Rust source as the few tokens the check reads: identifiers and punctuation, with comments,
//! strings and character literals skipped (so a path in a string or a comment is no import).

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Token {
    Ident(String),
    /// `::`
    PathSep,
    Punct(char),
}

pub fn tokens(src: &str) -> Vec<Token> {
    let c: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < c.len() {
        let ch = c[i];
        if ch.is_whitespace() {
            i += 1;
        } else if ch == '/' && c.get(i + 1) == Some(&'/') {
            while i < c.len() && c[i] != '\n' {
                i += 1;
            }
        } else if ch == '/' && c.get(i + 1) == Some(&'*') {
            let mut depth = 0;
            while i < c.len() {
                if c[i] == '/' && c.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if c[i] == '*' && c.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
        } else if ch == '"' {
            i = skip_string(&c, i + 1);
        } else if (ch == 'r' || ch == 'b') && raw_string_start(&c, i).is_some() {
            let (hashes, body) = raw_string_start(&c, i).expect("checked");
            i = skip_raw_string(&c, body, hashes);
        } else if ch == 'b' && c.get(i + 1) == Some(&'"') {
            i = skip_string(&c, i + 2);
        } else if ch == 'b' && c.get(i + 1) == Some(&'\'') {
            i = skip_char(&c, i + 1).unwrap_or(i + 2);
        } else if ch == '\'' {
            // A character literal, or a lifetime / label (`'a`), which is skipped as one.
            match skip_char(&c, i) {
                Some(end) => i = end,
                None => {
                    i += 1;
                    while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                        i += 1;
                    }
                }
            }
        } else if ch.is_alphanumeric() || ch == '_' {
            let start = i;
            while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                i += 1;
            }
            let mut word: String = c[start..i].iter().collect();
            if word == "r" && c.get(i) == Some(&'#') {
                // `r#ident`
                let s = i + 1;
                i = s;
                while i < c.len() && (c[i].is_alphanumeric() || c[i] == '_') {
                    i += 1;
                }
                word = c[s..i].iter().collect();
            }
            out.push(Token::Ident(word));
        } else if ch == ':' && c.get(i + 1) == Some(&':') {
            out.push(Token::PathSep);
            i += 2;
        } else {
            out.push(Token::Punct(ch));
            i += 1;
        }
    }
    out
}

/// After an opening `"`: the index after the closing one.
fn skip_string(c: &[char], mut i: usize) -> usize {
    while i < c.len() {
        match c[i] {
            '\\' => i += 2,
            '"' => return i + 1,
            _ => i += 1,
        }
    }
    i
}

/// `r"`, `r#"`, `br#"` …: the number of hashes and the index of the body.
fn raw_string_start(c: &[char], i: usize) -> Option<(usize, usize)> {
    let mut j = i;
    if c.get(j) == Some(&'b') {
        j += 1;
    }
    if c.get(j) != Some(&'r') {
        return None;
    }
    // Not the end of an identifier such as `bar"`: the caller only asks at a token's start.
    j += 1;
    let mut hashes = 0;
    while c.get(j) == Some(&'#') {
        hashes += 1;
        j += 1;
    }
    (c.get(j) == Some(&'"')).then_some((hashes, j + 1))
}

fn skip_raw_string(c: &[char], mut i: usize, hashes: usize) -> usize {
    while i < c.len() {
        if c[i] == '"' && (0..hashes).all(|k| c.get(i + 1 + k) == Some(&'#')) {
            return i + 1 + hashes;
        }
        i += 1;
    }
    i
}

/// At a `'`: the index after a character literal, or None for a lifetime.
fn skip_char(c: &[char], i: usize) -> Option<usize> {
    match c.get(i + 1) {
        Some('\\') => {
            let mut j = i + 2;
            while j < c.len() && c[j] != '\'' {
                j += 1;
            }
            Some(j + 1)
        }
        Some(_) if c.get(i + 2) == Some(&'\'') => Some(i + 3),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn idents(src: &str) -> Vec<String> {
        tokens(src)
            .into_iter()
            .filter_map(|t| match t {
                Token::Ident(s) => Some(s),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn comments_strings_and_chars_are_skipped() {
        let src = r##"
            // use crate::a;
            /* use crate::b; /* nested */ */
            let s = "use crate::c;"; let r = r#"crate::d "quoted""#;
            let ch = '"'; let q = '\''; fn f<'a>(x: &'a str) {}
            use crate::e;
        "##;
        let words = idents(src);
        assert!(
            !words
                .iter()
                .any(|w| ["a", "b", "c", "d"].contains(&w.as_str())),
            "{words:?}"
        );
        assert!(words.contains(&"e".to_string()), "{words:?}");
        assert!(words.contains(&"f".to_string()), "{words:?}");
    }

    #[test]
    fn path_separators_are_one_token() {
        assert_eq!(
            tokens("crate::x"),
            vec![
                Token::Ident("crate".into()),
                Token::PathSep,
                Token::Ident("x".into())
            ]
        );
    }
}
