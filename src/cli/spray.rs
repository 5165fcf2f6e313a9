//! `neuralize spray`: group the rows of an explain output by their relevance (SpRAy).

use super::progress::Progress;
use super::stream::{parse_delimiter, with_threads};
use crate::io::atomic::{refuse_same_file, write_atomically, OutputFile};
use crate::io::columns::ColumnRequest;
use crate::io::table_reader::{Chunk, CsvFormat, TableReader};
use crate::io::table_writer::TableWriter;
use crate::io::Endpoint;
use crate::spray::{analyze, ClusterCount, ClusterMethod, Normalization, Spray, SprayParams};
use crate::{Error, Prediction, Result};
use ndarray::{Array2, Axis};
use std::io::{IsTerminal, Read, Write};
use std::sync::Arc;

/// The prefix of the relevance columns of `neuralize explain`.
const RELEVANCE_PREFIX: &str = "R_";

#[derive(Debug, Clone, clap::Args)]
pub struct SprayArgs {
    /// The output of `neuralize explain` (CSV with a header); its `R_<feature>` columns are
    /// the relevance rows. `-` reads stdin. Or give `--model` and `--input` instead.
    #[arg(long, short = 'r', required_unless_present = "model", conflicts_with_all = ["model", "input"], value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub relevance: Option<String>,
    /// Explain first: the model file (with `--input`; the method as `explain --method`).
    #[arg(long, short = 'm', requires = "input")]
    pub model: Option<std::path::PathBuf>,
    /// Explain first: the rows to explain (CSV with a header, features matched as by
    /// `explain`; other columns ignored unless kept).
    #[arg(long, short = 'i', requires = "model", value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub input: Option<String>,
    /// With `--model`: analyse only the rows whose explained output is > 0 (the outliers,
    /// or the rows in their cluster for k-means).
    #[arg(long, requires = "model")]
    pub only_outliers: bool,
    /// With `--model`: the explainer, as `explain --method`.
    #[arg(long, default_value = "default", requires = "model")]
    pub method: String,
    /// Output CSV: `cluster,embedding_0,embedding_1` per row (after the kept columns); `-`
    /// writes stdout. Written safely as by `explain` (never an input).
    #[arg(long, short = 'o', value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub output: String,
    /// Number of clusters, or `auto`: among 2..=20, the last k where the Laplacian's
    /// eigenvalues jump by a factor 4 (λ_{k+1} >= 4 λ_k), else the largest eigengap.
    #[arg(long, default_value = "auto")]
    pub clusters: String,
    /// Neighbours per row in the kNN graph (fewer than the rows).
    #[arg(long, default_value_t = 10)]
    pub neighbors: usize,
    /// Eigenpairs of the normalized Laplacian to compute.
    #[arg(long, default_value_t = 32)]
    pub eigenvalues: usize,
    /// Row preprocessing: none, l1 (r / Σ|r|), l2, abs (|r| / Σ|r|).
    #[arg(long, default_value = "l1")]
    pub normalize: String,
    /// Seed of the eigensolver start and of k-means (results do not depend on the threads).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How the spectral embedding is clustered: kmeans (into `--clusters` clusters) or
    /// dbscan (finds the clusters itself in the embedding of `--clusters` eigenvectors;
    /// isolated rows are noise, cluster -1 in the output and the summary).
    #[arg(long, default_value = "kmeans")]
    pub clustering: String,
    /// DBSCAN only: the neighbourhood radius in the embedding (its rows have unit length)
    /// [default: 0.5].
    #[arg(long)]
    pub eps: Option<f64>,
    /// DBSCAN only: rows within `--eps` (the row itself included) that make a row a core row
    /// [default: 5].
    #[arg(long)]
    pub min_samples: Option<usize>,
    /// k-means restarts.
    #[arg(long, default_value_t = 10)]
    pub restarts: usize,
    /// Prototype rows per cluster in the summary.
    #[arg(long, default_value_t = 5)]
    pub prototypes: usize,
    /// Write a JSON summary: eigenvalues, the chosen number of clusters and why, and per
    /// cluster its size, mean relevance (and with `--model` mean input) per feature and its
    /// prototype rows (0-based rows of the analysed table, and their lines in the file).
    #[arg(long)]
    pub summary: Option<std::path::PathBuf>,
    /// Copy these input columns (comma-separated), unchanged, in front of the output.
    #[arg(long, value_delimiter = ',')]
    pub keep: Vec<String>,
    /// Field delimiter of the CSV input (and output), e.g. ';' or '\t'.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// Worker threads (default: all cores). Results do not depend on it.
    #[arg(long)]
    pub threads: Option<usize>,
    /// No progress on stderr (it is only shown when stderr is a terminal).
    #[arg(long, short = 'q')]
    pub quiet: bool,
}

