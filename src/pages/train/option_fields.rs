//! The Train page's own option fields (test fraction, seed, workers): what a user typed, as a
//! value or a sentence saying what is expected. The models' settings are parsed by the core's
//! `genre_core::params`. Tested natively.

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parsing() {
        assert_eq!(parse_count("100", 1, 10_000), Ok(100));
        assert!(parse_count("0", 1, 10).is_err());
        assert!(parse_between("1", 0.0, 1.0).is_err());
    }
}
