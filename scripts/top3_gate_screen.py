"""Gated interaction doubling for `neon-path@1` on rbf kernels (issue 17's top-3 misses on wide
one-class SVMs; docs/faithfulness.md, "Top-3 precision", "A gated interaction doubling"):

    python scripts/top3_gate_screen.py DIR [DIR ...]                 # top-3 on the planted sets
    python scripts/top3_gate_screen.py DIR [DIR ...] --grid          # the gate grid (choose on one)
    python scripts/top3_gate_screen.py DIR [DIR ...] --top3-ci       # paired bootstrap intervals
    python scripts/top3_gate_screen.py DIR [DIR ...] --flip [--variants path,G1]   # flipping gaps
    python scripts/top3_gate_screen.py DIR [DIR ...] --eligible      # top-3, restated target

DIR: held-out study `--out` directories (scripts/heldout_study.py) with TAG.{json,train.csv,
test.csv,rows.npz}; every rbf set is used (k-means skipped), planted sets for top-3.

neon-path@1 (rbf units h_j(x) = gamma ||x - u_j||^2 + b_j, soft-min o = -logsumexp(-h), row z,
reference r, delta = z - r, x(t) = r + t delta, mu(t) = softmax(-h(x(t))) @ U and
g(t) = x(t) - mu(t), so grad o(x(t)) = 2 gamma g(t)):

    gbar = (g(1/4) + g(3/4)) / 2,   N_i = delta_i gbar_i,
    R_i = (o - o_0) N'_i / sum_i' N'_i' + o_0 / d,   o_0 = -logsumexp(-b)

(neon-path@1 itself for N' = N; the path rule, neon-floor where sum N' <= 0 or o <= o_0: the
`conserving` normalization of scripts/top3_screen.py). For a quadratic outlierness
delta' A delta, N is integrated gradients, delta_i (A delta)_i, and single-feature occlusion is
2 delta_i (A delta)_i - A_ii delta_i^2: the interaction part counted twice. The gated rule:

    kappa = sum N / sum delta^2           (so sum (N - kappa delta^2) = 0: conservation kept)
    nl    = ||g(1) - (3/2 g(3/4) - 1/2 g(1/4))|| / (||g(3/4) - g(1/4)|| / 2)
            (how far the path's gradient is from linear in t, i.e. o from quadratic: 0 for a
            quadratic; g(1) needs mu(1) = p_row @ U, the one extra product with the units)
    iota  = sum |N - kappa delta^2| / sum |N|        (the interaction share of the numerators)
    lam   = ramp(nl; c0 -> 1, c -> 0) * ramp(iota; i0 -> 0, i1 -> 1)
    w     = w0 * ramp(nl; a -> 0, 1 -> 1)            (lean to the row's gradient where o bends)
    N'_i  = delta_i ((1 - w) gbar_i + w g(1)_i) + lam (N_i - kappa delta_i^2)

with ramp(x; x0 -> y0, x1 -> y1) linear between and clamped outside. Named variants:
`path` (neon-path@1), `dbl` (lam = 1, w = 0: the screened `path+interaction`), `dbl0.25`,
`dbl0.50`, `dbl0.75` (lam fixed at that fraction, w = 0: the top-3 / flipping trade-off),
`G1` (chosen by --grid on the documented study /tmp/hs26: c 0.6, c0 0.2, iota 0.05..0.25,
w0 0.25, a 0.7), `G2` (the grid's best worst case over both studies, not chosen on one: c 0.4,
c0 0.15, no iota gate, w0 0.25, a 0.7), G1's parts `G1-dbl` (w = 0) and `G1-end` (lam = 0:
only the lean to the row's gradient), and `G1-row`, `G1-node`, `dbl-row` with the diagonal
hd delta^2 of HD_DOC in place of kappa delta^2.

Printed (default): per planted set top-3 precision minus the best of occlusion, gradient x input
and integrated gradients (saved in rows.npz), then per DIR and overall: sets within 0.01, worst,
mean. --flip: per rbf set the flipping gap to the best baseline (mean imputation / marginal
averaged over draw seeds 0..2, scripts/path_variants.py `gap_and_top3`) and the top-3 shortfall.
"""
import argparse
import itertools
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_screen import top3_interval  # noqa: E402
from path_variants import (BASELINES, gap_and_top3, path_rule, rbf_rows, rbf_sets,  # noqa: E402
                           softmax_rows, sq_dist)
