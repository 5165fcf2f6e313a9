//! One panel per SpRAy cluster (`neuralize plot clusters`): the cluster's mean relevance,
//! as signed bars of its largest features (tabular rows) or as a heatmap (image-shaped rows).
//!
//! Every panel has its own symmetric scale (`±max |mean relevance|` of that cluster, printed
//! under it), so a small cluster's pattern stays visible next to a large one's.

use super::colors;
use super::figure::{DrawResult, Figure};
use super::font::FAMILY;
use super::number::format_number;
use crate::cli::CliResult as Result;
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One cluster: its label (`-1` for noise), size and mean relevance per feature.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterPanel {
    /// The cluster's label.
    pub cluster: i64,
    /// Its number of rows.
    pub size: usize,
    /// The mean of its relevance rows, one value per feature.
    pub mean_relevance: Vec<f64>,
}

/// How each panel shows the mean relevance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PanelKind {
    /// Signed bars of the `top` features with the largest |mean relevance|.
    Bars {
        /// Features shown per panel.
        top: usize,
    },
    /// A `height × width` heatmap, row-major (feature `i` is pixel `(i / width, i % width)`).
    Image {
        /// Image height in pixels.
        height: usize,
        /// Image width in pixels.
        width: usize,
    },
}

/// The panels of all clusters, in a grid of up to [`ClusterPanels::COLUMNS`] columns.
#[derive(Debug, Clone, PartialEq)]
pub struct ClusterPanels {
    features: Vec<String>,
    panels: Vec<ClusterPanel>,
    kind: PanelKind,
}

/// Side of the area above a panel for its title.
const TITLE: u32 = 44;
/// Height of the scale line under a panel.
const CAPTION: u32 = 26;
/// Space around the grid and between panels.
const MARGIN: u32 = 16;
/// The longer side of an image panel.
const IMAGE_SIDE: u32 = 176;
/// Width of a bars panel.
const BARS_WIDTH: u32 = 420;
/// Height of one bar's slot.
const SLOT: u32 = 24;

impl ClusterPanels {
    /// The grid has at most this many columns.
    pub const COLUMNS: usize = 4;

    /// Errors if there is no feature or no panel, a panel's mean relevance does not have one
    /// value per feature or is not finite, `top` is 0, or the image shape does not have one
    /// pixel per feature.
    pub fn new(features: Vec<String>, panels: Vec<ClusterPanel>, kind: PanelKind) -> Result<Self> {
        let d = features.len();
        if d == 0 {
            return Err(Error::parameter("features", "no feature to show").into());
        }
        if panels.is_empty() {
            return Err(Error::parameter("clusters", "no cluster to show").into());
        }
        for p in &panels {
            if p.mean_relevance.len() != d {
                return Err(Error::parameter(
                    "mean_relevance",
                    format!(
                        "cluster {} has {} values for {d} features",
                        p.cluster,
                        p.mean_relevance.len()
                    ),
                )
                .into());
            }
            if p.mean_relevance.iter().any(|v| !v.is_finite()) {
                return Err(Error::parameter(
                    "mean_relevance",
                    format!("cluster {}: a value is not finite", p.cluster),
                )
                .into());
            }
        }
        match kind {
            PanelKind::Bars { top: 0 } => {
                return Err(Error::parameter("top", "must be at least 1").into())
            }
            PanelKind::Image { height, width } if height * width != d || height * width == 0 => {
                return Err(Error::parameter(
                    "shape",
                    format!(
                        "{height}x{width} has {} pixels but there are {d} features",
                        height * width
                    ),
                )
                .into())
            }
            _ => {}
        }
        Ok(ClusterPanels {
            features,
            panels,
            kind,
        })
    }

    /// Grid columns and rows.
    fn grid(&self) -> (usize, usize) {
        let columns = self.panels.len().min(Self::COLUMNS);
        (columns, self.panels.len().div_ceil(columns))
    }

    /// Width and height of one panel's drawing (without title and caption).
    fn panel_size(&self) -> (u32, u32) {
        match self.kind {
            PanelKind::Bars { top } => {
                let shown = top.min(self.features.len()) as u32;
                (BARS_WIDTH, 40 + SLOT * shown)
            }
            PanelKind::Image { height, width } => {
                let cell = self.cell();
                (cell * width as u32, cell * height as u32)
            }
        }
    }

    /// Side of one image cell in pixels.
    fn cell(&self) -> u32 {
        match self.kind {
            PanelKind::Image { height, width } => (IMAGE_SIDE / height.max(width) as u32).max(2),
            PanelKind::Bars { .. } => 0,
        }
    }

    /// The width of a grid slot (at least wide enough for the title).
    fn slot_size(&self) -> (u32, u32) {
        let (w, h) = self.panel_size();
        (w.max(200), TITLE + h + CAPTION)
    }

