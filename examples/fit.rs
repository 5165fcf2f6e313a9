//! `neuralize fit` as a stand-alone program, until the main binary wires it in:
//!
//!     cargo run --release --example fit -- ocsvm --input train.csv --output model.json --nu 0.1
//!     cargo run --release --example fit -- kmeans --input train.csv --output km.json --k 3 --standardize
//!     cargo run --release --example fit -- kde --input train.csv --output kde.json --bandwidth scott

use clap::Parser;
use neuralize::cli::fit::{run, FitArgs};

#[derive(Parser)]
#[command(name = "fit", about = "Train a model on a CSV of normal data")]
struct Cli {
    #[command(flatten)]
    args: FitArgs,
}

fn main() {
    if let Err(error) = run(Cli::parse().args) {
        eprintln!("error: {error}");
        std::process::exit(1);
    }
}
