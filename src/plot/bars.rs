//! Signed relevance bars of one tabular row: the `top` features by |relevance|, largest at
//! the top, red to the right (positive), blue to the left (negative).

use super::colors;
use super::figure::{DrawResult, Figure};
use super::font::FAMILY;
use super::number::format_number;
use crate::cli::CliResult as Result;
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;

/// A bar chart of the largest relevances of one row.
#[derive(Debug, Clone, PartialEq)]
pub struct Bars {
    /// Shown features, largest |relevance| first: (name, relevance).
    shown: Vec<(String, f64)>,
    /// Number of features of the row.
    total: usize,
    title: String,
}

/// Height of one bar's slot in pixels.
const SLOT: u32 = 30;
/// Width of the picture.
const WIDTH: u32 = 900;

impl Bars {
    /// The `top` features of `names`/`relevance` with the largest |relevance| (ties keep the
    /// feature order). Errors if the two lengths differ, there is no feature or `top` is 0.
    pub fn new(names: Vec<String>, relevance: Vec<f64>, top: usize) -> Result<Self> {
        if names.len() != relevance.len() {
            return Err(Error::parameter(
                "relevance",
                format!(
                    "{} names but {} relevance values",
                    names.len(),
                    relevance.len()
                ),
            )
            .into());
        }
        if names.is_empty() {
            return Err(Error::parameter("relevance", "no feature to show").into());
        }
        if top == 0 {
            return Err(Error::parameter("top", "must be at least 1").into());
        }
        let total = names.len();
        let mut shown: Vec<(String, f64)> = names.into_iter().zip(relevance).collect();
        shown.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()));
        shown.truncate(top);
        let title = format!("top {} of {total} features", shown.len());
        Ok(Bars {
            shown,
            total,
            title,
        })
    }

    /// Replace the first title line (the second always gives the sum of the shown bars).
    pub fn with_title(mut self, title: impl Into<String>) -> Self {
        self.title = title.into();
        self
    }

    /// The shown features, largest |relevance| first.
    pub fn shown(&self) -> &[(String, f64)] {
        &self.shown
    }

    /// The sum of the shown relevances.
    pub fn shown_sum(&self) -> f64 {
        self.shown.iter().map(|(_, v)| v).sum()
    }
}

impl Figure for Bars {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 110 + SLOT * self.shown.len() as u32)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let k = self.shown.len();
        let extent = colors::symmetric_scale(&self.shown.iter().map(|s| s.1).collect::<Vec<_>>());
        let extent = if extent > 0.0 { extent * 1.08 } else { 1.0 };
        let longest = self
            .shown
            .iter()
            .map(|s| s.0.chars().count())
            .max()
            .unwrap_or(0);
        let caption = format!(
            "{}\nsum of the {k} bars: {} (of {} features)",
            self.title,
            format_number(self.shown_sum()),
            self.total
        );
        let (title_area, plot_area) = area.split_vertically(50);
        for (line, text) in caption.lines().enumerate() {
            title_area.draw_text(
                text,
                &(FAMILY, 16).into_font().into(),
                (12, 6 + 22 * line as i32),
            )?;
        }
        let mut chart = ChartBuilder::on(&plot_area)
            .margin(12)
            .x_label_area_size(36)
            .y_label_area_size(16 + 8 * longest as u32)
            // An integer range is inclusive as a discrete axis: 0..k-1 has k slots.
            .build_cartesian_2d(-extent..extent, (0..k - 1).into_segmented())?;
        let label_of = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) if *i < k => self.shown[k - 1 - i].0.clone(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .max_light_lines(1)
            .y_labels(k)
            .y_label_formatter(&label_of)
            .x_desc("relevance")
            .label_style((FAMILY, 14))
            .axis_desc_style((FAMILY, 14))
            .draw()?;
        chart.draw_series(self.shown.iter().enumerate().map(|(j, (_, value))| {
            let slot = k - 1 - j;
            let colour = colors::relevance(value.signum(), 1.0);
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(slot)),
                    (*value, SegmentValue::Exact(slot + 1)),
                ],
                colour.filled(),
            );
            bar.set_margin(4, 4, 0, 0);
            bar
        }))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(k))],
            BLACK.stroke_width(1),
        )))?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keeps_the_largest_absolute_values_in_order() {
        let names = ["a", "b", "c", "d"].map(String::from).to_vec();
        let bars = Bars::new(names, vec![0.5, -2.0, 1.0, 0.25], 3).unwrap();
        let shown: Vec<&str> = bars.shown().iter().map(|s| s.0.as_str()).collect();
        assert_eq!(shown, ["b", "c", "a"]);
        assert_eq!(bars.shown_sum(), -0.5);
        assert!(Bars::new(vec!["a".into()], vec![], 1).is_err());
        assert!(Bars::new(vec!["a".into()], vec![1.0], 0).is_err());
    }
}
