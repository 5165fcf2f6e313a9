//! Explain an anomaly detector (one-class SVM, kernel density, Gaussian mixture, kNN
//! detector) through the library: CSV in, CSV out.
//!
//! ```sh
//! cargo run --example explain_anomalies -- models/ocsvm_breast_cancer.json \
//!     models/ocsvm_breast_cancer.input.csv anomalies.csv
//! cargo run --example explain_anomalies -- models/gmm_breast_cancer_full.json \
//!     models/gmm_breast_cancer_full.input.csv anomalies.csv
//! cargo run --example explain_anomalies -- models/knn_breast_cancer_largest.json \
//!     models/knn_breast_cancer_largest.input.csv anomalies.csv
//! ```
//!
//! Writes `PREDICTION,outlierness,R_<feature>...` per row (`decision_function` or
//! `log_density`; the relevances sum to the outlierness) and prints the most anomalous
//! row's top features.

mod common;

use neuralize::{load_model, Explainer, Method, Prediction};

fn main() -> std::process::ExitCode {
    common::exit_code(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, input, output] = args.as_slice() else {
        return Err("usage: explain_anomalies MODEL.json INPUT.csv OUTPUT.csv".into());
    };
    let model = load_model(model_path)?;
    if model.kind() == "kmeans" {
        return Err(format!("{model_path} is a clustering: use explain_clusters").into());
    }
    let (x, names) = common::read_features(input, &model)?;
    let explainer = Explainer::new(&model);
    let e = explainer.explain(x.view(), &Method::default())?;
    let Prediction::Values(decision) = &e.prediction else {
        return Err("an anomaly detector predicts a value per row".into());
    };

    let mut writer = csv::Writer::from_path(output)?;
    let mut header = vec![
        explainer.prediction_name().to_string(),
        explainer.output_name().to_string(),
    ];
    header.extend(names.iter().map(|n| format!("R_{n}")));
    writer.write_record(&header)?;
    for (r, relevance) in e.relevance.outer_iter().enumerate() {
        let mut record = vec![decision[r].to_string(), e.output[r].to_string()];
        record.extend(relevance.iter().map(f64::to_string));
        writer.write_record(&record)?;
    }
    writer.flush()?;

    let most = (0..e.output.len()).max_by(|&a, &b| e.output[a].total_cmp(&e.output[b]));
    if let Some(row) = most {
        let relevance = e.relevance.row(row);
        let mut order: Vec<usize> = (0..relevance.len()).collect();
        order.sort_by(|&a, &b| relevance[b].total_cmp(&relevance[a]));
        println!(
            "{} rows -> {output}; most anomalous: data row {}, outlierness {:.4}",
            x.nrows(),
            row + 1,
            e.output[row]
        );
        for &i in order.iter().take(3) {
            println!("  {:<28} R = {:.4}", names[i], relevance[i]);
        }
    }
    Ok(())
}
