//! `neuralize info`: what a model file holds, for people (default) or programs (`--json`).

use super::table::load;
use crate::{Error, Estimator, Result};
use serde::Serialize;
use std::io::Write;

#[derive(Debug, Clone, clap::Args)]
pub struct InfoArgs {
    /// Model file (JSON, format "neuralize/1").
    #[arg(long, short = 'm')]
    pub model: std::path::PathBuf,
    /// Print one JSON object instead of the human-readable summary.
    #[arg(long)]
    pub json: bool,
}

/// The kernel of a kernel model.
#[derive(Debug, Serialize)]
struct KernelSummary {
    name: &'static str,
    gamma: f64,
}

/// The input standardization `z = (x - mean) / scale`.
#[derive(Debug, Serialize)]
struct ScalerSummary {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

/// What `info --json` prints; absent parts are `null` (or left out, for the unit counts
/// of other model kinds).
#[derive(Debug, Serialize)]
struct Summary<'a> {
    model: &'static str,
    n_features: usize,
    feature_names: Option<&'a [String]>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n_support_vectors: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n_points: Option<usize>,
    #[serde(skip_serializing_if = "Option::is_none")]
    n_clusters: Option<usize>,
    kernel: Option<KernelSummary>,
    #[serde(skip_serializing_if = "Option::is_none")]
    rho: Option<f64>,
    scaler: Option<ScalerSummary>,
    reference: Option<Vec<f64>>,
    beta: Option<f64>,
    /// The beta of the published rules (`--rule neon`) when none is given.
    default_beta: f64,
    /// The `auto` beta, used by the default rule.
    auto_beta: f64,
    bounds: bool,
    provenance: Option<&'a serde_json::Value>,
}

pub fn run(args: InfoArgs) -> Result<()> {
    let (model, explainer) = load(&args.model)?;
    let mut summary = Summary {
        model: model.kind().tag(),
        n_features: model.n_features(),
        feature_names: model.feature_names(),
        n_support_vectors: None,
        n_points: None,
        n_clusters: None,
        kernel: None,
        rho: None,
        scaler: model.scaler().map(|s| ScalerSummary {
            mean: s.mean().to_vec(),
            scale: s.scale().to_vec(),
        }),
        reference: model.reference().map(|r| r.to_vec()),
        beta: model.beta(),
        default_beta: explainer.default_beta(),
        auto_beta: explainer.auto_beta(),
        bounds: model.bounds().is_some(),
        provenance: model.provenance(),
    };
    match model.estimator() {
        Estimator::OneClassSvm(m) => {
            summary.n_support_vectors = Some(m.support_vectors().nrows());
            summary.kernel = Some(KernelSummary {
                name: m.kernel().name(),
                gamma: m.kernel().gamma(),
            });
            summary.rho = Some(m.rho());
        }
        Estimator::KernelDensity(m) => {
            summary.n_points = Some(m.points().nrows());
            summary.kernel = Some(KernelSummary {
                name: "rbf",
                gamma: m.gamma(),
            });
        }
        Estimator::KMeans(m) => summary.n_clusters = Some(m.n_clusters()),
    }
    let text = if args.json {
        let mut json = serde_json::to_string_pretty(&summary).expect("plain data serializes");
        json.push('\n');
        json
    } else {
        human(&summary)
    };
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    out.write_all(text.as_bytes())
        .and_then(|()| out.flush())
        .map_err(|e| Error::io("<stdout>", e))
}

/// One `label  value` line per fact.
fn human(s: &Summary<'_>) -> String {
    let mut lines: Vec<(&str, String)> = vec![("model", s.model.to_string())];
    let names = match s.feature_names {
        Some(names) => names.join(", "),
        None => "unnamed (matched by position)".to_string(),
    };
    lines.push(("features", format!("{}: {names}", s.n_features)));
    for (label, count) in [
        ("support vectors", s.n_support_vectors),
        ("points", s.n_points),
        ("clusters", s.n_clusters),
    ] {
        if let Some(n) = count {
            lines.push((label, n.to_string()));
        }
    }
    if let Some(k) = &s.kernel {
        lines.push(("kernel", format!("{}, gamma = {}", k.name, k.gamma)));
    }
    if let Some(rho) = s.rho {
        lines.push(("rho", rho.to_string()));
    }
    let scaler = match &s.scaler {
        Some(_) => "standardize z = (x - mean) / scale (see --json)".to_string(),
        None => "none".to_string(),
    };
    lines.push(("scaler", scaler));
    let reference = match &s.reference {
        Some(r) => format!("{} values (see --json)", r.len()),
        None => "none".to_string(),
    };
    lines.push(("reference", reference));
    let stored = match s.beta {
        Some(b) => format!("{b} stored"),
        None => "none stored".to_string(),
    };
    let beta = format!(
        "{stored}; explain uses auto = {} by default, {} with --rule neon",
        s.auto_beta, s.default_beta
    );
    lines.push(("beta", beta));
    let bounds = if s.bounds { "yes (z^B rule)" } else { "none" };
    lines.push(("bounds", bounds.to_string()));
    let provenance = s.provenance.map_or("none".to_string(), |p| p.to_string());
    lines.push(("provenance", provenance));
    lines
        .into_iter()
        .map(|(label, value)| format!("{label:<16} {value}\n"))
        .collect()
}