from top3_screen import conserving, log_sum_exp, top3  # noqa: E402

VARIANTS = {
    "path": None,
    "dbl": dict(c=math.inf, c0=math.inf, iota=None, w0=0.0, a=0.7),
    "G1": dict(c=0.6, c0=0.2, iota=(0.05, 0.25), w0=0.25, a=0.7),
    "G2": dict(c=0.4, c0=0.15, iota=None, w0=0.25, a=0.7),
    "G1-dbl": dict(c=0.6, c0=0.2, iota=(0.05, 0.25), w0=0.0, a=0.7),
    "G1-end": dict(c=-1.0, c0=-2.0, iota=None, w0=0.25, a=0.7),
    "G1-row": dict(c=0.6, c0=0.2, iota=(0.05, 0.25), w0=0.25, a=0.7, diag="row"),
    "G1-node": dict(c=0.6, c0=0.2, iota=(0.05, 0.25), w0=0.25, a=0.7, diag="node"),
    "dbl-row": dict(c=math.inf, c0=math.inf, iota=None, w0=0.0, a=0.7, diag="row"),
}
for _l in (0.25, 0.5, 0.75):  # the ungated doubling at a fixed fraction: the trade-off
    VARIANTS["dbl%.2f" % _l] = dict(c=math.inf, c0=math.inf, iota=None, w0=0.0, a=0.7,
                                    lam_max=_l)
HD_DOC = """hd_i = 1/2 - gamma var_i, var_i the soft-min variance of the units' coordinate i (at the
row: p_row @ (U*U) - mu(1)^2; at the nodes: the mean over t = 1/4, 3/4): for a quadratic
outlierness the Hessian of o is 2 gamma (I - 2 gamma Cov_p(U)), so in N's units (N = IG / 2
gamma) occlusion is 2 N_i - hd_i delta_i^2. Costs p @ (U*U) (one more product per place)."""
GRID = dict(c=[(0.4, 0.0), (0.4, 0.15), (0.6, 0.2), (0.8, 0.0), (0.8, 0.3), (1.0, 0.4)],
            iota=[None, (0.05, 0.25), (0.1, 0.3)], w0=[0.0, 0.25, 0.5], a=[0.5, 0.7])


def ramp(x, x0, x1):
    """0 at x0, 1 at x1, linear between, clamped (x0 > x1 gives a falling ramp)."""
    return np.clip((x - x0) / (x1 - x0), 0.0, 1.0)


def path_quantities(model, X):
    """Per-row quantities of the module doc for an rbf OC-SVM or KDE model dict and raw rows X."""
    U, b, gamma, Z, r = rbf_rows(model, X)
    delta = Z - r
    H = gamma * sq_dist(Z, U) + b
    o = -log_sum_exp(-H)
    floor = -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))
    UU = U * U
    p = softmax_rows(-H)
    mu = p @ U
    g = {1.0: Z - mu}
    var = {1.0: p @ UU - mu ** 2}
    for t in (0.25, 0.75):
        Xt = r + t * delta
        p = softmax_rows(-(gamma * sq_dist(Xt, U) + b))
        mu = p @ U
        g[t] = Xt - mu
        var[t] = p @ UU - mu ** 2
    gbar = 0.5 * (g[0.25] + g[0.75])
    N = delta * gbar
    d2 = delta ** 2
    kappa = N.sum(axis=1, keepdims=True) / np.maximum(d2.sum(axis=1, keepdims=True), 1e-300)
    linear = 1.5 * g[0.75] - 0.5 * g[0.25]
    nl = np.linalg.norm(g[1.0] - linear, axis=1) / np.maximum(
        0.5 * np.linalg.norm(g[0.75] - g[0.25], axis=1), 1e-300)
    iota = np.abs(N - kappa * d2).sum(axis=1) / np.maximum(np.abs(N).sum(axis=1), 1e-300)
    return dict(o=o, floor=floor, delta=delta, gbar=gbar, g_row=g[1.0], N=N, d2=d2,
                inter=N - kappa * d2, nl=nl[:, None], iota=iota[:, None],
                hd_row=0.5 - gamma * var[1.0], hd_node=0.5 - gamma * 0.5 * (var[0.25] + var[0.75]))


