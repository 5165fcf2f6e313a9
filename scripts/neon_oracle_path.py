"""Plain NumPy oracle of the `neon-path` rule set (the default for one-class SVMs and kernel
densities), independent of the Rust code: one row at a time, exact differences, no GEMM.

    python scripts/neon_oracle_path.py            # writes models/NAME.expected_path.csv

For a row z (standardized), the reference r (the model file's `reference`, standardized),
K = 2 equal pieces a_k = r + (k / K)(z - r) of the path and their midpoints m_k:

    p(m)  = softmax(-beta h(m)),  h_j(m) = gamma ||m - u_j||_q^q + b_j
    N_i   = sum_k sum_j p_j(m_k) (|a_(k+1),i - u_ij|^q - |a_k,i - u_ij|^q)
    R_i   = (o(z) - o_0) N_i / sum_i' N_i' + o_0 / d,   o_0 = -logsumexp(-b)

(beta 1, the model's own soft-min). Rows whose sum N is tiny (|sum N| <= 1e-12 sum |N_i|)
or not > 0, or whose o equals o_0, keep the `neon-floor` relevance
R_i = (o - o_0) S_i + o_0 / d, S_i the NEON share at beta 1.
The written file has the columns of NAME.expected.csv (prediction, outlierness, R_...).
"""
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402

SEGMENTS = 2
FIXTURES = ["ocsvm_breast_cancer", "ocsvm_breast_cancer_raw", "ocsvm_digits_laplacian",
            "ocsvm_digits_rbf", "ocsvm_blobs", "kde_iris", "kde_wine", "kde_digits"]
# The rbf fixtures of the rbf-only rule sets (neon-flip, neon-focus, neon-lean).
RBF_FIXTURES = [name for name in FIXTURES if name != "ocsvm_digits_laplacian"]


def softmax(v):
    """The soft-max of a vector, max-shifted."""
    e = np.exp(v - np.max(v))
    return e / np.sum(e)


def _power(t, q):
    return t * t if q == 2 else np.abs(t)


def network(model):
    """(units U, bias b, gamma, q) of an OC-SVM or KDE model dict."""
    (kname, kparams), = model["kernel"].items()
    q = {"rbf": 2, "laplacian": 1}[kname]
    if model["model"] == "one_class_svm":
        U = np.asarray(model["support_vectors"], dtype=np.float64)
        a = np.asarray(model["dual_coef"], dtype=np.float64).ravel()
        b = -np.log(a / float(model["rho"]))
    else:
        U = np.asarray(model["points"], dtype=np.float64)
        b = np.full(len(U), math.log(len(U)))
    return U, b, float(kparams["gamma"]), q


def path_row(z, r, U, b, gamma, q, beta=1.0):
    """(o, R) of one standardized row z under neon-path."""
    d = len(z)
    h = np.array([gamma * np.sum(_power(z - u, q)) + bj for u, bj in zip(U, b)])
    m = np.min(h)
    o = m - math.log(np.sum(np.exp(-(h - m))))
    N = np.zeros(d)
    for k in range(SEGMENTS):
        lo = r + (k / SEGMENTS) * (z - r)
        hi = r + ((k + 1) / SEGMENTS) * (z - r)
        mid = 0.5 * (lo + hi)
        hm = np.array([gamma * np.sum(_power(mid - u, q)) + bj for u, bj in zip(U, b)])
        p = softmax(-beta * hm)
        for pj, u in zip(p, U):
            N += pj * (_power(hi - u, q) - _power(lo - u, q))
    total = np.sum(N)
    floor = -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))
    excess = o - floor
    if abs(total) > 1e-12 * np.sum(np.abs(N)) and total > 0 and excess > 0:
        return o, excess * N / total + floor / d
    # neon-floor fallback at the same beta
    p = softmax(-beta * h)
    S = np.zeros(d)
    for pj, u in zip(p, U):
        parts = _power(z - u, q)
        s = np.sum(parts)
        S += pj * (parts / s if s > 0 else np.full(d, 1.0 / d))
    return o, (o - floor) * S + floor / d


def explain_rows(model, X, rule):
    """Columns as NAME.expected.csv: (prediction name, prediction, o, R), with
    `rule(z, r, U, b, gamma, q) -> (o, R)` applied to every standardized row z."""
    U, b, gamma, q = network(model)
    Z = neon_oracle.standardize(X, model.get("scaler"))
    r = neon_oracle.standardize(np.asarray(model["reference"], dtype=np.float64)[None],
                                model.get("scaler"))[0]
    o = np.empty(len(Z))
    R = np.empty_like(Z)
    for i, z in enumerate(Z):
        o[i], R[i] = rule(z, r, U, b, gamma, q)
    if model["model"] == "one_class_svm":
        pred = float(model["rho"]) * np.expm1(-o)
        return "decision_function", pred, o, R
    d = Z.shape[1]
    pred = -o - 0.5 * d * math.log(math.pi / gamma)
    return "log_density", pred, o, R


def explain(model, X, beta=1.0):
    """`neon-path@beta` of every row, columns as `explain_rows`."""
    return explain_rows(model, X, lambda z, r, U, b, gamma, q:
                        path_row(z, r, U, b, gamma, q, beta))


def write_fixtures(fixtures, explain, suffix):
    """models/NAME.SUFFIX for every fixture: `explain(model, X)`'s columns, full precision."""
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "models")
    for name in fixtures:
        model = json.load(open(os.path.join(here, name + ".json")))
        path = os.path.join(here, name + ".input.csv")
        header = open(path).readline().strip().split(",")
        X = np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)
        pname, pred, o, R = explain(model, X)
        with open(os.path.join(here, name + "." + suffix), "w") as f:
            f.write(",".join([pname, "outlierness"] + ["R_" + h for h in header]) + "\n")
            for row in zip(pred, o, R):
                f.write(",".join(repr(float(v)) for v in [row[0], row[1], *row[2]]) + "\n")
        print("wrote", name, X.shape, file=sys.stderr)


def main():
    write_fixtures(FIXTURES, explain, "expected_path.csv")

if __name__ == "__main__":
    main()
