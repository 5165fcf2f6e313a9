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

use ndarray::Array2;
use neuralize::io::columns::ColumnRequest;
use neuralize::io::table_reader::TableReader;
use neuralize::io::Endpoint;
use neuralize::{load_model, Estimator, Explainer, Prediction};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [model_path, input, output] = args.as_slice() else {
        return Err("usage: explain_clusters MODEL.json INPUT.csv OUTPUT.csv".into());
    };
    let model = load_model(model_path)?;
    let Estimator::KMeans(kmeans) = model.estimator() else {
        return Err(format!("{model_path} is not a k-means model").into());
    };
    let explainer = Explainer::new(&model);
    let composite = explainer.default_composite()?; // beta from the model file
    let request = ColumnRequest {
        model_names: model.feature_names(),
        n_features: model.n_features(),
        ..ColumnRequest::default()
    };
    let mut reader = TableReader::open(&Endpoint::parse(input), b',', &request)?;
    let names = reader.plan().feature_names.clone();

    let mut writer = csv::Writer::from_path(output)?;
    let mut header = vec!["cluster".to_string(), "logit".to_string()];
    header.extend(names.iter().map(|n| format!("R_{n}")));
    writer.write_record(&header)?;

    // Per cluster: summed relevance per feature, and the number of rows.
    let mut sums = Array2::<f64>::zeros((kmeans.n_clusters(), names.len()));
    let mut counts = vec![0usize; kmeans.n_clusters()];
    loop {
        let chunk = reader.read_chunk(4096)?;
        if chunk.n_rows() == 0 {
            break;
        }
        let e = explainer.explain(chunk.features.view(), &composite, None)?;
        let Prediction::Cluster(clusters) = &e.prediction else {
            unreachable!("k-means predicts clusters");
        };
        for (r, relevance) in e.relevance.outer_iter().enumerate() {
            let mut record = vec![clusters[r].to_string(), e.output[r].to_string()];
            record.extend(relevance.iter().map(f64::to_string));
            writer.write_record(&record)?;
            let mut sum = sums.row_mut(clusters[r]);
            sum += &relevance;
            counts[clusters[r]] += 1;
        }
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
