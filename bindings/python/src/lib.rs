//! `neuralize._native`: the thin PyO3 layer over the neuralize library.
//!
//! The pure-Python package (`python/neuralize/`) converts inputs (scikit-learn objects,
//! DataFrames, any float dtype) and calls [`NativeExplainer`]. Here every library error
//! becomes a Python exception carrying the library's message (`ValueError`, or `OSError`
//! for files), the GIL is released while rows are scored or explained, and a panic (none is
//! known to be reachable) is caught and reported as a `RuntimeError`, never as pyo3's
//! `PanicException`.

use neuralize::evaluate::{evaluate, Gap, Imputation};
use neuralize::ndarray::{Array1, Array2, ArrayView2, Axis};
use neuralize::spray::{analyze, ChoiceRule, ClusterCount, Normalization, SprayParams};
use neuralize::{
    load_model, model_from_json, model_to_json, Beta, ClassTarget, Error, Explainer, LayerRules,
    LinearRule, Method, Model, Prediction,
};
use numpy::{IntoPyArray, PyArray1, PyArray2, PyReadonlyArray1, PyReadonlyArray2};
use pyo3::exceptions::{PyFileNotFoundError, PyOSError, PyRuntimeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::PyDict;
use std::panic::{catch_unwind, AssertUnwindSafe};

/// A library error as the matching Python exception, with the library's message.
fn to_py(err: Error) -> PyErr {
    match &err {
        Error::Io { source, .. } if source.kind() == std::io::ErrorKind::NotFound => {
            PyFileNotFoundError::new_err(err.to_string())
        }
        Error::Io { .. } => PyOSError::new_err(err.to_string()),
        _ => PyValueError::new_err(err.to_string()),
    }
}

/// Run `f`, turning a panic into a `RuntimeError` (defence in depth: the library returns
/// errors on every caller input).
fn guarded<T>(f: impl FnOnce() -> neuralize::Result<T>) -> PyResult<T> {
    match catch_unwind(AssertUnwindSafe(f)) {
        Ok(result) => result.map_err(to_py),
        Err(payload) => {
            let what = payload
                .downcast_ref::<&str>()
                .map(|s| s.to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "unknown panic".to_string());
            Err(PyRuntimeError::new_err(format!(
                "internal error in neuralize (please report): {what}"
            )))
        }
    }
}

/// The prediction column: floats (decision_function, log_density) or int64 labels.
fn prediction_to_py(py: Python<'_>, prediction: Prediction) -> Py<PyAny> {
    match prediction {
        Prediction::Values(v) => v.into_pyarray(py).into_any().unbind(),
        Prediction::Labels(v) => {
            let labels: Vec<i64> = v.into_iter().map(|c| c as i64).collect();
            PyArray1::from_vec(py, labels).into_any().unbind()
        }
    }
}

/// The method from its name and options, as the command line's `--method`, `--rule`,
/// `--beta`, `--cluster`, `--class`, `--linear-rule`, `--layer-rule`, `--seed`, `--steps`,
/// `--samples`.
#[allow(clippy::too_many_arguments)]
fn build_method(
    model: &Model,
    method: &str,
    beta: Option<&str>,
    cluster: Option<usize>,
    class_label: Option<&str>,
    linear_rule: Option<&str>,
    layer_rule: Option<&str>,
    seed: Option<u64>,
    steps: Option<usize>,
    samples: Option<usize>,
) -> neuralize::Result<Method> {
    let mut m: Method = method.parse()?;
    if let Some(b) = beta {
        m = m.with_beta(b.parse::<Beta>()?);
    }
    if let Some(c) = cluster {
        m = m.with_cluster(c);
    }
    if let Some(label) = class_label {
        m = m.with_class(model.class_index(label)?);
    }
    if let Some(r) = linear_rule {
        m = m.with_linear_rule(r.parse::<LinearRule>()?);
    }
    if let Some(l) = layer_rule {
        m = m.with_layer_rules(l.parse::<LayerRules>()?);
    }
    if let Some(s) = seed {
        m = m.with_seed(s);
    }
    if let Some(s) = steps {
        m = m.with_steps(s);
    }
    if let Some(s) = samples {
        m = m.with_samples(s);
    }
    Ok(m)
}

/// `(prediction, output, relevance)` as NumPy arrays.
type Arrays<'py> = (
    Py<PyAny>,
    Bound<'py, PyArray1<f64>>,
    Bound<'py, PyArray2<f64>>,
);

