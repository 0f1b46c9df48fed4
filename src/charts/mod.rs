//! The Explore and Batch charts: SVG drawn by the app (no JavaScript chart library).
//!
//! Every chart uses a `viewBox` in pixel units and is shown at its natural size, so text never
//! shrinks to an unreadable size on a phone. Explore lays its charts out for the window's width
//! ([`ChartWidth`]): on a phone they are drawn narrower (fewer ticks, fewer legend columns), not
//! cut off; the correlation matrix fills its box and scrolls in it where its values need more
//! room than a phone has (`.chart-scroll`).
//! Colours come from presentation attributes (`fill=`), never `style=` attributes, which the
//! site's Content-Security-Policy (`style-src 'self'`) would block.

pub mod axis;
pub mod box_plot;
pub mod class_counts;
pub mod heatmap;
pub mod histogram;
pub mod scatter;

/// Every chart's width in viewBox pixels, its natural size on a wide screen.
pub const CHART_W: f64 = 640.0;

/// The width the page's charts are drawn at, given by the page (Explore) as a context: on a
/// phone they are laid out narrower instead of scaled down or cut off, so their text keeps
/// its size and every bar is in view.
#[derive(Debug, Clone, Copy)]
pub struct ChartWidth(pub f64);

/// The charts' width for a window `inner` CSS pixels wide: [`CHART_W`], or what a card leaves
/// on a narrow screen (at least 300).
pub fn width_for_window(inner: f64) -> f64 {
    (inner - 64.0).clamp(300.0, CHART_W)
}

/// How many ticks an x axis `span` px long can label without their text touching: `wanted`,
/// or fewer on a narrow chart (a label needs ~55 px).
pub fn x_tick_count(span: f64, wanted: usize) -> usize {
    ((span / 55.0) as usize).clamp(2, wanted)
}

/// The width this chart is drawn at: the page's [`ChartWidth`], else [`CHART_W`].
pub fn chart_width() -> f64 {
    leptos::prelude::use_context::<ChartWidth>().map_or(CHART_W, |w| w.0)
}
/// Where genre names end (right-aligned) in the charts with one row per genre.
pub const GENRE_LABEL_END: f64 = 136.0;

/// A legend of genres under a plot, four to a row, spread across the plot's width.
#[derive(Debug, Clone, Copy)]
pub struct LegendGrid {
    pub x0: f64,
    pub x1: f64,
    /// The first row's centre line.
    pub top: f64,
}

impl LegendGrid {
    const ROW: f64 = 20.0;

    /// Four to a row, fewer when the plot is narrow (a genre name needs ~130 px).
    fn cols(&self) -> usize {
        (((self.x1 - self.x0) / 130.0) as usize).clamp(1, 4)
    }

    /// A legend across `x0..x1` whose first row is centred on `top`.
    pub fn new(x0: f64, x1: f64, top: f64) -> LegendGrid {
        LegendGrid { x0, x1, top }
    }

    /// The height the legend of `n` entries takes (one row even when empty, for a steady layout).
    pub fn height(&self, n: usize) -> f64 {
        n.div_ceil(self.cols()).max(1) as f64 * Self::ROW
    }

    /// Where entry `i` starts (its x) and its row's centre line (its y).
    pub fn at(&self, i: usize) -> (f64, f64) {
        let cols = self.cols();
        let col_w = (self.x1 - self.x0) / cols as f64;
        (
            self.x0 + (i % cols) as f64 * col_w,
            self.top + (i / cols) as f64 * Self::ROW,
        )
    }
}

/// An axis title naming a feature and its unit: "Tempo (BPM)".
pub fn feature_title(f: genre_core::feature::Feature) -> String {
    match f.unit() {
        "" => f.label().to_string(),
        unit => format!("{} ({unit})", f.label()),
    }
}

/// A linear map from a data interval onto a pixel interval.
#[derive(Debug, Clone, Copy)]
pub struct Scale {
    pub d0: f64,
    pub d1: f64,
    pub r0: f64,
    pub r1: f64,
}

impl Scale {
    pub fn new((d0, d1): (f64, f64), (r0, r1): (f64, f64)) -> Scale {
        // A degenerate domain (one distinct value) would divide by zero: widen it.
        let (d0, d1) = if d1 > d0 {
            (d0, d1)
        } else {
            (d0 - 0.5, d0 + 0.5)
        };
        Scale { d0, d1, r0, r1 }
    }

    pub fn map(&self, v: f64) -> f64 {
        self.r0 + (v - self.d0) / (self.d1 - self.d0) * (self.r1 - self.r0)
    }

    /// Same, clamped to the pixel interval (for values past the plotted range).
    pub fn map_clamped(&self, v: f64) -> f64 {
        let (lo, hi) = if self.r0 <= self.r1 {
            (self.r0, self.r1)
        } else {
            (self.r1, self.r0)
        };
        self.map(v).clamp(lo, hi)
    }
}

