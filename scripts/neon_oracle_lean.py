"""Plain NumPy oracle of the `neon-lean` rule set (rbf kernel models), independent of the
Rust code: one row at a time, exact differences, no GEMM.

    python scripts/neon_oracle_lean.py            # writes models/NAME.expected_lean.csv

For a standardized row z, the reference r, delta = z - r, the first pass
(R0, o) = `neon-path` (scripts/neon_oracle_path.py's path_row, same beta) and the
reference's soft-min weights p(r) = softmax(-beta h(r)), h_j(r) = gamma ||r - u_j||^2 + b_j,
each unit's change from r to z split exactly over the features under the frozen weights:

    N_ref,i = sum_j p_j(r) ((z_i - u_ji)^2 - (r_i - u_ji)^2)
    T       = the 3 largest R0_i (ties: lower index first), the rest its complement
    c       = sum_T max(R0_i, 0) / sum_i max(R0_i, 0)           (0 without positive R0)
    E       = sum_rest (R0_i - o_0 / d)                           (o_0 = -logsumexp(-b))
    R_i     = R0_i                                                (i in T)
    R_i     = (1 - l) R0_i + l (E N_ref,i / sum_rest N_ref + o_0 / d)   (rest), l = c^2

(conserving: the rest's sum is kept). Rows whose `neon-path` numerators are unusable (they
keep `neon-floor`), and rows with o <= o_0, E <= 0 or sum_rest N_ref not
> 1e-12 sum_rest |N_ref,i|, keep R0. This is scripts/node_screen.py's `m1:kref`. The
written file has the columns of NAME.expected.csv (prediction, outlierness, R_...).
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from neon_oracle_path import (RBF_FIXTURES, SEGMENTS, explain_rows, network, path_row,  # noqa: E402
                              softmax, write_fixtures)

TOP = 3
SCALE = 1.0
FIXTURES = RBF_FIXTURES


def _floor(b):
    return -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))


def path_usable(z, r, U, b, gamma, beta):
    """Whether `neon-path`'s numerators of z are usable (else the row took neon-floor)."""
    N = np.zeros(len(z))
    h = np.array([gamma * np.sum((z - u) ** 2) + bj for u, bj in zip(U, b)])
    m = np.min(h)
    o = m - math.log(np.sum(np.exp(-(h - m))))
    for k in range(SEGMENTS):
        lo = r + (k / SEGMENTS) * (z - r)
        hi = r + ((k + 1) / SEGMENTS) * (z - r)
        mid = 0.5 * (lo + hi)
        p = softmax(-beta * np.array([gamma * np.sum((mid - u) ** 2) + bj
                                       for u, bj in zip(U, b)]))
        for pj, u in zip(p, U):
            N += pj * ((hi - u) ** 2 - (lo - u) ** 2)
    total = np.sum(N)
    return abs(total) > 1e-12 * np.sum(np.abs(N)) and total > 0 and o - _floor(b) > 0


def lean_share(R0, top=TOP):
    """l = SCALE c^2, c the share of the positive R0 held by its `top` largest values."""
    P = np.sort(np.maximum(R0, 0.0))[::-1]
    total = P.sum()
    c = min(P[:top].sum() / total, 1.0) if total > 0 else 0.0
    return SCALE * c * c


def lean_row(z, r, U, b, gamma, beta=1.0):
    """(o, R) of one standardized row z under neon-lean."""
    d = len(z)
    o, R0 = path_row(z, r, U, b, gamma, 2, beta)
    if not path_usable(z, r, U, b, gamma, beta):
        return o, R0
    share = lean_share(R0)
    floor = _floor(b)
    p = softmax(-beta * np.array([gamma * np.sum((r - u) ** 2) + bj for u, bj in zip(U, b)]))
    N = np.zeros(d)
    for pj, u in zip(p, U):
        N += pj * ((z - u) ** 2 - (r - u) ** 2)
    rest = np.ones(d, dtype=bool)
    rest[sorted(range(d), key=lambda i: (-R0[i], i))[:TOP]] = False
    excess = np.sum(R0[rest]) - np.sum(rest) * floor / d
    total = np.sum(N[rest])
    if share <= 0 or o - floor <= 0 or excess <= 0 or \
            not total > 1e-12 * np.sum(np.abs(N[rest])):
        return o, R0
    R = R0.copy()
    R[rest] = (1 - share) * R0[rest] + share * (excess * N[rest] / total + floor / d)
    return o, R


def explain(model, X, beta=1.0):
    """`neon-lean@beta` of every row, columns as neon_oracle_path.explain_rows."""
    if network(model)[3] != 2:
        raise SystemExit("neon-lean: rbf kernels only")
    return explain_rows(model, X, lambda z, r, U, b, gamma, q: lean_row(z, r, U, b, gamma, beta))


def main():
    write_fixtures(FIXTURES, explain, "expected_lean.csv")


if __name__ == "__main__":
    main()
