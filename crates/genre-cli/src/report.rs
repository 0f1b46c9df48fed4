//! Plain-text tables for the terminal.

use genre_core::metrics::Metrics;

/// Renders rows under a header with columns padded to their widest cell; numbers right-aligned.
pub fn table(header: &[&str], rows: &[Vec<String>]) -> String {
    let mut widths: Vec<usize> = header.iter().map(|h| h.chars().count()).collect();
    for r in rows {
        for (w, c) in widths.iter_mut().zip(r) {
            *w = (*w).max(c.chars().count());
        }
    }
    let numeric = |s: &str| s.parse::<f64>().is_ok() || s.ends_with(" s") || s.ends_with(" B");
    // A column is right-aligned, header included, when all its cells are numbers.
    let right: Vec<bool> = (0..header.len())
        .map(|i| !rows.is_empty() && rows.iter().all(|r| r.get(i).is_some_and(|c| numeric(c))))
        .collect();
    let mut out = String::new();
    let line = |cells: Vec<&str>, out: &mut String| {
        let parts: Vec<String> = cells
            .iter()
            .zip(&widths)
            .zip(&right)
            .map(|((c, &w), &r)| {
                if r {
                    format!("{c:>w$}")
                } else {
                    format!("{c:<w$}")
                }
            })
            .collect();
        out.push_str(parts.join("  ").trim_end());
        out.push('\n');
    };
    line(header.to_vec(), &mut out);
    let rule: Vec<String> = widths.iter().map(|&w| "-".repeat(w)).collect();
    line(rule.iter().map(String::as_str).collect(), &mut out);
    for r in rows {
        line(r.iter().map(String::as_str).collect(), &mut out);
    }
    out
}

/// How many confusions the text report lists (a 114 × 114 grid is not legible in a terminal).
pub const TOP_CONFUSIONS: usize = 10;

/// One model's per-genre figures (a row per genre: fine for 100+ genres) and its most frequent
/// confusions instead of the whole matrix.
pub fn per_genre(classes: &[String], m: &Metrics) -> String {
    let rows: Vec<Vec<String>> = classes
        .iter()
        .zip(&m.per_class)
        .map(|(c, pc)| {
            vec![
                c.clone(),
                pc.support.to_string(),
                format!("{:.4}", pc.precision),
                format!("{:.4}", pc.recall),
                format!("{:.4}", pc.f1),
            ]
        })
        .collect();
    let mut out = table(&["genre", "rows", "precision", "recall", "F1"], &rows);
    let top = m.top_confusions(TOP_CONFUSIONS);
    if !top.is_empty() {
        let rows: Vec<Vec<String>> = top
            .iter()
            .map(|&(t, p, n)| {
                let of: u64 = m.confusion[t].iter().sum();
                vec![
                    classes[t].clone(),
                    classes[p].clone(),
                    n.to_string(),
                    format!("{:.1}", 100.0 * n as f64 / of.max(1) as f64),
                ]
            })
            .collect();
        out.push_str(&format!(
            "\nMost frequent confusions ({} of {} genres' matrix):\n",
            top.len(),
            classes.len()
        ));
        out.push_str(&table(
            &["true genre", "predicted as", "rows", "% of its rows"],
            &rows,
        ));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn per_genre_lists_each_genre_and_the_top_confusions() {
        let classes: Vec<String> = ["a", "b", "c"].map(String::from).to_vec();
        let m = Metrics::compute(&[0, 0, 0, 1, 1, 2], &[0, 1, 1, 1, 1, 0], 3);
        let text = per_genre(&classes, &m);
        assert!(
            text.contains("a         3     0.5000  0.3333  0.4000"),
            "{text}"
        );
        assert!(
            text.contains("Most frequent confusions (2 of 3 genres' matrix)"),
            "{text}"
        );
        let confusions: Vec<&str> = text
            .lines()
            .skip_while(|l| !l.starts_with("true"))
            .collect();
        assert_eq!(
            confusions[2].split_whitespace().collect::<Vec<_>>(),
            ["a", "b", "2", "66.7"]
        );
        assert_eq!(
            confusions[3].split_whitespace().collect::<Vec<_>>(),
            ["c", "a", "1", "100.0"]
        );
    }

    #[test]
    fn pads_columns() {
        let t = table(&["model", "acc"], &[vec!["rf".into(), "0.65".into()]]);
        assert_eq!(t, "model   acc\n-----  ----\nrf     0.65\n");
    }
}
