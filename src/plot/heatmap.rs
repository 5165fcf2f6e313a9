//! Relevance heatmaps of image-like rows: per row, the input image (gray) beside its
//! relevance (red = positive, blue = negative, white = 0, scale symmetric per row), with a
//! caption underneath.

use super::colors;
use super::figure::{DrawResult, Figure};
use super::font::FAMILY;
use super::number::format_number;
use crate::cli::CliResult as Result;
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};

/// One picture row: an input, its relevance (both row-major images) and a caption.
#[derive(Debug, Clone, PartialEq)]
pub struct HeatmapRow {
    /// Pixel values; feature `i` is pixel `(i / width, i % width)`.
    pub input: Vec<f64>,
    /// Relevance of each pixel, same order as `input`.
    pub relevance: Vec<f64>,
    /// Printed under the pair, e.g. `row 3: outlierness 1.25`.
    pub caption: String,
}

/// Pairs of input image and relevance heatmap, one pair per row.
#[derive(Debug, Clone, PartialEq)]
pub struct Heatmap {
    rows: Vec<HeatmapRow>,
    layout: HeatmapLayout,
}

impl Heatmap {
    /// A heatmap of `rows` of images `height x width` (row-major). Errors if there is no
    /// row, or a row's input or relevance does not have `height * width` values.
    pub fn new(height: usize, width: usize, rows: Vec<HeatmapRow>) -> Result<Self> {
        if height == 0 || width == 0 {
            return Err(Error::parameter("shape", "height and width must be at least 1").into());
        }
        if rows.is_empty() {
            return Err(Error::parameter("rows", "no row to draw").into());
        }
        let pixels = height * width;
        for row in &rows {
            if row.input.len() != pixels || row.relevance.len() != pixels {
                return Err(Error::parameter(
                    "shape",
                    format!(
                        "{height}x{width} has {pixels} pixels but a row has {} input and {} relevance values",
                        row.input.len(),
                        row.relevance.len()
                    ),
                ).into());
            }
        }
        let layout = HeatmapLayout::new(height, width, rows.len());
        Ok(Heatmap { rows, layout })
    }

    /// Where everything is drawn.
    pub fn layout(&self) -> &HeatmapLayout {
        &self.layout
    }
}

/// Pixel geometry of a [`Heatmap`]: square cells, two panels per row, captions below.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HeatmapLayout {
    height: usize,
    width: usize,
    rows: usize,
    /// Side of one cell in pixels.
    cell: u32,
}

/// Space around the picture and between panels.
const MARGIN: u32 = 16;
/// Height of the panel titles at the top.
const TITLE: u32 = 28;
/// Height of the caption under each pair.
const CAPTION: u32 = 44;
/// The longer side of a panel is about this many pixels.
const PANEL: u32 = 224;

impl HeatmapLayout {
    fn new(height: usize, width: usize, rows: usize) -> Self {
        let longest = height.max(width) as u32;
        let cell = (PANEL / longest).max(2);
        HeatmapLayout {
            height,
            width,
            rows,
            cell,
        }
    }

    fn panel_size(&self) -> (u32, u32) {
        (
            self.cell * self.width as u32,
            self.cell * self.height as u32,
        )
    }

    /// Width and height of the whole picture.
    pub fn size(&self) -> (u32, u32) {
        let (w, h) = self.panel_size();
        let width = (2 * w + 3 * MARGIN).max(2 * 190 + 3 * MARGIN);
        (width, TITLE + self.rows as u32 * (h + CAPTION) + MARGIN)
    }

    /// Top-left corner of panel `panel` (0 = input, 1 = relevance) of picture row `row`.
    fn panel_origin(&self, row: usize, panel: usize) -> (i32, i32) {
        let (w, h) = self.panel_size();
        let (total, _) = self.size();
        let left = (total - (2 * w + MARGIN)) / 2;
        let x = left + panel as u32 * (w + MARGIN);
        let y = TITLE + row as u32 * (h + CAPTION);
        (x as i32, y as i32)
    }

    /// The pixel rectangle `[top-left, bottom-right)` of feature `feature` in panel `panel`
    /// (0 = input, 1 = relevance) of picture row `row`.
    pub fn cell_rect(&self, row: usize, panel: usize, feature: usize) -> [(i32, i32); 2] {
        let (x0, y0) = self.panel_origin(row, panel);
        let c = self.cell as i32;
        let (i, j) = ((feature / self.width) as i32, (feature % self.width) as i32);
        [
            (x0 + j * c, y0 + i * c),
            (x0 + (j + 1) * c, y0 + (i + 1) * c),
        ]
    }

    /// The centre pixel of a cell (see [`HeatmapLayout::cell_rect`]).
    pub fn cell_center(&self, row: usize, panel: usize, feature: usize) -> (i32, i32) {
        let [(x0, y0), (x1, y1)] = self.cell_rect(row, panel, feature);
        ((x0 + x1) / 2, (y0 + y1) / 2)
    }
}

