//! Which input columns are features, which are passed through, and what is left over.
//!
//! Planning is linear in the number of columns (one hash map of the header), so a file with
//! 100,000 columns is planned in milliseconds.

use super::name_list;
use crate::error::{Error, Result};
use std::collections::{HashMap, HashSet};

/// How the columns of an input header map onto the model's features.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ColumnPlan {
    /// Input column index of each model feature, in model order.
    pub feature_columns: Vec<usize>,
    /// Feature names in model order (the model's names, else the header's; without a header
    /// `x0`, `x1`, ...).
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

/// An output header may not name a column twice: a `--keep` column named like an output
/// column (`logit`, `cluster`, `R_<feature>`), or kept twice, would give a table that no
/// reader matching columns by name (this crate's `spray` and `plot` included) can read back.
pub fn refuse_repeated_columns(header: &[String]) -> Result<()> {
    let mut seen: HashSet<&str> = HashSet::with_capacity(header.len());
    for name in header {
        if !seen.insert(name.as_str()) {
            return Err(Error::parameter(
                "keep",
                format!(
                    "the output would have two columns named {}: a kept column repeats an \
                     output column's name or is kept twice (rename it in the input, or keep it once)",
                    super::quote(name.as_bytes())
                ),
            ));
        }
    }
    Ok(())
}

/// Match a header against a request; errors name the file and the columns concerned.
pub fn plan_columns(
    source: &str,
    header: &[String],
    request: &ColumnRequest<'_>,
) -> Result<ColumnPlan> {
    let mut index: HashMap<&str, usize> = HashMap::with_capacity(header.len());
    for (i, name) in header.iter().enumerate() {
        if let Some(&first) = index.get(name.as_str()) {
            return Err(csv_error(
                source,
                format!(
                    "line 1: duplicate column name {} (columns {} and {})",
                    super::quote(name.as_bytes()),
                    first + 1,
                    i + 1
                ),
            ));
        }
        index.insert(name, i);
    }
    let index_of = |name: &str| index.get(name).copied();
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
                name_list(&missing_keep)
            ),
        ));
    }
    let kept_columns: Vec<usize> = request.keep.iter().filter_map(|k| index_of(k)).collect();
    let kept: HashSet<usize> = kept_columns.iter().copied().collect();
    let feature_columns: Vec<usize> = match request.model_names {
        Some(names) => {
            let missing: Vec<&str> = names
                .iter()
                .filter(|n| index_of(n).is_none())
                .map(String::as_str)
                .collect();
            if !missing.is_empty() {
                // The header's columns that are neither features nor kept: where a
                // misspelled or renamed feature is to be found.
                let features: HashSet<&str> = names.iter().map(String::as_str).collect();
                let unused: Vec<&str> = header
                    .iter()
                    .enumerate()
                    .filter(|(c, n)| !kept.contains(c) && !features.contains(n.as_str()))
                    .map(|(_, n)| n.as_str())
                    .collect();
                let unused = if unused.is_empty() {
                    String::new()
                } else {
                    format!("; the header's other column(s): {}", name_list(&unused))
                };
                return Err(csv_error(
                    source,
                    format!(
                        "line 1: missing feature column(s) {} of the model's {} features{unused}",
                        name_list(&missing),
                        names.len()
                    ),
                ));
            }
            names.iter().filter_map(|n| index_of(n)).collect()
        }
        None => {
            let candidates: Vec<usize> = (0..header.len()).filter(|c| !kept.contains(c)).collect();
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
        let features: HashSet<usize> = feature_columns.iter().copied().collect();
        let extra: Vec<&str> = (0..header.len())
            .filter(|c| !features.contains(c) && !kept.contains(c))
            .map(|c| header[c].as_str())
            .collect();
        if !extra.is_empty() {
            return Err(csv_error(
                source,
                format!(
                    "line 1: column(s) {} are neither model features nor --keep columns (use --ignore-extra to skip them)",
                    name_list(&extra)
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

/// Plan a file without a header (`--no-header`) of `width` columns: the features are its
/// first columns, by position; they take the model's names, else `x0`, `x1`, ...
pub fn plan_by_position(
    source: &str,
    width: usize,
    request: &ColumnRequest<'_>,
) -> Result<ColumnPlan> {
    if !request.keep.is_empty() {
        return Err(Error::parameter(
            "keep",
            "names header columns, and --no-header says the input has no header",
        ));
    }
    let n = request.n_features;
    let fits = if request.ignore_extra {
        width >= n
    } else {
        width == n
    };
    if !fits {
        let hint = if width > n {
            " (use --ignore-extra to skip the columns after them)"
        } else {
            ""
        };
        return Err(csv_error(
            source,
            format!(
                "line 1: the model has {n} features, matched by position (--no-header), but the first row has {width} column(s){hint}"
            ),
        ));
    }
    let feature_names = match request.model_names {
        Some(names) => names.to_vec(),
        None => (0..n).map(|i| format!("x{i}")).collect(),
    };
    Ok(ColumnPlan {
        feature_columns: (0..n).collect(),
        feature_names,
        kept_columns: Vec::new(),
        kept_names: Vec::new(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn planning_is_linear_in_the_columns() {
        let header: Vec<String> = (0..200_000).map(|i| format!("c{i}")).collect();
        let names: Vec<String> = vec!["c5".into(), "c199999".into()];
        let request = ColumnRequest {
            model_names: Some(&names),
            n_features: 2,
            keep: &[],
            ignore_extra: true,
        };
        let start = std::time::Instant::now();
        let plan = plan_columns("x.csv", &header, &request).unwrap();
        assert_eq!(plan.feature_columns, vec![5, 199_999]);
        assert!(start.elapsed().as_secs_f64() < 1.0);
        let request = ColumnRequest {
            ignore_extra: false,
            ..request
        };
        let err = plan_columns("x.csv", &header, &request)
            .unwrap_err()
            .to_string();
        assert!(err.contains("and 199988 more"), "{err}");
        assert!(err.len() < 400, "{err}");
    }
}