impl SprayArgs {
    fn params(&self) -> Result<SprayParams> {
        // Checked here, before any row is read: a count of 0 is the option's fault, not the
        // file's (the check against the number of rows comes later and names the file).
        if self.neighbors == 0 {
            return Err(Error::parameter("neighbors", "must be at least 1"));
        }
        Ok(SprayParams {
            normalization: self.normalize.parse::<Normalization>()?,
            neighbors: self.neighbors,
            eigenvalues: self.eigenvalues,
            clusters: self.clusters.parse::<ClusterCount>()?,
            seed: self.seed,
            clustering: self.clustering()?,
            restarts: self.restarts,
            prototypes: self.prototypes,
            ..SprayParams::default()
        })
    }

    /// `--clustering` with DBSCAN's own options, which k-means refuses rather than ignores
    /// (a user who sets `--eps` expects it to act).
    fn clustering(&self) -> Result<ClusterMethod> {
        let eps = self.eps.unwrap_or(DBSCAN_EPS);
        let min_samples = self.min_samples.unwrap_or(DBSCAN_MIN_SAMPLES);
        let method = ClusterMethod::parse(&self.clustering, eps, min_samples)?;
        if method == ClusterMethod::KMeans {
            for (name, given) in [
                ("eps", self.eps.is_some()),
                ("min_samples", self.min_samples.is_some()),
            ] {
                if given {
                    return Err(Error::parameter(
                        name,
                        "applies to `--clustering dbscan` only; k-means clusters into `--clusters`",
                    ));
                }
            }
        }
        Ok(method)
    }
}

/// DBSCAN's defaults on the command line.
const DBSCAN_EPS: f64 = 0.5;
const DBSCAN_MIN_SAMPLES: usize = 5;

/// The rows read: relevance (n × d), kept cells, feature names (without `R_`), lines.
struct Table {
    rows: Chunk,
    features: Vec<String>,
    kept_names: Vec<String>,
    source: String,
    /// The explained rows (with `--model`), for the clusters' mean input.
    input: Option<Array2<f64>>,
}

