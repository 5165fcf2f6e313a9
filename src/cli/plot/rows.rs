//! Reading what the pictures need from CSV tables: chosen rows of an `explain` output
//! (explained output and relevance columns) and of an input table.

use crate::io::columns::ColumnRequest;
use crate::io::table_reader::{read_header, CsvFormat, TableReader};
use crate::io::Endpoint;
use crate::{Error, Result};
use std::path::Path;

/// The columns `neuralize explain` names its explained output.
const OUTPUT_COLUMNS: [&str; 2] = ["outlierness", "logit"];
/// The prefix of the relevance columns.
const RELEVANCE_PREFIX: &str = "R_";

/// Chosen rows of an `explain` output.
#[derive(Debug, Clone)]
pub struct Explained {
    /// Name of the explained output column (`outlierness` or `logit`).
    pub output_name: String,
    /// Feature names: the relevance columns without their `R_` prefix.
    pub features: Vec<String>,
    /// Per chosen row: the explained output and the relevance of each feature.
    pub rows: Vec<(f64, Vec<f64>)>,
}

/// Read rows `wanted` (0-based data rows) of the `explain` output at `path`; `flag` names
/// the option that chose them in errors.
pub fn read_explained(
    path: &Path,
    delimiter: u8,
    wanted: &[usize],
    flag: &str,
) -> Result<Explained> {
    let endpoint = regular_file(path)?;
    let header = read_header(&endpoint, format(delimiter))?;
    let output_name = header
        .iter()
        .find(|h| OUTPUT_COLUMNS.contains(&h.as_str()))
        .ok_or_else(|| missing(path, "no explained-output column (outlierness or logit)"))?
        .clone();
    let relevance: Vec<String> = header
        .iter()
        .filter(|h| h.starts_with(RELEVANCE_PREFIX))
        .cloned()
        .collect();
    if relevance.is_empty() {
        return Err(missing(path, "no relevance columns (R_<feature>)"));
    }
    let mut columns = vec![output_name.clone()];
    columns.extend(relevance.iter().cloned());
    let request = ColumnRequest {
        model_names: Some(&columns),
        n_features: columns.len(),
        keep: &[],
        ignore_extra: true,
    };
    let rows = read_rows(&endpoint, delimiter, &request, wanted, flag)?
        .into_iter()
        .map(|mut values| {
            let relevance = values.split_off(1);
            (values[0], relevance)
        })
        .collect();
    let features = relevance
        .iter()
        .map(|r| r[RELEVANCE_PREFIX.len()..].to_string())
        .collect();
    Ok(Explained {
        output_name,
        features,
        rows,
    })
}

/// Read rows `wanted` of the input table at `path`, one value per feature of `features`:
/// matched by name when every feature is a column, else by position (then the table must
/// have exactly one column per feature).
pub fn read_inputs(
    path: &Path,
    delimiter: u8,
    features: &[String],
    wanted: &[usize],
    flag: &str,
) -> Result<Vec<Vec<f64>>> {
    let endpoint = regular_file(path)?;
    let header = read_header(&endpoint, format(delimiter))?;
    let by_name = features.iter().all(|f| header.contains(f));
    if !by_name && header.len() != features.len() {
        return Err(missing(
            path,
            &format!(
                "the relevance has {} features; this table has {} columns and not all of their names (e.g. {:?}), so it matches neither by name nor by position",
                features.len(),
                header.len(),
                features.iter().find(|f| !header.contains(f)).map_or("", |f| f.as_str()),
            ),
        ));
    }
    let request = ColumnRequest {
        model_names: by_name.then_some(features),
        n_features: features.len(),
        keep: &[],
        ignore_extra: by_name,
    };
    read_rows(&endpoint, delimiter, &request, wanted, flag)
}

/// The `request`ed columns of rows `wanted`, in the order asked for, read chunk by chunk
/// (only the chosen rows are kept).
fn read_rows(
    input: &Endpoint,
    delimiter: u8,
    request: &ColumnRequest<'_>,
    wanted: &[usize],
    flag: &str,
) -> Result<Vec<Vec<f64>>> {
    let mut reader = TableReader::open(input, format(delimiter), request)?;
    let mut found: Vec<Option<Vec<f64>>> = vec![None; wanted.len()];
    let mut start = 0;
    loop {
        let chunk = reader.read_chunk(1 << 14)?;
        let n = chunk.n_rows();
        if n == 0 {
            break;
        }
        for (slot, &row) in found.iter_mut().zip(wanted) {
            if (start..start + n).contains(&row) {
                *slot = Some(chunk.features.row(row - start).to_vec());
            }
        }
        start += n;
    }
    found
        .into_iter()
        .zip(wanted)
        .map(|(values, &row)| {
            values.ok_or_else(|| {
                Error::parameter(
                    flag,
                    format!(
                        "row {row} is out of range: {} has {start} data row(s), numbered from 0",
                        input.label("<stdin>")
                    ),
                )
            })
        })
        .collect()
}

/// Tables read for pictures have a header (`plot` has no `--no-header`).
fn format(delimiter: u8) -> CsvFormat {
    CsvFormat {
        delimiter,
        header: true,
        offers_no_header: false,
    }
}

/// `path` as an input, if it is a regular file: the header is read before the rows, so a
/// pipe (which can be read only once) is refused with a clear message.
fn regular_file(path: &Path) -> Result<Endpoint> {
    let metadata = std::fs::metadata(path).map_err(|e| Error::io(path, e))?;
    if !metadata.is_file() {
        return Err(Error::io(
            path,
            std::io::Error::other("not a regular file (pipes and stdin are not supported here)"),
        ));
    }
    Ok(Endpoint::Path(path.to_path_buf()))
}

fn missing(path: &Path, message: &str) -> Error {
    Error::Csv {
        path: path.display().to_string(),
        message: format!("line 1: {message}"),
    }
}
