//! Helpers shared by the library tests: fixture paths, a plain CSV loader, tolerances, a
//! small deterministic generator and the standardization `z = (x - mean) / scale` (done
//! here by hand, independently of the crate).
#![allow(dead_code)]

use ndarray::{Array1, Array2, ArrayView2, Axis};
use neuralize::{load_model, Beta, Explainer, Explanation, Method, Model, RuleSet, Standardizer};
use std::path::{Path, PathBuf};

#[path = "../shared/fixtures.rs"]
mod fixture_list;
pub use fixture_list::{DENSE_FIXTURES, FIXTURES, RBF_FIXTURES, SVC_FIXTURES};

pub fn model_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(format!("{name}.json"))
}

pub fn fixture_path(name: &str, suffix: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join(format!("{name}.{suffix}"))
}

/// A training fixture of the trainers: `models/fit/NAME`.
pub fn fit_path(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("models")
        .join("fit")
        .join(name)
}

/// A numeric CSV table: header and values.
pub struct Table {
    pub header: Vec<String>,
    pub values: Array2<f64>,
}

impl Table {
    /// The column with this name.
    pub fn column(&self, name: &str) -> Vec<f64> {
        let c = self
            .header
            .iter()
            .position(|h| h == name)
            .unwrap_or_else(|| panic!("no column {name} in {:?}", self.header));
        self.values.column(c).to_vec()
    }

    /// Columns `from..` as a matrix.
    pub fn columns_from(&self, from: usize) -> Array2<f64> {
        self.values.slice(ndarray::s![.., from..]).to_owned()
    }
}

/// Load a numeric CSV with a header (the plain way, independent of the crate's reader):
/// comma-separated, no quoting, every value a number.
pub fn read_table(path: &Path) -> Table {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut lines = text.lines().map(|l| l.trim_end_matches('\r'));
    let header: Vec<String> = lines
        .next()
        .unwrap_or_else(|| panic!("{}: empty file", path.display()))
        .split(',')
        .map(str::to_string)
        .collect();
    let rows: Vec<Vec<f64>> = lines
        .enumerate()
        .filter(|(_, l)| !l.is_empty())
        .map(|(n, l)| {
            let row: Vec<f64> = l
                .split(',')
                .map(|v| {
                    v.trim()
                        .parse::<f64>()
                        .unwrap_or_else(|e| panic!("{} line {}: {v:?}: {e}", path.display(), n + 2))
                })
                .collect();
            assert_eq!(
                row.len(),
                header.len(),
                "{} line {}: column count",
                path.display(),
                n + 2
            );
            row
        })
        .collect();
    let values = Array2::from_shape_vec(
        (rows.len(), header.len()),
        rows.into_iter().flatten().collect(),
    )
    .unwrap();
    Table { header, values }
}

/// `z = (x - mean) / scale`, row by row.
pub fn standardize(scaler: &Standardizer, x: ArrayView2<f64>) -> Array2<f64> {
    let mut z = x.to_owned();
    for mut row in z.outer_iter_mut() {
        for (i, v) in row.iter_mut().enumerate() {
            *v = (*v - scaler.mean()[i]) / scaler.scale()[i];
        }
    }
    z
}

/// The rows `x` (input space) in the space the model's family sees: standardized by the
/// model's scaler, if it has one.
pub fn model_space(model: &Model, x: ArrayView2<f64>) -> Array2<f64> {
    match model.scaler() {
        Some(s) => standardize(s, x),
        None => x.to_owned(),
    }
}

/// `|a - b| <= tol * max(1, |b|)`, with a message naming what differs.
pub fn assert_close(actual: f64, expected: f64, tol: f64, what: &str) {
    assert!(
        actual.is_finite() && (actual - expected).abs() <= tol * expected.abs().max(1.0),
        "{what}: got {actual}, expected {expected} (tolerance {tol} * max(1, |expected|))"
    );
}

/// Conservation `|sum_i R_i - output| <= 1e-9 * max(1, |output|)` on every row.
pub fn assert_conserves(relevance: &Array2<f64>, output: &[f64], what: &str) {
    assert_eq!(relevance.nrows(), output.len(), "{what}: row count");
    for (r, (row, &o)) in relevance.outer_iter().zip(output).enumerate() {
        assert_close(
            row.sum(),
            o,
            1e-9,
            &format!("{what}: conservation, row {r}"),
        );
    }
}

