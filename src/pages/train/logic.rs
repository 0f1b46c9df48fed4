//! Pure helpers of the Train page (no browser types): blocking checks on the class counts,
//! parsing of the page's own options (test fraction, seed, workers; the models' settings are
//! parsed by the core's `genre_core::params`), "best per column" and number formatting. Tested
//! natively.

use genre_core::train::Balance;

/// SMOTE's neighbours (the core uses k = 5): a class needs k + 1 training rows.
pub const SMOTE_NEEDS: u64 = 6;

/// Rows of a class that land in the training part (the core's stratified split rounds the test
/// share and keeps at least one row on each side).
pub fn train_part(n: u64, test_fraction: f64) -> u64 {
    if n < 2 {
        return n;
    }
    let test = ((n as f64 * test_fraction).round() as u64).clamp(1, n - 1);
    n - test
}

/// Why training cannot start with these class counts, as sentences that name the genre and say
/// what to do. Empty: training can run.
pub fn blockers(counts: &[(String, u64)], test_fraction: f64, balance: Balance) -> Vec<String> {
    let present: Vec<&(String, u64)> = counts.iter().filter(|(_, n)| *n > 0).collect();
    let mut out = Vec::new();
    match present.len() {
        0 => out.push("No row has a genre: add a genre column with values, or pick another label column.".to_string()),
        1 => out.push(format!(
            "Only one genre (`{}`) in the data: a classifier needs at least two. Add tracks of other genres.",
            present[0].0
        )),
        _ => {}
    }
    for (class, n) in &present {
        if *n < 2 {
            out.push(format!(
                "Genre `{class}` has {n} row: at least 2 are needed, one for training and one for testing. Add rows of this genre or remove it from the file."
            ));
        }
    }
    if balance == Balance::Smote && out.is_empty() {
        let largest = present
            .iter()
            .map(|(_, n)| train_part(*n, test_fraction))
            .max()
            .unwrap_or(0);
        for (class, n) in &present {
            let t = train_part(*n, test_fraction);
            if t < SMOTE_NEEDS && t < largest {
                out.push(format!(
                    "Genre `{class}` has {t} row(s) in the training part: SMOTE needs at least {SMOTE_NEEDS}. Choose \"class weights\" or \"none\" for balancing, or add rows of this genre."
                ));
            }
        }
    }
    out
}

/// A whole number in `min..=max` typed in a field.
pub fn parse_count(text: &str, min: usize, max: usize) -> Result<usize, String> {
    match text.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(format!("Expected a whole number from {min} to {max}.")),
    }
}

/// A number in the open interval `(lo, hi)`.
pub fn parse_between(text: &str, lo: f64, hi: f64) -> Result<f64, String> {
    match text.trim().parse::<f64>() {
        Ok(x) if x > lo && x < hi => Ok(x),
        _ => Err(format!("Expected a number between {lo} and {hi}.")),
    }
}

pub fn parse_seed(text: &str) -> Result<u64, String> {
    text.trim()
        .parse::<u64>()
        .map_err(|_| "Expected a whole number (0 or more).".to_string())
}

/// Index of the best value (ties: the first), highest or lowest.
pub fn best(values: &[f64], highest: bool) -> Option<usize> {
    let mut best: Option<usize> = None;
    for (i, v) in values.iter().enumerate() {
        if !v.is_finite() {
            continue;
        }
        let better = match best {
            None => true,
            Some(b) => {
                if highest {
                    *v > values[b]
                } else {
                    *v < values[b]
                }
            }
        };
        if better {
            best = Some(i);
        }
    }
    best
}

pub fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

pub fn seconds(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else if ms < 60_000.0 {
        format!("{:.1} s", ms / 1000.0)
    } else {
        format!(
            "{:.0} min {:.0} s",
            (ms / 60_000.0).floor(),
            (ms % 60_000.0) / 1000.0
        )
    }
}

pub fn bytes(n: u64) -> String {
    if n < 1024 {
        format!("{n} B")
    } else if n < 1024 * 1024 {
        format!("{:.1} KB", n as f64 / 1024.0)
    } else {
        format!("{:.1} MB", n as f64 / (1024.0 * 1024.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(v: &[(&str, u64)]) -> Vec<(String, u64)> {
        v.iter().map(|(c, n)| (c.to_string(), *n)).collect()
    }

    #[test]
    fn blocking_messages_name_the_class() {
        assert!(blockers(&counts(&[("a", 10), ("b", 10)]), 0.2, Balance::None).is_empty());
        let one = blockers(&counts(&[("a", 10)]), 0.2, Balance::None);
        assert!(one[0].contains("Only one genre (`a`)"), "{one:?}");
        let small = blockers(&counts(&[("a", 10), ("b", 1)]), 0.2, Balance::None);
        assert!(small[0].contains("`b` has 1 row"), "{small:?}");
        let smote = blockers(&counts(&[("a", 100), ("b", 5)]), 0.2, Balance::Smote);
        assert!(
            smote[0].contains("`b` has 4 row(s) in the training part"),
            "{smote:?}"
        );
        assert!(blockers(&counts(&[("a", 100), ("b", 5)]), 0.2, Balance::ClassWeights).is_empty());
    }

    #[test]
    fn train_part_matches_the_split() {
        assert_eq!(train_part(10, 0.2), 8);
        assert_eq!(train_part(2, 0.2), 1);
        assert_eq!(train_part(5, 0.2), 4);
    }

    #[test]
    fn parsing_and_best() {
        assert_eq!(parse_count("100", 1, 10_000), Ok(100));
        assert!(parse_count("0", 1, 10).is_err());
        assert!(parse_between("1", 0.0, 1.0).is_err());
        assert_eq!(best(&[0.5, 0.7, 0.7], true), Some(1));
        assert_eq!(best(&[3.0, 1.0, f64::NAN], false), Some(1));
        assert_eq!(seconds(1500.0), "1.5 s");
        assert_eq!(bytes(2048), "2.0 KB");
    }
}
