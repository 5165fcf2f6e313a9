//! `neuralize plot spectrum` and `neuralize plot embedding`: pictures of `neuralize spray`.

use super::table::{column_indices, read_csv};
use crate::cli::stream::parse_delimiter;
use crate::plot::{save, Embedding, ImageFormat, Spectrum};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, clap::Args)]
pub struct SpectrumArgs {
    /// The JSON of `neuralize spray --summary`.
    #[arg(long)]
    pub summary: PathBuf,
    /// Output picture: .png or .svg.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
}

#[derive(Debug, Clone, clap::Args)]
pub struct EmbeddingArgs {
    /// The CSV of `neuralize spray --output` (columns cluster, embedding_0, embedding_1).
    #[arg(long)]
    pub clusters: PathBuf,
    /// The JSON of `neuralize spray --summary`: its prototype rows are circled.
    #[arg(long)]
    pub summary: Option<PathBuf>,
    /// Output picture: .png or .svg.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Field delimiter of the CSV file.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
}

pub fn run_spectrum(args: SpectrumArgs) -> crate::cli::CliResult<()> {
    ImageFormat::from_path(&args.output)?;
    let json = read_json(&args.summary)?;
    let field = |name: &str| {
        json.get(name).ok_or_else(|| Error::ModelFormat {
            path: args.summary.clone(),
            message: format!(
                "missing field `{name}` (expected the JSON of `neuralize spray --summary`)"
            ),
        })
    };
    let eigenvalues: Vec<f64> = serde_json::from_value(field("eigenvalues")?.clone())
        .map_err(|e| summary_error(&args.summary, "eigenvalues", e))?;
    let clusters: usize = serde_json::from_value(field("clusters")?.clone())
        .map_err(|e| summary_error(&args.summary, "clusters", e))?;
    let choice = field("choice")?;
    let note = match (
        choice.get("rule").and_then(|r| r.as_str()),
        choice.get("gap").and_then(|g| g.as_f64()),
    ) {
        (Some(rule), Some(gap)) => format!("({rule}, gap {gap:.4})"),
        (Some(rule), None) => format!("({rule})"),
        _ => String::new(),
    };
    save(&Spectrum::new(eigenvalues, clusters, note)?, &args.output)
}

pub fn run_embedding(args: EmbeddingArgs) -> crate::cli::CliResult<()> {
    ImageFormat::from_path(&args.output)?;
    let (points, labels) = read_clusters(&args.clusters, args.delimiter)?;
    // DBSCAN's noise (cluster -1) is drawn as one more, gray, group.
    let noise_label = labels.iter().flatten().max().map_or(0, |m| m + 1);
    let has_noise = labels.iter().any(Option::is_none);
    let labels: Vec<usize> = labels.iter().map(|l| l.unwrap_or(noise_label)).collect();
    let prototypes = match &args.summary {
        None => Vec::new(),
        Some(path) => {
            let json = read_json(path)?;
            let clusters = json
                .get("cluster_summaries")
                .and_then(|c| c.as_array())
                .ok_or_else(|| Error::ModelFormat {
                    path: path.clone(),
                    message: "missing field `cluster_summaries`".to_string(),
                })?;
            let mut rows = Vec::new();
            for c in clusters {
                let p: Vec<usize> =
                    serde_json::from_value(c.get("prototypes").cloned().unwrap_or_default())
                        .map_err(|e| summary_error(path, "prototypes", e))?;
                rows.extend(p);
            }
            rows
        }
    };
    let mut figure = Embedding::new(points, labels, prototypes)?;
    if has_noise {
        figure = figure.with_noise(noise_label);
    }
    save(&figure, &args.output)
}

fn summary_error(path: &Path, field: &str, error: serde_json::Error) -> Error {
    Error::ModelFormat {
        path: path.to_path_buf(),
        message: format!("field `{field}`: {error}"),
    }
}

fn read_json(path: &Path) -> Result<serde_json::Value> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    serde_json::from_str(&text).map_err(|e| Error::ModelFormat {
        path: path.to_path_buf(),
        message: e.to_string(),
    })
}

/// The 2-D points and cluster labels of a clusters CSV (`None`: noise, cluster -1).
type PointsAndLabels = (Vec<(f64, f64)>, Vec<Option<usize>>);

/// The points and labels of a clusters CSV.
fn read_clusters(path: &Path, delimiter: u8) -> Result<PointsAndLabels> {
    let csv_error = |message: String| Error::Csv {
        path: path.display().to_string(),
        message,
    };
    let (header, records) = read_csv(path, delimiter)?;
    let names = ["cluster", "embedding_0", "embedding_1"];
    let index = column_indices(path, &header, &names, "the output of `neuralize spray`")?;
    let (mut points, mut labels) = (Vec::new(), Vec::new());
    for record in &records {
        let line = record.position().map_or(0, |p| p.line());
        let cell = |k: usize| record.get(index[k]).unwrap_or("").trim();
        let number = |k: usize| -> Result<f64> {
            cell(k)
                .parse::<f64>()
                .ok()
                .filter(|v| v.is_finite())
                .ok_or_else(|| {
                    csv_error(format!(
                        "line {line}, column {:?}: not a finite number: {:?}",
                        names[k],
                        cell(k)
                    ))
                })
        };
        let cluster: Option<usize> = match cell(0) {
            "-1" => None,
            text => Some(text.parse().map_err(|_| {
                csv_error(format!(
                    "line {line}, column \"cluster\": not a cluster number: {:?}",
                    cell(0)
                ))
            })?),
        };
        labels.push(cluster);
        points.push((number(1)?, number(2)?));
    }
    Ok((points, labels))
}
