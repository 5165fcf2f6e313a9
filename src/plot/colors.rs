//! Colour scales: a diverging red–white–blue scale for relevance, gray for inputs.

use plotters::style::RGBColor;

/// The colour of relevance `value` on a scale symmetric around 0 reaching full colour at
/// `±scale`: white at 0, pure red `(255, 0, 0)` at `+scale`, pure blue `(0, 0, 255)` at
/// `-scale`, linear in between (values beyond the scale are clipped). A `scale` of 0 (or
/// not finite) gives white.
///
/// The redness `r - b` grows with the value, so the most positive relevance is the reddest.
pub fn relevance(value: f64, scale: f64) -> RGBColor {
    if !(scale > 0.0 && scale.is_finite()) {
        return RGBColor(255, 255, 255);
    }
    let t = (value / scale).clamp(-1.0, 1.0);
    let fade = (255.0 * (1.0 - t.abs())).round() as u8;
    if t >= 0.0 {
        RGBColor(255, fade, fade)
    } else {
        RGBColor(fade, fade, 255)
    }
}

/// Gray level of `value` between `low` (white, paper) and `high` (black, ink); a constant
/// input (`low == high`) is white.
pub fn ink(value: f64, low: f64, high: f64) -> RGBColor {
    let t = if high > low {
        ((value - low) / (high - low)).clamp(0.0, 1.0)
    } else {
        0.0
    };
    let level = (255.0 * (1.0 - t)).round() as u8;
    RGBColor(level, level, level)
}

/// The symmetric scale of a row of relevances: its largest absolute value.
pub fn symmetric_scale(values: &[f64]) -> f64 {
    values.iter().fold(0.0, |m, v| m.max(v.abs()))
}

/// Line colours for several series (Okabe–Ito, readable by colour-blind viewers), cycled.
pub fn series(index: usize) -> RGBColor {
    const PALETTE: [RGBColor; 8] = [
        RGBColor(213, 94, 0),
        RGBColor(0, 114, 178),
        RGBColor(0, 158, 115),
        RGBColor(204, 121, 167),
        RGBColor(230, 159, 0),
        RGBColor(86, 180, 233),
        RGBColor(0, 0, 0),
        RGBColor(240, 228, 66),
    ];
    PALETTE[index % PALETTE.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relevance_is_symmetric_white_at_zero_and_monotone_in_redness() {
        assert_eq!(relevance(0.0, 2.0), RGBColor(255, 255, 255));
        assert_eq!(relevance(2.0, 2.0), RGBColor(255, 0, 0));
        assert_eq!(relevance(-2.0, 2.0), RGBColor(0, 0, 255));
        assert_eq!(relevance(5.0, 2.0), RGBColor(255, 0, 0));
        assert_eq!(relevance(1.0, 0.0), RGBColor(255, 255, 255));
        let redness = |v: f64| {
            let c = relevance(v, 1.0);
            i32::from(c.0) - i32::from(c.2)
        };
        let values = [-1.0, -0.6, -0.1, 0.0, 0.05, 0.5, 1.0];
        for pair in values.windows(2) {
            assert!(redness(pair[0]) < redness(pair[1]), "{pair:?}");
        }
        let (up, down) = (relevance(0.3, 1.0), relevance(-0.3, 1.0));
        assert_eq!((up.0, up.1, up.2), (down.2, down.1, down.0));
    }

    #[test]
    fn ink_maps_low_to_white_and_high_to_black() {
        assert_eq!(ink(0.0, 0.0, 16.0), RGBColor(255, 255, 255));
        assert_eq!(ink(16.0, 0.0, 16.0), RGBColor(0, 0, 0));
        assert_eq!(ink(3.0, 3.0, 3.0), RGBColor(255, 255, 255));
        assert_eq!(symmetric_scale(&[0.5, -2.0, 1.0]), 2.0);
    }
}
