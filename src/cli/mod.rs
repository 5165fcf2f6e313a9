//! The `neuralize` command line (behind the default `cli` feature). Each subcommand is a
//! `run(args) -> Result<()>`; errors are reported once, in the binary.

mod evaluate;
mod explain;
mod fit;
mod info;
mod plot;
mod progress;
mod score;
mod settings;
mod spray;
mod stream;
mod tune;
mod verify;

use clap::{Parser, Subcommand};

/// Explain anomaly detectors, clusterings and classifiers (one-class SVMs, kernel densities,
/// k-means, Gaussian mixtures, kNN detectors, SVCs, dense networks) with NEON
/// (neuralization-propagation): one relevance score per input feature and row.
#[derive(Debug, Parser)]
#[command(name = "neuralize", version, about, long_about = None)]
pub struct Cli {
    /// The subcommand to run.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands. Those that take numbers read `--beta -1` as the value -1 (refused by
/// the range check, naming the option, exit 1), not as an unknown flag `-1`.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain every row of a CSV: the model's output, the explained output and one
    /// relevance column per feature.
    #[command(allow_negative_numbers = true)]
    Explain(explain::ExplainArgs),
    /// Score every row of a CSV: the model's output and the explained output, no relevance.
    #[command(allow_negative_numbers = true)]
    Score(score::ScoreArgs),
    /// Check a model file on a CSV: the classical model against its network, and conservation.
    #[command(allow_negative_numbers = true)]
    Verify(verify::VerifyArgs),
    /// Describe a model file: kind, features, size, kernel, scaler, beta, provenance.
    Info(info::InfoArgs),
    /// Train a model on a CSV of normal data and write its model file.
    Fit(fit::FitArgs),
    /// Feature-flipping faithfulness of the explainers (lower area = more faithful) and
    /// their cost per row.
    #[command(allow_negative_numbers = true)]
    Evaluate(evaluate::EvaluateArgs),
    /// Draw pictures: relevance heatmaps of image rows, relevance bars of a tabular row,
    /// feature-flipping curves (PNG or SVG by the output's extension).
    Plot(plot::PlotArgs),
    /// Group the rows of an explain output by their relevance (SpRAy: spectral clustering of
    /// the relevance rows); writes each row's cluster and 2-D embedding.
    #[command(allow_negative_numbers = true)]
    Spray(spray::SprayArgs),
    /// Choose the most faithful conserving NEON variant of a model by feature flipping on
    /// reference rows and store it in the model file as explain's default.
    #[command(allow_negative_numbers = true)]
    Tune(tune::TuneArgs),
}

/// What can stop a command: the library's errors and the command line's own.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CliError {
    /// An error of the library (files, data, model files, parameters).
    #[error(transparent)]
    Library(#[from] crate::Error),
    /// `neuralize verify` found the network and the classical model further apart than allowed.
    #[error("verify failed: {0}")]
    VerifyFailed(String),
    /// A picture could not be drawn or encoded (`neuralize plot`).
    #[error("plot: {0}")]
    Plot(String),
}

/// The command line's result type.
pub type CliResult<T> = std::result::Result<T, CliError>;

impl CliError {
    /// Whether the error is the reader of stdout going away (`| head`): not a failure.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(self, CliError::Library(crate::Error::Io { source, .. })
            if source.kind() == std::io::ErrorKind::BrokenPipe)
    }
}

/// On SIGINT, SIGTERM or SIGHUP: remove the temporary output file, if one is being written,
/// and exit with 128 + the signal's number (130, 143, 129), as a shell reports a command
/// killed by it. An output file that was already complete stays; nothing partial is left.
#[cfg(unix)]
pub fn install_signal_handlers() -> std::io::Result<()> {
    use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
    let mut signals = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])?;
    std::thread::Builder::new()
        .name("signals".into())
        .spawn(move || {
            if let Some(signal) = signals.forever().next() {
                crate::io::atomic::remove_temporary_files_and_exit(128 + signal);
            }
        })?;
    Ok(())
}

/// Signals other than Unix's are left to their defaults.
#[cfg(not(unix))]
pub fn install_signal_handlers() -> std::io::Result<()> {
    Ok(())
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> CliResult<()> {
    match cli.command {
        Command::Explain(args) => Ok(explain::run(args)?),
        Command::Score(args) => Ok(score::run(args)?),
        Command::Verify(args) => verify::run(args),
        Command::Info(args) => Ok(info::run(args)?),
        Command::Fit(args) => Ok(fit::run(args)?),
        Command::Evaluate(args) => Ok(evaluate::run(args)?),
        Command::Plot(args) => plot::run(args),
        Command::Spray(args) => Ok(spray::run(args)?),
        Command::Tune(args) => Ok(tune::run(args)?),
    }
}
