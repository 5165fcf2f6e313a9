"""Plain NumPy oracle of the `neon-pick` rule set (rbf kernel models), independent of the
Rust code: one row at a time, exact differences, no GEMM.

    python scripts/neon_oracle_pick.py            # writes models/NAME.expected_pick.csv

For a standardized row z, the reference r and delta = z - r: R = `neon-lean`
(scripts/neon_oracle_lean.py's lean_row, same beta) and two groups of 3 features (ties:
lower index first),

    T  = the 3 largest R_i,
    T' = the 3 largest N_row,i = delta_i (z_i + r_i - 2 mu_i),   mu = softmax(-beta h(z)) U,

h_j(z) = gamma ||z - u_j||^2 + b_j. With o_S the outlierness of z with the features of S set
to r (beta 1, exact differences), T' takes the top places when o_T' < o_T: the features
leaving T and those entering from T' exchange their values, the larger ones to the entering
features in the order of N_row. Only when gamma s <= 6.6 (s the median squared distance
over pairs of the first 500 units); otherwise R is neon-lean's. The written file has the
columns of NAME.expected.csv (prediction, outlierness, R_...).
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from neon_oracle_lean import lean_row  # noqa: E402
from neon_oracle_path import RBF_FIXTURES, explain_rows, network, softmax, write_fixtures  # noqa: E402

TOP = 3
MAX_GAP = 6.6
GAP_CENTERS = 500


def typical_gap(U, gamma):
    """gamma times the median squared distance over pairs of the first 500 units (the
    upper median, as the Rust code's `sorted[len / 2]`)."""
    V = U[:GAP_CENTERS]
    pairs = sorted(float(np.sum((V[j] - V[k]) ** 2)) for j in range(len(V)) for k in range(j))
    return gamma * pairs[len(pairs) // 2] if pairs else 0.0


def top_group(values):
    return sorted(range(len(values)), key=lambda i: (-values[i], i))[:TOP]


def outlierness(z, U, b, gamma):
    h = np.array([gamma * np.sum((z - u) ** 2) + bj for u, bj in zip(U, b)])
    m = np.min(h)
    return m - math.log(np.sum(np.exp(-(h - m))))


def pick_row(z, r, U, b, gamma, beta=1.0, wide=True):
    """(o, R) of one standardized row z under neon-pick."""
    o, R = lean_row(z, r, U, b, gamma, beta)
    if not wide or len(z) <= TOP:
        return o, R
    p = softmax(-beta * np.array([gamma * np.sum((z - u) ** 2) + bj for u, bj in zip(U, b)]))
    mu = p @ U
    N = (z - r) * (z + r - 2 * mu)
    top, tested = top_group(R), top_group(N)
    if set(top) == set(tested):
        return o, R

    def removed(group):
        moved = z.copy()
        moved[group] = r[group]
        return outlierness(moved, U, b, gamma)

    if not removed(tested) < removed(top):
        return o, R
    leaving = [i for i in top if i not in tested]
    entering = [i for i in tested if i not in top]
    high = sorted((R[i] for i in leaving), reverse=True)
    low = sorted((R[i] for i in entering), reverse=True)
    R = R.copy()
    for i, v in zip(entering, high):
        R[i] = v
    for i, v in zip(leaving, low):
        R[i] = v
    return o, R


def explain(model, X, beta=1.0):
    """`neon-pick@beta` of every row, columns as neon_oracle_path.explain_rows."""
    U, b, gamma, q = network(model)
    if q != 2:
        raise SystemExit("neon-pick: rbf kernels only")
    wide = typical_gap(U, gamma) <= MAX_GAP
    return explain_rows(model, X,
                        lambda z, r, U, b, gamma, q: pick_row(z, r, U, b, gamma, beta, wide))


def main():
    write_fixtures(RBF_FIXTURES, explain, "expected_pick.csv")


if __name__ == "__main__":
    main()
