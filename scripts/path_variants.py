"""NumPy prototypes of `neon-path` variants (rbf kernels), scored on the held-out study's sets
against the best of occlusion, gradient x input and integrated gradients:

    python scripts/heldout_study.py --out DIR     # keeps DIR/TAG.{json,train.csv,test.csv,rows.npz}
    python scripts/path_variants.py DIR [--seeds 3] [--variants mid2,gl2,...]

Every variant is a conserving path rule for the soft-min of rbf units
h_j(x) = gamma ||x - u_j||^2 + b_j on the segment x(t) = r + t (z - r) (standardized row z,
reference r): nodes t_k with weights w_k (sum 1), pooling p(t_k) = softmax(-beta h(x(t_k))),

    N_i = sum_k w_k (x(t_k)_i - sum_j p_j(t_k) u_ji) (z_i - r_i)
    R_i = (o - o_0) N_i / sum_i' N_i' + o_0 / d,   o_0 = -logsumexp(-b),

with `neon-floor` where sum N <= 0 or o <= o_0 (as scripts/neon_oracle_path.py). For
rbf units the 2 midpoints t = 1/4, 3/4 give exactly `neon-path@beta` (each unit's change over
a piece split over the features is (x(t_k)_i - u_ji)(z_i - r_i) / 2 up to the factor 2 gamma);
t = 1 alone orders the features as gradient x input. `mix` blends the pooling at the row into
every node's: p = mix p(1) + (1 - mix) p(t_k).

Printed: per set the gap to the best baseline (mean imputation / marginal imputation, the
per-row mean over draw seeds 0..seeds-1) and, on planted sets, top-3 precision minus the
best baseline's; then per variant the mean and worst gap and the sets over the targets of
issue 17 (2 % and 0.01). Per-row areas are scripts/flip_rows.py's (evaluate's definition).
"""
import argparse
import glob
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402
from flip_rows import row_areas  # noqa: E402
from neon_oracle_path import network  # noqa: E402

BASELINES = ["occlusion", "gradient-x-input", "integrated-gradients"]
GL = 0.5 / math.sqrt(3)
VARIANTS = {
    "mid2": dict(nodes=[0.25, 0.75], weights=[0.5, 0.5]),
    "gl2": dict(nodes=[0.5 - GL, 0.5 + GL], weights=[0.5, 0.5]),
    "mid3": dict(nodes=[1 / 6, 0.5, 5 / 6], weights=[1 / 3] * 3),
    "end": dict(nodes=[1.0], weights=[1.0]),
    "half+end": dict(nodes=[0.5, 1.0], weights=[0.5, 0.5]),
    "q34+end": dict(nodes=[0.75, 1.0], weights=[0.5, 0.5]),
    "mid2+mix.25": dict(nodes=[0.25, 0.75], weights=[0.5, 0.5], mix=0.25),
    "mid2+mix.5": dict(nodes=[0.25, 0.75], weights=[0.5, 0.5], mix=0.5),
    "gl2+mix.25": dict(nodes=[0.5 - GL, 0.5 + GL], weights=[0.5, 0.5], mix=0.25),
    "mid2@.5": dict(nodes=[0.25, 0.75], weights=[0.5, 0.5], beta=0.5),
    "gl2@.5": dict(nodes=[0.5 - GL, 0.5 + GL], weights=[0.5, 0.5], beta=0.5),
    "end@.5": dict(nodes=[1.0], weights=[1.0], beta=0.5),
}


def load_csv(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def softmax_rows(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def sq_dist(Z, U):
    """Exact-difference squared distances (n, m), chunked over the units."""
    return np.stack([((Z - u) ** 2).sum(axis=1) for u in U], axis=1)


def rbf_rows(model, X):
    """(units U, bias b, gamma, standardized rows Z, standardized reference r) of an rbf
    one-class SVM or KDE model dict."""
    U, b, gamma, q = network(model)
    if q != 2:
        raise SystemExit("rbf kernels only")
    Z = neon_oracle.standardize(X, model.get("scaler"))
    r = neon_oracle.standardize(np.asarray(model["reference"], dtype=np.float64)[None],
                                model.get("scaler"))[0]
    return U, b, gamma, Z, r


def path_rule(model, X, nodes, weights, beta=1.0, mix=0.0):
    """Relevance (n, d) of the path rule above; rbf one-class SVM or KDE model dict."""
    U, b, gamma, Z, r = rbf_rows(model, X)
    H = gamma * sq_dist(Z, U) + b
    m = H.min(axis=1)
    o = m - np.log(np.exp(-(H - m[:, None])).sum(axis=1))
    p_row = softmax_rows(-beta * H)
    N = np.zeros_like(Z)
    for t, w in zip(nodes, weights):
        Xt = r + t * (Z - r)
        p = softmax_rows(-beta * (gamma * sq_dist(Xt, U) + b))
        N += w * (Xt - (mix * p_row + (1 - mix) * p) @ U)
    N *= Z - r
    total = N.sum(axis=1)
    floor = -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))
    d = Z.shape[1]
    ok = (np.abs(total) > 1e-12 * np.abs(N).sum(axis=1)) & (total > 0) & (o > floor)
    R = np.empty_like(Z)
    R[ok] = (o[ok] - floor)[:, None] * N[ok] / total[ok, None] + floor / d
    for i in np.where(~ok)[0]:  # neon-floor at the same beta
        parts = (Z[i] - U) ** 2
        s = parts.sum(axis=1, keepdims=True)
        shares = np.where(s > 0, parts / np.where(s > 0, s, 1.0), 1.0 / d)
        R[i] = (o[i] - floor) * (p_row[i] @ shares) + floor / d
    return R


