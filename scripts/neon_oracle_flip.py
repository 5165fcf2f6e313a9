"""Plain NumPy oracle of the `neon-flip` rule set (rbf kernel models: one-class SVMs and
kernel densities), independent of the Rust code: one row at a time, exact differences, no
algebraic shortcut.

    python scripts/neon_oracle_flip.py            # writes models/NAME.expected_flip.csv

For a row z (standardized) and the reference r (the model file's `reference`, standardized):

1. first pass: `neon-path` at the same beta (scripts/neon_oracle_path.py), R0;
2. the features in decreasing order of R0 (ties: lower index first) are cut into two groups,
   G_1 the first TOP features and G_2 the rest;
3. the path from z back to r moves G_1 first (G_2 at z), then G_2 (G_1 at r). Each piece is
   cut into two halves, the soft-min weights p = softmax(-beta h) frozen at each half's
   midpoint (the moving features at z - t (z - r), t = 1/4 and 3/4 of the piece), and each
   unit's change over the half is split exactly over the moving features:

       N_i = sum_halves sum_j p_j (|lo_i - u_ij|^2 - |hi_i - u_ij|^2)     (i in the piece's group)

   with lo the half's end nearer z, hi the end nearer r (so N is the change from r to z);
4. R_flip,i = (o - o_0) N_i / sum_i' N_i' + o_0 / d, o_0 = -logsumexp(-b), and
   R = (1 - MIX) R0 + MIX R_flip (MIX = 1/4; both sum to o: conserving), when o > o_0 and
   sum N > 1e-12 sum |N_i|; otherwise (and when d <= TOP) the row keeps the first pass R0.

The written file has the columns of NAME.expected.csv (prediction, outlierness, R_...).
"""
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from neon_oracle_path import (RBF_FIXTURES, explain_rows, network, path_row,  # noqa: E402
                              softmax, write_fixtures)

TOP = 3
MIX = 0.25
FIXTURES = RBF_FIXTURES


def flip_parts(z, r, U, b, gamma, beta=1.0, top=TOP):
    """(o, R0, R_flip) of one standardized row z: the first pass and the flip-ordered
    relevance, R_flip None where the row keeps the first pass."""
    d = len(z)
    o, R0 = path_row(z, r, U, b, gamma, 2, beta)
    if d <= top:  # one group: the straight path again; the row keeps the first pass
        return o, R0, None
    order = sorted(range(d), key=lambda i: (-R0[i], i))
    groups = [order[:top], order[top:]]
    N = np.zeros(d)
    state = z.copy()
    for g in groups:
        g = np.asarray(g)
        if len(g) == 0:
            continue
        for half in range(2):
            lo = state.copy()
            hi = state.copy()
            mid = state.copy()
            lo[g] = z[g] - (half / 2) * (z[g] - r[g])
            hi[g] = z[g] - ((half + 1) / 2) * (z[g] - r[g])
            mid[g] = 0.5 * (lo[g] + hi[g])
            h = np.array([gamma * np.sum((mid - u) ** 2) + bj for u, bj in zip(U, b)])
            p = softmax(-beta * h)
            for pj, u in zip(p, U):
                N[g] += pj * ((lo[g] - u[g]) ** 2 - (hi[g] - u[g]) ** 2)
        state[g] = r[g]
    total = np.sum(N)
    floor = -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))
    if o - floor > 0 and total > 1e-12 * np.sum(np.abs(N)):
        return o, R0, (o - floor) * N / total + floor / d
    return o, R0, None


def mixed_explainer(row_share, name):
    """explain(model, X, beta, top) of a rule R = (1 - l) R0 + l R_flip with the row's share
    l = row_share(R0, top); rows without a usable R_flip keep R0. Its columns are those of
    NAME.expected.csv (prediction name, prediction, o, R)."""
    def mixed_row(z, r, U, b, gamma, beta, top):
        o, R0, flip = flip_parts(z, r, U, b, gamma, beta, top)
        if flip is None:
            return o, R0
        share = row_share(R0, top)
        return o, (1 - share) * R0 + share * flip

    def explain(model, X, beta=1.0, top=TOP):
        if network(model)[3] != 2:
            raise SystemExit("%s: rbf kernels only" % name)
        return explain_rows(model, X, lambda z, r, U, b, gamma, q:
                            mixed_row(z, r, U, b, gamma, beta, top))
    return explain


explain = mixed_explainer(lambda R0, top: MIX, "neon-flip")


def main():
    write_fixtures(FIXTURES, explain, "expected_flip.csv")

if __name__ == "__main__":
    main()
