//! `neuralize score`: the forward outputs of every row of a CSV, without relevances.

use super::stream::{load, stream, with_threads, ChunkOutput, TableArgs};
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
    args.table.refuse_overwriting_inputs(&[])?;
    let (model, explainer) = load(&args.table.source.model)?;
    explainer.check_cluster(args.cluster)?;
    let (prediction_name, output_name) = (explainer.prediction_name(), explainer.output_name());
    with_threads(args.table.source.threads, || {
        stream(
            &args.table,
            &model,
            |_| output_header(&[], prediction_name, output_name, None),
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
