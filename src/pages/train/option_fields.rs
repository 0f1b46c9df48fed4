//! The Train page's own option fields (test fraction, seed, workers, the auto-tune budget): what a user typed, as a
//! value or a sentence saying what is expected. The models' settings are parsed by the core's
//! `genre_core::params`. Tested natively.

/// What an option field expects, when its text is not that; shown at the field as its sentence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OptionError {
    #[error("Expected a whole number from {min} to {max}.")]
    Count { min: usize, max: usize },
    #[error("Expected a number between {lo} and {hi}.")]
    Between { lo: f64, hi: f64 },
    #[error("Expected a whole number (0 or more).")]
    Seed,
    #[error("Expected a number of minutes from {lo} to {hi}, such as 2 or 0.5.")]
    Budget { lo: f64, hi: f64 },
}

/// A whole number in `min..=max` typed in a field.
pub fn parse_count(text: &str, min: usize, max: usize) -> Result<usize, OptionError> {
    match text.trim().parse::<usize>() {
        Ok(n) if (min..=max).contains(&n) => Ok(n),
        _ => Err(OptionError::Count { min, max }),
    }
}

/// A number in the open interval `(lo, hi)`.
pub fn parse_between(text: &str, lo: f64, hi: f64) -> Result<f64, OptionError> {
    match text.trim().parse::<f64>() {
        Ok(x) if x > lo && x < hi => Ok(x),
        _ => Err(OptionError::Between { lo, hi }),
    }
}

pub fn parse_seed(text: &str) -> Result<u64, OptionError> {
    text.trim().parse::<u64>().map_err(|_| OptionError::Seed)
}

/// The shortest and longest auto-tune budgets, in minutes. The shortest still gives every
/// worker one trial: a budget only stops new trials from starting (see `worker/search.rs`).
pub const BUDGET_MINUTES: (f64, f64) = (0.1, 60.0);

/// An auto-tune time budget typed in minutes ("2", "0.5", "1,5" with a decimal comma).
pub fn parse_budget(text: &str) -> Result<f64, OptionError> {
    let (lo, hi) = BUDGET_MINUTES;
    match text.trim().replace(',', ".").parse::<f64>() {
        Ok(m) if (lo..=hi).contains(&m) => Ok(m),
        _ => Err(OptionError::Budget { lo, hi }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(parse_count("100", 1, 10_000), Ok(100));
        assert!(parse_count("0", 1, 10).is_err());
        assert!(parse_between("1", 0.0, 1.0).is_err());
    }

    #[test]
    fn budgets_in_minutes() {
        assert_eq!(parse_budget("2"), Ok(2.0));
        assert_eq!(parse_budget(" 0.25 "), Ok(0.25));
        assert_eq!(parse_budget("1,5"), Ok(1.5));
        assert_eq!(parse_budget("0.1"), Ok(0.1));
        for bad in ["", "0", "0.05", "61", "-1", "two", "NaN", "inf"] {
            assert_eq!(
                parse_budget(bad).unwrap_err().to_string(),
                "Expected a number of minutes from 0.1 to 60, such as 2 or 0.5.",
                "{bad:?}"
            );
        }
    }
}
