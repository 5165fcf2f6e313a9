//! A fitted support vector classifier (libsvm / scikit-learn `SVC` semantics), validated,
//! and its plain decision function and vote (the ground truth).

use crate::error::{Error, Result};
use crate::families::Kernel;
use crate::model::validate;
use ndarray::{Array1, Array2, ArrayView1, ArrayView2};

/// The terms of one pair of classes `(i, j)`, `i < j`, in libsvm's sign: the pair's decision
/// `dec(z) = sum_s coef_s K(z, u_s) + intercept` is a vote for `i` when positive.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Pair {
    pub first: usize,
    pub second: usize,
    /// Support-vector indices (rows of `support_vectors`): those of class i, then of class j.
    pub support: Vec<usize>,
    /// Their coefficients (libsvm sign).
    pub coef: Vec<f64>,
    pub intercept: f64,
}

/// A kernel support vector classifier with one-vs-one pairs, as scikit-learn's `SVC`:
/// for classes `i < j` (pair number p in the order `(0,1), (0,2), ..., (1,2), ...`)
///
/// `dec_p(x) = sum_{s in S_i} dual_coef[j-1][s] K(x, u_s) + sum_{s in S_j} dual_coef[i][s] K(x, u_s) + intercept[p]`,
///
/// a vote for `i` when `> 0`, else for `j`; the prediction is the class with the most votes
/// (the first on ties). A binary SVC stores scikit-learn's public (sign-flipped) attributes:
/// `decision_function(x) = sum_s dual_coef[0][s] K(x, u_s) + intercept[0]`, `classes[1]`
/// when `> 0` (`>= 0`, as libsvm's vote).
#[derive(Debug, Clone, PartialEq)]
pub struct Svc {
    kernel: Kernel,
    support_vectors: Array2<f64>,
    dual_coef: Array2<f64>,
    intercept: Array1<f64>,
    classes: Vec<String>,
    n_support: Vec<usize>,
    pairs: Vec<Pair>,
}

impl Svc {
    /// Build and validate: gamma > 0; at least one support vector of at least one feature;
    /// at least 2 distinct classes; `n_support` one count per class summing to the number of
    /// support vectors; `dual_coef` (classes - 1) x support vectors; `intercept` one per
    /// pair of classes; all values finite. Errors name the field.
    pub fn new(
        kernel: Kernel,
        support_vectors: Array2<f64>,
        dual_coef: Array2<f64>,
        intercept: Array1<f64>,
        classes: Vec<String>,
        n_support: Vec<usize>,
    ) -> Result<Self> {
        validate::positive("kernel.gamma", kernel.gamma())?;
        if support_vectors.nrows() == 0 || support_vectors.ncols() == 0 {
            return Err(Error::model(
                "support_vectors",
                "must hold at least one non-empty row",
            ));
        }
        validate::finite_matrix("support_vectors", support_vectors.view())?;
        let k = classes.len();
        if k < 2 {
            return Err(Error::model(
                "classes",
                format!("needs at least 2 classes, got {k}"),
            ));
        }
        let mut seen = std::collections::HashSet::new();
        if let Some(i) = classes.iter().position(|c| !seen.insert(c.as_str())) {
            return Err(Error::model(
                format!("classes[{i}]"),
                format!("duplicate class {:?}", classes[i]),
            ));
        }
        if n_support.len() != k {
            return Err(Error::model(
                "n_support",
                format!("has {} counts, but there are {k} classes", n_support.len()),
            ));
        }
        let n_sv = support_vectors.nrows();
        let total = n_support.iter().try_fold(0usize, |a, &n| a.checked_add(n));
        if total != Some(n_sv) {
            return Err(Error::model(
                "n_support",
                format!("counts {n_support:?} do not sum to the {n_sv} rows of support_vectors"),
            ));
        }
        if dual_coef.dim() != (k - 1, n_sv) {
            return Err(Error::model(
                "dual_coef",
                format!(
                    "is {} x {}, expected (classes - 1) x support vectors = {} x {n_sv}",
                    dual_coef.nrows(),
                    dual_coef.ncols(),
                    k - 1
                ),
            ));
        }
        validate::finite_matrix("dual_coef", dual_coef.view())?;
        validate::length("intercept", intercept.view(), k * (k - 1) / 2)?;
        validate::finite_vector("intercept", intercept.view())?;
        let pairs = pairs(&dual_coef, &intercept, &n_support);
        Ok(Svc {
            kernel,
            support_vectors,
            dual_coef,
            intercept,
            classes,
            n_support,
            pairs,
        })
    }

