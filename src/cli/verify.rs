//! `neuralize verify`: the classical model and its neuralized network side by side.

use super::table::{for_each_chunk, load, with_threads, SourceArgs};
use crate::classical::KMeans;
use crate::{Error, Estimator, Prediction, Result};
use ndarray::{Array1, ArrayView1, ArrayView2};
use std::io::Write;

#[derive(Debug, Clone, clap::Args)]
pub struct VerifyArgs {
    #[command(flatten)]
    pub source: SourceArgs,
    /// Largest accepted error, both for |network - classical| / max(1, |classical|) of each
    /// output and for the conservation error |sum R - output| / max(1, |output|).
    /// k-means also needs every row assigned to the same cluster.
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
    /// decision_function / log_density, or the k-means logit.
    output: Worst,
    /// k-means: rows whose network cluster differs from `predict`, and the first such line.
    mismatches: Option<(u64, Option<u64>)>,
    conservation: Worst,
}

pub fn run(args: VerifyArgs) -> Result<()> {
    if !(args.tolerance.is_finite() && args.tolerance >= 0.0) {
        return Err(Error::parameter(
            "tolerance",
            format!("must be a finite number >= 0, got {}", args.tolerance),
        ));
    }
    let (model, explainer) = load(&args.source.model)?;
    let composite = explainer.default_composite()?;
    let mut report = Report::default();
    let output_name = match model.estimator() {
        Estimator::KMeans(_) => {
            report.mismatches = Some((0, None));
            "logit"
        }
        _ => crate::network::prediction_name(model.kind()),
    };
    let source = with_threads(args.source.threads, || {
        let reader = args.source.open(&model, &[])?;
        let source = reader.source().to_string();
        for_each_chunk(reader, args.source.quiet, |chunk| {
            let x = chunk.features.view();
            let explained = explainer.explain(x, &composite, None)?;
            let z = match model.scaler() {
                Some(s) => s.transform(x),
                None => x.to_owned(),
            };
            compare_chunk(
                &mut report,
                model.estimator(),
                z.view(),
                &chunk.lines,
                &explained,
            )
        })?;
        Ok(source)
    })?;
    let table = render(&report, output_name, &source, args.tolerance);
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match out.write_all(table.as_bytes()).and_then(|()| out.flush()) {
        // Nobody reads the table any more (`| head`); the verdict still decides the exit code.
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => {}
        other => other.map_err(|e| Error::io("<stdout>", e))?,
    }
    match failure(&report, output_name, args.tolerance) {
        Some(message) => Err(Error::VerifyFailed(format!("{source}: {message}"))),
        None => Ok(()),
    }
}

/// Add one chunk to the report: `z` is the chunk in the estimator's (scaled) input space.
fn compare_chunk(
    report: &mut Report,
    estimator: &Estimator,
    z: ArrayView2<f64>,
    lines: &[u64],
    explained: &crate::Explanation,
) -> Result<()> {
    report.rows += lines.len() as u64;
    match (estimator, &explained.prediction) {
        (Estimator::OneClassSvm(m), Prediction::DecisionFunction(net)) => {
            report
                .output
                .add_all(lines, net.view(), m.decision_function(z).view());
        }
        (Estimator::KernelDensity(m), Prediction::LogDensity(net)) => {
            report
                .output
                .add_all(lines, net.view(), m.log_density(z).view());
        }
        (Estimator::KMeans(m), Prediction::Cluster(net)) => {
            let truth = m.predict(z);
            let (count, first) = report.mismatches.get_or_insert((0, None));
            for ((&line, a), b) in lines.iter().zip(net).zip(&truth) {
                if a != b {
                    *count += 1;
                    first.get_or_insert(line);
                }
            }
            let logits = classical_logits(m, z, &truth);
            report
                .output
                .add_all(lines, explained.output.view(), logits.view());
        }
        _ => unreachable!("the network's prediction has the model's kind"),
    }
    let sums = explained.relevance.sum_axis(ndarray::Axis(1));
    report
        .conservation
        .add_all(lines, sums.view(), explained.output.view());
    Ok(())
}

/// `f_c = min_{k != c} ||z - mu_k||^2 - ||z - mu_c||^2` from exact differences.
fn classical_logits(m: &KMeans, z: ArrayView2<f64>, clusters: &[usize]) -> Array1<f64> {
    z.outer_iter()
        .zip(clusters)
        .map(|(row, &c)| {
            let sq: Vec<f64> = m
                .centroids()
                .outer_iter()
                .map(|mu| row.iter().zip(mu).map(|(a, b)| (a - b) * (a - b)).sum())
                .collect();
            let nearest_other = (0..sq.len())
                .filter(|&k| k != c)
                .map(|k| sq[k])
                .fold(f64::INFINITY, f64::min);
            nearest_other - sq[c]
        })
        .collect()
}

fn render(report: &Report, output_name: &str, source: &str, tolerance: f64) -> String {
    let mut text = format!("{source}: {} rows\n", report.rows);
    text += &format!(
        "{:<18} {:>12} {:>12} {:>8} {:>10}\n",
        "output", "max_abs_diff", "max_rel_diff", "at_line", "mismatches"
    );
    if let Some((count, first)) = report.mismatches {
        text += &format!(
            "{:<18} {:>12} {:>12} {:>8} {:>10}\n",
            "cluster",
            "-",
            "-",
            first.map_or("-".to_string(), |l| l.to_string()),
            count
        );
    }
    for (name, worst) in [
        (output_name, &report.output),
        ("conservation", &report.conservation),
    ] {
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
    let verdict = if failure(report, output_name, tolerance).is_some() {
        "FAILED"
    } else {
        "ok"
    };
    text += &format!("{verdict} (tolerance {tolerance:e})\n");
    text
}

/// The first reason the report fails, if any.
fn failure(report: &Report, output_name: &str, tolerance: f64) -> Option<String> {
    if let Some((count, Some(line))) = report.mismatches {
        if count > 0 {
            return Some(format!(
                "{count} row(s) assigned to another cluster than k-means predict (first at line {line})"
            ));
        }
    }
    [
        (output_name, &report.output),
        ("conservation", &report.conservation),
    ]
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
