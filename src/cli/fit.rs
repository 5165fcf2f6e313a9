//! `neuralize fit {ocsvm,kmeans,kde,gmm}`: train a model on a CSV of normal data and write its
//! model file (atomically).
//!
//! The input CSV has a header and numeric columns only; every column is a feature and the
//! header gives the feature names.

use crate::cli::stream::parse_delimiter;
use crate::error::Result;
use crate::fit::{
    fit_gaussian_mixture, fit_kernel_density, fit_kmeans, fit_one_class_svm, Bandwidth, Gamma,
    GmmParams, KMeansParams, KdeParams, KernelKind, OcSvmParams,
};
use crate::io::atomic::refuse_same_file;
use crate::io::table_reader::{read_numeric_table, CsvFormat};
use crate::io::Endpoint;
use crate::save_model;
use crate::CovarianceType;
use std::path::PathBuf;

/// Train a model on a CSV of normal data.
#[derive(Debug, clap::Args)]
pub struct FitArgs {
    #[command(subcommand)]
    pub command: FitCommand,
}

#[derive(Debug, clap::Subcommand)]
pub enum FitCommand {
    /// One-class SVM (libsvm's nu formulation, checked against scikit-learn).
    #[command(allow_negative_numbers = true)]
    Ocsvm(OcSvmArgs),
    /// k-means (smartcore), best of --n-init seeded restarts.
    #[command(allow_negative_numbers = true)]
    Kmeans(KMeansArgs),
    /// Gaussian kernel density estimate on the training rows.
    #[command(allow_negative_numbers = true)]
    Kde(KdeArgs),
    /// Gaussian mixture by EM (k-means++ starts), best of --n-init seeded runs.
    #[command(allow_negative_numbers = true)]
    Gmm(GmmArgs),
}

/// Where the data comes from and where the model goes.
#[derive(Debug, clap::Args)]
pub struct FitIo {
    /// Training CSV (header + numeric columns), `-` for stdin.
    #[arg(long, value_parser = clap::builder::NonEmptyStringValueParser::new())]
    pub input: String,
    /// Model file to write (written to a temporary file beside it and renamed; it may not be
    /// the input).
    #[arg(long)]
    pub output: PathBuf,
    /// Field delimiter of the CSV, e.g. ';' or '\t'.
    #[arg(long, default_value = ",", value_parser = parse_delimiter)]
    pub delimiter: u8,
    /// The CSV has no header row: every line is data, and the model gets no feature names
    /// (it matches columns by position). A first line of numbers is otherwise refused.
    #[arg(long)]
    pub no_header: bool,
    /// Standardize every column first (mean, population std); stored as the model's scaler.
    #[arg(long)]
    pub standardize: bool,
}

#[derive(Debug, clap::Args)]
pub struct OcSvmArgs {
    #[command(flatten)]
    pub io: FitIo,
    /// Upper bound on the fraction of training outliers, in (0, 1].
    #[arg(long, default_value_t = 0.5)]
    pub nu: f64,
    /// Kernel parameter: a number, `scale` (1 / (d var(Z))) or `auto` (1 / d).
    #[arg(long, default_value = "scale", value_parser = parse::<Gamma>)]
    pub gamma: Gamma,
    /// `rbf` (exp(-gamma ||x-u||^2)) or `laplacian` (exp(-gamma ||x-u||_1)).
    #[arg(long, default_value = "rbf", value_parser = parse::<KernelKind>)]
    pub kernel: KernelKind,
    /// Stopping tolerance of the solver.
    #[arg(long, default_value_t = 1e-3)]
    pub tol: f64,
    /// Kernel cache size in MB.
    #[arg(long, default_value_t = 200.0)]
    pub cache_mb: f64,
    /// Turn off libsvm's shrinking heuristic.
    #[arg(long)]
    pub no_shrinking: bool,
    /// Round kernel values to f32 as libsvm does (reproduces scikit-learn bit for bit).
    #[arg(long)]
    pub kernel_f32: bool,
}