def gap_and_top3(model, Xte, Xtr, R, saved, best, draws, seeds):
    """(gap to the best baseline under mean and marginal imputation (the per-row mean over
    draw seeds 0..seeds-1), top-3 precision minus the best baseline's on planted sets, else
    None) of relevance R on a study set (`saved`: its rows.npz, `best`: the best baselines'
    mean areas)."""
    _, a = row_areas(model, Xte, R, Xtr, draws, 0)
    marginal = np.mean([a[:, 1]] + [
        row_areas(model, Xte, R, Xtr, draws, s, mean=False)[1][:, 1]
        for s in range(1, seeds)], axis=0)
    gap = [a[:, 0].mean() / best[0] - 1, marginal.mean() / best[1] - 1]
    if not saved["planted"].size:
        return gap, None
    top = np.argsort(-R, axis=1, kind="stable")[:, :3]
    hits = np.mean([len(set(t) & set(p)) / 3 for t, p in zip(top, saved["planted"])])
    return gap, hits - max(saved["top3 " + b].mean() for b in BASELINES)


def rbf_sets(run, tags=None):
    """The rbf kernel sets of a held-out study `--out` directory in study order (only `tags`
    if given): (path stem, saved rows.npz, model dict, training rows, explained rows)."""
    stems = sorted(glob.glob(os.path.join(run, "*.rows.npz")),
                   key=lambda p: int(p.rsplit("_", 1)[1].split(".")[0]))
    for npz in stems:
        stem = npz[:-len(".rows.npz")]
        tag = os.path.basename(stem)
        if tag.startswith("k-means") or (tags and tag not in tags):
            continue
        model = json.load(open(stem + ".json"))
        if "rbf" not in model["kernel"]:
            continue
        yield (stem, np.load(npz), model, load_csv(stem + ".train.csv"),
               load_csv(stem + ".test.csv"))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run", help="a held-out study --out directory")
    ap.add_argument("--seeds", type=int, default=3,
                    help="marginal draw seeds: 1 or the study's --draw-seeds")
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--variants", default=",".join(VARIANTS))
    args = ap.parse_args()
    chosen = args.variants.split(",")
    results = {v: [] for v in chosen}
    for stem, saved, model, Xtr, Xte in rbf_sets(args.run):
        col = 1 if args.seeds == 1 else 2  # the study's seed-0 or all-seeds marginal column
        best = [min(saved["areas " + b][:, c].mean() for b in BASELINES) for c in (0, col)]
        cells = [os.path.basename(stem)]
        for name in chosen:
            R = path_rule(model, Xte, **VARIANTS[name])
            gap, top3 = gap_and_top3(model, Xte, Xtr, R, saved, best, args.draws, args.seeds)
            cell = "%s %+.1f%% / %+.1f%%" % (name, 100 * gap[0], 100 * gap[1])
            if top3 is not None:
                cell += ", top-3 %+.3f" % top3
            cells.append(cell)
            results[name].append((gap, top3))
        print(" | ".join(cells), flush=True)
    summarize(results)


def summarize(results):
    """The summary table: per variant {name: [(gap pair, top-3 or None) per set]}."""
    print("\n| variant | sets | mean gap mean / marginal | worst gap | sets over 2 % | worst "
          "top-3 vs best | sets over 0.01 |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for name, rows in results.items():
        gaps = np.array([g for g, _ in rows])
        top3 = [t for _, t in rows if t is not None]
        print("| %s | %d | %+.2f%% / %+.2f%% | %+.1f%% | %d | %s | %d |" % (
            name, len(rows), 100 * gaps[:, 0].mean(), 100 * gaps[:, 1].mean(),
            100 * gaps.max(), int((gaps > 0.02).any(axis=1).sum()),
            "%+.3f" % min(top3) if top3 else "-", sum(t < -0.01 for t in top3)))


if __name__ == "__main__":
    main()
