//! What people type in a feature's field, as a value or a [`FieldError`] (its sentence is shown
//! at the field). Tested natively.

use genre_core::feature::Feature;

/// Why a field's text is not a value; shown at the field as its sentence.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FieldError {
    #[error("Enter a number.")]
    Empty,
    #[error("NaN is not a value here: enter a number.")]
    NaN,
    #[error("Enter a finite number.")]
    Infinite,
    /// The text as typed (shortened).
    #[error("“{0}” is not a number.")]
    NotANumber(String),
    /// A time signature is a whole number of beats.
    #[error("A time signature is a whole number of beats per bar, such as 3 or 4.")]
    NotWholeBeats,
    #[error("Enter a duration like 3:43.")]
    NoDuration,
    #[error("“{0}” is not a duration like 3:43.")]
    NotADuration(String),
    #[error("NaN is not a value here: enter a duration like 3:43.")]
    NaNDuration,
    #[error("“{0}”: minutes and seconds go up to 59.")]
    SixtyOrMore(String),
    #[error("Enter a finite duration.")]
    InfiniteDuration,
    #[error("A duration cannot be negative.")]
    NegativeDuration,
}

/// Parses a field's text for `feature`: a duration as minutes and seconds ("3:43", "3:43.794")
/// or seconds ("223"), giving milliseconds; a time signature as a whole number of beats;
/// anything else as a number (see [`parse_value`]).
pub fn parse_field(text: &str, feature: Feature) -> Result<f64, FieldError> {
    match feature {
        Feature::DurationMs => parse_duration(text),
        Feature::TimeSignature => parse_value(text).and_then(|v| {
            if v.fract() == 0.0 {
                Ok(v)
            } else {
                Err(FieldError::NotWholeBeats)
            }
        }),
        _ => parse_value(text),
    }
}

/// Parses a field's text. Accepts a decimal comma ("0,5") when there is no dot, and exponents
/// ("1e-5", as Spotify reports tiny instrumentalness values). Empty, NaN, infinities and text are
/// refused with a sentence for the field.
pub fn parse_value(text: &str) -> Result<f64, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::Empty);
    }
    let normalized = if t.contains(',') && !t.contains('.') {
        t.replacen(',', ".", 1)
    } else {
        t.to_string()
    };
    match normalized.parse::<f64>() {
        Ok(v) if v.is_nan() => Err(FieldError::NaN),
        Ok(v) if v.is_infinite() => Err(FieldError::Infinite),
        Ok(v) => Ok(v),
        Err(_) => Err(FieldError::NotANumber(shorten(t, 24))),
    }
}

fn shorten(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(max).collect();
        out.push('…');
        out
    }
}

/// Parses a duration typed as "m:ss" (seconds may have decimals: "3:43.794"), "h:mm:ss", or
/// plain seconds ("223", "223.8"); returns whole milliseconds (Spotify's `duration_ms`). A
/// negative duration is refused.
pub fn parse_duration(text: &str) -> Result<f64, FieldError> {
    let t = text.trim();
    if t.is_empty() {
        return Err(FieldError::NoDuration);
    }
    let bad = || FieldError::NotADuration(shorten(t, 24));
    let body = match t.strip_prefix('-') {
        Some(rest) if parse_duration(rest).is_ok_and(|ms| ms > 0.0) => {
            return Err(FieldError::NegativeDuration)
        }
        Some(rest) => rest.trim_start(),
        None => t,
    };
    let parts: Vec<&str> = body.split(':').collect();
    if parts.len() > 3 {
        return Err(bad());
    }
    let mut seconds = 0.0;
    for (i, part) in parts.iter().enumerate() {
        let last = i + 1 == parts.len();
        let p = part.trim();
        // Only the seconds may have a fraction; minutes and hours are whole numbers.
        let ok = !p.is_empty()
            && p.chars()
                .all(|c| c.is_ascii_digit() || (last && (c == '.' || c == ',')));
        if !ok {
            return Err(if p.eq_ignore_ascii_case("nan") {
                FieldError::NaNDuration
            } else {
                bad()
            });
        }
        let v: f64 = p.replacen(',', ".", 1).parse().map_err(|_| bad())?;
        if i > 0 && v >= 60.0 {
            return Err(FieldError::SixtyOrMore(shorten(t, 24)));
        }
        seconds = seconds * 60.0 + v;
    }
    if !seconds.is_finite() {
        return Err(FieldError::InfiniteDuration);
    }
    Ok((seconds * 1000.0).round())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_numbers_and_refuses_the_rest() {
        assert_eq!(parse_value(" 0.5 "), Ok(0.5));
        assert_eq!(parse_value("0,25"), Ok(0.25));
        assert_eq!(parse_value("-6"), Ok(-6.0));
        assert_eq!(parse_value("1e-5"), Ok(1e-5));
        assert_eq!(parse_value(""), Err(FieldError::Empty));
        assert_eq!(parse_value("   "), Err(FieldError::Empty));
        assert!(parse_value("NaN").unwrap_err().to_string().contains("NaN"));
        assert!(parse_value("nan").unwrap_err().to_string().contains("NaN"));
        assert!(parse_value("inf")
            .unwrap_err()
            .to_string()
            .contains("finite"));
        assert_eq!(
            parse_value("abc"),
            Err(FieldError::NotANumber("abc".into()))
        );
        assert_eq!(
            parse_value("abc").unwrap_err().to_string(),
            "“abc” is not a number."
        );
        assert!(parse_value("1,000.5").is_err());
        assert!(parse_value(&"9".repeat(40).replace('9', "x"))
            .unwrap_err()
            .to_string()
            .contains('…'));
    }

    #[test]
    fn a_time_signature_is_a_whole_number_of_beats() {
        assert_eq!(parse_field("4", Feature::TimeSignature), Ok(4.0));
        assert_eq!(
            parse_field("4.5", Feature::TimeSignature),
            Err(FieldError::NotWholeBeats)
        );
        assert_eq!(parse_field("4.5", Feature::Tempo), Ok(4.5));
    }
}
