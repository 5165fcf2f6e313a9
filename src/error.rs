//! One error type for the whole crate.
//!
//! Every variant that comes from user data names where the problem is: the file, the
//! 1-based line and the column, or the JSON field.

use std::path::PathBuf;

/// Everything that can go wrong with user-provided data, files or parameters.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// A file could not be opened, read, written or renamed.
    #[error("{path}: {source}")]
    Io {
        path: PathBuf,
        #[source]
        source: std::io::Error,
    },
    /// A model file is not valid JSON or does not have the expected structure.
    #[error("{path}: {message}")]
    ModelFormat { path: PathBuf, message: String },
    /// A model is structurally fine but a field holds an invalid value or shape.
    #[error("invalid model: field `{field}`: {message}")]
    InvalidModel { field: String, message: String },
    /// A CSV file is malformed or holds a value that is not a finite number.
    #[error("{path}: {message}")]
    Csv { path: String, message: String },
    /// A parameter given by the caller is out of range.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter { name: String, message: String },
    /// A computation overflowed for a finite input (for example a row ~1e200 away from the model).
    #[error("row {row}: {message}")]
    NonFinite { row: usize, message: String },
    /// `neuralize verify` found the network and the classical model further apart than allowed.
    #[error("verify failed: {0}")]
    VerifyFailed(String),
    /// A picture could not be drawn or encoded (`neuralize plot`).
    #[error("plot: {0}")]
    Plot(String),
}

impl Error {
    /// Shorthand for [`Error::InvalidModel`].
    pub fn model(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidModel {
            field: field.into(),
            message: message.into(),
        }
    }

    /// Shorthand for [`Error::InvalidParameter`].
    pub fn parameter(name: impl Into<String>, message: impl Into<String>) -> Self {
        Error::InvalidParameter {
            name: name.into(),
            message: message.into(),
        }
    }

    /// Attach a path to an I/O error.
    pub fn io(path: impl Into<PathBuf>, source: std::io::Error) -> Self {
        Error::Io {
            path: path.into(),
            source,
        }
    }
}

/// The crate's result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;