#[derive(Debug, clap::Args)]
pub struct KMeansArgs {
    #[command(flatten)]
    pub io: FitIo,
    /// Number of clusters (>= 2).
    #[arg(long)]
    pub k: usize,
    /// Restarts; the one with the lowest inertia is kept.
    #[arg(long, default_value_t = 10)]
    pub n_init: usize,
    /// Seed of the first restart (restart r uses seed + r).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

#[derive(Debug, clap::Args)]
pub struct KdeArgs {
    #[command(flatten)]
    pub io: FitIo,
    /// Bandwidth: a number, `scott` or `silverman` (scikit-learn's rules).
    #[arg(long, value_parser = parse::<Bandwidth>)]
    pub bandwidth: Bandwidth,
}

#[derive(Debug, clap::Args)]
pub struct GmmArgs {
    #[command(flatten)]
    pub io: FitIo,
    /// Number of mixture components (>= 1).
    #[arg(long)]
    pub components: usize,
    /// `full`, `tied`, `diag` or `spherical` (scikit-learn's covariance_type).
    #[arg(long, default_value = "full", value_parser = parse::<CovarianceType>)]
    pub covariance: CovarianceType,
    /// Added to every covariance's diagonal (> 0).
    #[arg(long, default_value_t = 1e-6)]
    pub reg_covar: f64,
    /// EM runs from different seeds; the one with the highest lower bound is kept.
    #[arg(long, default_value_t = 1)]
    pub n_init: usize,
    /// EM iterations per run at most.
    #[arg(long, default_value_t = 100)]
    pub max_iter: usize,
    /// A run stops when the mean log-likelihood changes by less than this.
    #[arg(long, default_value_t = 1e-3)]
    pub tol: f64,
    /// Seed of the first run (run r uses seed + r).
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
}

fn parse<T: std::str::FromStr<Err = crate::Error>>(text: &str) -> Result<T, String> {
    text.parse().map_err(|e: crate::Error| e.to_string())
}

/// Run `neuralize fit ...`: read the CSV, fit, write the model file.
pub fn run(args: FitArgs) -> Result<()> {
    let io = match &args.command {
        FitCommand::Ocsvm(a) => &a.io,
        FitCommand::Kmeans(a) => &a.io,
        FitCommand::Kde(a) => &a.io,
        FitCommand::Gmm(a) => &a.io,
    };
    refuse_same_file(
        "--output",
        &io.output.to_string_lossy(),
        &[("--input", &io.input)],
    )?;
    let format = CsvFormat::new(io.delimiter, io.no_header);
    let (names, x) = read_numeric_table(&Endpoint::parse(&io.input), format)?;
    let (x, names) = (x.view(), names.as_deref());
    let fitted = || -> Result<crate::Model> {
        Ok(match &args.command {
            FitCommand::Ocsvm(a) => {
                let params = OcSvmParams {
                    nu: a.nu,
                    gamma: a.gamma,
                    kernel: a.kernel,
                    tol: a.tol,
                    cache_mb: a.cache_mb,
                    shrinking: !a.no_shrinking,
                    standardize: io.standardize,
                    kernel_f32: a.kernel_f32,
                };
                fit_one_class_svm(x, names, &params)?.model
            }
            FitCommand::Kmeans(a) => {
                let params = KMeansParams {
                    n_init: a.n_init,
                    seed: a.seed,
                    standardize: io.standardize,
                    ..KMeansParams::new(a.k)
                };
                fit_kmeans(x, names, &params)?.model
            }
            FitCommand::Kde(a) => {
                let params = KdeParams {
                    bandwidth: a.bandwidth,
                    standardize: io.standardize,
                };
                fit_kernel_density(x, names, &params)?
            }
            FitCommand::Gmm(a) => {
                let params = GmmParams {
                    components: a.components,
                    covariance: a.covariance,
                    reg_covar: a.reg_covar,
                    n_init: a.n_init,
                    max_iter: a.max_iter,
                    tol: a.tol,
                    seed: a.seed,
                    standardize: io.standardize,
                };
                fit_gaussian_mixture(x, names, &params)?.model
            }
        })
    };
    let source = Endpoint::parse(&io.input).label("<stdin>");
    let model = fitted().map_err(|e| about_the_rows(&source, e))?;
    save_model(&model, &io.output)
}

/// The trainers' complaints about the rows themselves (too few, a constant column under
/// `--standardize`) name the training file, as every other data error does.
fn about_the_rows(source: &str, error: crate::Error) -> crate::Error {
    match error {
        crate::Error::InvalidParameter { name, message }
            if name == "input" || name == "standardize" =>
        {
            crate::Error::Csv {
                path: source.to_string(),
                message,
            }
        }
        other => other,
    }
}
