"""Screen of flip-ordered path rules (rbf kernel models) on the held-out study's sets, and of
a per-model choice between them and `neon-path@1` made on training rows only:

    python scripts/heldout_study.py --out DIR      # keeps DIR/TAG.{json,train.csv,test.csv,rows.npz}
    python scripts/flip_screen.py DIR [--seeds 3] [--variants mid2,g3,...] [--tune g3] [--tune-only]

The flip-ordered path (standardized row z, reference r, soft-min network
h_j(x) = gamma ||x - u_j||^2 + b_j): a first pass (the straight-path rule `neon-path@1`, R0)
orders the features of the row, largest first; the order is cut into consecutive groups
G_1, ..., G_m; piece k of the path moves only the features of G_k from z to r (G_<k already
at r, G_>k still at z); the soft-min weights are frozen at the piece's sub-nodes (G_k at
z - t (z - r), t = 1/4 and 3/4) and

    N_i = sum_(t) 1/2 (x(t)_i - sum_j p_j(t) u_ji) (z_i - r_i)          (i in G_k)
    R_i = (o - o_0) N_i / sum_i' N_i' + o_0 / d                          (conserving)

(rows with sum N <= 0 or o <= o_0 keep the first pass). Variants:
  mid2          the first pass itself (`neon-path@1`)
  gN / g3x ...  fixed group sizes (gN: top N, then the rest)
  massF         2 groups: the shortest top prefix holding a share F of the positive R0 mass
  mixA:V        the convex mix A R0 + (1 - A) R_V (conserving: both sum to o)
  b.5:V         variant V with the frozen pooling at beta 1/2 (first pass also at beta 1/2)
  adaA:V        a per-row mix (1 - l) R0 + l R_V with l = A c^2, c = the share of the row's
                positive R0 held by its top 3 features (concentrated rows, e.g. a few pixels
                far out after a StandardScaler, take more of the flip-ordered path)

Printed per set: gap to the best of occlusion, gradient x input, integrated gradients (mean
imputation / marginal imputation averaged over draw seeds 0..seeds-1) and, on planted sets,
top-3 precision minus the best baseline's. With --tune V: for each set, the flipping areas
of mid2 and V on the training rows `neuralize tune` would flip (the most outlying 15 % of the
training rows, at least 50; 10 draws, seed 0), its score rule (mean of the two areas
relative to the better; V must win by more than 2 %), and the pick's held-out gap.
With --top3-ci (planted sets only, no flipping areas): per variant, top-3 precision behind
the best baseline with a 95 % paired bootstrap interval over the test rows (2000
resamples, the same resamples for every variant and baseline) and the study's verdict
(miss = the whole interval beyond 0.01, pass = within it, open = straddles it).
With --gap-ci: per variant, the gap to the best baseline (mean imputation / marginal
averaged over draw seeds 0-2) with the same kind of interval (gap_interval of
scripts/flip_rows.py, as the study's), instead of the screen's means.
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402
from flip_rows import Outputs, gap_interval, row_areas  # noqa: E402
from neon_oracle_path import network  # noqa: E402
from path_variants import BASELINES, gap_and_top3, path_rule, rbf_sets  # noqa: E402


def softmax_rows(a):
    e = np.exp(a - a.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def flip_rule(model, X, bounds_of, R0, sub=(0.25, 0.75), beta=1.0):
    """Flip-ordered path relevance; bounds_of(R0 row) -> group boundaries [0, .., d]."""
    U, b, gamma, q = network(model)
    Z = neon_oracle.standardize(X, model.get("scaler"))
    r = neon_oracle.standardize(np.asarray(model["reference"], dtype=np.float64)[None],
                                model.get("scaler"))[0]
    n, d = Z.shape
    order = np.argsort(-R0, axis=1, kind="stable")
    H = gamma * np.stack([((Z - u) ** 2).sum(axis=1) for u in U], axis=1) + b
    m = H.min(axis=1)
    o = m - np.log(np.exp(-(H - m[:, None])).sum(axis=1))
    N = np.zeros_like(Z)
    for row in range(n):
        z = Z[row]
        dz = z - r
        h_state = H[row].copy()
        bounds = bounds_of(R0[row])
        for a, e in zip(bounds[:-1], bounds[1:]):
            idx = order[row, a:e]
            Ug = U[:, idx]
            base = h_state - gamma * ((z[idx] - Ug) ** 2).sum(axis=1)
            acc = np.zeros(len(idx))
            for t in sub:
                xg = z[idx] - t * dz[idx]
                h = base + gamma * ((xg - Ug) ** 2).sum(axis=1)
                p = np.exp(-beta * (h - h.min()))
                p /= p.sum()
                acc += (xg - p @ Ug) / len(sub)
            N[row, idx] = acc * dz[idx]
            h_state = base + gamma * ((r[idx] - Ug) ** 2).sum(axis=1)
    total = N.sum(axis=1)
    floor = -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))
    ok = (np.abs(total) > 1e-12 * np.abs(N).sum(axis=1)) & (total > 0) & (o > floor)
    R = R0.copy()
    R[ok] = (o[ok] - floor)[:, None] * N[ok] / total[ok, None] + floor / d
    return R


def fixed(sizes):
    def bounds_of(r0):
        d = len(r0)
        out = [0]
        for g in sizes:
            out.append(min(d, out[-1] + g))
            if out[-1] >= d:
                return out
        return out + [d]
    return bounds_of


def mass(share):
    def bounds_of(r0):
        d = len(r0)
        s = np.sort(r0)[::-1]
        pos = np.cumsum(np.maximum(s, 0.0))
        if pos[-1] <= 0:
            return [0, d]
        k = int(np.searchsorted(pos, share * pos[-1])) + 1
        return [0, min(k, d)] + ([d] if k < d else [])
    return bounds_of


BASE = {
    "g1": fixed([1]), "g2": fixed([2]), "g3": fixed([3]), "g5": fixed([5]), "g8": fixed([8]),
    "geo": fixed([1, 2, 4, 8, 16, 32]), "g3x": fixed([3] * 200),
    "mass.25": mass(0.25), "mass.5": mass(0.5), "mass.75": mass(0.75),
}


def top_share(R0, k=3):
    """Per row: the share of the positive relevance held by the k largest values."""
    P = np.sort(np.maximum(R0, 0.0), axis=1)[:, ::-1]
    return P[:, :k].sum(axis=1) / np.maximum(P.sum(axis=1), 1e-300)


def relevance(name, model, X, cache):
    """Relevance of a variant name (see the module doc), cached per name."""
    if name in cache:
        return cache[name]
    if name == "mid2":
        R = path_rule(model, X, [0.25, 0.75], [0.5, 0.5])
    elif name == "mid2@.5":
        R = path_rule(model, X, [0.25, 0.75], [0.5, 0.5], beta=0.5)
    elif name.startswith("mix"):
        a, v = name[3:].split(":")
        R = float(a) * relevance("mid2", model, X, cache) + (1 - float(a)) * relevance(
            v, model, X, cache)
    elif name.startswith("ada"):
        a, v = name[3:].split(":")
        R0 = relevance("mid2", model, X, cache)
        share = float(a) * top_share(R0) ** 2
        R = (1 - share)[:, None] * R0 + share[:, None] * relevance(v, model, X, cache)
    elif name.startswith("b.5:"):
        R = flip_rule(model, X, BASE[name[4:]], relevance("mid2@.5", model, X, cache), beta=0.5)
    else:
        R = flip_rule(model, X, BASE[name], relevance("mid2", model, X, cache))
    cache[name] = R
    return R


def top3_interval(R, saved, resamples=2000, target=0.01):
    """(best baseline's top-3 precision - R's, 2.5 and 97.5 percentiles of a paired
    bootstrap over the test rows (seed 17), verdict) on a planted set."""
    top = np.argsort(-R, axis=1, kind="stable")[:, :3]
    hits = np.array([len(set(t) & set(p)) / 3 for t, p in zip(top, saved["planted"])])
    n = len(hits)
    idx = np.random.RandomState(17).randint(n, size=(resamples, n))
    best = np.max([saved["top3 " + b][idx].mean(axis=1) for b in BASELINES], axis=0)
    lo, hi = np.percentile(best - hits[idx].mean(axis=1), [2.5, 97.5])
    point = max(saved["top3 " + b].mean() for b in BASELINES) - hits.mean()
    return point, lo, hi, "miss" if lo > target else ("pass" if hi <= target else "open")


def gap_intervals(names, model, Xtr, Xte, saved, draws, resamples=2000):
    """{variant: [(point, 2.5 %, 97.5 %) under mean imputation, the same under marginal
    imputation averaged over draw seeds 0-2]}: paired bootstrap (seed 17) over the
    explained rows against the best baseline's saved per-row areas."""
    areas = {b: saved["areas " + b] for b in BASELINES}
    cache = {}
    for name in names:
        R = relevance(name, model, Xte, cache)
        _, a = row_areas(model, Xte, R, Xtr, draws, 0)
        seeds = [a[:, 1]] + [row_areas(model, Xte, R, Xtr, draws, s, mean=False)[1][:, 1]
                             for s in (1, 2)]
        areas[name] = np.column_stack([a[:, 0], a[:, 1], np.mean(seeds, axis=0)])
    n = len(areas[BASELINES[0]])
    idx = np.random.RandomState(17).randint(n, size=(resamples, n))
    return {name: [gap_interval(areas, name, col, idx, BASELINES) for col in (0, 2)]
            for name in names}