def gated(q, fallback, c, c0, iota, w0, a, diag="kappa", lam_max=1.0):
    """Relevance (n, d) of the gated rule (module doc) from `path_quantities`; `diag` "row" or
    "node" replaces kappa delta^2 by the Hessian's diagonal hd delta^2 (see HD_DOC)."""
    lam = np.ones_like(q["nl"]) if math.isinf(c) else ramp(q["nl"], c, c0)
    if iota is not None:
        lam = lam * ramp(q["iota"], *iota)
    lam = lam_max * lam
    w = w0 * ramp(q["nl"], a, 1.0)
    inter = q["inter"] if diag == "kappa" else q["N"] - q["hd_" + diag] * q["d2"]
    numerators = q["delta"] * ((1 - w) * q["gbar"] + w * q["g_row"]) + lam * inter
    return conserving(numerators, q["o"], q["floor"], fallback)


def relevances(model, X, names, grid=None):
    """{name: relevance} of the named variants (and of every `grid` config, keyed by label)."""
    fallback = path_rule(model, X, [0.25, 0.75], [0.5, 0.5])
    q = path_quantities(model, X)
    out = {n: fallback if VARIANTS[n] is None else gated(q, fallback, **VARIANTS[n])
           for n in names}
    for label, cfg in (grid or {}).items():
        out[label] = gated(q, fallback, **cfg)
    return out


def eligible_row(tag, saved, R, names):
    """One planted set against the restated target: the baselines whose own flipping gap to
    the best baseline is within 2 % under mean imputation and under marginal imputation (the
    saved 3-seed column), the best top-3 among them, and each variant's shortfall to it."""
    areas = {b: saved["areas " + b].mean(axis=0) for b in BASELINES}
    best = [min(a[c] for a in areas.values()) for c in (0, 2)]
    ok = [b for b in BASELINES if all(areas[b][c] / best[k] - 1 <= 0.02
                                      for k, c in enumerate((0, 2)))]
    bar = max(saved["top3 " + b].mean() for b in ok)
    return "%s | eligible %s, bar %.3f | %s" % (tag, ",".join(ok), bar, " ".join(
        "%s %+.4f" % (n, top3(R[n], saved["planted"]) - bar) for n in names))


def grid_configs():
    configs = {}
    for (c, c0), io, w0, a in itertools.product(GRID["c"], GRID["iota"], GRID["w0"], GRID["a"]):
        if w0 == 0 and a != GRID["a"][0]:
            continue
        label = "nl[%.1f..%.2f] iota%s end %.2f@%.1f" % (
            c, c0, "-" if io is None else "[%.2f..%.2f]" % io, w0, a)
        configs[label] = dict(c=c, c0=c0, iota=io, w0=w0, a=a)
    return configs


