//! Which input columns are features, which are passed through, and what is left over.

use crate::error::{Error, Result};

/// How the columns of an input header map onto the model's features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnPlan {
    /// Input column index of each model feature, in model order.
    pub feature_columns: Vec<usize>,
    /// Feature names in model order (the model's names, else the header's).
    pub feature_names: Vec<String>,
    /// Input column index of each pass-through column, in the order asked for.
    pub kept_columns: Vec<usize>,
    /// Names of the pass-through columns.
    pub kept_names: Vec<String>,
}

/// What the caller asks of the columns.
#[derive(Debug, Clone, Default)]
pub struct ColumnRequest<'a> {
    /// The model's feature names; `None` matches features by position.
    pub model_names: Option<&'a [String]>,
    /// Number of model features.
    pub n_features: usize,
    /// Columns to copy unchanged in front of the output.
    pub keep: &'a [String],
    /// Allow columns that are neither features nor kept.
    pub ignore_extra: bool,
}

fn csv_error(source: &str, message: String) -> Error {
    Error::Csv {
        path: source.to_string(),
        message,
    }
}

/// Match a header against a request; errors name the file and the columns concerned.
pub fn plan_columns(
    source: &str,
    header: &[String],
    request: &ColumnRequest<'_>,
) -> Result<ColumnPlan> {
    for (i, name) in header.iter().enumerate() {
        if let Some(first) = header[..i].iter().position(|h| h == name) {
            return Err(csv_error(
                source,
                format!(
                    "line 1: duplicate column name {name:?} (columns {} and {})",
                    first + 1,
                    i + 1
                ),
            ));
        }
    }
    let index_of = |name: &str| header.iter().position(|h| h == name);
    let missing_keep: Vec<&str> = request
        .keep
        .iter()
        .filter(|k| index_of(k).is_none())
        .map(String::as_str)
        .collect();
    if !missing_keep.is_empty() {
        return Err(csv_error(
            source,
            format!(
                "line 1: --keep column(s) not in the header: {}",
                missing_keep.join(", ")
            ),
        ));
    }
    let kept_columns: Vec<usize> = request.keep.iter().filter_map(|k| index_of(k)).collect();
    let feature_columns: Vec<usize> = match request.model_names {
        Some(names) => {
            let missing: Vec<&str> = names
                .iter()
                .filter(|n| index_of(n).is_none())
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                return Err(csv_error(
                    source,
                    format!(
                        "line 1: missing feature column(s) {} of the model's {} features",
                        missing.join(", "),
                        names.len()
                    ),
                ));
            }
            names.iter().filter_map(|n| index_of(n)).collect()
        }
        None => {
            let candidates: Vec<usize> = (0..header.len())
                .filter(|c| !kept_columns.contains(c))
                .collect();
            let enough = if request.ignore_extra {
                candidates.len() >= request.n_features
            } else {
                candidates.len() == request.n_features
            };
            if !enough {
                return Err(csv_error(
                    source,
                    format!(
                        "line 1: the model has {} features (matched by position, it has no feature_names) but the file has {} feature column(s)",
                        request.n_features,
                        candidates.len()
                    ),
                ));
            }
            candidates[..request.n_features].to_vec()
        }
    };
    if !request.ignore_extra {
        let extra: Vec<&str> = (0..header.len())
            .filter(|c| !feature_columns.contains(c) && !kept_columns.contains(c))
            .map(|c| header[c].as_str())
            .collect();
        if !extra.is_empty() {
            return Err(csv_error(
                source,
                format!(
                    "line 1: column(s) {} are neither model features nor --keep columns (use --ignore-extra to skip them)",
                    extra.join(", ")
                ),
            ));
        }
    }
    Ok(ColumnPlan {
        feature_names: feature_columns.iter().map(|&c| header[c].clone()).collect(),
        feature_columns,
        kept_names: kept_columns.iter().map(|&c| header[c].clone()).collect(),
        kept_columns,
    })
}
