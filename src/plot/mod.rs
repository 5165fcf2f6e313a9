//! Pictures of explanations (behind the `cli` feature): relevance heatmaps of image-like
//! rows, signed relevance bars of tabular rows, and feature-flipping curves.
//!
//! Every picture is a [`Figure`]: it knows its size in pixels and draws itself on any
//! plotters backend. [`save`] picks PNG or SVG by the file extension and writes the file
//! atomically. Text uses the bundled DejaVu Sans font (see `assets/fonts/`), so pictures look
//! the same on every machine and no system font library is needed.
//!
//! Colours: relevance uses a diverging scale, red = positive (evidence for the explained
//! output), blue = negative, white = 0, symmetric around 0 (see [`colors::relevance`]).
//!
//! ```
//! use neuralize::plot::{render, Bars, ImageFormat};
//!
//! let bars = Bars::new(
//!     vec!["age".into(), "income".into(), "debt".into()],
//!     vec![0.5, -0.25, 1.5],
//!     2,
//! )?
//! .with_title("row 0: outlierness 1.75");
//! let svg = render(&bars, ImageFormat::Svg)?;
//! assert!(String::from_utf8(svg).unwrap().contains("debt"));
//! # Ok::<(), neuralize::cli::CliError>(())
//! ```

mod bars;
mod clusters;
pub mod colors;
mod curves;
mod figure;
mod font;
mod heatmap;
mod number;
mod spray;

pub use bars::Bars;
pub use clusters::{ClusterPanel, ClusterPanels, PanelKind};
pub use curves::{Curve, Curves};
pub use figure::{render, save, DrawResult, Figure, ImageFormat};
pub use heatmap::{Heatmap, HeatmapLayout, HeatmapRow};
pub use number::format_number;
pub use spray::{Embedding, Spectrum};
