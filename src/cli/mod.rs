//! The `neuralize` command line (behind the default `cli` feature). Each subcommand is a
//! `run(args) -> Result<()>`; errors are reported once, in the binary.

mod evaluate;
mod explain;
pub mod fit;
mod info;
mod plot;
mod progress;
mod score;
mod settings;
mod table;
mod verify;

use clap::{Parser, Subcommand};

/// Explain one-class SVMs, kernel density estimates and k-means with NEON
/// (neuralization-propagation): one relevance score per input feature and row.
#[derive(Debug, Parser)]
#[command(name = "neuralize", version, about, long_about = None)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Explain every row of a CSV: the model's output, the explained output and one
    /// relevance column per feature.
    Explain(explain::ExplainArgs),
    /// Score every row of a CSV: the model's output and the explained output, no relevance.
    Score(score::ScoreArgs),
    /// Check a model file on a CSV: the classical model against its network, and conservation.
    Verify(verify::VerifyArgs),
    /// Describe a model file: kind, features, size, kernel, scaler, beta, provenance.
    Info(info::InfoArgs),
    /// Train a model on a CSV of normal data and write its model file.
    Fit(fit::FitArgs),
    /// Feature-flipping faithfulness of the explainers (lower area = more faithful) and
    /// their cost per row.
    Evaluate(evaluate::EvaluateArgs),
    /// Draw pictures: relevance heatmaps of image rows, relevance bars of a tabular row,
    /// feature-flipping curves (PNG or SVG by the output's extension).
    Plot(plot::PlotArgs),
}

/// Run the parsed command line.
pub fn run(cli: Cli) -> crate::Result<()> {
    match cli.command {
        Command::Explain(args) => explain::run(args),
        Command::Score(args) => score::run(args),
        Command::Verify(args) => verify::run(args),
        Command::Info(args) => info::run(args),
        Command::Fit(args) => fit::run(args),
        Command::Evaluate(args) => evaluate::run(args),
        Command::Plot(args) => plot::run(args),
    }
}
