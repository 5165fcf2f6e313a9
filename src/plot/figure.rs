//! What every picture shares: the [`Figure`] trait, the two file formats, and saving.

use super::font;
use crate::cli::{CliError, CliResult as Result};
use crate::io::atomic::write_atomically;
use crate::Error;
use plotters::coord::Shift;
use plotters::prelude::*;
use std::path::Path;

/// The result of drawing on backend `DB`.
pub type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// A picture of a fixed size that can draw itself on any plotters backend.
pub trait Figure {
    /// Width and height in pixels.
    fn size(&self) -> (u32, u32);
    /// Draw on `area` (already of [`Figure::size`], white).
    fn draw<DB: DrawingBackend>(&self, area: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

/// The file formats a figure can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ImageFormat {
    /// 8-bit RGB PNG.
    Png,
    /// SVG text (text stays text, in the `sans-serif` family).
    Svg,
}

impl ImageFormat {
    /// The format named by `path`'s extension (`.png` or `.svg`, any case).
    pub fn from_path(path: &Path) -> Result<Self> {
        let extension = path
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match extension.as_deref() {
            Some("png") => Ok(ImageFormat::Png),
            Some("svg") => Ok(ImageFormat::Svg),
            _ => Err(Error::parameter(
                "output",
                format!(
                    "{}: unknown picture format (the file name must end in .png or .svg)",
                    path.display()
                ),
            )
            .into()),
        }
    }
}

/// Draw `figure` and encode it as `format`: the bytes of a PNG file or of an SVG document.
pub fn render(figure: &impl Figure, format: ImageFormat) -> Result<Vec<u8>> {
    font::register()?;
    let (width, height) = figure.size();
    match format {
        ImageFormat::Png => {
            let mut pixels = vec![0u8; width as usize * height as usize * 3];
            {
                let area =
                    BitMapBackend::with_buffer(&mut pixels, (width, height)).into_drawing_area();
                draw_on_white(figure, &area)?;
            }
            encode_png(&pixels, width, height)
        }
        ImageFormat::Svg => {
            let mut text = String::new();
            {
                let area = SVGBackend::with_string(&mut text, (width, height)).into_drawing_area();
                draw_on_white(figure, &area)?;
            }
            Ok(text.into_bytes())
        }
    }
}

/// A white background, then the figure.
fn draw_on_white<DB: DrawingBackend>(
    figure: &impl Figure,
    area: &DrawingArea<DB, Shift>,
) -> Result<()> {
    area.fill(&WHITE).map_err(drawing_error)?;
    figure.draw(area).map_err(drawing_error)?;
    area.present().map_err(drawing_error)
}

/// Draw `figure` into `path` (PNG or SVG by its extension), written atomically.
pub fn save(figure: &impl Figure, path: &Path) -> Result<()> {
    let format = ImageFormat::from_path(path)?;
    let bytes = render(figure, format)?;
    Ok(write_atomically(path, |out| out.write_all(&bytes))?)
}

fn encode_png(rgb: &[u8], width: u32, height: u32) -> Result<Vec<u8>> {
    let mut bytes = Vec::new();
    let mut encoder = png::Encoder::new(&mut bytes, width, height);
    encoder.set_color(png::ColorType::Rgb);
    encoder.set_depth(png::BitDepth::Eight);
    encoder
        .write_header()
        .and_then(|mut writer| writer.write_image_data(rgb))
        .map_err(|e| CliError::Plot(format!("PNG encoding failed: {e}")))?;
    Ok(bytes)
}

fn drawing_error<E: std::error::Error + Send + Sync>(error: DrawingAreaErrorKind<E>) -> CliError {
    CliError::Plot(error.to_string())
}
