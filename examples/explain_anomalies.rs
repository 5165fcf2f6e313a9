//! Explain a one-class SVM through the library: CSV in, CSV out, streamed in chunks.
//!
//! ```sh
//! cargo run --example explain_anomalies -- models/ocsvm_breast_cancer.json \
//!     models/ocsvm_breast_cancer.input.csv anomalies.csv
//! ```
//!
//! Writes `decision_function,outlierness,R_<feature>...` per row (outlierness > 0 for
//! outliers; the relevances sum to it) and prints the most anomalous row's top features.

use neuralize::io::columns::ColumnRequest;
use neuralize::io::table_reader::TableReader;
use neuralize::io::Endpoint;
use neuralize::{load_model, Explainer, ModelKind, Prediction};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, input, output] = args.as_slice() else {
        return Err("usage: explain_anomalies MODEL.json INPUT.csv OUTPUT.csv".into());
    };
    let model = load_model(model_path)?;
    if model.kind() != ModelKind::OneClassSvm {
        return Err(format!("{model_path} is not a one-class SVM").into());
    }
    let explainer = Explainer::new(&model);
    let composite = explainer.default_composite()?;
    let request = ColumnRequest {
        model_names: model.feature_names(),
        n_features: model.n_features(),
        ..ColumnRequest::default()
    };
    let mut reader = TableReader::open(&Endpoint::parse(input), b',', &request)?;
    let names = reader.plan().feature_names.clone();

    let mut writer = csv::Writer::from_path(output)?;
    let mut header = vec!["decision_function".to_string(), "outlierness".to_string()];
    header.extend(names.iter().map(|n| format!("R_{n}")));
    writer.write_record(&header)?;

    // The most anomalous row so far: (outlierness, row number, relevances).
    let mut worst: Option<(f64, usize, Vec<f64>)> = None;
    let mut rows_done = 0;
    loop {
        let chunk = reader.read_chunk(4096)?;
        if chunk.n_rows() == 0 {
            break;
        }
        let e = explainer.explain(chunk.features.view(), &composite, None)?;
        let Prediction::DecisionFunction(decision) = &e.prediction else {
            unreachable!("a one-class SVM predicts its decision function");
        };
        for (r, relevance) in e.relevance.outer_iter().enumerate() {
            let mut record = vec![decision[r].to_string(), e.output[r].to_string()];
            record.extend(relevance.iter().map(f64::to_string));
            writer.write_record(&record)?;
            if worst.as_ref().is_none_or(|w| e.output[r] > w.0) {
                worst = Some((e.output[r], rows_done + r + 1, relevance.to_vec()));
            }
        }
        rows_done += chunk.n_rows();
    }
    writer.flush()?;

    if let Some((outlierness, row, relevance)) = worst {
        let mut order: Vec<usize> = (0..relevance.len()).collect();
        order.sort_by(|&a, &b| relevance[b].total_cmp(&relevance[a]));
        println!(
            "{rows_done} rows -> {output}; most anomalous: row {row}, outlierness {outlierness:.4}"
        );
        for &i in order.iter().take(3) {
            println!("  {:<28} R = {:.4}", names[i], relevance[i]);
        }
    }
    Ok(())
}