pub fn run(args: SprayArgs) -> Result<()> {
    let mut inputs: Vec<(&str, String)> = Vec::new();
    if let Some(r) = &args.relevance {
        inputs.push(("--relevance", r.clone()));
    }
    if let (Some(m), Some(i)) = (&args.model, &args.input) {
        inputs.push(("--model", m.to_string_lossy().into_owned()));
        inputs.push(("--input", i.clone()));
    }
    let borrowed: Vec<(&str, &str)> = inputs.iter().map(|(f, p)| (*f, p.as_str())).collect();
    refuse_same_file("--output", &args.output, &borrowed)?;
    if let Some(summary) = &args.summary {
        let summary = summary.to_string_lossy();
        let mut others = borrowed.clone();
        others.push(("--output", &args.output));
        refuse_same_file("--summary", &summary, &others)?;
    }
    let params = args.params()?;
    let table = match (&args.relevance, &args.model, &args.input) {
        (Some(_), _, _) => read_relevance(&args)?,
        (None, Some(model), Some(input)) => explain_first(&args, model, input)?,
        _ => {
            return Err(Error::parameter(
                "relevance",
                "give --relevance, or --model and --input",
            ))
        }
    };
    crate::io::columns::refuse_repeated_columns(&clusters_header(&table.kept_names))?;
    params
        .validate(table.rows.n_rows())
        .map_err(|e| in_file(&table.source, e))?;
    let started = std::time::Instant::now();
    let terminal = !args.quiet && std::io::stderr().is_terminal();
    if terminal {
        eprint!(
            "spray: grouping {} rows (kNN graph, eigenpairs, clustering)...",
            table.rows.n_rows()
        );
    }
    let spray = with_threads(args.threads, || {
        analyze(
            table.rows.features.view(),
            table.input.as_ref().map(|x| x.view()),
            &params,
        )
    })
    .map_err(|e| {
        if terminal {
            eprintln!();
        }
        in_file(&table.source, table.rows.locate(&table.source, e))
    })?;
    if terminal {
        eprintln!(" {:.1} s", started.elapsed().as_secs_f64());
    }
    write_clusters(&args, &table, &spray)?;
    if let Some(path) = &args.summary {
        let json = summary_json(&table, &params, &spray);
        write_atomically(path, |out| {
            serde_json::to_writer_pretty(&mut *out, &json).map_err(std::io::Error::other)?;
            out.write_all(b"\n")
        })?;
    }
    Ok(())
}

/// `--model` and `--input`: explain every row (or only those with output > 0), then the
/// relevance rows are the table.
fn explain_first(args: &SprayArgs, model_path: &std::path::Path, input: &str) -> Result<Table> {
    let (model, explainer) = super::stream::load(model_path)?;
    let method: crate::Method = args.method.parse()?;
    explainer.resolve(&method)?;
    let endpoint = Endpoint::parse(input);
    let source = endpoint.label("<stdin>");
    let request = ColumnRequest {
        model_names: model.feature_names(),
        n_features: model.n_features(),
        keep: &args.keep,
        ignore_extra: true,
    };
    let mut reader = TableReader::open(&endpoint, CsvFormat::new(args.delimiter, false), &request)?;
    let kept_names = reader.plan().kept_names.clone();
    let features = reader.plan().feature_names.clone();
    let n_kept = kept_names.len();
    let mut rows = Chunk {
        features: Array2::zeros((0, features.len())),
        kept: Vec::new(),
        lines: Vec::new(),
    };
    let mut inputs = Array2::zeros((0, features.len()));
    let mut first_row = 0;
    let mut progress = Progress::new(args.quiet);
    with_threads(args.threads, || loop {
        let chunk = reader.read_chunk(1 << 14)?;
        if chunk.n_rows() == 0 {
            return Ok(());
        }
        progress.add(chunk.n_rows());
        let e = explainer
            .explain_from(chunk.features.view(), &method, first_row)
            .map_err(|e| chunk.locate(&source, e))?;
        first_row += chunk.n_rows();
        for r in 0..chunk.n_rows() {
            if args.only_outliers && e.output[r] <= 0.0 {
                continue;
            }
            rows.features
                .push_row(e.relevance.row(r))
                .expect("the model's width");
            inputs
                .push_row(chunk.features.row(r))
                .expect("the model's width");
            rows.kept
                .extend_from_slice(&chunk.kept[r * n_kept..(r + 1) * n_kept]);
            rows.lines.push(chunk.lines[r]);
        }
    })?;
    drop(progress);
    Ok(Table {
        rows,
        features,
        kept_names,
        source,
        input: Some(inputs),
    })
}

