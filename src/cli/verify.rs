//! `neuralize verify`: the classical model and its neuralized network side by side.

use super::stream::{for_each_chunk, load, with_threads, SourceArgs};
use super::{CliError, CliResult};
use crate::{Error, Method, Prediction};
use ndarray::ArrayView1;
use std::io::Write;

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Largest accepted error, both for |network - classical| / max(1, |classical|) of each
    /// output and for the conservation error |sum R - output| / max(1, |output|).
    /// Labels (k-means clusters) must all be equal.
    #[arg(long, default_value = "1e-9")]
    pub tolerance: f64,
}

/// The largest difference seen in one output column.
#[derive(Debug, Default)]
struct Worst {
    abs: f64,
    rel: f64,
    line: Option<u64>,
}

impl Worst {
    /// Compare `value` with `reference` on input line `line`; NaN counts as infinitely far.
    fn add(&mut self, line: u64, value: f64, reference: f64) {
        let abs = (value - reference).abs();
        let rel = abs / reference.abs().max(1.0);
        let (abs, rel) = if rel.is_nan() {
            (f64::INFINITY, f64::INFINITY)
        } else {
            (abs, rel)
        };
        self.abs = self.abs.max(abs);
        if self.line.is_none() || rel > self.rel {
            self.rel = rel;
            self.line = Some(line);
        }
    }

    fn add_all(&mut self, lines: &[u64], values: ArrayView1<f64>, reference: ArrayView1<f64>) {
        for ((&line, &v), &r) in lines.iter().zip(values).zip(reference) {
            self.add(line, v, r);
        }
    }
}

/// Everything `verify` measures.
#[derive(Debug, Default)]
struct Report {
    rows: u64,
    /// Numeric predictions (decision_function, log_density): network against classical.
    prediction: Option<Worst>,
    /// Labels (k-means clusters): rows whose network label differs, and the first such line.
    mismatches: Option<(u64, Option<u64>)>,
    /// The explained output, where the family computes it the plain way (k-means logit).
    output: Option<Worst>,
    conservation: Worst,
}

pub fn run(args: VerifyArgs) -> CliResult<()> {
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        return Err(Error::parameter(
            "tolerance",
            format!("must be a finite number >= 0, got {}", args.tolerance),
        )
        .into());
    }
    let (model, explainer) = load(&args.source.model)?;
    let method = Method::rule_set(explainer.network().conserving_rule_set());
    let mut report = Report::default();
    let source = with_threads(args.source.threads, || {
        let reader = args.source.open(&model, &[])?;
        let source = reader.source().to_string();
        for_each_chunk(reader, args.source.quiet, |chunk| {
            let x = chunk.features.view();
            let explained = explainer.explain(x, &method)?;
            let z = match model.scaler() {
                Some(s) => s.transform(x),
                None => x.to_owned(),
            };
            let truth = model.family().ground_truth(z.view());
            compare_chunk(&mut report, &chunk.lines, &explained, truth, args.tolerance);
            Ok(())
        })?;
        Ok(source)
    })?;
    if report.rows == 0 {
        // Nothing was compared: an "ok" would vouch for a model no row has checked.
        return Err(Error::Csv {
            path: source,
            message: "no data rows to verify (only a header)".into(),
        }
        .into());
    }
    let names = (explainer.prediction_name(), explainer.output_name());
    let table = render(&report, names, &source, args.tolerance);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(table.as_bytes()).and_then(|()| out.flush()) {
        // Nobody reads the table any more (`| head`); the verdict still decides the exit code.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.map_err(|e| Error::io("<stdout>", e))?,
    }
    match failure(&report, names, args.tolerance) {
        Some(message) => Err(CliError::VerifyFailed(format!("{source}: {message}"))),
        None => Ok(()),
    }
}

