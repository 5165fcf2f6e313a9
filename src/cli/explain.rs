//! `neuralize explain`: scores and relevances for every row of a CSV.

use super::settings::SettingsArgs;
use super::table::{check_cluster, load, read_table, stream, with_threads, ChunkOutput, TableArgs};
use crate::baselines::{column_means, explain_batch, Method};
use crate::io::table_writer::output_header;
use crate::{Error, Result};

#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// k-means only: explain the logit of this cluster (0-based) instead of the assigned one.
    #[arg(long)]
    pub cluster: Option<usize>,
    /// LRP rule set: `neon` (the published NEON rules), `neon-ref` (root points toward the
    /// reference), `hybrid` (Bley et al. 2025; kernel models) or `neon-floor` (the bias
    /// floor spread flat; kernel models). Without it, the default
    /// method picks `neon-floor` for kernel models and `neon-ref` for k-means, with beta `auto`.
    #[arg(long)]
    pub rule: Option<String>,
    #[command(flatten)]
    pub settings: SettingsArgs,
    #[command(flatten)]
    pub method: MethodArgs,
}

/// Options of the explainers other than NEON.
#[derive(Debug, Clone, clap::Args)]
pub struct MethodArgs {
    /// Explainer: default (the most faithful conserving NEON variant measured), neon,
    /// neon-ref, hybrid, neon-floor (NAME@BETA sets beta), occlusion, gradient-x-input, sensitivity,
    /// integrated-gradients, taylor, meaningful-perturbation, shapley-sampling or random.
    #[arg(long, default_value = "default")]
    pub method: String,
    /// Reference rows (CSV, same columns as the input): their column means replace the
    /// model file's reference x̃.
    #[arg(long)]
    pub reference: Option<String>,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let (model, explainer) = load(&args.table.source.model)?;
    let explainer = match &args.method.reference {
        Some(path) => {
            let rows = read_table(path, args.table.source.delimiter, &model)?;
            explainer.with_reference(column_means(rows.view())?)?
        }
        None => explainer,
    };
    let method = match (args.method.method.parse::<Method>()?, &args.rule) {
        (method, None) => method,
        (Method::Default, Some(rule)) => Method::Neon {
            rule_set: rule.parse()?,
            beta: None,
        },
        (Method::Neon { beta, .. }, Some(rule)) => Method::Neon {
            rule_set: rule.parse()?,
            beta,
        },
        (method, Some(_)) => {
            return Err(Error::parameter(
                "rule",
                format!("applies to the NEON methods, not to --method {method}"),
            ))
        }
    };
    let settings = args.settings.settings()?;
    check_cluster(&explainer, args.cluster)?;
    let network = explainer.network();
    let prediction_name = crate::network::prediction_name(model.kind());
    let mut first_row = 0;
    with_threads(args.table.source.threads, || {
        stream(
            &args.table,
            &model,
            |names| output_header(&[], prediction_name, network.output_name(), Some(names)),
            |chunk| {
                let e = explain_batch(
                    &explainer,
                    chunk.features.view(),
                    first_row,
                    method,
                    &settings,
                    args.cluster,
                )?;
                first_row += chunk.n_rows();
                Ok(ChunkOutput {
                    prediction: e.prediction,
                    output: e.output,
                    relevance: Some(e.relevance),
                })
            },
        )
    })
}
