//! The small CSV tables the pictures are drawn from: read whole, columns found by name.

use crate::{Error, Result};
use std::path::Path;

/// Header and records of a CSV file.
pub(super) fn read_csv(
    path: &Path,
    delimiter: u8,
) -> Result<(Vec<String>, Vec<csv::StringRecord>)> {
    let csv_error = |message: String| Error::Csv {
        path: path.display().to_string(),
        message,
    };
    let file = std::fs::File::open(path).map_err(|e| Error::io(path, e))?;
    let mut reader = csv::ReaderBuilder::new()
        .delimiter(delimiter)
        .from_reader(file);
    let header = reader
        .headers()
        .map_err(|e| csv_error(e.to_string()))?
        .iter()
        .map(|h| h.trim().to_string())
        .collect();
    let records = reader
        .records()
        .collect::<std::result::Result<Vec<_>, _>>()
        .map_err(|e| csv_error(e.to_string()))?;
    Ok((header, records))
}

/// The index of each of `names` in `header`; a missing column is an error naming it and
/// what the file was expected to be.
pub(super) fn column_indices(
    path: &Path,
    header: &[String],
    names: &[&str],
    expected: &str,
) -> Result<Vec<usize>> {
    names
        .iter()
        .map(|name| {
            header
                .iter()
                .position(|h| h == name)
                .ok_or_else(|| Error::Csv {
                    path: path.display().to_string(),
                    message: format!("line 1: missing column {name:?} (expected {expected})"),
                })
        })
        .collect()
}
