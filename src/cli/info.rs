//! `neuralize info`: what a model file holds, for people (default) or programs (`--json`).

use super::stream::load;
use crate::{Error, Result};
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

/// The input standardization `z = (x - mean) / scale`.
#[derive(Debug, Serialize)]
struct ScalerSummary {
    mean: Vec<f64>,
    scale: Vec<f64>,
}

/// What `neuralize tune` recorded with the stored method.
#[derive(Debug, Serialize)]
struct TunedSummary<'a> {
    scores: &'a [crate::TuneScore],
    tuned_on: Option<&'a serde_json::Value>,
}

/// What `info --json` prints: the family's own facts (unit counts, kernel, rho) after
/// `model` and the features; absent optional parts are `null`.
#[derive(Debug, Serialize)]
struct Summary<'a> {
    model: &'static str,
    n_features: usize,
    feature_names: Option<&'a [String]>,
    #[serde(flatten)]
    facts: serde_json::Map<String, serde_json::Value>,
    scaler: Option<ScalerSummary>,
    reference: Option<Vec<f64>>,
    beta: Option<f64>,
    /// The beta of the published rules (`--rule neon`) when none is given.
    default_beta: f64,
    /// The `auto` beta, used by the default rule.
    auto_beta: f64,
    bounds: bool,
    provenance: Option<&'a serde_json::Value>,
    /// What `explain` runs without options, spelled as a `--method` value.
    default_method: String,
    /// Why that method is the default: the stored reason (`neuralize tune`), else the
    /// family's.
    default_method_reason: &'a str,
    /// The family's default, used when the file stores no method.
    family_default_method: String,
    /// The stored method's tuning record (`null` when the file stores none).
    tuned: Option<TunedSummary<'a>>,
    /// What `explain --target log-odds` runs without options, and why (classifiers and
    /// Gaussian mixtures; `null` for models without that target).
    log_odds_default: Option<LogOddsDefault>,
    /// Whether the model's rules use a soft-min stiffness (not dense networks).
    #[serde(skip)]
    uses_beta: bool,
}

/// The default method of the log-odds target and its reason.
#[derive(Debug, Serialize)]
struct LogOddsDefault {
    method: String,
    reason: String,
}

impl LogOddsDefault {
    /// `None` when the model has no log-odds target.
    fn of(explainer: &crate::Explainer) -> Option<Self> {
        let explainer = explainer
            .clone()
            .with_class_target(crate::ClassTarget::LogOdds)
            .ok()?;
        Some(LogOddsDefault {
            method: explainer.default_method().to_string(),
            reason: explainer.default_method_reason().to_string(),
        })
    }
}

