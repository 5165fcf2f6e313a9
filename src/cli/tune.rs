//! `neuralize tune`: choose the most faithful cheap explanation of a model on reference rows
//! and write the model file with it as the default method (atomically).

use super::stream::{parse_delimiter, read_table, with_threads};
use crate::io::atomic::refuse_same_file;
use crate::io::table_reader::CsvFormat;
use crate::io::Endpoint;
use crate::tune::{tune, TuneOptions};
use crate::{save_model, Error, Result};
use std::io::Write;

#[derive(Debug, Clone, clap::Args)]
pub struct TuneArgs {
    /// Model file (JSON, format "neuralize/1").
    #[arg(long, short = 'm')]
    pub model: std::path::PathBuf,
    /// Reference rows (CSV with a header, the model's features; other columns are ignored):
    /// the training rows or rows like them, never the rows to be explained.
    #[arg(long, value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub reference: String,
    /// Model file to write: the input model with the chosen method stored (`"method"`);
    /// written to a temporary file beside it and renamed. May be the same path as --model.
    #[arg(long, short = 'o')]
    pub output: std::path::PathBuf,
    /// Anomaly detectors: flip on this share of the reference rows, most outlying first.
    #[arg(long, default_value_t = 0.15)]
    pub share: f64,
    /// Anomaly detectors: at least this many rows (all when there are fewer).
    #[arg(long, default_value_t = 50)]
    pub min_rows: usize,
    /// At most this many rows (a seeded sample of the selected ones).
    #[arg(long, default_value_t = 300)]
    pub max_rows: usize,
    /// Marginal-imputation draws per row.
    #[arg(long, default_value_t = 10)]
    pub draws: usize,
    /// A candidate replaces the family's default only if its score is lower by more than
    /// this (relative).
    #[arg(long, default_value_t = 0.02)]
    pub margin: f64,
    /// Candidates to try instead of every conserving NEON rule set at the usual betas,
    /// comma-separated (e.g. `neon-focus@1,neon-path@1,neon-path@0.5`). Anomaly detectors
    /// keep their family default unless candidates are named here.
    #[arg(long, value_delimiter = ',')]
    pub candidates: Option<Vec<crate::Method>>,
    /// With fewer flipped rows (output > 0) than this, keep the family's default.
    #[arg(long, default_value_t = 30)]
    pub min_flipped: usize,
    /// Seed of the row sample and the draws (results do not depend on the thread count).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// Field delimiter of the CSV, e.g. ';' or '\t'.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// The reference CSV has no header row: its first columns are the features, by position.
    #[arg(long)]
    pub no_header: bool,
    /// Worker threads (default: all cores).
    #[arg(long)]
    pub threads: Option<usize>,
    /// Print nothing on stdout (by default every candidate's scores).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

pub fn run(args: TuneArgs) -> Result<()> {
    refuse_same_file(
        "--output",
        &args.output.to_string_lossy(),
        &[("--reference", &args.reference)],
    )?;
    let model = crate::load_model(&args.model)?;
    // Named candidates the model cannot take are the user's to fix, not to skip silently
    // (tune's own list leaves out what a family does not support).
    if let Some(list) = &args.candidates {
        let explainer = crate::Explainer::new(&model);
        for method in list {
            explainer.resolve(method).map_err(|e| match e {
                Error::InvalidParameter { message, .. } => {
                    Error::parameter("candidates", format!("{method}: {message}"))
                }
                other => other,
            })?;
        }
    }
    let format = CsvFormat::new(args.delimiter, args.no_header);
    let rows = read_table(&args.reference, format, &model)?;
    let options = TuneOptions {
        share: args.share,
        min_rows: args.min_rows,
        max_rows: args.max_rows,
        draws: args.draws,
        seed: args.seed,
        margin: args.margin,
        min_flipped: args.min_flipped,
        candidates: args.candidates,
        ..TuneOptions::default()
    };
    let tuned = with_threads(args.threads, || tune(&model, rows.view(), &options)).map_err(
        |e| match e {
            // "none of the selected reference rows has a positive output": about the file.
            Error::InvalidParameter { name, message } if name == "reference" => Error::Csv {
                path: Endpoint::parse(&args.reference).label("<stdin>"),
                message,
            },
            other => other,
        },
    )?;
    let model = tuned.apply(model)?;
    save_model(&model, &args.output)?;
    if args.quiet {
        return Ok(());
    }
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_report(&mut out, &tuned).map_err(|e| Error::io("<stdout>", e))
}

/// The chosen method, why, and every candidate's scores (markdown table).
fn write_report(out: &mut impl Write, tuned: &crate::tune::Tuned) -> std::io::Result<()> {
    let chosen = tuned.stored.method().to_string();
    writeln!(out, "method: {chosen}")?;
    writeln!(out, "why: {}\n", tuned.stored.reason())?;
    writeln!(
        out,
        "| candidate | AUC mean imputation | AUC marginal imputation | score |"
    )?;
    writeln!(out, "|---|---:|---:|---:|")?;
    for s in tuned.stored.scores() {
        let mark = if s.method == chosen { " (chosen)" } else { "" };
        writeln!(
            out,
            "| {}{mark} | {:.4} | {:.4} | {:.4} |",
            s.method, s.mean, s.marginal, s.score
        )?;
    }
    for e in &tuned.excluded {
        writeln!(out, "not scored: {}: {}", e.method, e.why)?;
    }
    out.flush()
}
