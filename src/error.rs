//! One error type for the whole crate.
//!
//! Every variant that comes from user data names where the problem is: the file, the
//! 1-based line and the column, or the JSON field.

use std::path::PathBuf;

/// Everything that can go wrong with user-provided data, files or parameters.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A file could not be opened, read, written or renamed.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// A model file is not valid JSON or does not have the expected structure.
    #[error("{path}: {message}")]
    ModelFormat {
        /// The model file.
        path: PathBuf,
        /// What is wrong, with the field.
        message: String,
    },
    /// A model is structurally fine but a field holds an invalid value or shape.
    #[error("invalid model: field `{field}`: {message}")]
    InvalidModel {
        /// The field, e.g. `dual_coef[3]`.
        field: String,
        /// What is wrong with it.
        message: String,
    },
    /// A CSV file is malformed or holds a value that is not a finite number.
    #[error("{path}: {message}")]
    Csv {
        /// The file (or `<stdin>`).
        path: String,
        /// What is wrong, with the line and column.
        message: String,
    },
    /// A parameter given by the caller is out of range.
    #[error("invalid parameter `{name}`: {message}")]
    InvalidParameter {
        /// The parameter.
        name: String,
        /// What is wrong with it.
        message: String,
    },
    /// Rows given to the library do not fit the model: a wrong number of columns (`row` is
    /// `None`), or a NaN or infinite value (`row` is the 0-based row of the batch; the
    /// message names the column).
    #[error("{}{message}", .row.map_or(String::new(), |r| format!("row {r}: ")))]
    Input {
        /// The 0-based row of the batch, when one row is at fault.
        row: Option<usize>,
        /// What is wrong, with the column.
        message: String,
    },
    /// A computation overflowed for a finite input (for example a row ~1e200 away from the model).
    #[error("row {row}: {message}")]
    NonFinite {
        /// The 0-based row of the batch.
        row: usize,
        /// What overflowed.
        message: String,
    },
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