def tune_rows(model, Xtr):
    """The training rows `neuralize tune` flips for an anomaly detector."""
    o = Outputs(model)(Xtr)
    n = len(Xtr)
    k = min(max(math.ceil(0.15 * n), min(50, n)), n)
    keep = np.lexsort((np.arange(n), -o))[:k]
    return np.sort(keep)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--variants", default="mid2,g3,g8,mass.5,mix.5:g3")
    ap.add_argument("--tags", default="")
    ap.add_argument("--tune", default="", help="variant to pick against mid2 on training rows")
    ap.add_argument("--tune-only", action="store_true", help="skip the held-out evaluation")
    ap.add_argument("--gap-ci", action="store_true",
                    help="only the flipping gaps, with bootstrap intervals")
    ap.add_argument("--top3-ci", action="store_true",
                    help="only top-3 precision behind the best, with bootstrap intervals")
    args = ap.parse_args()
    if args.gap_ci:
        for stem, saved, model, Xtr, Xte in rbf_sets(args.run, set(args.tags.split(","))
                                                      if args.tags else None):
            names = args.variants.split(",")
            got = gap_intervals(names, model, Xtr, Xte, saved, args.draws)
            cells = ["%s %s" % (name, " / ".join("%+.1f%% [%+.1f, %+.1f]" % (
                100 * p, 100 * lo, 100 * hi) for p, lo, hi in got[name])) for name in names]
            print(os.path.basename(stem) + " | " + " | ".join(cells), flush=True)
        return
    if args.top3_ci:
        for stem, saved, model, Xtr, Xte in rbf_sets(args.run, set(args.tags.split(","))
                                                      if args.tags else None):
            if not saved["planted"].size:
                continue
            cache = {}
            cells = ["%s %.3f [%.3f, %.3f] %s" % (
                name, *top3_interval(relevance(name, model, Xte, cache), saved))
                for name in args.variants.split(",")]
            print(os.path.basename(stem) + " | " + " | ".join(cells), flush=True)
        return
    chosen = args.variants.split(",")
    wanted = set(args.tags.split(",")) if args.tags else None
    results = {v: [] for v in chosen}
    tuned = []
    for stem, saved, model, Xtr, Xte in rbf_sets(args.run, wanted):
        tag = os.path.basename(stem)
        col = 1 if args.seeds == 1 else 2
        best = [min(saved["areas " + b][:, c].mean() for b in BASELINES) for c in (0, col)]
        cache = {}
        cells = [tag]
        gaps = {}
        for name in ([] if args.tune_only else chosen):
            R = relevance(name, model, Xte, cache)
            gap, top3 = gap_and_top3(model, Xte, Xtr, R, saved, best, args.draws, args.seeds)
            cell = "%s %+.1f/%+.1f" % (name, 100 * gap[0], 100 * gap[1])
            if top3 is not None:
                cell += " t3 %+.3f" % top3
            cells.append(cell)
            results[name].append((gap, top3))
            gaps[name] = (gap, top3)
        if not args.tune_only:
            print(" | ".join(cells), flush=True)
        if args.tune:
            rows = tune_rows(model, Xtr)
            Xt = Xtr[rows]
            tcache = {}
            areas = {}
            for name in ("mid2", args.tune):
                R = relevance(name, model, Xt, tcache)
                kept, a = row_areas(model, Xt, R, Xtr, 10, 0)
                areas[name] = a.mean(axis=0)
            lo = np.minimum(areas["mid2"], areas[args.tune])
            score = {k: float(np.mean(v / lo)) for k, v in areas.items()}
            wins = score[args.tune] < score["mid2"] / 1.02
            # tune keeps the default with fewer than 30 flipped rows (min_flipped)
            pick = args.tune if wins and len(kept) >= 30 else "mid2"
            tuned.append((tag + " (%d rows)" % len(kept), areas, score, pick, gaps))
    if args.tune_only:
        results = {}
    print("\n| variant | mean gap mean / marginal | worst gap | sets over 2 % | worst top-3 "
          "vs best | sets over 0.01 |")
    print("|---|---:|---:|---:|---:|---:|")
    for name, rows in results.items():
        gaps = np.array([g for g, _ in rows])
        top3 = [t for _, t in rows if t is not None]
        if not rows:
            continue
        print("| %s | %+.2f%% / %+.2f%% | %+.1f%% | %d | %s | %d |" % (
            name, 100 * gaps[:, 0].mean(), 100 * gaps[:, 1].mean(), 100 * gaps.max(),
            int((gaps > 0.02).any(axis=1).sum()), "%+.3f" % min(top3) if top3 else "-",
            sum(t < -0.01 for t in top3)))
    if tuned:
        v = args.tune
        print("\n| set | train AUC mid2 (mean / marg.) | train AUC %s | score mid2 / %s | pick | "
              "held-out gap mid2 | held-out gap %s | pick's gap |" % (v, v, v))
        print("|---|---:|---:|---:|---|---:|---:|---:|")

        def fmt(g):
            if g is None:
                return "-"
            (a, b), t = g
            return "%+.1f / %+.1f%s" % (100 * a, 100 * b, "" if t is None else ", t3 %+.3f" % t)
        for tag, areas, score, pick, gaps in tuned:
            print("| %s | %.4f / %.4f | %.4f / %.4f | %.3f / %.3f | %s | %s | %s | %s |" % (
                tag, *areas["mid2"], *areas[v], score["mid2"], score[v], pick,
                fmt(gaps.get("mid2")), fmt(gaps.get(v)), fmt(gaps.get(pick))))


if __name__ == "__main__":
    main()