    /// Top-left corner of panel `p`'s drawing.
    fn panel_origin(&self, p: usize) -> (i32, i32) {
        let (columns, _) = self.grid();
        let (slot_w, slot_h) = self.slot_size();
        let (w, _) = self.panel_size();
        let (col, row) = ((p % columns) as u32, (p / columns) as u32);
        let x = MARGIN + col * (slot_w + MARGIN) + (slot_w - w) / 2;
        let y = MARGIN + row * (slot_h + MARGIN) + TITLE;
        (x as i32, y as i32)
    }

    /// The centre pixel of feature `feature` in image panel `p` (`None` for bars).
    pub fn cell_center(&self, p: usize, feature: usize) -> Option<(i32, i32)> {
        let PanelKind::Image { width, .. } = self.kind else {
            return None;
        };
        let (x0, y0) = self.panel_origin(p);
        let c = self.cell() as i32;
        let (i, j) = ((feature / width) as i32, (feature % width) as i32);
        Some((x0 + j * c + c / 2, y0 + i * c + c / 2))
    }

    /// The features of panel `p` shown as bars, largest |mean relevance| first (ties keep
    /// the feature order): (feature index, value).
    pub fn shown(&self, p: usize) -> Vec<(usize, f64)> {
        let values = &self.panels[p].mean_relevance;
        let mut order: Vec<usize> = (0..values.len()).collect();
        order.sort_by(|&a, &b| values[b].abs().total_cmp(&values[a].abs()));
        let top = match self.kind {
            PanelKind::Bars { top } => top,
            PanelKind::Image { .. } => values.len(),
        };
        order
            .into_iter()
            .take(top)
            .map(|j| (j, values[j]))
            .collect()
    }

    fn draw_bars<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        p: usize,
    ) -> DrawResult<DB> {
        let shown = self.shown(p);
        let k = shown.len();
        let values: Vec<f64> = shown.iter().map(|s| s.1).collect();
        let extent = colors::symmetric_scale(&values);
        let extent = if extent > 0.0 { extent * 1.08 } else { 1.0 };
        let longest = shown
            .iter()
            .map(|s| self.features[s.0].chars().count())
            .max()
            .unwrap_or(0)
            .min(28);
        let mut chart = ChartBuilder::on(area)
            .margin(4)
            .x_label_area_size(30)
            .y_label_area_size(12 + 7 * longest as u32)
            .build_cartesian_2d(-extent..extent, (0..k - 1).into_segmented())?;
        let label_of = |v: &SegmentValue<usize>| match v {
            SegmentValue::CenterOf(i) if *i < k => self.features[shown[k - 1 - i].0].clone(),
            _ => String::new(),
        };
        chart
            .configure_mesh()
            .disable_y_mesh()
            .max_light_lines(1)
            .x_labels(5)
            .y_labels(k)
            .y_label_formatter(&label_of)
            .x_label_formatter(&|x| {
                // Tick positions are sums of floats: print a zero as 0, not -1.388e-17.
                format_number(if x.abs() < 1e-9 * extent { 0.0 } else { *x })
            })
            .label_style((FAMILY, 12))
            .draw()?;
        chart.draw_series(shown.iter().enumerate().map(|(j, &(_, value))| {
            let slot = k - 1 - j;
            let mut bar = Rectangle::new(
                [
                    (0.0, SegmentValue::Exact(slot)),
                    (value, SegmentValue::Exact(slot + 1)),
                ],
                colors::relevance(value.signum(), 1.0).filled(),
            );
            bar.set_margin(3, 3, 0, 0);
            bar
        }))?;
        chart.draw_series(std::iter::once(PathElement::new(
            vec![(0.0, SegmentValue::Exact(0)), (0.0, SegmentValue::Exact(k))],
            BLACK.stroke_width(1),
        )))?;
        Ok(())
    }

    fn draw_image<DB: DrawingBackend>(
        &self,
        area: &DrawingArea<DB, Shift>,
        p: usize,
    ) -> DrawResult<DB> {
        let values = &self.panels[p].mean_relevance;
        let scale = colors::symmetric_scale(values);
        let half = self.cell() as i32 / 2;
        let other = self.cell() as i32 - half;
        for (i, &v) in values.iter().enumerate() {
            let (x, y) = self.cell_center(p, i).expect("an image panel");
            area.draw(&Rectangle::new(
                [(x - half, y - half), (x + other, y + other)],
                colors::relevance(v, scale).filled(),
            ))?;
        }
        let (x, y) = self.panel_origin(p);
        let (w, h) = self.panel_size();
        area.draw(&Rectangle::new(
            [(x - 1, y - 1), (x + w as i32, y + h as i32)],
            BLACK.stroke_width(1),
        ))?;
        Ok(())
    }
}

