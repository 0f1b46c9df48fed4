//! Pure helpers for the feature form: parsing what people type, formatting numbers, durations,
//! keys and modes for people, slider steps and the wording of range hints and warnings. No
//! browser types, so it is tested natively.

use genre_core::feature::Feature;

/// Spotify's `key` as note names (the core owns them).
pub use genre_core::feature::NOTE_NAMES as NOTES;

mod parse;
pub use parse::{parse_duration, parse_field, parse_value, FieldError};

/// The note of a key value, when it is one of Spotify's 0..11.
pub fn note_name(v: f64) -> Option<&'static str> {
    (v.fract() == 0.0 && (0.0..12.0).contains(&v)).then(|| NOTES[v as usize])
}

/// Spotify's `mode`: 1 is major, 0 is minor.
pub fn mode_name(v: f64) -> Option<&'static str> {
    if v == 1.0 {
        Some("Major")
    } else if v == 0.0 {
        Some("Minor")
    } else {
        None
    }
}

/// The unit shown beside a field's label: the core's unit, except that durations are shown and
/// typed as minutes and seconds, and key and mode are named rather than numbered.
pub fn unit(feature: Feature) -> &'static str {
    match feature {
        Feature::DurationMs => "m:ss",
        Feature::Key | Feature::Mode => "",
        f => f.unit(),
    }
}

/// A duration in milliseconds as "m:ss", seconds rounded down as music players show them
/// (223,794 ms is 3:43).
pub fn format_duration(ms: f64) -> String {
    if !ms.is_finite() {
        return String::new();
    }
    let sign = if ms < 0.0 { "-" } else { "" };
    let s = (ms.abs() / 1000.0).floor() as u64;
    format!("{sign}{}:{:02}", s / 60, s % 60)
}

