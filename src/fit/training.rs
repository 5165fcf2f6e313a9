//! Training rows as every trainer sees them: checked, optionally standardized, summarized.

use crate::error::{Error, Result};
use crate::{Model, Standardizer};
use ndarray::{Array1, Array2, ArrayView2, Axis};

/// The rows a trainer fits on, in the space the model sees (`z = (x - mean) / std` with a
/// scaler, else `z = x`), plus what the model file stores about the input space.
#[derive(Debug, Clone)]
pub(crate) struct Training {
    /// Rows in model space.
    pub z: Array2<f64>,
    /// The fitted scaler (mean, population std) when standardizing.
    pub scaler: Option<Standardizer>,
    /// The training mean in input space (the model file's `reference`).
    pub reference: Array1<f64>,
    /// The column names, if the rows came with them.
    pub feature_names: Option<Vec<String>>,
}

impl Training {
    /// `model` with what every trainer stores: the scaler, the training mean as
    /// `reference`, the feature names, and `provenance` (a JSON object of the fit's
    /// parameters) after the tool and its version.
    pub(crate) fn describe(
        &self,
        mut model: Model,
        provenance: serde_json::Value,
    ) -> Result<Model> {
        if let Some(scaler) = &self.scaler {
            model = model.with_scaler(scaler.clone())?;
        }
        model = model.with_reference(self.reference.clone())?;
        if let Some(names) = &self.feature_names {
            model = model.with_feature_names(names.clone())?;
        }
        let mut described = serde_json::json!({
            "tool": "neuralize",
            "version": env!("CARGO_PKG_VERSION"),
        });
        if let (Some(into), serde_json::Value::Object(fields)) =
            (described.as_object_mut(), provenance)
        {
            into.extend(fields);
        }
        Ok(model.with_provenance(described))
    }
}

/// Check `x` (at least `min_rows` rows, one column, all finite) and standardize it if asked.
///
/// `feature_names` (one per column) only make error messages precise. A constant column
/// cannot be standardized (its std is 0) and is an error naming it.
pub(crate) fn prepare(
    x: ArrayView2<f64>,
    feature_names: Option<&[String]>,
    standardize: bool,
    min_rows: usize,
) -> Result<Training> {
    let (n, d) = x.dim();
    if n < min_rows {
        return Err(Error::parameter(
            "input",
            format!("needs at least {min_rows} training rows, got {n}"),
        ));
    }
    if d == 0 {
        return Err(Error::parameter(
            "input",
            "needs at least one feature column",
        ));
    }
    let column = |c: usize| match feature_names.and_then(|names| names.get(c)) {
        Some(name) => format!("column {} ({name:?})", c + 1),
        None => format!("column {}", c + 1),
    };
    for (r, row) in x.outer_iter().enumerate() {
        if let Some(c) = row.iter().position(|v| !v.is_finite()) {
            return Err(Error::parameter(
                "input",
                format!(
                    "row {}, {}: not a finite number ({})",
                    r + 1,
                    column(c),
                    row[c]
                ),
            ));
        }
    }
    let reference = x.mean_axis(Axis(0)).expect("at least one row");
    if !standardize {
        return Ok(Training {
            z: x.to_owned(),
            scaler: None,
            reference,
            feature_names: feature_names.map(<[String]>::to_vec),
        });
    }
    // Population std, as scikit-learn's StandardScaler: sqrt(mean((x - mean)^2)).
    let scale = x.std_axis(Axis(0), 0.0);
    if let Some(c) = scale.iter().position(|&s| s <= 0.0 || !s.is_finite()) {
        return Err(Error::parameter(
            "standardize",
            format!(
                "{} is constant (every row is {}), so it cannot be standardized; drop it or fit without --standardize",
                column(c),
                x[[0, c]]
            ),
        ));
    }
    let scaler = Standardizer::new(reference.clone(), scale)?;
    Ok(Training {
        z: scaler.transform(x),
        scaler: Some(scaler),
        reference,
        feature_names: feature_names.map(<[String]>::to_vec),
    })
}

/// Number of distinct rows (exact equality of every value).
pub(crate) fn distinct_rows(x: ArrayView2<f64>) -> usize {
    let mut rows: Vec<Vec<u64>> = x
        .outer_iter()
        .map(|r| r.iter().map(|v| (v + 0.0).to_bits()).collect())
        .collect();
    rows.sort_unstable();
    rows.dedup();
    rows.len()
}

/// A count parameter (restarts, iterations, components) must be at least 1: the error names
/// the parameter.
pub(crate) fn at_least_one(name: &'static str, value: usize) -> Result<()> {
    if value == 0 {
        return Err(Error::parameter(
            name,
            format!("{name} must be at least 1, got 0"),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn standardizes_with_population_std() {
        let x = array![[1.0, 10.0], [3.0, 10.5], [5.0, 12.0]];
        let t = prepare(x.view(), None, true, 2).unwrap();
        let z = &t.z;
        for c in 0..2 {
            let col = z.column(c);
            assert!(col.mean().unwrap().abs() < 1e-12);
            assert!((col.std(0.0) - 1.0).abs() < 1e-12);
        }
        assert_eq!(t.reference, array![3.0, 32.5 / 3.0]);
    }

    #[test]
    fn constant_column_is_named() {
        let x = array![[1.0, 7.0], [2.0, 7.0]];
        let names = vec!["a".to_string(), "b".to_string()];
        let err = prepare(x.view(), Some(&names), true, 2)
            .unwrap_err()
            .to_string();
        assert!(err.contains("column 2 (\"b\") is constant"), "{err}");
        assert!(prepare(x.view(), Some(&names), false, 2).is_ok());
    }

    #[test]
    fn too_few_rows_and_non_finite_values_are_errors() {
        let x = array![[1.0, 2.0]];
        let err = prepare(x.view(), None, false, 2).unwrap_err().to_string();
        assert!(err.contains("at least 2 training rows, got 1"), "{err}");
        let x = array![[1.0, f64::NAN], [1.0, 2.0]];
        let err = prepare(x.view(), None, false, 2).unwrap_err().to_string();
        assert!(err.contains("row 1, column 2"), "{err}");
    }

    #[test]
    fn counts_distinct_rows() {
        let x = array![[1.0, 2.0], [1.0, 2.0], [0.0, 2.0], [-0.0, 2.0]];
        assert_eq!(distinct_rows(x.view()), 2);
    }
}
