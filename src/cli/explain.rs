//! `neuralize explain`: scores and relevances for every row of a CSV.

use super::table::{check_cluster, load, stream, with_threads, ChunkOutput, TableArgs};
use crate::io::table_writer::output_header;
use crate::{Composite, LinearRule, Result, RuleSet};

#[derive(Debug, Clone, clap::Args)]
pub struct ExplainArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// Soft-min stiffness beta > 0 of the relevance pooling. Default: 1 for one-class SVM
    /// and kernel density (their own soft-min); for k-means the model file's beta, else
    /// 2 / (mean squared distance to the nearest other centroid).
    #[arg(long)]
    pub beta: Option<f64>,
    /// k-means only: explain the logit of this cluster (0-based) instead of the assigned one.
    #[arg(long)]
    pub cluster: Option<usize>,
    /// Rule set: `neon` (the published NEON rules).
    #[arg(long, default_value = "neon")]
    pub rule: String,
    /// k-means only: the rule of the linear layer: midpoint, lrp0, epsilon=E, gamma=G,
    /// alpha-beta=A,B, flat, w2 or zb (z^B needs `bounds` in the model file).
    #[arg(long, default_value = "midpoint")]
    pub linear_rule: String,
}

pub fn run(args: ExplainArgs) -> Result<()> {
    let (model, explainer) = load(&args.table.source.model)?;
    let rule_set: RuleSet = args.rule.parse()?;
    let linear: LinearRule = args.linear_rule.parse()?;
    let beta = args.beta.unwrap_or(explainer.default_beta());
    let composite = Composite::from_rule_set(rule_set, beta)?.with_linear(linear);
    check_cluster(&explainer, args.cluster)?;
    let network = explainer.network();
    let prediction_name = crate::network::prediction_name(model.kind());
    with_threads(args.table.source.threads, || {
        stream(
            &args.table,
            &model,
            |names| output_header(&[], prediction_name, network.output_name(), Some(names)),
            |chunk| {
                let e = explainer.explain(chunk.features.view(), &composite, args.cluster)?;
                Ok(ChunkOutput {
                    prediction: e.prediction,
                    output: e.output,
                    relevance: Some(e.relevance),
                })
            },
        )
    })
}
