//! `neuralize plot curves`: the mean flipping curves written by `neuralize evaluate --curves`.

use super::table::{column_indices, read_csv};
use crate::cli::stream::parse_delimiter;
use crate::plot::{save, Curve, Curves, ImageFormat};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

/// The columns of a curves file.
const COLUMNS: [&str; 4] = ["method", "imputation", "step", "mean_output"];

#[derive(Debug, Clone, clap::Args)]
pub struct CurvesArgs {
    /// CSV of `neuralize evaluate --curves`: method,imputation,step,mean_output.
    #[arg(long)]
    pub curves: PathBuf,
    /// Output picture: .png or .svg.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Field delimiter of the CSV file.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
}

pub fn run(args: CurvesArgs) -> crate::cli::CliResult<()> {
    ImageFormat::from_path(&args.output)?;
    let curves = read_curves(&args.curves, args.delimiter)?;
    save(&Curves::new(curves)?, &args.output)
}

/// The (step, value) pairs of one curve.
type Steps = Vec<(usize, f64)>;

/// One curve per (method, imputation), in order of first appearance; the steps of each
/// must be 0, 1, 2, ... (in any order).
fn read_curves(path: &Path, delimiter: u8) -> Result<Vec<Curve>> {
    let csv_error = |message: String| Error::Csv {
        path: path.display().to_string(),
        message,
    };
    let (header, records) = read_csv(path, delimiter)?;
    let index = column_indices(path, &header, &COLUMNS, &COLUMNS.join(","))?;
    // Per (method, imputation): the (step, value) pairs in file order.
    let mut points: Vec<(String, String, Steps)> = Vec::new();
    for record in &records {
        let line = record.position().map_or(0, |p| p.line());
        let cell = |k: usize| record.get(index[k]).unwrap_or("").trim();
        let step: usize = cell(2).parse().map_err(|_| {
            csv_error(format!(
                "line {line}, column \"step\": not a step number: {:?}",
                cell(2)
            ))
        })?;
        let value: f64 = cell(3).parse().map_err(|_| {
            csv_error(format!(
                "line {line}, column \"mean_output\": not a number: {:?}",
                cell(3)
            ))
        })?;
        let (method, imputation) = (cell(0).to_string(), cell(1).to_string());
        match points
            .iter_mut()
            .find(|(m, i, _)| *m == method && *i == imputation)
        {
            Some((_, _, p)) => p.push((step, value)),
            None => points.push((method, imputation, vec![(step, value)])),
        }
    }
    points
        .into_iter()
        .map(|(method, imputation, mut steps)| {
            steps.sort_by_key(|&(step, _)| step);
            if steps.iter().enumerate().any(|(k, &(step, _))| step != k) {
                return Err(csv_error(format!(
                    "the steps of {method} ({imputation} imputation) are not 0, 1, 2, ... (each once)"
                )));
            }
            Ok(Curve {
                method,
                imputation,
                points: steps.into_iter().map(|(_, v)| v).collect(),
            })
        })
        .collect()
}