/// A neuralized model file, ready to score and explain float64 rows (input space).
#[pyclass(module = "neuralize._native", name = "NativeExplainer", frozen)]
struct NativeExplainer {
    model: Model,
    explainer: Explainer,
}

impl NativeExplainer {
    fn from_model(model: Model) -> Self {
        let explainer = Explainer::new(&model);
        NativeExplainer { model, explainer }
    }
}

#[pymethods]
impl NativeExplainer {
    /// Build from the text of a `neuralize/1` model file (JSON).
    #[staticmethod]
    fn from_json(text: &str) -> PyResult<Self> {
        guarded(|| model_from_json(text)).map(Self::from_model)
    }

    /// Load a `neuralize/1` model file.
    #[staticmethod]
    fn from_path(path: std::path::PathBuf) -> PyResult<Self> {
        guarded(|| load_model(&path)).map(Self::from_model)
    }

    /// The model file as JSON text (what `save` writes).
    fn to_json(&self) -> String {
        model_to_json(&self.model)
    }

    /// The same model with `reference` (input space) as the reference row.
    fn with_reference(&self, reference: PyReadonlyArray1<'_, f64>) -> PyResult<Self> {
        let r: Array1<f64> = reference.as_array().to_owned();
        let explainer = guarded(|| self.explainer.clone().with_reference(r))?;
        Ok(NativeExplainer {
            model: self.model.clone(),
            explainer,
        })
    }

    /// The same model explaining `target` (`logit` or `log-odds`) of a classifier's class,
    /// or a Gaussian mixture component's posterior log-odds (the CLI's `--target`).
    fn with_target(&self, target: &str) -> PyResult<Self> {
        let explainer = guarded(|| {
            self.explainer
                .clone()
                .with_class_target(target.parse::<ClassTarget>()?)
        })?;
        Ok(NativeExplainer {
            model: self.model.clone(),
            explainer,
        })
    }

