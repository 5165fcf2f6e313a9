//! `neuralize plot clusters`: one panel per SpRAy cluster with its mean relevance, from the
//! summary of `neuralize spray --summary`, or from `spray --output` and the explain output.

use super::heatmap::parse_shape;
use super::table::read_csv;
use crate::cli::stream::parse_delimiter;
use crate::plot::{save, ClusterPanel, ClusterPanels, ImageFormat, PanelKind};
use crate::{Error, Result};
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, clap::Args)]
pub struct ClustersArgs {
    /// The JSON of `neuralize spray --summary` (features and each cluster's size and mean
    /// relevance). Or give `--clusters` and `--relevance` instead.
    #[arg(long, required_unless_present = "clusters", conflicts_with_all = ["clusters", "relevance"])]
    pub summary: Option<PathBuf>,
    /// The CSV of `neuralize spray --output` (its `cluster` column), with `--relevance`.
    #[arg(long, requires = "relevance")]
    pub clusters: Option<PathBuf>,
    /// The explain output `spray` analysed (its `R_<feature>` columns, same rows in the same
    /// order as `--clusters`).
    #[arg(long, short = 'r', requires = "clusters")]
    pub relevance: Option<PathBuf>,
    /// Draw each cluster as an image HEIGHTxWIDTH (row-major) instead of bars.
    #[arg(long)]
    pub shape: Option<String>,
    /// Bars per cluster: the features with the largest |mean relevance|.
    #[arg(long, default_value_t = 10)]
    pub top: usize,
    /// Output picture: .png or .svg.
    #[arg(long, short = 'o')]
    pub output: PathBuf,
    /// Field delimiter of the CSV files.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
}

pub fn run(args: ClustersArgs) -> crate::cli::CliResult<()> {
    ImageFormat::from_path(&args.output)?;
    let kind = match &args.shape {
        Some(shape) => {
            let (height, width) = parse_shape(shape)?;
            PanelKind::Image { height, width }
        }
        None => PanelKind::Bars { top: args.top },
    };
    let (features, panels) = match (&args.summary, &args.clusters, &args.relevance) {
        (Some(summary), _, _) => from_summary(summary)?,
        (None, Some(clusters), Some(relevance)) => {
            from_tables(clusters, relevance, args.delimiter)?
        }
        _ => {
            return Err(Error::parameter(
                "summary",
                "give --summary, or --clusters and --relevance",
            )
            .into())
        }
    };
    save(&ClusterPanels::new(features, panels, kind)?, &args.output)
}

/// Features and panels of a spray summary.
fn from_summary(path: &Path) -> Result<(Vec<String>, Vec<ClusterPanel>)> {
    let text = std::fs::read_to_string(path).map_err(|e| Error::io(path, e))?;
    let format = |message: String| Error::ModelFormat {
        path: path.to_path_buf(),
        message,
    };
    let json: serde_json::Value = serde_json::from_str(&text).map_err(|e| format(e.to_string()))?;
    let expected = "(expected the JSON of `neuralize spray --summary`)";
    let features: Vec<String> = json
        .get("features")
        .cloned()
        .ok_or_else(|| format(format!("missing field `features` {expected}")))
        .and_then(|f| {
            serde_json::from_value(f).map_err(|e| format(format!("field `features`: {e}")))
        })?;
    let clusters = json
        .get("cluster_summaries")
        .and_then(|c| c.as_array())
        .ok_or_else(|| format(format!("missing field `cluster_summaries` {expected}")))?;
    let mut panels = Vec::with_capacity(clusters.len());
    for (i, c) in clusters.iter().enumerate() {
        let at = |field: &str| format!("cluster_summaries[{i}].{field}");
        let cluster = c
            .get("cluster")
            .and_then(|v| v.as_i64())
            .ok_or_else(|| format(format!("{}: missing or not an integer", at("cluster"))))?;
        let size = c
            .get("size")
            .and_then(|v| v.as_u64())
            .ok_or_else(|| format(format!("{}: missing or not a count", at("size"))))?;
        let means = c
            .get("mean_relevance")
            .and_then(|v| v.as_object())
            .ok_or_else(|| {
                format(format!(
                    "{}: missing or not an object",
                    at("mean_relevance")
                ))
            })?;
        let mean_relevance = features
            .iter()
            .map(|f| {
                means.get(f).and_then(|v| v.as_f64()).ok_or_else(|| {
                    format(format!(
                        "{}: no number for feature {f:?}",
                        at("mean_relevance")
                    ))
                })
            })
            .collect::<Result<Vec<f64>>>()?;
        panels.push(ClusterPanel {
            cluster,
            size: size as usize,
            mean_relevance,
        });
    }
    Ok((features, panels))
}

