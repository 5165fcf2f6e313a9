//! Feature-flipping curves (`neuralize evaluate --curves`): one panel per imputation, one
//! line per method, output relative to each row's start against features removed.

use super::colors;
use super::figure::{DrawResult, Figure};
use super::font::FAMILY;
use crate::cli::CliResult as Result;
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;

/// One mean flipping curve: `points[s]` is the mean relative output after `s` features
/// were removed.
#[derive(Debug, Clone, PartialEq)]
pub struct Curve {
    /// The method's name.
    pub method: String,
    /// `mean` or `marginal`.
    pub imputation: String,
    /// The mean relative output after 0, 1, ... features were removed.
    pub points: Vec<f64>,
}

/// Several curves, drawn in one panel per imputation (in order of first appearance).
#[derive(Debug, Clone, PartialEq)]
pub struct Curves {
    curves: Vec<Curve>,
    imputations: Vec<String>,
    methods: Vec<String>,
}

/// Size of one panel in pixels.
const PANEL: (u32, u32) = (560, 440);

impl Curves {
    /// Errors if there is no curve, a curve has no point or a point is not finite.
    pub fn new(curves: Vec<Curve>) -> Result<Self> {
        if curves.is_empty() {
            return Err(Error::parameter("curves", "no curve to draw").into());
        }
        let mut imputations: Vec<String> = Vec::new();
        let mut methods: Vec<String> = Vec::new();
        for curve in &curves {
            if curve.points.is_empty() || curve.points.iter().any(|v| !v.is_finite()) {
                return Err(Error::parameter(
                    "curves",
                    format!(
                        "the curve of {} ({} imputation) is empty or not finite",
                        curve.method, curve.imputation
                    ),
                )
                .into());
            }
            if !imputations.contains(&curve.imputation) {
                imputations.push(curve.imputation.clone());
            }
            if !methods.contains(&curve.method) {
                methods.push(curve.method.clone());
            }
        }
        Ok(Curves {
            curves,
            imputations,
            methods,
        })
    }

    /// The panels' imputations, in order.
    pub fn imputations(&self) -> &[String] {
        &self.imputations
    }
}

impl Figure for Curves {
    fn size(&self) -> (u32, u32) {
        (PANEL.0 * self.imputations.len() as u32, PANEL.1)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let steps = self
            .curves
            .iter()
            .map(|c| c.points.len())
            .max()
            .unwrap_or(1)
            - 1;
        let (low, high) = self
            .curves
            .iter()
            .flat_map(|c| c.points.iter().copied())
            .fold((0.0f64, 1.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
        let pad = 0.05 * (high - low);
        let panels = area.split_evenly((1, self.imputations.len()));
        for (panel, imputation) in panels.iter().zip(&self.imputations) {
            let mut chart = ChartBuilder::on(panel)
                .caption(format!("{imputation} imputation"), (FAMILY, 18))
                .margin(12)
                .x_label_area_size(40)
                .y_label_area_size(56)
                .build_cartesian_2d(0.0..steps.max(1) as f64, (low - pad)..(high + pad))?;
            chart
                .configure_mesh()
                .x_desc("features removed (most relevant first)")
                .y_desc("mean output / start")
                .max_light_lines(1)
                .x_label_formatter(&|step| format!("{step:.0}"))
                .label_style((FAMILY, 13))
                .axis_desc_style((FAMILY, 14))
                .draw()?;
            for curve in self.curves.iter().filter(|c| &c.imputation == imputation) {
                let index = self.methods.iter().position(|m| m == &curve.method);
                let index = index.unwrap_or(0);
                let colour = colors::series(index);
                // Earlier methods are drawn wider, so that curves on top of them stay visible.
                let width = 1 + (self.methods.len() - index).min(3) as u32;
                let points = curve.points.iter().enumerate().map(|(s, &v)| (s as f64, v));
                chart
                    .draw_series(LineSeries::new(points, colour.stroke_width(width)))?
                    .label(curve.method.clone())
                    .legend(move |(x, y)| {
                        PathElement::new(vec![(x, y), (x + 20, y)], colour.stroke_width(width))
                    });
            }
            chart
                .configure_series_labels()
                .position(SeriesLabelPosition::UpperRight)
                .background_style(WHITE.mix(0.85))
                .border_style(BLACK)
                .label_font((FAMILY, 13))
                .draw()?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn curve(method: &str, imputation: &str, points: &[f64]) -> Curve {
        Curve {
            method: method.into(),
            imputation: imputation.into(),
            points: points.to_vec(),
        }
    }

    #[test]
    fn panels_follow_the_imputations_and_bad_curves_are_errors() {
        let curves = Curves::new(vec![
            curve("neon", "mean", &[1.0, 0.4, 0.0]),
            curve("random", "mean", &[1.0, 0.8, 0.0]),
            curve("neon", "marginal", &[1.0, 0.5, 0.1]),
        ])
        .unwrap();
        assert_eq!(curves.imputations(), ["mean", "marginal"]);
        assert_eq!(curves.size(), (2 * PANEL.0, PANEL.1));
        assert!(Curves::new(vec![]).is_err());
        assert!(Curves::new(vec![curve("neon", "mean", &[])]).is_err());
        assert!(Curves::new(vec![curve("neon", "mean", &[1.0, f64::NAN])]).is_err());
    }
}
