//! `neuralize explain`: scores and relevances for every row of a CSV.

use super::table::{check_cluster, load, read_table, stream, with_threads, ChunkOutput, TableArgs};
use crate::baselines::{column_means, explain_batch, Beta, Method, Settings};
use crate::io::table_writer::output_header;
use crate::{Error, LinearRule, Result};

#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// Soft-min stiffness beta > 0 of the relevance pooling, or `auto` (from the model file
    /// only: kernel models min(1, 1/(gamma s)), s the median pairwise distance of the
    /// support vectors or points; k-means 10 x the beta below). Default: `auto` for the
    /// default method; with an explicit --rule, 1 for one-class SVM and kernel density
    /// (their own soft-min) and for k-means the model file's beta, else
    /// 2 / (mean squared distance to the nearest other centroid).
    #[arg(long)]
    pub beta: Option<String>,
    /// k-means only: explain the logit of this cluster (0-based) instead of the assigned one.
    #[arg(long)]
    pub cluster: Option<usize>,
    /// LRP rule set: `neon` (the published NEON rules), `neon-ref` (root points toward the
    /// reference), `hybrid` (Bley et al. 2025; kernel models) or `neon-floor` (the bias
    /// floor spread flat; kernel models). Without it, the default
    /// method picks `neon` for kernel models and `neon-ref` for k-means, with beta `auto`.
    #[arg(long)]
    pub rule: Option<String>,
    /// k-means only: the rule of the linear layer: midpoint, lrp0, epsilon=E, gamma=G,
    /// alpha-beta=A,B, flat, w2 or zb (z^B needs `bounds` in the model file).
    #[arg(long, default_value = "midpoint")]
    pub linear_rule: String,
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
    /// Integrated-gradients path points.
    #[arg(long, default_value_t = 32)]
    pub steps: usize,
    /// Shapley-sampling permutations.
    #[arg(long, default_value_t = 64)]
    pub samples: usize,
    /// Seed of the sampling methods (results do not depend on the thread count).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
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
    let settings = Settings {
        beta: args.beta.as_deref().map(str::parse::<Beta>).transpose()?,
        linear: args.linear_rule.parse::<LinearRule>()?,
        steps: args.method.steps,
        samples: args.method.samples,
        seed: args.method.seed,
    };
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
