//! `neuralize evaluate`: feature-flipping faithfulness of several explainers on one table.

use super::explain::with_target;
use super::settings::SettingsArgs;
use super::stream::{column_means, load, parse_delimiter, read_table, with_threads};
use crate::evaluate::{evaluate, Evaluation, Gap, Imputation, RESAMPLES};
use crate::io::atomic::{refuse_same_file, OutputFile};
use crate::io::table_reader::CsvFormat;
use crate::io::Endpoint;
use crate::{Error, Method, Result};
use std::io::Write;

/// Every method, in table order.
const ALL_METHODS: &str =
    "default,neon,occlusion,gradient-x-input,sensitivity,integrated-gradients,\
taylor,meaningful-perturbation,shapley-sampling,random";

#[derive(Debug, Clone, clap::Args)]
pub struct EvaluateArgs {
    /// Model file (JSON, format "neuralize/1").
    #[arg(long, short = 'm')]
    pub model: std::path::PathBuf,
    /// Rows to explain (CSV with a header); rows whose explained output is <= 0 are skipped.
    #[arg(long, short = 'i', value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub input: String,
    /// Reference rows (e.g. the training data): their column means are the reference x̃ and
    /// the mean imputation; their per-feature values feed the marginal imputation.
    #[arg(long, value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub reference: String,
    /// Methods (comma-separated): any name `explain --method` takes (NEON rule sets also as
    /// NAME@BETA or NAME@auto); `default` is explain's default.
    #[arg(long, value_delimiter = ',', default_value = ALL_METHODS)]
    pub methods: Vec<String>,
    /// Marginal-imputation draws per row.
    #[arg(long, default_value_t = 5)]
    pub draws: usize,
    /// Write the mean curves (method, imputation, step, mean relative output) to this CSV.
    #[arg(long)]
    pub curves: Option<std::path::PathBuf>,
    /// Field delimiter of the CSV files, e.g. ';' or '\t'.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// The input and reference CSVs have no header row: their first columns are the model's
    /// features, by position.
    #[arg(long)]
    pub no_header: bool,
    /// Classifiers and Gaussian mixtures: what is explained and flipped, as `explain
    /// --target`: `logit` (default) or `log-odds` (a classifier's class log-odds, a mixture
    /// component's posterior log-odds).
    #[arg(long)]
    pub target: Option<String>,
    /// Worker threads for the flipping curves (explanations are timed on one thread).
    #[arg(long)]
    pub threads: Option<usize>,
    #[command(flatten)]
    pub settings: SettingsArgs,
}

pub fn run(args: EvaluateArgs) -> Result<()> {
    if let Some(curves) = &args.curves {
        let model = args.model.to_string_lossy();
        refuse_same_file(
            "--curves",
            &curves.to_string_lossy(),
            &[
                ("--input", &args.input),
                ("--reference", &args.reference),
                ("--model", &model),
            ],
        )?;
    }
    let format = CsvFormat::new(args.delimiter, args.no_header);
    let (model, explainer) = load(&args.model)?;
    let x = read_table(&args.input, format, &model)?;
    let reference_rows = read_table(&args.reference, format, &model)?;
    let explainer = explainer.with_reference(column_means(reference_rows.view())?)?;
    let explainer = with_target(explainer, args.target.as_deref())?;
    let methods: Vec<Method> = args
        .methods
        .iter()
        .map(|m| args.settings.apply(m.trim().parse()?))
        .collect::<Result<_>>()?;
    let evaluation = with_threads(args.threads, || {
        evaluate(
            &explainer,
            x.view(),
            reference_rows.view(),
            &methods,
            args.draws,
            args.settings.seed,
        )
    })
    .map_err(|e| match e {
        // "no row has a positive explained output": a fact about the input file.
        Error::InvalidParameter { name, message } if name == "input" => Error::Csv {
            path: Endpoint::parse(&args.input).label("<stdin>"),
            message,
        },
        other => other,
    })?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    write_table(&mut out, &evaluation, args.settings.seed).map_err(|e| Error::io("<stdout>", e))?;
    if let Some(path) = &args.curves {
        let mut file = OutputFile::create(path)?;
        write_curves(file.writer(), &evaluation).map_err(|e| Error::io(path, e))?;
        file.commit()?;
    }
    Ok(())
}

/// The markdown table: one line per method, its areas, cost and gap to the best other
/// method per imputation (`seed`: the bootstrap's stream).
fn write_table(out: &mut impl Write, evaluation: &Evaluation, seed: u64) -> std::io::Result<()> {
    writeln!(
        out,
        "rows explained (output > 0): {} of {}\n",
        evaluation.rows, evaluation.input_rows
    )?;
    writeln!(
        out,
        "| method | AUC mean imputation | AUC marginal imputation | µs/row (1 thread) | vs best other, mean | vs best other, marginal |"
    )?;
    writeln!(out, "|---|---:|---:|---:|---:|---:|")?;
    let gaps = Imputation::BOTH.map(|imputation| evaluation.gaps(imputation, seed));
    for (m, s) in evaluation.scores.iter().enumerate() {
        writeln!(
            out,
            "| {} | {:.4} | {:.4} | {:.1} | {} | {} |",
            s.method,
            s.area[0],
            s.area[1],
            s.micros_per_row,
            gap_cell(gaps[0][m]),
            gap_cell(gaps[1][m]),
        )?;
    }
    if evaluation.scores.len() > 1 {
        writeln!(
            out,
            "\nvs best other: the area over the lowest of the other methods' areas, minus 1 \
             (negative: ahead of every other), with a 95% interval from {RESAMPLES} paired \
             bootstrap resamples of the rows; an interval above +2% means behind by more than 2%."
        )?;
    }
    out.flush()
}

/// `+1.2% [-0.3, +2.8]`, or `-` without a gap.
fn gap_cell(gap: Option<Gap>) -> String {
    match gap {
        Some(g) => format!(
            "{:+.1}% [{:+.1}, {:+.1}]",
            100.0 * g.point,
            100.0 * g.low,
            100.0 * g.high
        ),
        None => "-".into(),
    }
}

/// `method,imputation,step,mean_output` (output relative to each row's start).
fn write_curves(mut out: impl Write, evaluation: &Evaluation) -> std::io::Result<()> {
    writeln!(out, "method,imputation,step,mean_output")?;
    for s in &evaluation.scores {
        for (imputation, curve) in [Imputation::Mean, Imputation::Marginal]
            .iter()
            .zip(&s.curves)
        {
            for (step, v) in curve.iter().enumerate() {
                writeln!(out, "{},{},{step},{v}", s.method, imputation.name())?;
            }
        }
    }
    out.flush()
}