def summary(table, runs):
    """Per run and overall: sets within 0.01, worst and mean top-3 shortfall per column."""
    columns = list(table[0][2])
    for label, keep in [(os.path.basename(r.rstrip("/")), r) for r in runs] + [("all", None)]:
        rows = [row for run, _, row in table if keep in (None, run)]
        print("\n%s (%d planted sets)\n" % (label, len(rows)))
        print("| variant | within 0.01 | worst | mean |\n|---|---:|---:|---:|")
        for k in columns:
            v = np.array([row[k] for row in rows])
            print("| %s | %d of %d | %+.3f | %+.4f |" % (k, (v >= -0.01).sum(), len(v), v.min(),
                                                       v.mean()))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("runs", nargs="+", help="held-out study --out directories")
    ap.add_argument("--variants", default=",".join(VARIANTS))
    ap.add_argument("--grid", action="store_true", help="add the GRID configs (top-3 only)")
    ap.add_argument("--top3-ci", action="store_true",
                    help="paired bootstrap intervals of top-3 behind the best (flip_screen's)")
    ap.add_argument("--flip", action="store_true", help="flipping gaps on every rbf set")
    ap.add_argument("--eligible", action="store_true",
                    help="top-3 against the best baseline that is itself within 2 %% on flipping")
    ap.add_argument("--tags", default="", help="only these sets (e.g. digits_0,planted_17)")
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--seeds", type=int, default=3)
    args = ap.parse_args()
    names = args.variants.split(",")
    unknown = [n for n in names if n not in VARIANTS]
    if unknown:
        raise SystemExit("top3_gate_screen: unknown variants %s (known: %s)"
                         % (unknown, ", ".join(VARIANTS)))
    grid = grid_configs() if args.grid else None
    table, flips = [], {n: [] for n in names}
    for run in args.runs:
        for stem, saved, model, Xtr, Xte in rbf_sets(run, set(args.tags.split(","))
                                                      if args.tags else None):
            tag = "%s/%s" % (os.path.basename(run.rstrip("/")), os.path.basename(stem))
            planted = saved["planted"]
            if not args.flip and not planted.size:
                continue
            R = relevances(model, Xte, names, grid)
            if args.eligible:
                print(eligible_row(tag, saved, R, names), flush=True)
                continue
            if args.top3_ci:
                print(tag + " | " + " | ".join("%s %.3f [%.3f, %.3f] %s" % (
                    n, *top3_interval(R[n], saved)) for n in names), flush=True)
                continue
            if args.flip:
                col = 1 if args.seeds == 1 else 2
                best = [min(saved["areas " + b][:, c].mean() for b in BASELINES) for c in (0, col)]
                cells = []
                for n in names:
                    gap, t3 = gap_and_top3(model, Xte, Xtr, R[n], saved, best, args.draws,
                                           args.seeds)
                    flips[n].append((gap, t3))
                    cells.append("%s %+.1f%% / %+.1f%%%s" % (n, 100 * gap[0], 100 * gap[1], ""
                                 if t3 is None else ", top-3 %+.3f" % t3))
                print(tag + " | " + " | ".join(cells), flush=True)
                continue
            best = max(saved["top3 " + b].mean() for b in BASELINES)
            row = {b: saved["top3 " + b].mean() - best for b in BASELINES}
            row.update({k: top3(v, planted) - best for k, v in R.items()})
            table.append((run, tag, row))
            if not grid:
                print("%s %s | %s" % (tag, model["model"], " ".join(
                    "%s %+.3f" % (k, v) for k, v in row.items())), flush=True)
    if table:
        summary(table, args.runs)
    if args.flip:
        print("\n| variant | mean gap mean / marginal | worst gap | sets over 2 % | worst top-3 "
              "vs best | sets over 0.01 |\n|---|---:|---:|---:|---:|---:|")
        for n, rows in flips.items():
            gaps = np.array([g for g, _ in rows])
            t3 = [t for _, t in rows if t is not None]
            print("| %s | %+.2f%% / %+.2f%% | %+.1f%% | %d of %d | %+.3f | %d |" % (
                n, 100 * gaps[:, 0].mean(), 100 * gaps[:, 1].mean(), 100 * gaps.max(),
                int((gaps > 0.02).any(axis=1).sum()), len(gaps), min(t3) if t3 else math.nan,
                sum(t < -0.01 for t in t3)))


if __name__ == "__main__":
    main()
