//! The `neuralize` command: parse, run, report errors once on stderr.

use clap::Parser;
use neuralize::cli::{install_signal_handlers, run, Cli};
use std::process::ExitCode;

fn main() -> ExitCode {
    let cli = Cli::parse();
    if let Err(e) = install_signal_handlers() {
        eprintln!("error: cannot handle signals: {e}");
        return ExitCode::FAILURE;
    }
    match run(cli) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) if e.is_broken_pipe() => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}