pub fn run(args: InfoArgs) -> Result<()> {
    let (model, explainer) = load(&args.model)?;
    let summary = Summary {
        model: model.kind(),
        n_features: model.n_features(),
        feature_names: model.feature_names(),
        facts: model
            .family()
            .facts()
            .into_iter()
            .map(|(key, value)| (key.to_string(), value))
            .collect(),
        scaler: model.scaler().map(|s| ScalerSummary {
            mean: s.mean().to_vec(),
            scale: s.scale().to_vec(),
        }),
        reference: model.reference().map(|r| r.to_vec()),
        beta: model.beta(),
        default_beta: explainer.published_beta(),
        auto_beta: explainer.auto_beta(),
        bounds: model.bounds().is_some(),
        provenance: model.provenance(),
        default_method: explainer.default_method().to_string(),
        default_method_reason: explainer.default_method_reason(),
        family_default_method: explainer.family_default_method().to_string(),
        tuned: model.method().map(|m| TunedSummary {
            scores: m.scores(),
            tuned_on: m.tuned_on(),
        }),
        log_odds_default: LogOddsDefault::of(&explainer),
        uses_beta: explainer
            .network()
            .rule_sets()
            .contains(&crate::RuleSet::Neon),
    };
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

/// A family fact for people: `n_support_vectors` -> `support vectors`, objects as
/// `name, key = value`.
fn human_fact(key: &str, value: &serde_json::Value) -> (String, String) {
    let label = key.trim_start_matches("n_").replace('_', " ");
    let text = match value {
        serde_json::Value::Object(fields) => fields
            .iter()
            .map(|(k, v)| match (k.as_str(), v) {
                ("name", serde_json::Value::String(name)) => name.clone(),
                (k, v) => format!("{k} = {}", human_value(v)),
            })
            .collect::<Vec<_>>()
            .join(", "),
        other => human_value(other),
    };
    (label, text)
}

/// Numbers as Rust prints them (`2`, not JSON's `2.0`), strings without quotes; anything
/// else as JSON.
fn human_value(value: &serde_json::Value) -> String {
    match value {
        serde_json::Value::String(text) => text.clone(),
        _ => match value.as_f64() {
            Some(x) if value.is_f64() => x.to_string(),
            _ => value.to_string(),
        },
    }
}

/// One `label  value` line per fact.
fn human(s: &Summary<'_>) -> String {
    let mut lines: Vec<(String, String)> = vec![("model".into(), s.model.to_string())];
    let names = match s.feature_names {
        Some(names) => names.join(", "),
        None => "unnamed (matched by position)".to_string(),
    };
    lines.push(("features".into(), format!("{}: {names}", s.n_features)));
    lines.extend(s.facts.iter().map(|(k, v)| human_fact(k, v)));
    let scaler = match &s.scaler {
        Some(_) => "standardize z = (x - mean) / scale (see --json)".to_string(),
        None => "none".to_string(),
    };
    lines.push(("scaler".into(), scaler));
    let reference = match &s.reference {
        Some(r) => format!("{} values (see --json)", r.len()),
        None => "none".to_string(),
    };
    lines.push(("reference".into(), reference));
    let stored = match s.beta {
        Some(b) => format!("{} stored", readable(b)),
        None => "none stored".to_string(),
    };
    if s.uses_beta {
        let beta = format!(
            "{stored}; auto = {}, published (--rule neon) = {}",
            readable(s.auto_beta),
            readable(s.default_beta)
        );
        lines.push(("beta".into(), beta));
    }
    lines.push((
        "default method".into(),
        format!("{} (what explain runs without options)", s.default_method),
    ));
    let chosen_by = match s.tuned {
        Some(_) => format!(
            "neuralize tune, stored in the model file; the family's default is {}",
            s.family_default_method
        ),
        None => "the family's default (no method stored in the model file)".to_string(),
    };
    lines.push(("chosen by".into(), chosen_by));
    lines.push(("why".into(), s.default_method_reason.to_string()));
    if let Some(log_odds) = &s.log_odds_default {
        lines.push((
            "log-odds default".into(),
            format!("{} (explain --target log-odds)", log_odds.method),
        ));
        lines.push(("its why".into(), log_odds.reason.clone()));
    }
    if let Some(tuned) = &s.tuned {
        for (k, score) in tuned.scores.iter().enumerate() {
            let label = if k == 0 { "tune scores" } else { "" };
            lines.push((
                label.into(),
                format!(
                    "{}: AUC mean {:.4}, marginal {:.4}, score {:.4}",
                    score.method, score.mean, score.marginal, score.score
                ),
            ));
        }
    }
    let bounds = if s.bounds { "yes (z^B rule)" } else { "none" };
    lines.push(("bounds".into(), bounds.to_string()));
    let provenance = s.provenance.map_or("none".to_string(), |p| p.to_string());
    lines.push(("provenance".into(), provenance));
    lines
        .into_iter()
        .map(|(label, value)| format!("{label:<16} {value}\n"))
        .collect()
}

/// A number for people: as Rust prints it, but in exponent form when that would take
/// more than 16 digits (a beta of 1e308 is not 309 digits long).
fn readable(x: f64) -> String {
    if x != 0.0 && !(1e-5..1e16).contains(&x.abs()) {
        format!("{x:e}")
    } else {
        x.to_string()
    }
}