impl Figure for ClusterPanels {
    fn size(&self) -> (u32, u32) {
        let (columns, rows) = self.grid();
        let (slot_w, slot_h) = self.slot_size();
        (
            MARGIN + columns as u32 * (slot_w + MARGIN),
            MARGIN + rows as u32 * (slot_h + MARGIN),
        )
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let centered = |size: u32| {
            TextStyle::from((FAMILY, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top))
        };
        let total: usize = self.panels.iter().map(|p| p.size).sum();
        for (p, panel) in self.panels.iter().enumerate() {
            let (x, y) = self.panel_origin(p);
            let (w, h) = self.panel_size();
            let centre = x + w as i32 / 2;
            let name = if panel.cluster < 0 {
                "noise".to_string()
            } else {
                format!("cluster {}", panel.cluster)
            };
            let share = 100.0 * panel.size as f64 / total.max(1) as f64;
            let title = format!("{name}: {} rows ({share:.0}%)", panel.size);
            area.draw_text(&title, &centered(15), (centre, y - TITLE as i32 + 4))?;
            let top: Vec<&str> = top_positive(&panel.mean_relevance, 3)
                .into_iter()
                .map(|j| self.features[j].as_str())
                .collect();
            let subtitle = if top.is_empty() {
                "no positive mean relevance".to_string()
            } else {
                format!("top: {}", top.join(", "))
            };
            area.draw_text(&subtitle, &centered(12), (centre, y - TITLE as i32 + 23))?;
            match self.kind {
                PanelKind::Bars { .. } => {
                    let sub = area.clone().shrink((x as u32, y as u32), (w, h));
                    self.draw_bars(&sub, p)?;
                }
                PanelKind::Image { .. } => self.draw_image(area, p)?,
            }
            let scale = colors::symmetric_scale(&panel.mean_relevance);
            let caption = format!("mean relevance, scale ±{}", format_number(scale));
            area.draw_text(&caption, &centered(12), (centre, y + h as i32 + 6))?;
        }
        Ok(())
    }
}

/// The (at most) `count` features of largest positive value, largest first (ties keep the
/// feature order).
fn top_positive(values: &[f64], count: usize) -> Vec<usize> {
    let mut order: Vec<usize> = (0..values.len()).filter(|&j| values[j] > 0.0).collect();
    order.sort_by(|&a, &b| values[b].total_cmp(&values[a]));
    order.truncate(count);
    order
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{render, ImageFormat};

    fn panels() -> Vec<ClusterPanel> {
        vec![
            ClusterPanel {
                cluster: 0,
                size: 30,
                mean_relevance: vec![0.1, 2.0, -0.5, 0.0, 0.3, -1.0],
            },
            ClusterPanel {
                cluster: 1,
                size: 10,
                mean_relevance: vec![-0.2, 0.0, 0.1, 0.05, 0.0, 0.4],
            },
        ]
    }

    fn names() -> Vec<String> {
        ["a", "b", "c", "d", "e", "f"].map(String::from).to_vec()
    }

    #[test]
    fn image_panels_colour_each_cluster_on_its_own_scale() {
        let figure = ClusterPanels::new(
            names(),
            panels(),
            PanelKind::Image {
                height: 2,
                width: 3,
            },
        )
        .unwrap();
        let bytes = render(&figure, ImageFormat::Png).unwrap();
        let decoder = png::Decoder::new(bytes.as_slice());
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!((info.width, info.height), figure.size());
        let rgb = |(x, y): (i32, i32)| {
            let at = (y as usize * info.width as usize + x as usize) * 3;
            (pixels[at], pixels[at + 1], pixels[at + 2])
        };
        assert_eq!(rgb(figure.cell_center(0, 1).unwrap()), (255, 0, 0));
        assert_eq!(rgb(figure.cell_center(0, 3).unwrap()), (255, 255, 255));
        assert_eq!(rgb(figure.cell_center(1, 5).unwrap()), (255, 0, 0));
        assert_eq!(rgb(figure.cell_center(1, 0).unwrap()), (128, 128, 255));
    }

    #[test]
    fn bars_show_the_largest_features_and_bad_shapes_are_errors() {
        let figure = ClusterPanels::new(names(), panels(), PanelKind::Bars { top: 3 }).unwrap();
        assert_eq!(figure.shown(0), [(1, 2.0), (5, -1.0), (2, -0.5)]);
        let svg = String::from_utf8(render(&figure, ImageFormat::Svg).unwrap()).unwrap();
        for text in [
            "cluster 0: 30 rows (75%)",
            "cluster 1: 10 rows (25%)",
            "top: b, e, a",
            "top: f, c, d",
        ] {
            assert!(svg.contains(text), "{text}");
        }
        let image = PanelKind::Image {
            height: 3,
            width: 3,
        };
        assert!(ClusterPanels::new(names(), panels(), image).is_err());
        assert!(ClusterPanels::new(names(), vec![], PanelKind::Bars { top: 3 }).is_err());
        assert!(ClusterPanels::new(names(), panels(), PanelKind::Bars { top: 0 }).is_err());
        let mut bad = panels();
        bad[1].mean_relevance.pop();
        assert!(ClusterPanels::new(names(), bad, PanelKind::Bars { top: 3 }).is_err());
    }
}