/// Features and panels from the clusters CSV and the relevance CSV: the mean relevance of
/// each cluster's rows.
fn from_tables(
    clusters: &Path,
    relevance: &Path,
    delimiter: u8,
) -> Result<(Vec<String>, Vec<ClusterPanel>)> {
    let (cluster_header, cluster_rows) = read_csv(clusters, delimiter)?;
    let (header, rows) = read_csv(relevance, delimiter)?;
    let csv_error = |path: &Path, message: String| Error::Csv {
        path: path.display().to_string(),
        message,
    };
    let label_column = cluster_header
        .iter()
        .position(|h| h.trim() == "cluster")
        .ok_or_else(|| {
            csv_error(
                clusters,
                "line 1: missing column \"cluster\" (expected the output of `neuralize spray`)"
                    .into(),
            )
        })?;
    let columns: Vec<usize> = (0..header.len())
        .filter(|&j| header[j].starts_with("R_"))
        .collect();
    if columns.is_empty() {
        return Err(csv_error(
            relevance,
            "line 1: no relevance columns (R_<feature>)".into(),
        ));
    }
    if cluster_rows.len() != rows.len() {
        return Err(csv_error(
            clusters,
            format!(
                "{} data rows, but {} has {}: give the explain output that spray analysed",
                cluster_rows.len(),
                relevance.display(),
                rows.len()
            ),
        ));
    }
    let mut sums: Vec<(i64, usize, Vec<f64>)> = Vec::new();
    for (r, (labels, values)) in cluster_rows.iter().zip(&rows).enumerate() {
        let line = r + 2;
        let cell = labels.get(label_column).map_or("", |c| c.trim());
        let label: i64 = cell.parse().map_err(|_| {
            csv_error(
                clusters,
                format!("line {line}, column \"cluster\": not a cluster number: {cell:?}"),
            )
        })?;
        let slot = match sums.iter().position(|s| s.0 == label) {
            Some(s) => s,
            None => {
                sums.push((label, 0, vec![0.0; columns.len()]));
                sums.len() - 1
            }
        };
        sums[slot].1 += 1;
        for (k, &j) in columns.iter().enumerate() {
            let cell = values.get(j).map_or("", |c| c.trim());
            let v: f64 = cell
                .parse()
                .ok()
                .filter(|v: &f64| v.is_finite())
                .ok_or_else(|| {
                    csv_error(
                        relevance,
                        format!(
                            "line {line}, column {:?}: not a finite number: {cell:?}",
                            header[j]
                        ),
                    )
                })?;
            sums[slot].2[k] += v;
        }
    }
    // Clusters in label order, noise (-1) last.
    sums.sort_by_key(|s| (s.0 < 0, s.0));
    let panels = sums
        .into_iter()
        .map(|(cluster, size, sum)| ClusterPanel {
            cluster,
            size,
            mean_relevance: sum.iter().map(|s| s / size as f64).collect(),
        })
        .collect();
    let features = columns
        .iter()
        .map(|&j| header[j][2..].to_string())
        .collect();
    Ok((features, panels))
}
