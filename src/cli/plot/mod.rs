//! `neuralize plot`: pictures of `explain` outputs (heatmaps, bars) and of `evaluate`
//! flipping curves. The picture format follows the output's extension (.png or .svg).

mod bars;
mod clusters;
mod curves;
mod heatmap;
mod rows;
mod spray;
mod table;

#[derive(Debug, Clone, clap::Args)]
pub struct PlotArgs {
    #[command(subcommand)]
    pub picture: Picture,
}

#[derive(Debug, Clone, clap::Subcommand)]
pub enum Picture {
    /// Image rows: each input image (gray) beside its relevance heatmap (red = positive,
    /// blue = negative, white = 0, scale symmetric per row).
    Heatmap(heatmap::HeatmapArgs),
    /// One tabular row: signed bars of the features with the largest |relevance|.
    Bars(bars::BarsArgs),
    /// The mean feature-flipping curves of `neuralize evaluate --curves`.
    Curves(curves::CurvesArgs),
    /// The Laplacian eigenvalues of `neuralize spray --summary`, the chosen number of
    /// clusters marked.
    Spectrum(spray::SpectrumArgs),
    /// The 2-D embedding of `neuralize spray --output`, coloured by cluster (prototypes of
    /// `--summary` circled).
    Embedding(spray::EmbeddingArgs),
    /// One panel per cluster of `neuralize spray`: its mean relevance as bars of the largest
    /// features, or as a heatmap with `--shape HxW`.
    Clusters(clusters::ClustersArgs),
}

pub fn run(args: PlotArgs) -> crate::cli::CliResult<()> {
    match args.picture {
        Picture::Heatmap(args) => heatmap::run(args),
        Picture::Bars(args) => bars::run(args),
        Picture::Curves(args) => curves::run(args),
        Picture::Spectrum(args) => spray::run_spectrum(args),
        Picture::Embedding(args) => spray::run_embedding(args),
        Picture::Clusters(args) => clusters::run(args),
    }
}