/// A parameter error about the rows of `source` names the file (and the option to change,
/// where there is one: the number of rows, or rows that are all alike, are the file's alone).
fn in_file(source: &str, error: Error) -> Error {
    match error {
        Error::InvalidParameter { name, message } if name == "rows" || name == "relevance" => {
            Error::Csv {
                path: source.to_string(),
                message,
            }
        }
        Error::InvalidParameter { name, message } if name == "neighbors" => Error::Csv {
            path: source.to_string(),
            message: format!("{message} (--{name})"),
        },
        other => other,
    }
}

/// Read the whole table: the `R_` columns as relevance, the kept columns as bytes.
fn read_relevance(args: &SprayArgs) -> Result<Table> {
    let endpoint = Endpoint::parse(args.relevance.as_deref().unwrap_or("-"));
    let source = endpoint.label("<stdin>");
    let mut bytes = Vec::new();
    match &endpoint {
        Endpoint::Std => std::io::stdin()
            .lock()
            .read_to_end(&mut bytes)
            .map_err(|e| Error::io("<stdin>", e))?,
        Endpoint::Path(path) => std::fs::File::open(path)
            .and_then(|mut f| f.read_to_end(&mut bytes))
            .map_err(|e| Error::io(path, e))?,
    };
    let bytes: Arc<[u8]> = bytes.into();
    let format = CsvFormat::new(args.delimiter, false);
    let stream = || Box::new(std::io::Cursor::new(Arc::clone(&bytes))) as Box<dyn Read + Send>;
    let header_only = ColumnRequest {
        model_names: None,
        n_features: 0,
        keep: &[],
        ignore_extra: true,
    };
    let header = TableReader::from_reader(stream(), source.clone(), format, &header_only)?
        .header()
        .map(<[String]>::to_vec)
        .unwrap_or_default();
    let columns: Vec<String> = header
        .iter()
        .filter(|name| name.starts_with(RELEVANCE_PREFIX))
        .cloned()
        .collect();
    if columns.is_empty() {
        return Err(Error::Csv {
            path: source,
            message: format!(
                "line 1: no relevance columns (named {RELEVANCE_PREFIX}<feature>, as `neuralize explain` writes them) among {}",
                crate::io::name_list(&header)
            ),
        });
    }
    let request = ColumnRequest {
        model_names: Some(&columns),
        n_features: columns.len(),
        keep: &args.keep,
        ignore_extra: true,
    };
    let mut reader = TableReader::from_reader(stream(), source.clone(), format, &request)?;
    let kept_names = reader.plan().kept_names.clone();
    let mut rows = Chunk {
        features: Array2::zeros((0, columns.len())),
        kept: Vec::new(),
        lines: Vec::new(),
    };
    loop {
        let chunk = reader.read_chunk(1 << 14)?;
        if chunk.n_rows() == 0 {
            break;
        }
        rows.features
            .append(Axis(0), chunk.features.view())
            .expect("chunks have the header's width");
        rows.kept.extend(chunk.kept);
        rows.lines.extend(chunk.lines);
    }
    let features = columns
        .iter()
        .map(|c| c[RELEVANCE_PREFIX.len()..].to_string())
        .collect();
    Ok(Table {
        rows,
        features,
        kept_names,
        source,
        input: None,
    })
}

/// The output header: kept columns, `cluster`, `embedding_0`, `embedding_1`.
fn clusters_header(kept_names: &[String]) -> Vec<String> {
    let mut header = kept_names.to_vec();
    header.extend(["cluster", "embedding_0", "embedding_1"].map(String::from));
    header
}

