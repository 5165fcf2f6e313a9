//! Files in and out: model JSON, CSV tables, and atomic output files.

pub mod atomic;
pub mod columns;
pub mod model_file;
pub mod table_reader;
pub mod table_writer;

pub use model_file::{load_model, model_from_json, model_to_json, save_model};
pub use table_reader::read_numeric_table;

/// Where a table comes from or goes to: a file, or `-` for stdin / stdout.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Std,
    Path(std::path::PathBuf),
}

impl Endpoint {
    /// `-` means stdin / stdout; anything else is a path.
    pub fn parse(text: &str) -> Self {
        if text == "-" {
            Endpoint::Std
        } else {
            Endpoint::Path(text.into())
        }
    }

    /// The name used in error messages.
    pub fn label(&self, std_name: &str) -> String {
        match self {
            Endpoint::Std => std_name.to_string(),
            Endpoint::Path(p) => p.display().to_string(),
        }
    }
}