/// Add one chunk to the report.
fn compare_chunk(
    report: &mut Report,
    lines: &[u64],
    explained: &crate::Explanation,
    truth: crate::families::GroundTruth,
    tolerance: f64,
) {
    report.rows += lines.len() as u64;
    match (&explained.prediction, &truth.prediction) {
        (Prediction::Values(net), Prediction::Values(classical)) => report
            .prediction
            .get_or_insert_with(Worst::default)
            .add_all(lines, net.view(), classical.view()),
        (Prediction::Labels(net), Prediction::Labels(classical)) => {
            let (count, first) = report.mismatches.get_or_insert((0, None));
            // A row whose classical margin (the logit of its own label) is within the
            // tolerance is a tie in f64: either label is right.
            let tie = |r: usize| {
                truth
                    .margin
                    .as_ref()
                    .is_some_and(|margin| margin[r].abs() <= tolerance)
            };
            for (r, ((&line, a), b)) in lines.iter().zip(net).zip(classical).enumerate() {
                if a != b && !tie(r) {
                    *count += 1;
                    first.get_or_insert(line);
                }
            }
        }
        // A family whose network and ground truth disagree on the kind of prediction:
        // every row counts as a mismatch.
        _ => {
            let (count, first) = report.mismatches.get_or_insert((0, None));
            *count += lines.len() as u64;
            if let Some(&line) = lines.first() {
                first.get_or_insert(line);
            }
        }
    }
    if let Some(output) = &truth.output {
        report.output.get_or_insert_with(Worst::default).add_all(
            lines,
            explained.output.view(),
            output.view(),
        );
    }
    let sums = explained.relevance.sum_axis(ndarray::Axis(1));
    report
        .conservation
        .add_all(lines, sums.view(), explained.output.view());
}

/// The compared columns: `(name, worst)` in display order.
fn compared<'a>(
    report: &'a Report,
    (prediction, output): (&'a str, &'a str),
) -> Vec<(&'a str, &'a Worst)> {
    let mut rows = Vec::new();
    if let Some(w) = &report.prediction {
        rows.push((prediction, w));
    }
    if let Some(w) = &report.output {
        rows.push((output, w));
    }
    rows.push(("conservation", &report.conservation));
    rows
}

fn render(report: &Report, names: (&str, &str), source: &str, tolerance: f64) -> String {
    let mut text = format!("{source}: {} rows\n", report.rows);
    text += &format!(
        "{:<18} {:>12} {:>12} {:>8} {:>10}\n",
        "output", "max_abs_diff", "max_rel_diff", "at_line", "mismatches"
    );
    if let Some((count, first)) = report.mismatches {
        text += &format!(
            "{:<18} {:>12} {:>12} {:>8} {:>10}\n",
            names.0,
            "-",
            "-",
            first.map_or("-".to_string(), |l| l.to_string()),
            count
        );
    }
    for (name, worst) in compared(report, names) {
        text += &format!(
            "{:<18} {:>12.3e} {:>12.3e} {:>8} {:>10}\n",
            name,
            worst.abs,
            worst.rel,
            worst
                .line
                .filter(|_| worst.rel > 0.0)
                .map_or("-".to_string(), |l| l.to_string()),
            "-"
        );
    }
    let verdict = if failure(report, names, tolerance).is_some() {
        "FAILED"
    } else {
        "ok"
    };
    text += &format!("{verdict} (tolerance {tolerance:e})\n");
    text
}

/// The first reason the report fails, if any.
fn failure(report: &Report, names: (&str, &str), tolerance: f64) -> Option<String> {
    if let Some((count, Some(line))) = report.mismatches {
        if count > 0 {
            return Some(format!(
                "{count} row(s) with another {} than the classical model's (first at line {line})",
                names.0
            ));
        }
    }
    compared(report, names)
        .into_iter()
        .find(|(_, w)| w.rel > tolerance)
        .map(|(name, w)| {
            format!(
                "{name}: relative error {:e} at line {} is above the tolerance {tolerance:e}",
                w.rel,
                w.line.unwrap_or(0)
            )
        })
}