    /// Model family tag: `one_class_svm`, `kernel_density` or `kmeans`.
    #[getter]
    fn kind(&self) -> &'static str {
        self.explainer.kind()
    }

    /// Number of input features.
    #[getter]
    fn n_features(&self) -> usize {
        self.explainer.n_features()
    }

    /// Feature names of the model file, or None.
    #[getter]
    fn feature_names(&self) -> Option<Vec<String>> {
        self.model.feature_names().map(<[String]>::to_vec)
    }

    /// Name of the prediction: `decision_function`, `log_density` or `cluster`.
    #[getter]
    fn prediction_name(&self) -> &'static str {
        self.explainer.prediction_name()
    }

    /// Name of the explained output: `outlierness` or `logit`.
    #[getter]
    fn output_name(&self) -> &'static str {
        self.explainer.output_name()
    }

    /// The stiffness of the published rules.
    #[getter]
    fn published_beta(&self) -> f64 {
        self.explainer.published_beta()
    }

    /// The `auto` stiffness of the default method.
    #[getter]
    fn auto_beta(&self) -> f64 {
        self.explainer.auto_beta()
    }

    /// What `explain(x)` runs without a method: the model file's stored method, else the
    /// family's default (e.g. `neon-pick@1`), as the CLI's `info` names it.
    #[getter]
    fn default_method(&self) -> String {
        self.explainer.default_method().to_string()
    }

    /// Why `default_method` is the default for this model, in one sentence.
    #[getter]
    fn default_reason(&self) -> String {
        self.explainer.default_method_reason().to_string()
    }

    /// The reference row (input space).
    #[getter]
    fn reference<'py>(&self, py: Python<'py>) -> Bound<'py, PyArray1<f64>> {
        self.explainer.reference().to_owned().into_pyarray(py)
    }

    /// Explain float64 rows `x` (any memory layout): `(prediction, output, relevance)`.
    #[pyo3(signature = (x, method="default", beta=None, cluster=None, class_label=None,
                        linear_rule=None, layer_rule=None, seed=None, steps=None, samples=None))]
    #[allow(clippy::too_many_arguments)]
    fn explain<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        method: &str,
        beta: Option<&str>,
        cluster: Option<usize>,
        class_label: Option<&str>,
        linear_rule: Option<&str>,
        layer_rule: Option<&str>,
        seed: Option<u64>,
        steps: Option<usize>,
        samples: Option<usize>,
    ) -> PyResult<Arrays<'py>> {
        let method = guarded(|| {
            build_method(
                &self.model,
                method,
                beta,
                cluster,
                class_label,
                linear_rule,
                layer_rule,
                seed,
                steps,
                samples,
            )
        })?;
        let explainer = &self.explainer;
        let view: ArrayView2<'_, f64> = x.as_array();
        let e = py.detach(|| guarded(|| explainer.explain(view, &method)))?;
        Ok((
            prediction_to_py(py, e.prediction),
            e.output.into_pyarray(py),
            e.relevance.into_pyarray(py),
        ))
    }

    /// Feature-flipping faithfulness of `methods` on the rows of `x` with a positive explained
    /// output ([`neuralize::evaluate::evaluate`], the CLI's `evaluate`), against the column
    /// means of `reference_rows` (mean imputation) and `draws` draws per row from their
    /// marginals (stream `seed`, also the sampling methods' seed).
    ///
    /// Returns a dict: `rows`, `input_rows`, `methods` (names), `area` (methods x 2: mean,
    /// marginal imputation), `row_areas` (2 x methods x rows), `curves` (2 x methods x
    /// (d + 1)), `micros_per_row`, and `gaps` (2 lists, one `(point, low, high)` or `None`
    /// per method: the gap to the best other method with its 95% bootstrap interval).
    #[pyo3(signature = (x, reference_rows, methods, draws=5, seed=0, steps=None, samples=None))]
    #[allow(clippy::too_many_arguments)]
    fn evaluate<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        reference_rows: PyReadonlyArray2<'py, f64>,
        methods: Vec<String>,
        draws: usize,
        seed: u64,
        steps: Option<usize>,
        samples: Option<usize>,
    ) -> PyResult<Bound<'py, PyDict>> {
        let reference: ArrayView2<'_, f64> = reference_rows.as_array();
        let explainer = guarded(|| {
            let means = reference
                .mean_axis(Axis(0))
                .ok_or_else(|| Error::parameter("reference", "the reference table has no rows"))?;
            self.explainer.clone().with_reference(means)
        })?;
        let methods: Vec<Method> = guarded(|| {
            methods
                .iter()
                .map(|name| {
                    build_method(
                        &self.model,
                        name.trim(),
                        None,
                        None,
                        None,
                        None,
                        None,
                        Some(seed),
                        steps,
                        samples,
                    )
                })
                .collect()
        })?;
        let view: ArrayView2<'_, f64> = x.as_array();
        let result =
            py.detach(|| guarded(|| evaluate(&explainer, view, reference, &methods, draws, seed)))?;
        let out = PyDict::new(py);
        out.set_item("rows", result.rows)?;
        out.set_item("input_rows", result.input_rows)?;
        let names: Vec<String> = result.scores.iter().map(|s| s.method.to_string()).collect();
        out.set_item("methods", names)?;
        let area =
            Array2::from_shape_fn((result.scores.len(), 2), |(m, i)| result.scores[m].area[i]);
        out.set_item("area", area.into_pyarray(py))?;
        let per_imputation =
            |pick: &dyn Fn(&neuralize::evaluate::MethodScore, usize) -> Vec<f64>| {
                (0..2)
                    .map(|i| result.scores.iter().map(|s| pick(s, i)).collect::<Vec<_>>())
                    .collect::<Vec<_>>()
            };
        out.set_item("row_areas", per_imputation(&|s, i| s.row_areas[i].clone()))?;
        out.set_item("curves", per_imputation(&|s, i| s.curves[i].clone()))?;
        let micros: Vec<f64> = result.scores.iter().map(|s| s.micros_per_row).collect();
        out.set_item("micros_per_row", micros)?;
        let gaps: Vec<Vec<Option<(f64, f64, f64)>>> = Imputation::BOTH
            .iter()
            .map(|&imputation| {
                result
                    .gaps(imputation, seed)
                    .into_iter()
                    .map(|g| g.map(|Gap { point, low, high }| (point, low, high)))
                    .collect()
            })
            .collect();
        out.set_item("gaps", gaps)?;
        Ok(out)
    }

    /// A classifier's class labels (in class-index order), or `None`.
    #[getter]
    fn classes(&self) -> Option<Vec<String>> {
        self.model.classes().map(<[String]>::to_vec)
    }

    /// Forward outputs of float64 rows `x`: `(prediction, output)`.
    #[pyo3(signature = (x, cluster=None))]
    fn score<'py>(
        &self,
        py: Python<'py>,
        x: PyReadonlyArray2<'py, f64>,
        cluster: Option<usize>,
    ) -> PyResult<(Py<PyAny>, Bound<'py, PyArray1<f64>>)> {
        let view: ArrayView2<'_, f64> = x.as_array();
        let explainer = &self.explainer;
        let f = py.detach(|| guarded(|| explainer.forward(view, cluster)))?;
        Ok((
            prediction_to_py(py, f.prediction),
            f.output.into_pyarray(py),
        ))
    }
}