/// An explanation equals an oracle's fixture table (column 1 the explained output, columns
/// 2.. the relevances) within 1e-8, and conserves.
pub fn assert_matches_oracle(e: &Explanation, expected: &Table, what: &str) {
    assert_matches_oracle_within(e, expected, 1e-8, what);
}

/// [`assert_matches_oracle`] at tolerance `tol`, with the row count checked first.
pub fn assert_matches_oracle_within(e: &Explanation, expected: &Table, tol: f64, what: &str) {
    assert_eq!(expected.values.nrows(), e.output.len(), "{what}: rows");
    for (r, (&a, &b)) in e.output.iter().zip(&expected.values.column(1)).enumerate() {
        assert_close(a, b, tol, &format!("{what}: output row {r}"));
    }
    for ((r, i), &b) in expected.columns_from(2).indexed_iter() {
        assert_close(
            e.relevance[[r, i]],
            b,
            tol,
            &format!("{what}: row {r} feature {i}"),
        );
    }
    assert_conserves(&e.relevance, e.output.as_slice().unwrap(), what);
}

/// A dense network's explanation equals the NumPy oracle's table: the explained target to
/// 1e-12 and every relevance to 1e-9 of the row's target (at least 1e-9). Not every dense
/// rule conserves, so conservation is checked where it should hold, not here.
pub fn assert_matches_dense_oracle(e: &Explanation, expected: &Table, what: &str) {
    assert_eq!(expected.values.nrows(), e.output.len(), "{what}: rows");
    for (r, row) in expected.values.outer_iter().enumerate() {
        let target = row[1];
        assert_close(
            e.output[r],
            target,
            1e-12,
            &format!("{what}: row {r} target"),
        );
        let scale = target.abs().max(1.0);
        for (i, &w) in row.iter().skip(2).enumerate() {
            let got = e.relevance[[r, i]];
            assert!(
                (got - w).abs() <= 1e-9 * scale,
                "{what}: row {r} feature {i}: {got} vs {w}"
            );
        }
    }
}

/// The error message of explaining fixture `name`'s input rows with `method` (which must fail).
pub fn refusal(name: &str, method: &neuralize::Method) -> String {
    let model = neuralize::load_model(model_path(name)).unwrap();
    neuralize::Explainer::new(&model)
        .explain(input_rows(name).view(), method)
        .unwrap_err()
        .to_string()
}

/// The kernel named in fixture `name`'s model file (`"kernel": {"rbf": ...}`), read from the
/// JSON itself, not through the crate; `None` for models without a kernel.
pub fn kernel_of(name: &str) -> Option<String> {
    let text = std::fs::read_to_string(model_path(name)).unwrap();
    let value: serde_json::Value = serde_json::from_str(&text).unwrap();
    value["kernel"]
        .as_object()
        .and_then(|kernel| kernel.keys().next().cloned())
}

/// The family default a kernel fixture must name, decided by its file's kernel: `neon-pick@1`
/// for rbf, `neon-path@1` for laplacian (`neon-pick` needs squared distances).
pub fn kernel_default(name: &str) -> &'static str {
    match kernel_of(name).as_deref() {
        Some("rbf") => "neon-pick@1",
        Some("laplacian") => "neon-path@1",
        other => panic!("{name}: not a kernel fixture ({other:?})"),
    }
}

/// The input rows of fixture `name` (`models/NAME.input.csv`).
pub fn input_rows(name: &str) -> Array2<f64> {
    read_table(&fixture_path(name, "input.csv")).values
}

/// Rows that probe a rule away from the data: `x`, `x` pushed 30 times farther from the
/// reference, and the reference itself (last).
pub fn probe_rows(x: &Array2<f64>, reference: &Array1<f64>) -> Array2<f64> {
    let far = (x - reference) * 30.0 + reference;
    let mut rows = ndarray::concatenate(Axis(0), &[x.view(), far.view()]).unwrap();
    rows.push_row(reference.view()).unwrap();
    rows
}

/// A small deterministic generator (xorshift) so tests need no RNG dependency.
pub struct Rng(pub u64);

impl Rng {
    pub fn uniform(&mut self, low: f64, high: f64) -> f64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        low + (high - low) * ((self.0 >> 11) as f64 / (1u64 << 53) as f64)
    }

    pub fn matrix(&mut self, rows: usize, cols: usize, low: f64, high: f64) -> Array2<f64> {
        Array2::from_shape_fn((rows, cols), |_| self.uniform(low, high))
    }
}