impl Figure for Heatmap {
    fn size(&self) -> (u32, u32) {
        self.layout.size()
    }

    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let layout = &self.layout;
        let (panel_w, panel_h) = layout.panel_size();
        let centered = |size: u32| {
            TextStyle::from((FAMILY, size).into_font()).pos(Pos::new(HPos::Center, VPos::Top))
        };
        for (panel, title) in ["input", "relevance"].into_iter().enumerate() {
            let (x, _) = layout.panel_origin(0, panel);
            area.draw_text(title, &centered(16), (x + panel_w as i32 / 2, 6))?;
        }
        for (r, row) in self.rows.iter().enumerate() {
            let low = row.input.iter().copied().fold(f64::INFINITY, f64::min);
            let high = row.input.iter().copied().fold(f64::NEG_INFINITY, f64::max);
            let scale = colors::symmetric_scale(&row.relevance);
            for i in 0..row.input.len() {
                let input = colors::ink(row.input[i], low, high);
                area.draw(&Rectangle::new(layout.cell_rect(r, 0, i), input.filled()))?;
                let relevance = colors::relevance(row.relevance[i], scale);
                area.draw(&Rectangle::new(
                    layout.cell_rect(r, 1, i),
                    relevance.filled(),
                ))?;
            }
            for panel in 0..2 {
                let (x, y) = layout.panel_origin(r, panel);
                let corner = (x + panel_w as i32, y + panel_h as i32);
                area.draw(&Rectangle::new(
                    [(x - 1, y - 1), corner],
                    BLACK.stroke_width(1),
                ))?;
            }
            let (total_w, _) = layout.size();
            let y = layout.panel_origin(r, 0).1 + panel_h as i32 + 6;
            let centre = total_w as i32 / 2;
            area.draw_text(&row.caption, &centered(14), (centre, y))?;
            let range = format!("relevance scale ±{}", format_number(scale));
            area.draw_text(&range, &centered(12), (centre, y + 18))?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::plot::{render, ImageFormat};

    fn decode(bytes: &[u8]) -> (u32, u32, Vec<u8>) {
        let decoder = png::Decoder::new(bytes);
        let mut reader = decoder.read_info().unwrap();
        let mut pixels = vec![0; reader.output_buffer_size()];
        let info = reader.next_frame(&mut pixels).unwrap();
        assert_eq!(info.color_type, png::ColorType::Rgb);
        (info.width, info.height, pixels)
    }

    #[test]
    fn cells_are_coloured_by_sign_and_size() {
        // 3x4 image; relevance with one clear maximum and minimum.
        let relevance = vec![
            0.1, 0.0, -0.2, 0.4, 2.0, -0.5, 0.3, -1.5, 0.0, 0.2, -0.1, 0.05,
        ];
        let rows = vec![HeatmapRow {
            input: (0..12).map(f64::from).collect(),
            relevance: relevance.clone(),
            caption: "row 0: outlierness 0.75".into(),
        }];
        let heatmap = Heatmap::new(3, 4, rows).unwrap();
        let layout = *heatmap.layout();
        let (width, height, pixels) = decode(&render(&heatmap, ImageFormat::Png).unwrap());
        assert_eq!((width, height), layout.size());
        let rgb = |(x, y): (i32, i32)| {
            let at = (y as usize * width as usize + x as usize) * 3;
            (pixels[at], pixels[at + 1], pixels[at + 2])
        };
        let redness: Vec<i32> = (0..12)
            .map(|i| {
                let (r, _, b) = rgb(layout.cell_center(0, 1, i));
                i32::from(r) - i32::from(b)
            })
            .collect();
        let argmax = (0..12).max_by_key(|&i| redness[i]).unwrap();
        let argmin = (0..12).min_by_key(|&i| redness[i]).unwrap();
        assert_eq!((argmax, argmin), (4, 7), "{redness:?}");
        assert_eq!(rgb(layout.cell_center(0, 1, 4)), (255, 0, 0));
        assert_eq!(rgb(layout.cell_center(0, 1, 1)), (255, 255, 255));
        // Input: the smallest value is white paper, the largest black ink.
        assert_eq!(rgb(layout.cell_center(0, 0, 0)), (255, 255, 255));
        assert_eq!(rgb(layout.cell_center(0, 0, 11)), (0, 0, 0));
    }

    #[test]
    fn wrong_sizes_are_errors() {
        let row = HeatmapRow {
            input: vec![0.0; 6],
            relevance: vec![0.0; 6],
            caption: String::new(),
        };
        assert!(Heatmap::new(2, 3, vec![row.clone()]).is_ok());
        assert!(Heatmap::new(3, 3, vec![row.clone()]).is_err());
        assert!(Heatmap::new(0, 3, vec![row]).is_err());
        assert!(Heatmap::new(2, 3, vec![]).is_err());
    }
}
