//! Pictures of a SpRAy run (`neuralize spray`): the Laplacian's eigenvalues with the chosen
//! number of clusters marked, and the 2-D embedding coloured by cluster.

use super::colors;
use super::figure::{DrawResult, Figure};
use super::font::FAMILY;
use crate::cli::CliResult as Result;
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;

/// The smallest eigenvalues of the normalized Laplacian, ascending, one point each, with a
/// dashed line between the `chosen`-th and the next: eigenvalues left of it are the groups.
#[derive(Debug, Clone, PartialEq)]
pub struct Spectrum {
    eigenvalues: Vec<f64>,
    chosen: usize,
    note: String,
}

impl Spectrum {
    /// Errors if there is no eigenvalue, one is not finite, or `chosen` is not in 1..=len.
    /// `note` is the title's second part (e.g. the rule and the gap).
    pub fn new(eigenvalues: Vec<f64>, chosen: usize, note: String) -> Result<Self> {
        if eigenvalues.is_empty() || eigenvalues.iter().any(|v| !v.is_finite()) {
            return Err(Error::parameter("eigenvalues", "empty or not finite").into());
        }
        if chosen == 0 || chosen > eigenvalues.len() {
            return Err(Error::parameter(
                "clusters",
                format!("{chosen} is not in 1..={}", eigenvalues.len()),
            )
            .into());
        }
        Ok(Spectrum {
            eigenvalues,
            chosen,
            note,
        })
    }
}

impl Figure for Spectrum {
    fn size(&self) -> (u32, u32) {
        (640, 420)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let p = self.eigenvalues.len();
        let high = self
            .eigenvalues
            .iter()
            .fold(0.0f64, |m, &v| m.max(v))
            .max(1e-3);
        let mut chart = ChartBuilder::on(area)
            .caption(
                format!(
                    "Laplacian eigenvalues: {} clusters {}",
                    self.chosen, self.note
                ),
                (FAMILY, 17),
            )
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(0.5..p as f64 + 0.5, -0.03 * high..1.05 * high)?;
        chart
            .configure_mesh()
            .x_desc("index (ascending)")
            .y_desc("eigenvalue of L = I - D^-1/2 A D^-1/2")
            .max_light_lines(1)
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 14))
            .draw()?;
        let cut = self.chosen as f64 + 0.5;
        let dash = colors::series(1);
        let steps = 40;
        chart.draw_series((0..steps).step_by(2).map(|s| {
            let y = |t: usize| -0.03 * high + (1.08 * high) * t as f64 / steps as f64;
            PathElement::new(vec![(cut, y(s)), (cut, y(s + 1))], dash.stroke_width(2))
        }))?;
        let points = self
            .eigenvalues
            .iter()
            .enumerate()
            .map(|(i, &v)| (i as f64 + 1.0, v));
        chart.draw_series(LineSeries::new(
            points.clone(),
            colors::series(0).stroke_width(1),
        ))?;
        chart.draw_series(points.enumerate().map(|(i, (x, y))| {
            let colour = if i < self.chosen {
                colors::series(1)
            } else {
                colors::series(0)
            };
            Circle::new((x, y), 4, colour.filled())
        }))?;
        Ok(())
    }
}

/// The 2-D embedding: one dot per row coloured by cluster, prototype rows circled in black,
/// a legend with each cluster's size.
#[derive(Debug, Clone, PartialEq)]
pub struct Embedding {
    points: Vec<(f64, f64)>,
    labels: Vec<usize>,
    prototypes: Vec<usize>,
    noise: Option<usize>,
}

impl Embedding {
    /// Errors if there is no point, the lengths differ, a coordinate is not finite or a
    /// prototype is not a row.
    pub fn new(
        points: Vec<(f64, f64)>,
        labels: Vec<usize>,
        prototypes: Vec<usize>,
    ) -> Result<Self> {
        if points.is_empty() || points.len() != labels.len() {
            return Err(Error::parameter(
                "embedding",
                format!("{} points for {} labels", points.len(), labels.len()),
            )
            .into());
        }
        if let Some(r) = points
            .iter()
            .position(|p| !(p.0.is_finite() && p.1.is_finite()))
        {
            return Err(Error::parameter("embedding", format!("row {r} is not finite")).into());
        }
        if let Some(&p) = prototypes.iter().find(|&&p| p >= points.len()) {
            return Err(Error::parameter("prototypes", format!("row {p} does not exist")).into());
        }
        Ok(Embedding {
            points,
            labels,
            prototypes,
            noise: None,
        })
    }

    /// Draw the rows of label `label` as noise (DBSCAN): small gray dots, `noise` in the
    /// legend.
    pub fn with_noise(mut self, label: usize) -> Self {
        self.noise = Some(label);
        self
    }
}

impl Figure for Embedding {
    fn size(&self) -> (u32, u32) {
        (640, 560)
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let range = |f: fn(&(f64, f64)) -> f64| {
            let (lo, hi) = self
                .points
                .iter()
                .map(f)
                .fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), v| {
                    (a.min(v), b.max(v))
                });
            let pad = 0.06 * (hi - lo).max(1e-9);
            (lo - pad)..(hi + pad)
        };
        let mut chart = ChartBuilder::on(area)
            .caption("spectral embedding (eigenvectors 2 and 3)", (FAMILY, 17))
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(56)
            .build_cartesian_2d(range(|p| p.0), range(|p| p.1))?;
        chart
            .configure_mesh()
            .x_desc("embedding_0")
            .y_desc("embedding_1")
            .max_light_lines(1)
            .label_style((FAMILY, 13))
            .axis_desc_style((FAMILY, 14))
            .draw()?;
        let k = self.labels.iter().max().map_or(0, |m| m + 1);
        for c in 0..k {
            let noise = self.noise == Some(c);
            let colour = if noise {
                RGBColor(150, 150, 150)
            } else {
                colors::series(c)
            };
            let members: Vec<(f64, f64)> = self
                .points
                .iter()
                .zip(&self.labels)
                .filter(|(_, &l)| l == c)
                .map(|(&p, _)| p)
                .collect();
            let size = members.len();
            chart
                .draw_series(
                    members
                        .into_iter()
                        .map(|p| Circle::new(p, 3, colour.mix(0.7).filled())),
                )?
                .label(if noise {
                    format!("noise ({size} rows)")
                } else {
                    format!("cluster {c} ({size} rows)")
                })
                .legend(move |(x, y)| Circle::new((x + 8, y), 4, colour.filled()));
        }
        chart.draw_series(
            self.prototypes
                .iter()
                .map(|&r| Circle::new(self.points[r], 6, BLACK.stroke_width(2))),
        )?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.85))
            .border_style(BLACK)
            .label_font((FAMILY, 13))
            .draw()?;
        Ok(())
    }
}