/// `neuralize explain --rule neon` on a shipped fixture equals its `expected.csv` (output
/// and every relevance) within `tol * max(1, |expected|)`.
pub fn assert_matches_expected(name: &str, tol: f64) {
    let model = neuralize::load_model(model_path(name)).unwrap();
    let x = read_table(&fixture_path(name, "input.csv")).values;
    let e = neuralize::Explainer::new(&model)
        .explain(x.view(), &neuralize::Method::neon())
        .unwrap();
    let expected = read_table(&fixture_path(name, "expected.csv"));
    assert_eq!(expected.values.nrows(), x.nrows(), "{name}: rows");
    for (r, &o) in e.output.iter().enumerate() {
        assert_close(
            o,
            expected.values[[r, 1]],
            tol,
            &format!("{name}: output row {r}"),
        );
    }
    let relevance = expected.columns_from(2);
    assert_eq!(relevance.dim(), e.relevance.dim(), "{name}");
    for ((r, i), &want) in relevance.indexed_iter() {
        assert_close(
            e.relevance[[r, i]],
            want,
            tol,
            &format!("{name}: R row {r} feature {i}"),
        );
    }
}

/// A rule set of the flip-ordered / reference-pooled family (`neon-flip`, `neon-focus`,
/// `neon-lean`) on fixture `name`: conserving without NaN on the probe rows and on rows 1e3
/// and 1e6 away (every feature, then one), at several betas; at the reference every
/// numerator is 0, so the row keeps the first pass, `neon-path`.
pub fn assert_conserves_far_away_and_at_the_reference(name: &str, rule_set: RuleSet) {
    let model = load_model(model_path(name)).unwrap();
    let explainer = Explainer::new(&model);
    let x = input_rows(name);
    let reference = explainer.reference().to_owned();
    // The probe rows (the reference last), then hostile-but-valid rows 1e3 and 1e6 away
    // (every feature, then one feature).
    let mut rows = probe_rows(&x, &reference);
    for far in [1e3, 1e6] {
        rows.push_row((&reference + far).view()).unwrap();
        let mut one = reference.clone();
        one[0] -= far;
        rows.push_row(one.view()).unwrap();
    }
    for beta in [
        Beta::Auto,
        Beta::Value(0.1),
        Beta::Value(1.0),
        Beta::Value(5.0),
    ] {
        let method = Method::rule_set(rule_set).with_beta(beta);
        let e = explain_conserving(&explainer, rows.view(), &method, name);
        // At the reference every numerator is 0: the row keeps the first pass.
        let at = rows.nrows() - 5;
        let path = Method::rule_set(RuleSet::NeonPath).with_beta(beta);
        let path = explainer
            .explain(rows.slice(ndarray::s![at..at + 1, ..]), &path)
            .unwrap();
        assert_eq!(
            path.relevance.row(0),
            e.relevance.row(at),
            "{name} {method}"
        );
    }
}

/// `method`'s explanation of `rows`, checked finite and conserving (rows of relevance sum to
/// the explained output); `name` labels the failure.
pub fn explain_conserving(
    explainer: &Explainer,
    rows: ArrayView2<f64>,
    method: &Method,
    name: &str,
) -> Explanation {
    let e = explainer.explain(rows, method).unwrap();
    assert!(e.relevance.iter().all(|r| r.is_finite()), "{name} {method}");
    assert_conserves(
        &e.relevance,
        e.output.as_slice().unwrap(),
        &format!("{name} {method}"),
    );
    e
}

/// `method` on fixture `name`'s input rows repeated 6 times (several chunks run in parallel)
/// gives the same relevance bits on 1 and 2 threads.
pub fn assert_same_bits_on_one_and_two_threads(name: &str, method: &Method) {
    let model = load_model(model_path(name)).unwrap();
    let explainer = Explainer::new(&model);
    let input = input_rows(name);
    let x = ndarray::concatenate(Axis(0), &vec![input.view(); 6]).unwrap();
    let run = |threads: usize| {
        let pool = rayon::ThreadPoolBuilder::new()
            .num_threads(threads)
            .build()
            .unwrap();
        let e = pool.install(|| explainer.explain(x.view(), method).unwrap());
        e.relevance.iter().map(|v| v.to_bits()).collect::<Vec<_>>()
    };
    assert!(run(1) == run(2), "{name} {method}: 1 and 2 threads differ");
}
