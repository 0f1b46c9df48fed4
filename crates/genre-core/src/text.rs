//! How the product writes numbers for people, in one place so the app, the CLI and the tests
//! that read the pages all agree on the text.

/// A share as a percentage with one decimal ("62.3%"); a share too small to show as 0.1% but
/// not zero is "<0.1%", so a possible genre never reads as impossible.
pub fn percent(share: impl Into<f64>) -> String {
    let pct = share.into() * 100.0;
    if pct > 0.0 && pct < 0.1 {
        "<0.1%".into()
    } else {
        format!("{pct:.1}%")
    }
}

/// A count with its thousands grouped: 42,305.
pub fn count(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// An estimated count to three significant digits, grouped: 1,532,357 → "1,530,000" (the
/// digits after those are noise, and reading them as exact would mislead).
pub fn estimate(n: u64) -> String {
    let unit = 10u64.pow(n.max(1).ilog10().saturating_sub(2));
    count((n + unit / 2) / unit * unit)
}

/// A duration in milliseconds as people read it: "850 ms", "1.5 s", "2 min 5 s".
pub fn duration_ms(ms: f64) -> String {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(duration_ms(850.4), "850 ms");
        assert_eq!(duration_ms(1500.0), "1.5 s");
        assert_eq!(duration_ms(125_000.0), "2 min 5 s");
    }

    #[test]
    fn estimates_keep_three_digits() {
        for (n, text) in [
            (1_532_357, "1,530,000"),
            (1_535_000, "1,540,000"),
            (999, "999"),
            (0, "0"),
            (42_305, "42,300"),
        ] {
            assert_eq!(estimate(n), text);
        }
    }

    #[test]
    fn percentages_and_counts() {
        let shares = [
            (0.6234, "62.3%"),
            (0.0004, "<0.1%"),
            (0.0, "0.0%"),
            (1.0, "100.0%"),
        ];
        for (share, text) in shares {
            assert_eq!(percent(share), text);
        }
        assert_eq!(
            percent(0.66312f32),
            "66.3%",
            "single precision reads the same"
        );
        for (n, text) in [(42_305, "42,305"), (7, "7"), (1_000_000, "1,000,000")] {
            assert_eq!(count(n), text);
        }
    }
}
