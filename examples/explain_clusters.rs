//! Explain k-means cluster assignments through the library: CSV in, CSV out.
//!
//! ```sh
//! cargo run --example explain_clusters -- models/kmeans_iris.json \
//!     models/kmeans_iris.input.csv clusters.csv
//! ```
//!
//! Writes `cluster,logit,R_<feature>...` per row: the logit `f_c >= 0` says how firmly the
//! row is in its cluster c, the relevances (summing to it) say which features put it there.
//! Then prints each cluster's mean relevance per feature.

mod common;

use neuralize::ndarray::Array2;
use neuralize::{load_model, Explainer, KMeans, Method, Prediction};

fn main() -> std::process::ExitCode {
    common::exit_code(run())
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, input, output] = args.as_slice() else {
        return Err("usage: explain_clusters MODEL.json INPUT.csv OUTPUT.csv".into());
    };
    let model = load_model(model_path)?;
    let Some(kmeans) = model.estimator::<KMeans>() else {
        return Err(format!("{model_path} is not a k-means model").into());
    };
    let (x, names) = common::read_features(input, &model)?;
    let explainer = Explainer::new(&model);
    // The published rules, with the model file's beta.
    let e = explainer.explain(x.view(), &Method::neon())?;
    let Prediction::Labels(clusters) = &e.prediction else {
        return Err("k-means predicts clusters".into());
    };

    let mut writer = csv::Writer::from_path(output)?;
    let mut header = vec!["cluster".to_string(), "logit".to_string()];
    header.extend(names.iter().map(|n| format!("R_{n}")));
    writer.write_record(&header)?;
    // Per cluster: summed relevance per feature, and the number of rows.
    let mut sums = Array2::<f64>::zeros((kmeans.n_clusters(), names.len()));
    let mut counts = vec![0usize; kmeans.n_clusters()];
    for (r, relevance) in e.relevance.outer_iter().enumerate() {
        let mut record = vec![clusters[r].to_string(), e.output[r].to_string()];
        record.extend(relevance.iter().map(f64::to_string));
        writer.write_record(&record)?;
        let mut sum = sums.row_mut(clusters[r]);
        sum += &relevance;
        counts[clusters[r]] += 1;
    }
    writer.flush()?;

    println!("mean relevance per cluster ({output} has every row):");
    println!("{:>8} {:>5}  {}", "cluster", "rows", names.join("  "));
    for (c, sum) in sums.outer_iter().enumerate() {
        let n = counts[c].max(1) as f64;
        let means: Vec<String> = (sum.iter().zip(&names))
            .map(|(s, name)| format!("{:>w$.3}", s / n, w = name.len()))
            .collect();
        println!("{c:>8} {:>5}  {}", counts[c], means.join("  "));
    }
    Ok(())
}
