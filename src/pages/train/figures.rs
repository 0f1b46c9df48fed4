//! The Train page's figures as people read them (percentages, durations, sizes) and which
//! value of a results column is the best. Tested natively.

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

/// A share as the product writes it everywhere (the core's `text::percent`), as a plain
/// `fn(f64)` for the results table's column list.
pub fn pct(x: f64) -> String {
    genre_core::text::percent(x)
}

/// A duration as the product writes it everywhere (the core's `text::duration_ms`).
pub use genre_core::text::duration_ms as seconds;

/// What a running job's line says of the time left, after `elapsed` ms for `done` of `total`
/// work units. `stops_by`: with early stopping (the boosted trees), the unit at which the run
/// ends unless its validation score improves again. `total` is then only the most it can take,
/// so the line gives both ends ("up to …, or … if it stops early") instead of an estimate from
/// `total` that a run stopping early overshoots (a minute announced, done in twenty seconds).
pub fn time_left(elapsed: f64, done: u64, total: u64, stops_by: Option<u64>) -> String {
    if total == 0 || done == 0 {
        return String::new();
    }
    let per_unit = elapsed / done as f64;
    let left = |end: u64| seconds(per_unit * end.saturating_sub(done) as f64);
    match stops_by.filter(|&s| s < total) {
        _ if done >= total => " · scoring on the test part".into(),
        Some(s) if s <= done => " · stopped early; scoring on the test part".into(),
        Some(s) => format!(
            " · up to {} left, or {} if it stops early",
            left(total),
            left(s)
        ),
        None => format!(" · about {} left", left(total)),
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

    #[test]
    fn best_and_formatting() {
        assert_eq!(best(&[0.5, 0.7, 0.7], true), Some(1));
        assert_eq!(best(&[3.0, 1.0, f64::NAN], false), Some(1));
        assert_eq!(bytes(2048), "2.0 KB");
    }

    #[test]
    fn time_left_accounts_for_early_stopping() {
        // 100 of at most 600 rounds in 10 s: 0.1 s a round.
        assert_eq!(
            time_left(10_000.0, 100, 600, None),
            format!(" · about {} left", seconds(50_000.0))
        );
        // Early stopping would end it at round 140 unless it improves again.
        assert_eq!(
            time_left(10_000.0, 100, 600, Some(140)),
            format!(
                " · up to {} left, or {} if it stops early",
                seconds(50_000.0),
                seconds(4_000.0)
            )
        );
        // The round it stops at: no time left announced.
        assert_eq!(
            time_left(14_000.0, 140, 600, Some(140)),
            " · stopped early; scoring on the test part"
        );
        // Early stopping that can only end it at the last round says nothing more.
        assert_eq!(
            time_left(10_000.0, 100, 600, Some(600)),
            time_left(10_000.0, 100, 600, None)
        );
        assert_eq!(
            time_left(1.0, 600, 600, Some(600)),
            " · scoring on the test part"
        );
        assert_eq!(time_left(1.0, 0, 600, None), "");
    }
}
