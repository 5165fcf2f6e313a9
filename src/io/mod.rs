//! Files in and out: model JSON, CSV tables, and atomic output files.

pub(crate) mod atomic;
#[cfg(feature = "cli")]
pub(crate) mod columns;
#[cfg(feature = "cli")]
pub(crate) mod table_reader;
#[cfg(feature = "cli")]
pub(crate) mod table_writer;

/// Where a table comes from or goes to: a file, or `-` for stdin / stdout.
#[cfg(feature = "cli")]
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    Std,
    Path(std::path::PathBuf),
}

#[cfg(feature = "cli")]
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