    /// The kernel.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// The support vectors, one per row, grouped by class (`n_support` of each).
    pub fn support_vectors(&self) -> ArrayView2<'_, f64> {
        self.support_vectors.view()
    }

    /// The dual coefficients, (classes - 1) x support vectors (scikit-learn's `dual_coef_`).
    pub fn dual_coef(&self) -> ArrayView2<'_, f64> {
        self.dual_coef.view()
    }

    /// One intercept per pair of classes (scikit-learn's `intercept_`).
    pub fn intercept(&self) -> ArrayView1<'_, f64> {
        self.intercept.view()
    }

    /// The class labels, in the order of scikit-learn's `classes_`.
    pub fn classes(&self) -> &[String] {
        &self.classes
    }

    /// The number of support vectors of each class.
    pub fn n_support(&self) -> &[usize] {
        &self.n_support
    }

    /// Number of features.
    pub fn n_features(&self) -> usize {
        self.support_vectors.ncols()
    }

    /// The pairs of classes, in scikit-learn's order.
    pub(crate) fn pairs(&self) -> &[Pair] {
        &self.pairs
    }

    /// scikit-learn's `decision_function` (with `decision_function_shape='ovo'`), summed the
    /// plain way: rows x pairs, one column for a binary SVC (> 0: `classes[1]`).
    pub fn decision_function(&self, x: ArrayView2<f64>) -> Result<Array2<f64>> {
        validate::input_width(x, self.n_features())?;
        let binary = self.classes.len() == 2;
        let mut out = Array2::zeros((x.nrows(), self.pairs.len()));
        for (row, mut o) in x.outer_iter().zip(out.outer_iter_mut()) {
            let row = row.to_vec();
            for (p, pair) in self.pairs.iter().enumerate() {
                let dec = pair_decision(self, pair, &row);
                o[p] = if binary { -dec } else { dec };
            }
        }
        Ok(out)
    }

    /// The one-vs-one vote of one row from its pair decisions (libsvm sign): a vote for
    /// `first` when `> 0`, else for `second`; the most votes, first on ties.
    pub(crate) fn vote(&self, decisions: &[f64]) -> usize {
        let mut votes = vec![0usize; self.classes.len()];
        for (pair, &dec) in self.pairs.iter().zip(decisions) {
            votes[if dec > 0.0 { pair.first } else { pair.second }] += 1;
        }
        let mut best = 0;
        for (c, &v) in votes.iter().enumerate() {
            if v > votes[best] {
                best = c;
            }
        }
        best
    }
}

/// The number of pair `(i, j)`, `i < j`, among `n` classes in scikit-learn's order
/// `(0,1), (0,2), ..., (1,2), ...`: the pairs starting below i come first.
pub(crate) fn pair_index(n: usize, i: usize, j: usize) -> usize {
    i * n - i * (i + 1) / 2 + (j - i - 1)
}

/// One pair's decision at one row (libsvm sign), the plain way.
fn pair_decision(svc: &Svc, pair: &Pair, row: &[f64]) -> f64 {
    let sum: f64 = pair
        .support
        .iter()
        .zip(&pair.coef)
        .map(|(&s, &c)| {
            let u = svc.support_vectors.row(s);
            c * svc.kernel.eval(row, u.as_slice().expect("owned"))
        })
        .sum();
    sum + pair.intercept
}

/// The pairs `(i, j)`, `i < j`, in scikit-learn's order, with libsvm's sign (a binary SVC's
/// public attributes are negated back).
fn pairs(dual_coef: &Array2<f64>, intercept: &Array1<f64>, n_support: &[usize]) -> Vec<Pair> {
    let k = n_support.len();
    let mut start = vec![0usize; k + 1];
    for c in 0..k {
        start[c + 1] = start[c] + n_support[c];
    }
    let sign = if k == 2 { -1.0 } else { 1.0 };
    let mut out = Vec::with_capacity(k * (k - 1) / 2);
    for i in 0..k {
        for j in i + 1..k {
            let mut support = Vec::new();
            let mut coef = Vec::new();
            for s in start[i]..start[i + 1] {
                support.push(s);
                coef.push(sign * dual_coef[[j - 1, s]]);
            }
            for s in start[j]..start[j + 1] {
                support.push(s);
                coef.push(sign * dual_coef[[i, s]]);
            }
            out.push(Pair {
                first: i,
                second: j,
                support,
                coef,
                intercept: sign * intercept[out.len()],
            });
        }
    }
    out
}

/// The plain ground truth of rows `z`: `(vote, pair decisions in libsvm sign)` per row.
pub(crate) fn plain_decisions(svc: &Svc, z: ArrayView2<f64>) -> Vec<(usize, Vec<f64>)> {
    z.outer_iter()
        .map(|row| {
            let row = row.to_vec();
            let dec: Vec<f64> = svc
                .pairs
                .iter()
                .map(|p| pair_decision(svc, p, &row))
                .collect();
            (svc.vote(&dec), dec)
        })
        .collect()
}