/// SpRAy over float64 relevance rows (n × d, any memory layout, not copied) and optional
/// float64 input rows (n × any): [`neuralize::spray::analyze`] with the GIL released.
///
/// Returns a dict: `labels` (int64, n), `embedding` (n × 2), `eigenvalues`, `residual`,
/// `n_clusters`, `rule` (`given`, `jump` or `eigengap`), `gap` (float or None), `clusters`
/// (a list of dicts: `cluster`, `size`, `mean_relevance`, `mean_input` or None,
/// `prototypes`). `clusters` is `auto` or a whole number, `normalize` `none|l1|l2|abs`.
#[pyfunction]
#[pyo3(signature = (relevance, clusters="auto", neighbors=10, eigenvalues=32, normalize="l1",
                    seed=0, inputs=None, restarts=10, prototypes=5))]
#[allow(clippy::too_many_arguments)]
fn spray<'py>(
    py: Python<'py>,
    relevance: PyReadonlyArray2<'py, f64>,
    clusters: &str,
    neighbors: usize,
    eigenvalues: usize,
    normalize: &str,
    seed: u64,
    inputs: Option<PyReadonlyArray2<'py, f64>>,
    restarts: usize,
    prototypes: usize,
) -> PyResult<Bound<'py, PyDict>> {
    let params = guarded(|| {
        Ok(SprayParams {
            normalization: normalize.parse::<Normalization>()?,
            neighbors,
            eigenvalues,
            clusters: clusters.parse::<ClusterCount>()?,
            seed,
            restarts,
            prototypes,
            ..SprayParams::default()
        })
    })?;
    let r: ArrayView2<'_, f64> = relevance.as_array();
    let x: Option<ArrayView2<'_, f64>> = inputs.as_ref().map(|a| a.as_array());
    let result = py.detach(|| guarded(|| analyze(r, x, &params)))?;
    let out = PyDict::new(py);
    let labels: Vec<i64> = result.labels.iter().map(|&l| l as i64).collect();
    out.set_item("labels", PyArray1::from_vec(py, labels))?;
    out.set_item("embedding", result.plane.into_pyarray(py))?;
    out.set_item("eigenvalues", PyArray1::from_vec(py, result.eigenvalues))?;
    out.set_item("residual", result.residual)?;
    out.set_item("n_clusters", result.choice.clusters)?;
    let rule = match result.choice.rule {
        ChoiceRule::Given => "given",
        ChoiceRule::Jump => "jump",
        ChoiceRule::Eigengap => "eigengap",
    };
    out.set_item("rule", rule)?;
    out.set_item("gap", result.choice.gap)?;
    let mut summaries = Vec::with_capacity(result.clusters.len());
    for c in result.clusters {
        let entry = PyDict::new(py);
        entry.set_item("cluster", c.cluster)?;
        entry.set_item("size", c.size)?;
        entry.set_item("mean_relevance", PyArray1::from_vec(py, c.mean_relevance))?;
        entry.set_item(
            "mean_input",
            c.mean_input.map(|m| PyArray1::from_vec(py, m)),
        )?;
        entry.set_item("prototypes", c.prototypes)?;
        summaries.push(entry);
    }
    out.set_item("clusters", summaries)?;
    Ok(out)
}

/// The native part of the `neuralize` Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<NativeExplainer>()?;
    m.add_function(wrap_pyfunction!(spray, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
