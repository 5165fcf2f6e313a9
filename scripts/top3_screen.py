"""Top-3 precision on the planted sets of held-out study runs: every saved method and the
baselines against the per-set best baseline, and two cheap local candidates computed here
(rbf one-class SVM and KDE models; docs/faithfulness.md, "Top-3 precision"):

    python scripts/heldout_study.py --out DIR [--fresh N]    # keeps DIR/planted_*.{json,rows.npz,...}
    python scripts/top3_screen.py DIR [DIR ...]

Per planted set (3 features of every test row pushed by 2.5 standard deviations): top-3
precision = |3 most relevant features & planted| / 3, printed as the shortfall behind the
best of occlusion, gradient x input and integrated gradients on that set (0 = as good as
the best, negative = behind). Columns:

- the study's saved relevances (`R <method>` in rows.npz): the three baselines, neon-path@1
  and every other saved method (e.g. neon-focus@1 when the study ran with it);
- `occlusion (numpy)`: exact single-feature occlusion recomputed here from the model,
  `o(z) - o(z with z_i -> r_i) = log sum_j p_j exp(-gamma Delta_ij)` with
  `Delta_ij = (r_i - u_ji)^2 - (z_i - u_ji)^2` and `p` the row's soft-min weights (a check:
  it must rank as the saved occlusion does);
- `occlusion-2`: its second-order (cumulant) expansion in `gamma`,
  `gamma delta_i (z_i + r_i - 2 mu_i) + 2 gamma^2 delta_i^2 var_i` with `mu`, `var` the
  soft-min mean and variance of the units' coordinate i (two products with U and U*U);
- `path+interaction`: the neon-path numerators with their interaction part doubled,
  `N_i + (N_i - kappa delta_i^2)`, `kappa = sum N / sum delta^2` (for a quadratic outlierness
  `delta' A delta`, occlusion = 2 IG - A_ii delta_i^2: the off-diagonal part counted twice),
  made conserving as neon-path is.

The last lines give each column's worst and mean shortfall over all sets.
"""
import glob
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from path_variants import BASELINES, load_csv, rbf_rows, softmax_rows, sq_dist  # noqa: E402


def top3(R, planted):
    top = np.argsort(-R, axis=1, kind="stable")[:, :3]
    return np.mean([len(set(t) & set(p)) / 3 for t, p in zip(top, planted)])


def log_sum_exp(A):
    m = A.max(axis=1, keepdims=True)
    return m[:, 0] + np.log(np.exp(A - m).sum(axis=1))


def conserving(N, o, floor, fallback):
    """neon-path's normalization: (o - o_0) N / sum N + o_0 / d, the fallback elsewhere."""
    total = N.sum(axis=1)
    ok = (np.abs(total) > 1e-12 * np.abs(N).sum(axis=1)) & (total > 0) & (o > floor)
    R = fallback.copy()
    R[ok] = (o[ok] - floor)[:, None] * N[ok] / total[ok, None] + floor / N.shape[1]
    return R


def candidates(model, X, fallback):
    """{name: relevance (n, d)} of the local candidates in the module doc."""
    U, b, gamma, Z, r = rbf_rows(model, X)
    delta = Z - r
    D = sq_dist(Z, U)
    o = -log_sum_exp(-(gamma * D + b))
    floor = -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))
    p = softmax_rows(-(gamma * D + b))
    mu, var = p @ U, p @ (U * U) - (p @ U) ** 2
    occlusion = np.empty_like(Z)
    for i in range(Z.shape[1]):
        moved = D + (r[i] - U[:, i])[None, :] ** 2 - (Z[:, i:i + 1] - U[None, :, i]) ** 2
        occlusion[:, i] = o + log_sum_exp(-(gamma * moved + b))
    N = np.zeros_like(Z)
    for t in (0.25, 0.75):
        Xt = r + t * delta
        N += 0.5 * (Xt - softmax_rows(-(gamma * sq_dist(Xt, U) + b)) @ U)
    N *= delta
    kappa = N.sum(axis=1, keepdims=True) / np.maximum((delta ** 2).sum(axis=1, keepdims=True),
                                                       1e-300)
    return {
        "occlusion (numpy)": occlusion,
        "occlusion-2": gamma * delta * (Z + r - 2 * mu) + 2 * gamma ** 2 * delta ** 2 * var,
        "path+interaction": conserving(2 * N - kappa * delta ** 2, o, floor, fallback),
    }


def planted_sets(runs):
    for run in runs:
        stems = sorted(glob.glob(os.path.join(run, "planted_*.rows.npz")),
                       key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
        for npz in stems:
            stem = npz[:-len(".rows.npz")]
            model = json.load(open(stem + ".json"))
            if "rbf" in model["kernel"]:
                yield stem, np.load(npz), model, load_csv(stem + ".test.csv")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    table, columns = [], None
    for stem, saved, model, X in planted_sets(sys.argv[1:]):
        planted = saved["planted"]
        saved_methods = [k[2:] for k in saved.files if k.startswith("R ")
                         and k[2:] not in ("default",)]
        best_name = max(BASELINES, key=lambda b: saved["top3 " + b].mean())
        best = saved["top3 " + best_name].mean()
        row = {m: top3(saved["R " + m], planted) - best for m in saved_methods}
        for name, R in candidates(model, X, saved["R neon-path@1"]).items():
            row[name] = top3(R, planted) - best
        columns = columns or list(row)
        d = X.shape[1]
        label = "%s, %s, d %d" % (os.path.basename(os.path.dirname(stem)) + "/"
                                  + os.path.basename(stem), model["model"], d)
        table.append(row)
        print("%s (best %s %.3f): %s" % (label, best_name, best, ", ".join(
            "%s %+.3f" % (k, row[k]) for k in columns if k in row)), flush=True)
    print("\n| method | worst shortfall | mean shortfall |")
    print("|---|---:|---:|")
    for k in columns:
        got = [r[k] for r in table if k in r]
        print("| %s | %+.3f | %+.3f |" % (k, min(got), np.mean(got)))


if __name__ == "__main__":
    main()