/// About `target` round tick values (1, 2, 2.5 or 5 times a power of ten) covering [lo, hi].
pub fn nice_ticks(lo: f64, hi: f64, target: usize) -> Vec<f64> {
    if !(lo.is_finite() && hi.is_finite()) || hi <= lo || target == 0 {
        return vec![lo];
    }
    let raw = (hi - lo) / target as f64;
    let mag = 10f64.powf(raw.log10().floor());
    let step = [1.0, 2.0, 2.5, 5.0, 10.0]
        .iter()
        .map(|m| m * mag)
        .find(|&s| s >= raw)
        .unwrap_or(10.0 * mag);
    let first = (lo / step).ceil() as i64;
    let last = (hi / step + 1e-9).floor() as i64;
    // k * step, then rounded to 9 decimals to drop float noise such as 0.6000000000000001.
    (first..=last)
        .map(|k| (k as f64 * step * 1e9).round() / 1e9)
        .collect()
}

/// A tick label: thousands as `k`, otherwise as few decimals as the value needs (up to 3).
pub fn fmt_tick(v: f64) -> String {
    let a = v.abs();
    if a >= 10_000.0 {
        let k = v / 1000.0;
        if (k - k.round()).abs() < 1e-9 {
            format!("{}k", k.round())
        } else {
            format!("{k:.1}k")
        }
    } else if a == 0.0 {
        "0".into()
    } else if a >= 100.0 {
        format!("{}", v.round())
    } else {
        let s = format!("{v:.3}");
        let s = s.trim_end_matches('0').trim_end_matches('.');
        if s == "-0" {
            "0".into()
        } else {
            s.to_string()
        }
    }
}

/// A value shown to a person (tooltips, aria labels): 3 significant digits, no exponent.
pub fn fmt_value(v: f64) -> String {
    if !v.is_finite() {
        return "n/a".into();
    }
    let a = v.abs();
    if a >= 1000.0 {
        format!("{}", v.round())
    } else if a >= 100.0 {
        format!("{v:.1}")
    } else if a >= 1.0 {
        format!("{v:.2}")
    } else {
        format!("{v:.3}")
    }
}

/// 15 categorical colours, one per genre in class order: the Tableau 10 and five more picked to
/// stay apart from them (cyan, dark red, indigo, olive, magenta); readable on both themes.
/// Past 15 they repeat.
pub const GENRE_COLORS: [&str; 15] = [
    "#4e79a7", "#f28e2b", "#e15759", "#76b7b2", "#59a14f", "#edc948", "#b07aa1", "#ff9da7",
    "#9c755f", "#bab0ac", "#17becf", "#8b0000", "#3f3cbb", "#808000", "#d633a0",
];

pub fn genre_color(class: usize) -> &'static str {
    GENRE_COLORS[class % GENRE_COLORS.len()]
}

/// Counts as people read them (42,305); the core owns the format.
pub use genre_core::text::count as fmt_count;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ticks_are_round_and_cover_the_range() {
        assert_eq!(nice_ticks(0.0, 1.0, 5), vec![0.0, 0.2, 0.4, 0.6, 0.8, 1.0]);
        assert_eq!(nice_ticks(-60.0, 0.0, 4), vec![-60.0, -40.0, -20.0, 0.0]);
        let t = nice_ticks(0.013, 0.87, 4);
        assert!(t.first().unwrap() >= &0.013 && t.last().unwrap() <= &0.87);
        assert_eq!(nice_ticks(1.0, 1.0, 4), vec![1.0]);
    }

    #[test]
    fn formats() {
        assert_eq!(fmt_tick(0.2), "0.2");
        assert_eq!(fmt_tick(120.0), "120");
        assert_eq!(fmt_tick(250_000.0), "250k");
        assert_eq!(fmt_tick(-0.0), "0");
        assert_eq!(fmt_value(0.12345), "0.123");
        assert_eq!(fmt_value(f64::NAN), "n/a");
    }

    #[test]
    fn legends_wrap_four_to_a_row() {
        let grid = LegendGrid {
            x0: 60.0,
            x1: 620.0,
            top: 300.0,
        };
        assert_eq!(grid.at(0), (60.0, 300.0));
        assert_eq!(grid.at(5), (200.0, 320.0));
        assert_eq!(grid.height(0), 20.0);
        assert_eq!(grid.height(5), 40.0);
    }

    #[test]
    fn scale_maps_and_clamps() {
        let s = Scale::new((0.0, 10.0), (100.0, 0.0));
        assert_eq!(s.map(5.0), 50.0);
        assert_eq!(s.map_clamped(20.0), 0.0);
        let d = Scale::new((3.0, 3.0), (0.0, 10.0));
        assert_eq!(d.map(3.0), 5.0);
    }
}
