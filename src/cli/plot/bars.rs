//! `neuralize plot bars`: the largest relevances of one row as signed bars.

use super::rows::read_explained;
use crate::cli::stream::parse_delimiter;
use crate::plot::{format_number, save, Bars, ImageFormat};
use std::path::PathBuf;

#[derive(Debug, Clone, clap::Args)]
pub struct BarsArgs {
    /// Output of `neuralize explain` (the explained output and the R_<feature> columns).
    #[arg(long, short = 'r')]
    pub relevance: PathBuf,
    /// The data row to draw (0-based).
    #[arg(long)]
    pub row: usize,
    /// How many features to show: those with the largest |relevance|.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output picture: .png or .svg.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Field delimiter of the CSV file.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
}

pub fn run(args: BarsArgs) -> crate::cli::CliResult<()> {
    ImageFormat::from_path(&args.output)?;
    let explained = read_explained(&args.relevance, args.delimiter, &[args.row], "row")?;
    let (output, relevance) = explained
        .rows
        .into_iter()
        .next()
        .expect("one row asked for");
    let title = format!(
        "row {}: {} {}",
        args.row,
        explained.output_name,
        format_number(output)
    );
    let bars = Bars::new(explained.features, relevance, args.top)?.with_title(title);
    save(&bars, &args.output)
}
