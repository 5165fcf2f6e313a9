//! SpRAy on planted anomalies: which kinds of outliers are there, and why?
//!
//! ```sh
//! cargo run --release --example spray_anomalies -- models/ocsvm_breast_cancer.json \
//!     models/ocsvm_breast_cancer.input.csv planted.csv
//! ```
//!
//! Plants anomalies of three kinds into rows of the input (60 rows each, from different
//! normal rows): kind 0 pushes `mean_radius`, `mean_texture`, `mean_perimeter` (features
//! 0–2) up by 3 standard deviations, kind 1 pushes features 5–7 (`mean_compactness`,
//! `mean_concavity`, `mean_concave_points`) down by 3, kind 2 makes one feature
//! (`area_error`, 13) extreme (+12). It writes them to the third argument (column `kind`,
//! then the features) for the command line, explains them with the default method, groups
//! the relevance rows with `neuralize::spray::analyze` and prints the number of clusters it
//! chose and why, the agreement with the planted kinds (adjusted Rand index) and the top
//! features of each cluster.

mod common;

use neuralize::ndarray::{Array2, Axis};
use neuralize::spray::{adjusted_rand_index, analyze, SprayParams};
use neuralize::{load_model, Explainer, Method};

/// The planted kinds: (features, shift in standard deviations).
const KINDS: [(&[usize], f64); 3] = [(&[0, 1, 2], 3.0), (&[5, 6, 7], -3.0), (&[13], 12.0)];

/// Rows per kind.
const PER_KIND: usize = 60;

fn main() -> std::process::ExitCode {
    common::exit_code(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, input, output] = args.as_slice() else {
        return Err("usage: spray_anomalies MODEL.json INPUT.csv PLANTED.csv".into());
    };
    let model = load_model(model_path)?;
    let (x, names) = common::read_features(input, &model)?;
    let mean = x.mean_axis(Axis(0)).ok_or("no rows")?;
    let std = x.std_axis(Axis(0), 0.0);
    let n = KINDS.len() * PER_KIND;
    let kind: Vec<usize> = (0..n).map(|i| i / PER_KIND).collect();
    // Row i starts from the normal row (7 i) mod N (different rows for every kind).
    let planted = Array2::from_shape_fn((n, x.ncols()), |(i, j)| {
        let (features, shift) = KINDS[kind[i]];
        let base = x[[(7 * i) % x.nrows(), j]];
        if features.contains(&j) {
            (base + shift * std[j]).max(mean[j] - 5.0 * std[j])
        } else {
            base
        }
    });

    let mut writer = csv::Writer::from_path(output)?;
    let mut header = vec!["kind".to_string()];
    header.extend(names.iter().cloned());
    writer.write_record(&header)?;
    for (i, row) in planted.outer_iter().enumerate() {
        let mut record = vec![kind[i].to_string()];
        record.extend(row.iter().map(f64::to_string));
        writer.write_record(&record)?;
    }
    writer.flush()?;

    let explanation = Explainer::new(&model).explain(planted.view(), &Method::default())?;
    let outliers = explanation.output.iter().filter(|&&o| o > 0.0).count();
    println!("{n} planted rows -> {output}; {outliers} of them are outliers (outlierness > 0)");
    let spray = analyze(
        explanation.relevance.view(),
        Some(planted.view()),
        &SprayParams::default(),
    )?;
    println!(
        "clusters: {} (rule {:?}, gap {:.4}); adjusted Rand index vs the planted kinds: {:.3}",
        spray.choice.clusters,
        spray.choice.rule,
        spray.choice.gap.unwrap_or(f64::NAN),
        adjusted_rand_index(&spray.labels, &kind)
    );
    for c in &spray.clusters {
        let mut order: Vec<usize> = (0..names.len()).collect();
        order.sort_by(|&a, &b| c.mean_relevance[b].total_cmp(&c.mean_relevance[a]));
        let top: Vec<String> = order
            .iter()
            .take(3)
            .map(|&j| format!("{} ({:.2})", names[j], c.mean_relevance[j]))
            .collect();
        println!(
            "  cluster {}: {} rows, planted kind of its prototype {}, top features {}",
            c.cluster,
            c.size,
            kind[c.prototypes[0]],
            top.join(", ")
        );
    }
    Ok(())
}
