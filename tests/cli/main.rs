//! The command line, run as the real binary (`env!("CARGO_BIN_EXE_neuralize")`): one test
//! binary with a module per subcommand area. Needs the `cli` feature.

mod dense_network;
mod errors;
mod evaluate;
mod explain;
mod fit;
mod fit_gmm;
mod gmm_cluster;
mod plot;
mod plot_clusters;
mod safety;
mod spray;
mod spray_dbscan;
mod support;
mod svc;
mod tune;
mod user_review;
mod verify_info;
