//! SpRAy on the digits the one-class SVM flags: which digits are outliers, and for which
//! pixels?
//!
//! ```sh
//! cargo run --release --example spray_digits -- models/ocsvm_digits_rbf.json \
//!     models/ocsvm_digits_rbf.input.csv models/ocsvm_digits_rbf.digits.csv
//! ```
//!
//! The model (`OneClassSVM(rbf, nu=0.1)`) was trained on handwritten zeros; the input holds
//! 48 held-out zeros and 60 other digits, and the third file their true digits (written by
//! `scripts/digits_labels.py`). The example explains every row with the default method,
//! keeps the outliers (outlierness > 0), groups their relevance maps with
//! `neuralize::spray::analyze` (default parameters, as `neuralize spray --model ...
//! --only-outliers`) and prints, per cluster, its size, the digits in it and the pixels
//! with the largest mean relevance (`pixel_<row>_<column>` of the 8x8 image), plus a small
//! text picture of the mean relevance (`#` strongly positive, `+` positive, `-` negative).

mod common;

use neuralize::ndarray::{Array2, Axis};
use neuralize::spray::{analyze, SprayParams};
use neuralize::{load_model, Explainer, Method};

fn main() -> std::process::ExitCode {
    common::exit_code(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, input, digits_path] = args.as_slice() else {
        return Err("usage: spray_digits MODEL.json INPUT.csv DIGITS.csv".into());
    };
    let model = load_model(model_path)?;
    let (x, names) = common::read_features(input, &model)?;
    let digits = read_digits(digits_path)?;
    if digits.len() != x.nrows() {
        return Err(format!(
            "{digits_path}: {} digits for {} input rows",
            digits.len(),
            x.nrows()
        )
        .into());
    }

    let explanation = Explainer::new(&model).explain(x.view(), &Method::default())?;
    let flagged: Vec<usize> = (0..x.nrows())
        .filter(|&i| explanation.output[i] > 0.0)
        .collect();
    println!(
        "{} of {} digits are outliers (outlierness > 0): {}",
        flagged.len(),
        x.nrows(),
        digit_counts(flagged.iter().map(|&i| digits[i]))
    );
    let relevance = explanation.relevance.select(Axis(0), &flagged);
    let inputs: Array2<f64> = x.select(Axis(0), &flagged);
    let spray = analyze(
        relevance.view(),
        Some(inputs.view()),
        &SprayParams::default(),
    )?;
    println!(
        "clusters: {} (rule {:?}, gap {:.4})",
        spray.choice.clusters,
        spray.choice.rule,
        spray.choice.gap.unwrap_or(f64::NAN)
    );
    for c in &spray.clusters {
        let members = (0..flagged.len())
            .filter(|&r| spray.labels[r] == c.cluster)
            .map(|r| digits[flagged[r]]);
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| c.mean_relevance[b].total_cmp(&c.mean_relevance[a]));
        let top: Vec<String> = order
            .iter()
            .take(5)
            .map(|&j| format!("{} ({:.3})", names[j], c.mean_relevance[j]))
            .collect();
        println!(
            "\ncluster {}: {} rows; digits {}; top pixels {}",
            c.cluster,
            c.size,
            digit_counts(members),
            top.join(", ")
        );
        let scale = c.mean_relevance.iter().fold(0.0f64, |m, v| m.max(v.abs()));
        for row in c.mean_relevance.chunks(8) {
            let line: String = row
                .iter()
                .map(|&v| match v / scale.max(f64::MIN_POSITIVE) {
                    t if t > 0.5 => '#',
                    t if t > 0.1 => '+',
                    t if t < -0.1 => '-',
                    _ => '.',
                })
                .collect();
            println!("    {line}");
        }
    }
    Ok(())
}

/// The `digit` column of `path`.
fn read_digits(path: &str) -> Result<Vec<u8>, Box<dyn std::error::Error>> {
    let mut reader = csv::Reader::from_path(path)?;
    let column = reader
        .headers()?
        .iter()
        .position(|h| h == "digit")
        .ok_or_else(|| format!("{path}: no column \"digit\""))?;
    reader
        .records()
        .enumerate()
        .map(|(line, record)| {
            let record = record?;
            let cell = record.get(column).unwrap_or("").trim().to_string();
            cell.parse::<u8>()
                .ok()
                .filter(|d| *d <= 9)
                .ok_or_else(|| format!("{path}: line {}: not a digit: {cell:?}", line + 2).into())
        })
        .collect()
}

/// `0×12, 1×5, ...`: how often each digit occurs.
fn digit_counts(digits: impl Iterator<Item = u8>) -> String {
    let mut counts = [0usize; 10];
    for d in digits {
        counts[usize::from(d)] += 1;
    }
    let parts: Vec<String> = (0..10)
        .filter(|&d| counts[d] > 0)
        .map(|d| format!("{d}×{}", counts[d]))
        .collect();
    parts.join(", ")
}
