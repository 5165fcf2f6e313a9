//! The library's integration tests, one binary: the public API only (`neuralize::*`), no
//! command line. Checks that need the crate's internals are unit tests under `src/`.

mod common;

mod baselines;
mod blocks;
mod conservation;
mod dense_flip_ordered;
mod dense_network;
mod evaluate;
#[cfg(feature = "cli")] // the examples read CSV with the `csv` crate of the `cli` feature
mod example_programs;
mod far_outliers;
mod fit_gmm;
mod fit_kde;
mod fit_kmeans;
mod fit_ocsvm;
mod fixtures;
mod gaussian_mixture;
mod gmm_cluster;
mod kmeans_path;
mod kmeans_spread;
mod knn_detector;
mod knn_search;
mod layer_rules;
mod layouts;
mod model_file;
mod neon_flip;
mod neon_lean;
mod neon_path;
mod neon_pick;
mod readme_library;
mod rules;
mod spray;
mod spray_dbscan;
mod svc;
mod threads;
mod tune;