/// A duration to the millisecond, for messages that compare with a limit ("0:25.6"), and for
/// typing an exact duration.
pub fn format_duration_exact(ms: f64) -> String {
    if !ms.is_finite() {
        return String::new();
    }
    let whole = format_duration(ms);
    let rest = (ms.abs().round() as u64) % 1000;
    if rest == 0 {
        whole
    } else {
        format!("{whole}.{}", format!("{rest:03}").trim_end_matches('0'))
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
    trim_number(format!("{v:.decimals$}"))
}

fn trim_number(s: String) -> String {
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

/// What a field shows for a value the page sets (a default, an example track, a host's
/// request): the number itself (Display of f64 round-trips, so the field holds exactly what the
/// model is given), whole numbers for integer features, and a duration as "m:ss". A rounded
/// display (a duration's milliseconds) is pinned to its exact value by the field's state.
pub fn display_text(v: f64, feature: Feature) -> String {
    if !v.is_finite() {
        return String::new();
    }
    match feature {
        Feature::DurationMs => format_duration(v),
        _ => v.to_string(),
    }
}

/// A slider step of about a hundredth of the training range, rounded to 1, 2 or 5 times a power
/// of ten (0.01 for a 0 to 1 score, 10 s for durations); whole numbers for integer features and
/// whole BPM for tempo. Twenty arrow presses move a slider a fifth of its range.
pub fn slider_step(range: (f64, f64), feature: Feature) -> f64 {
    let width = (range.1 - range.0).abs();
    let step = if width > 0.0 && width.is_finite() {
        nice(width / 100.0)
    } else {
        0.01
    };
    match feature {
        Feature::Tempo => 1.0,
        f if f.is_integer() => step.max(1.0),
        _ => step,
    }
}

/// `x` rounded to the nearest of 1, 2, 5 or 10 times its power of ten (geometric midpoints).
fn nice(x: f64) -> f64 {
    let e = x.log10().floor() as i32;
    let m = x / 10f64.powi(e);
    let m = if m < 2f64.sqrt() {
        1.0
    } else if m < 10f64.sqrt() {
        2.0
    } else if m < 50f64.sqrt() {
        5.0
    } else {
        10.0
    };
    // Dividing by a power of ten keeps 0.01 the double nearest to 0.01 (0.1 * 0.1 is not).
    if e < 0 {
        m / 10f64.powi(-e)
    } else {
        m * 10f64.powi(e)
    }
}

/// The slider's `min`, `max` and `step` attributes: the training range's ends rounded to the
/// nearest whole step, so every position is a round number ("0.65", not "0.6503").
pub fn slider_attrs(range: (f64, f64), feature: Feature) -> (String, String, String) {
    let step = slider_step(range, feature);
    let decimals = (-step.log10().floor()).max(0.0) as usize;
    // The ends rounded to the nearest step, as the hint under the field rounds them
    // ("Trained on 0 to 0.99": a slider that stopped at 0.98 would contradict it).
    let lo = (range.0 / step).round() * step;
    let hi = (range.1 / step).round() * step;
    let (lo, hi) = if lo <= hi { (lo, hi) } else { range };
    let f = |x: f64| trim_number(format!("{x:.decimals$}"));
    (f(lo), f(hi), f(step))
}

/// A value with its unit ("120 BPM", "0.5", "3:43", "F♯/G♭", "Minor"): charts and labels.
pub fn with_unit(v: f64, feature: Feature) -> String {
    match feature {
        Feature::DurationMs => return format_duration(v),
        Feature::Key => {
            if let Some(n) = note_name(v) {
                return n.to_string();
            }
        }
        Feature::Mode => {
            if let Some(n) = mode_name(v) {
                return n.to_string();
            }
        }
        _ => {}
    }
    let n = format_value(v, feature);
    match feature.unit() {
        "" => n,
        u => format!("{n} {u}"),
    }
}

/// A value to the precision a limit needs ("0:25.6", "0.0203", "-33.5 dB"): warnings.
fn precise(v: f64, feature: Feature) -> String {
    match feature {
        Feature::DurationMs => format_duration_exact(v),
        Feature::Key | Feature::Mode => format_value(v, feature),
        _ => with_unit(v, feature),
    }
}

/// A training limit for the hint, rounded to two significant digits of the range's width
/// ("0 to 0.99", "-34 to 3 dB", "57 to 220 BPM").
fn readable(v: f64, width: f64) -> String {
    let decimals = if width > 0.0 && width.is_finite() {
        (1 - width.log10().floor() as i32).clamp(0, 6) as usize
    } else {
        2
    };
    trim_number(format!("{v:.decimals$}"))
}

/// The hint under each field: what the model was trained on, readably ("Trained on 0 to 0.99",
/// "Trained on 0:25 to 15:13"), or for key and mode what the control means.
pub fn range_hint(range: (f64, f64), feature: Feature) -> String {
    let (lo, hi) = range;
    match feature {
        Feature::Key => "The track's tonic, as Spotify detects it.".into(),
        Feature::Mode => "Major or minor, as Spotify detects it.".into(),
        Feature::DurationMs => format!(
            "Trained on {} to {} (minutes:seconds)",
            format_duration(lo),
            format_duration(hi)
        ),
        f if f.is_integer() => {
            format!("Trained on {} to {}", format_value(lo, f), with_unit(hi, f))
        }
        f => {
            let w = hi - lo;
            let u = match f.unit() {
                "" => String::new(),
                u => format!(" {u}"),
            };
            format!("Trained on {} to {}{u}", readable(lo, w), readable(hi, w))
        }
    }
}

/// The warning shown at a field whose value lies outside the training range.
pub fn out_of_range_message(v: f64, range: (f64, f64), feature: Feature) -> String {
    let side = if v < range.0 {
        format!(
            "below the lowest training value ({})",
            precise(range.0, feature)
        )
    } else {
        format!(
            "above the highest training value ({})",
            precise(range.1, feature)
        )
    };
    format!("Outside what the model saw: {side}. Treat the prediction with care.")
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn steps_are_a_hundredth_of_the_range_rounded() {
        assert_eq!(slider_step((0.0, 1.0), Feature::Energy), 0.01);
        assert_eq!(slider_step((0.0000107, 0.988), Feature::Liveness), 0.01);
        assert_eq!(slider_step((-33.4, 3.15), Feature::Loudness), 0.5);
        assert_eq!(slider_step((57.0, 220.0), Feature::Tempo), 1.0);
        assert_eq!(
            slider_step((25_600.0, 913_052.0), Feature::DurationMs),
            10_000.0
        );
        assert_eq!(slider_step((0.0, 11.0), Feature::Key), 1.0);
        assert_eq!(slider_step((1.0, 5.0), Feature::TimeSignature), 1.0);
        assert_eq!(slider_step((1.0, 1.0), Feature::Energy), 0.01);
        // (range, feature, the slider's min, max and step)
        let sliders = [
            ((0.0203, 0.988), Feature::Energy, ["0.02", "0.99", "0.01"]),
            (
                (25_600.0, 913_052.0),
                Feature::DurationMs,
                ["30000", "910000", "10000"],
            ),
            ((57.3, 220.2), Feature::Tempo, ["57", "220", "1"]),
            ((0.5, 0.5), Feature::Energy, ["0.5", "0.5", "0.01"]),
        ];
        for (range, f, [min, max, step]) in sliders {
            let want = (min.to_string(), max.to_string(), step.to_string());
            assert_eq!(slider_attrs(range, f), want, "{f:?}");
        }
    }

    #[test]
    fn durations_in_minutes_and_seconds() {
        assert_eq!(format_duration(223_794.0), "3:43");
        assert_eq!(format_duration(59_999.0), "0:59");
        assert_eq!(format_duration(3_723_000.0), "62:03");
        assert_eq!(format_duration_exact(223_794.0), "3:43.794");
        assert_eq!(format_duration_exact(25_600.0), "0:25.6");
        assert_eq!(format_duration_exact(60_000.0), "1:00");
        assert_eq!(parse_duration("3:43"), Ok(223_000.0));
        assert_eq!(parse_duration(" 3:43.794 "), Ok(223_794.0));
        assert_eq!(parse_duration("3:43,5"), Ok(223_500.0));
        assert_eq!(parse_duration("223"), Ok(223_000.0));
        assert_eq!(parse_duration("223.8"), Ok(223_800.0));
        assert_eq!(parse_duration("1:02:03"), Ok(3_723_000.0));
        assert_eq!(parse_duration("-0:05"), Err(FieldError::NegativeDuration));
        assert_eq!(
            parse_duration("-1:00").unwrap_err().to_string(),
            "A duration cannot be negative."
        );
        assert_eq!(parse_duration("-0:00"), Ok(0.0));
        assert_eq!(
            parse_duration("-x"),
            Err(FieldError::NotADuration("-x".into()))
        );
        assert!(parse_duration("3:75")
            .unwrap_err()
            .to_string()
            .contains("59"));
        assert!(parse_duration("3.5:10").is_err());
        assert!(parse_duration("abc")
            .unwrap_err()
            .to_string()
            .contains("3:43"));
        assert!(parse_duration("NaN")
            .unwrap_err()
            .to_string()
            .contains("NaN"));
        assert!(parse_duration("").is_err());
        assert!(parse_duration("1:2:3:4").is_err());
        // Every exact display parses back to the same milliseconds.
        for ms in [0.0, 25_600.0, 223_794.0, 913_052.0, 1_000.0] {
            assert_eq!(parse_duration(&format_duration_exact(ms)), Ok(ms));
        }
        assert_eq!(parse_field("3:43", Feature::DurationMs), Ok(223_000.0));
        assert_eq!(parse_field("0.5", Feature::Energy), Ok(0.5));
    }

    #[test]
    fn keys_modes_and_units() {
        assert_eq!(note_name(0.0), Some("C"));
        assert_eq!(note_name(6.0), Some("F♯/G♭"));
        assert_eq!(note_name(11.0), Some("B"));
        assert_eq!(note_name(12.0), None);
        assert_eq!(note_name(-1.0), None);
        assert_eq!(note_name(2.5), None);
        assert_eq!(mode_name(1.0), Some("Major"));
        assert_eq!(mode_name(0.0), Some("Minor"));
        assert_eq!(mode_name(0.5), None);
        assert_eq!(with_unit(6.0, Feature::Key), "F♯/G♭");
        assert_eq!(with_unit(0.0, Feature::Mode), "Minor");
        assert_eq!(with_unit(223_794.0, Feature::DurationMs), "3:43");
        assert_eq!(unit(Feature::DurationMs), "m:ss");
        assert_eq!(unit(Feature::Tempo), "BPM");
        assert_eq!(display_text(223_794.0, Feature::DurationMs), "3:43");
        assert_eq!(display_text(0.123456789, Feature::Energy), "0.123456789");
    }

    #[test]
    fn wording() {
        assert_eq!(
            range_hint((57.0, 220.5), Feature::Tempo),
            "Trained on 57 to 220 BPM"
        );
        assert_eq!(
            range_hint((0.00000107, 0.988), Feature::Instrumentalness),
            "Trained on 0 to 0.99"
        );
        assert_eq!(
            range_hint((-33.36, 3.148), Feature::Loudness),
            "Trained on -33 to 3 dB"
        );
        assert_eq!(
            range_hint((25_600.0, 913_052.0), Feature::DurationMs),
            "Trained on 0:25 to 15:13 (minutes:seconds)"
        );
        assert_eq!(
            range_hint((1.0, 5.0), Feature::TimeSignature),
            "Trained on 1 to 5 beats/bar"
        );
        let low = out_of_range_message(-70.0, (-33.0, 3.0), Feature::Loudness);
        assert!(low.contains("below") && low.contains("-33 dB"), "{low}");
        let high = out_of_range_message(2.0, (0.0, 1.0), Feature::Energy);
        assert!(high.contains("above") && high.contains("(1)"), "{high}");
        let short = out_of_range_message(25_000.0, (25_600.0, 913_052.0), Feature::DurationMs);
        assert!(short.contains("(0:25.6)"), "{short}");
    }
}
