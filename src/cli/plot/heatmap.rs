//! `neuralize plot heatmap`: input images beside their relevance heatmaps.

use super::rows::{read_explained, read_inputs};
use crate::cli::stream::parse_delimiter;
use crate::plot::{format_number, save, Heatmap, HeatmapRow, ImageFormat};
use crate::{Error, Result};
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct HeatmapArgs {
    /// Output of `neuralize explain` (the explained output and the R_<feature> columns).
    #[arg(long, short = 'r')]
    pub relevance: PathBuf,
    /// The explained input table; features matched to R_<name> by name, else by position.
    #[arg(long, short = 'i')]
    pub input: PathBuf,
    /// Image shape HEIGHTxWIDTH, row-major: feature i is pixel (i / WIDTH, i % WIDTH).
    #[arg(long)]
    pub shape: String,
    /// Data rows to draw (0-based, comma-separated), one picture row each.
    #[arg(long, value_delimiter = ',', required = true)]
    pub rows: Vec<usize>,
    /// Output picture: .png or .svg.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Field delimiter of the CSV files.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
}

pub fn run(args: HeatmapArgs) -> crate::cli::CliResult<()> {
    ImageFormat::from_path(&args.output)?;
    let (height, width) = parse_shape(&args.shape)?;
    let explained = read_explained(&args.relevance, args.delimiter, &args.rows, "rows")?;
    let d = explained.features.len();
    if height * width != d {
        return Err(Error::parameter(
            "shape",
            format!(
                "{height}x{width} has {} pixels but {} has {d} relevance columns",
                height * width,
                args.relevance.display()
            ),
        )
        .into());
    }
    let inputs = read_inputs(
        &args.input,
        args.delimiter,
        &explained.features,
        &args.rows,
        "rows",
    )?;
    let rows = args
        .rows
        .iter()
        .zip(explained.rows)
        .zip(inputs)
        .map(|((row, (output, relevance)), input)| HeatmapRow {
            input,
            relevance,
            caption: format!(
                "row {row}: {} {}",
                explained.output_name,
                format_number(output)
            ),
        })
        .collect();
    save(&Heatmap::new(height, width, rows)?, &args.output)
}

/// `HEIGHTxWIDTH` with both at least 1.
pub(super) fn parse_shape(text: &str) -> Result<(usize, usize)> {
    let bad = || {
        Error::parameter(
            "shape",
            format!("expected HEIGHTxWIDTH such as 8x8, got {text:?}"),
        )
    };
    let (height, width) = text.split_once(['x', 'X']).ok_or_else(bad)?;
    let height: usize = height.trim().parse().map_err(|_| bad())?;
    let width: usize = width.trim().parse().map_err(|_| bad())?;
    if height == 0 || width == 0 {
        return Err(bad());
    }
    Ok((height, width))
}

#[cfg(test)]
mod tests {
    use super::parse_shape;

    #[test]
    fn shapes_parse_and_bad_ones_are_errors() {
        assert_eq!(parse_shape("8x8").unwrap(), (8, 8));
        assert_eq!(parse_shape("28X14").unwrap(), (28, 14));
        for bad in ["8", "8x", "x8", "0x8", "8x-1", "8*8", "axb"] {
            assert!(parse_shape(bad).is_err(), "{bad}");
        }
    }
}