/// The output table: kept columns, `cluster`, `embedding_0`, `embedding_1`.
fn write_clusters(args: &SprayArgs, table: &Table, spray: &Spray) -> Result<()> {
    let header = clusters_header(&table.kept_names);
    // The writer's columns after the kept cells: a label, a number, then a block of numbers.
    let labels = Prediction::Labels(spray.labels.clone());
    let first = spray.plane.column(0);
    let second = spray.plane.slice(ndarray::s![.., 1..2]);
    // DBSCAN's noise rows are written as cluster -1.
    let names: Option<Vec<String>> = spray.noise_label.map(|noise| {
        (0..=noise)
            .map(|l| {
                if l == noise {
                    "-1".to_string()
                } else {
                    l.to_string()
                }
            })
            .collect()
    });
    let write = |writer: &mut TableWriter<&mut dyn Write>| {
        writer.write_rows(&table.rows.kept, &labels, first, Some(second))
    };
    match Endpoint::parse(&args.output) {
        Endpoint::Std => {
            let stdout = std::io::stdout();
            let mut lock = stdout.lock();
            let out: &mut dyn Write = &mut lock;
            let mut writer = TableWriter::new(out, "<stdout>".into(), args.delimiter, &header)?
                .with_labels(names.clone());
            write(&mut writer)?;
            writer
                .finish()?
                .flush()
                .map_err(|e| Error::io("<stdout>", e))
        }
        Endpoint::Path(path) => {
            let mut file = OutputFile::create(&path)?;
            {
                let out: &mut dyn Write = file.writer();
                let label = path.display().to_string();
                let mut writer = TableWriter::new(out, label, args.delimiter, &header)?
                    .with_labels(names.clone());
                write(&mut writer)?;
                writer.finish()?;
            }
            file.commit()
        }
    }
}

/// The JSON summary.
fn summary_json(table: &Table, params: &SprayParams, spray: &Spray) -> serde_json::Value {
    let by_feature = |values: &[f64]| -> serde_json::Map<String, serde_json::Value> {
        table
            .features
            .iter()
            .zip(values)
            .map(|(f, &v)| (f.clone(), serde_json::json!(v)))
            .collect()
    };
    let clusters: Vec<serde_json::Value> = spray
        .clusters
        .iter()
        .map(|c| {
            let mut order: Vec<usize> = (0..c.mean_relevance.len()).collect();
            order.sort_by(|&a, &b| {
                c.mean_relevance[b]
                    .total_cmp(&c.mean_relevance[a])
                    .then(a.cmp(&b))
            });
            let top: Vec<&str> = order
                .iter()
                .take(3)
                .map(|&j| table.features[j].as_str())
                .collect();
            let cluster = if Some(c.cluster) == spray.noise_label {
                -1
            } else {
                c.cluster as i64
            };
            let mut entry = serde_json::json!({
                "cluster": cluster,
                "size": c.size,
                "top_features": top,
                "mean_relevance": by_feature(&c.mean_relevance),
                "prototypes": c.prototypes,
                "prototype_lines": c.prototypes.iter().map(|&r| table.rows.lines[r]).collect::<Vec<_>>(),
            });
            if let Some(mean) = &c.mean_input {
                entry["mean_input"] = serde_json::Value::Object(by_feature(mean));
            }
            entry
        })
        .collect();
    let noise_rows = spray
        .noise_label
        .map_or(0, |n| spray.labels.iter().filter(|&&l| l == n).count());
    let clustering = match params.clustering {
        ClusterMethod::KMeans => serde_json::json!({"method": "kmeans"}),
        ClusterMethod::Dbscan { eps, min_samples } => serde_json::json!({
            "method": "dbscan",
            "eps": eps,
            "min_samples": min_samples,
            "found": spray.clusters.len() - usize::from(spray.noise_label.is_some()),
            "noise_rows": noise_rows,
        }),
    };
    serde_json::json!({
        "rows": table.rows.n_rows(),
        "features": table.features,
        "normalize": params.normalization.to_string(),
        "neighbors": params.neighbors,
        "seed": params.seed,
        "eigenvalues": spray.eigenvalues,
        "residual": spray.residual,
        "eigensolver_passes": spray.passes,
        "clusters": spray.choice.clusters,
        "choice": {"rule": spray.choice.rule, "gap": spray.choice.gap},
        "clustering": clustering,
        "cluster_summaries": clusters,
    })
}
