//! `neuralize score`: the forward outputs of every row of a CSV, without relevances.

use super::table::{check_cluster, load, stream, with_threads, ChunkOutput, TableArgs};
use crate::io::table_writer::output_header;
use crate::Result;

#[derive(Debug, Clone, clap::Args)]
pub struct ScoreArgs {
    #[command(flatten)]
    pub table: TableArgs,
    /// k-means only: the logit of this cluster (0-based) instead of the assigned one.
    #[arg(long)]
    pub cluster: Option<usize>,
}

pub fn run(args: ScoreArgs) -> Result<()> {
    let (model, explainer) = load(&args.table.source.model)?;
    check_cluster(&explainer, args.cluster)?;
    let network = explainer.network();
    let prediction_name = crate::network::prediction_name(model.kind());
    with_threads(args.table.source.threads, || {
        stream(
            &args.table,
            &model,
            |_| output_header(&[], prediction_name, network.output_name(), None),
            |chunk| {
                let forward = explainer.forward(chunk.features.view(), args.cluster)?;
                Ok(ChunkOutput {
                    prediction: forward.prediction,
                    output: forward.output,
                    relevance: None,
                })
            },
        )
    })
}
