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
}
