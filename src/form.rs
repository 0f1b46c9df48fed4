//! Pure helpers for the feature form: parsing what people type, formatting numbers, slider steps
//! and the wording of range hints and warnings. No browser types, so it is tested natively.

use genre_core::feature::Feature;

/// Parses a field's text. Accepts a decimal comma ("0,5") when there is no dot, and exponents
/// ("1e-5", as Spotify reports tiny instrumentalness values). Empty, NaN, infinities and text are
/// refused with a sentence for the field.
pub fn parse_value(text: &str) -> Result<f64, String> {
    let t = text.trim();
    if t.is_empty() {
        return Err("Enter a number.".into());
    }
    let normalized = if t.contains(',') && !t.contains('.') {
        t.replacen(',', ".", 1)
    } else {
        t.to_string()
    };
    match normalized.parse::<f64>() {
        Ok(v) if v.is_nan() => Err("NaN is not a value here: enter a number.".into()),
        Ok(v) if v.is_infinite() => Err("Enter a finite number.".into()),
        Ok(v) => Ok(v),
        Err(_) => Err(format!("“{}” is not a number.", shorten(t, 24))),
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

/// A number for display and for pre-filled fields: whole numbers for integer features, otherwise
/// about five significant digits with trailing zeros trimmed (0.5, -6.12, 120.03, 0.000123).
pub fn format_value(v: f64, feature: Feature) -> String {
    if !v.is_finite() {
        return String::new();
    }
    if feature.is_integer() {
        return format!("{:.0}", v.round());
    }
    let magnitude = if v == 0.0 {
        0
    } else {
        v.abs().log10().floor() as i32
    };
    let decimals = (4 - magnitude).clamp(0, 8) as usize;
    let s = format!("{v:.decimals$}");
    let s = if s.contains('.') {
        s.trim_end_matches('0').trim_end_matches('.').to_string()
    } else {
        s
    };
    if s == "-0" {
        "0".into()
    } else {
        s
    }
}

/// A slider step giving about a thousand positions across the training range (1 for integers).
pub fn slider_step(range: (f64, f64), feature: Feature) -> f64 {
    let width = (range.1 - range.0).abs();
    let step = if width > 0.0 {
        10f64.powi(width.log10().floor() as i32 - 3)
    } else {
        0.001
    };
    if feature.is_integer() {
        step.max(1.0)
    } else {
        step
    }
}

/// A value with its unit ("120 BPM", "0.5").
pub fn with_unit(v: f64, feature: Feature) -> String {
    let n = format_value(v, feature);
    match feature.unit() {
        "" => n,
        u => format!("{n} {u}"),
    }
}

/// "Trained on 0.0203 to 1" under each field.
pub fn range_hint(range: (f64, f64), feature: Feature) -> String {
    format!(
        "Trained on {} to {}",
        format_value(range.0, feature),
        with_unit(range.1, feature)
    )
}

/// The warning shown at a field whose value lies outside the training range.
pub fn out_of_range_message(v: f64, range: (f64, f64), feature: Feature) -> String {
    let side = if v < range.0 {
        format!(
            "below the lowest training value ({})",
            with_unit(range.0, feature)
        )
    } else {
        format!(
            "above the highest training value ({})",
            with_unit(range.1, feature)
        )
    };
    format!("Outside what the model saw: {side}. Treat the prediction with care.")
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
        assert_eq!(parse_value(""), Err("Enter a number.".into()));
        assert_eq!(parse_value("   "), Err("Enter a number.".into()));
        assert!(parse_value("NaN").unwrap_err().contains("NaN"));
        assert!(parse_value("nan").unwrap_err().contains("NaN"));
        assert!(parse_value("inf").unwrap_err().contains("finite"));
        assert_eq!(parse_value("abc"), Err("“abc” is not a number.".into()));
        assert!(parse_value("1,000.5").is_err());
        assert!(parse_value(&"9".repeat(40).replace('9', "x"))
            .unwrap_err()
            .contains('…'));
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(format_value(0.5, Feature::Energy), "0.5");
        assert_eq!(format_value(0.123456789, Feature::Energy), "0.12346");
        assert_eq!(format_value(-6.1234, Feature::Loudness), "-6.1234");
        assert_eq!(format_value(120.03456, Feature::Tempo), "120.03");
        assert_eq!(
            format_value(0.000123456, Feature::Instrumentalness),
            "0.00012346"
        );
        assert_eq!(format_value(213_000.4, Feature::DurationMs), "213000");
        assert_eq!(format_value(0.0, Feature::Energy), "0");
        assert_eq!(format_value(-0.00001, Feature::Loudness), "-0.00001");
        assert_eq!(format_value(f64::NAN, Feature::Energy), "");
    }

    #[test]
    fn formatted_values_parse_back_close() {
        for (v, f) in [
            (0.731, Feature::Energy),
            (-7.25, Feature::Loudness),
            (174.0, Feature::Tempo),
        ] {
            let back = parse_value(&format_value(v, f)).unwrap();
            assert!((back - v).abs() < 1e-9, "{v} -> {back}");
        }
    }

    #[test]
    fn steps_follow_the_range() {
        assert_eq!(slider_step((0.0, 1.0), Feature::Energy), 0.001);
        assert!((slider_step((57.0, 220.0), Feature::Tempo) - 0.1).abs() < 1e-12);
        assert_eq!(
            slider_step((25_600.0, 913_052.0), Feature::DurationMs),
            100.0
        );
        assert_eq!(slider_step((0.0, 11.0), Feature::Key), 1.0);
        assert_eq!(slider_step((1.0, 1.0), Feature::Energy), 0.001);
    }

    #[test]
    fn wording() {
        assert_eq!(
            range_hint((57.0, 220.5), Feature::Tempo),
            "Trained on 57 to 220.5 BPM"
        );
        let low = out_of_range_message(-70.0, (-33.0, 3.0), Feature::Loudness);
        assert!(low.contains("below") && low.contains("-33 dB"), "{low}");
        let high = out_of_range_message(2.0, (0.0, 1.0), Feature::Energy);
        assert!(high.contains("above") && high.contains("(1)"), "{high}");
    }
}
