#!/usr/bin/env python3
"""NumPy screen of cheap conserving variants of the dense-network default (`neon-ref`) on the
held-out study's 40 sets, scored exactly as `neuralize evaluate` scores them
(docs/dense_network.md, "Variants screened"):

    python3 scripts/dense_faithfulness.py --seeds 0,1,2,3,4 --work target/df_all
    python3 scripts/dense_flip_screen.py --work target/df_all [--seeds 0,1,2,3,4]
    python3 scripts/dense_flip_screen.py --work target/df_all --draw-seeds 10 --bootstrap 2000 \
        --only lean,lean.5,leanmid,leangm,flipmix,flip1gate10   (the reference-pooled screen)

Reads the study's model files, rows and per-row relevances (WORK/NAME_SEED.rows.npz: the
library's own `neon-ref`, `reveal-cancel`, occlusion, gradient x input and integrated
gradients), computes the candidates below in NumPy, and scores every candidate and the
library's relevances with scripts/dense_flip_rows.py (the library's marginal draws: seed
`SEED` is evaluate's, averaged with `--draw-seeds` - 1 more). Prints per set the gap of each
candidate to the best baseline (mean imputation; marginal over the draw seeds) and a
summary: sets within 2%, worst gap, and the cost in forward-pass equivalents (dense GEMM
passes over the hidden layers: a forward pass is 1, a backward product 1). Then, per
candidate, the checks against `nr` (sets beyond 2% by point estimate where `nr` is within;
with `--bootstrap`, the study's verdicts pass / open / miss; the mean gap per imputation) and
a table of the per-set gaps of `--table` (default nr,lean,flipmix).

Candidates, all conserving (the reference's own output f(r) spread evenly over the
features, as `neon-ref`), z the standardized row, r the standardized reference:
- `nr`: the rescale rule on the straight segment r -> z (`neon-ref`; checked against the
  library's to 1e-9). Cost 2 (forward, backward).
  (`--only a,b` scores only those variants besides `nr`; `--tasks` limits the tasks;
  `--bootstrap B` adds paired 95% intervals over rows of each gap, as the study's.)
- `flipG` (flip-ordered two-piece path, /work idea "neon-flip"): G = the top g features of
  `nr`; piece 1 moves G from z to r (state z1 = z with G at r), piece 2 moves the rest from
  z1 to r; the rescale rule on each piece, every feature credited on the piece where it
  moves: R_i = m1_i (z_i - r_i) for i in G, m2_i (z_i - r_i) otherwise, and
  sum = f(z) - f(z1) + f(z1) - f(r) exactly. g = 1, 2, 3, d/4 (`flip1`, `flip2`, `flip3`,
  `flipq`). Cost 2 + 2 (a forward at z1, a second backward).
- `flipmix`: the mean of `nr` and `flip3` (conserving). Cost 4.
- `liteadd`, `litescale`, `litenr` (stop 27; `liteadd` is the library's `neon-drop`, the
  default since): the mean of `nr` and `flip3` without piece 1's backward product, G
  credited with its joint drop f(z) - f(z1) (`lite_flips`). Cost 3.6.
- `mid2`: the rescale rule on the two halves of r -> z, summed. Cost 4.
- `flip1gateK`: per row, `flip1` where f(z) < |f(r) - f(z)| / K (K = 1, 3, 10), else `nr`:
  the second forward and backward only on those rows. Cost 2 + 2 x their share.
- `gate`: per row, `nr` unless the row is near the boundary relative to the reference,
  f(z) < |f(r) - f(z)| / 10, then conserving gradient x (z - r) (one more backward on those
  rows only). Cost 2 + the share of such rows.
- `lean` (the dense analog of the kernel models' `neon-lean`, src/network/kernel/path_lean.rs):
  the top 3 values of `nr` kept (ties: lower index first), the rest's relevance above its flat
  floor, E = sum_rest (R0_i - phi), phi = (f(z) - sum_i m_i (z_i - r_i)) / d the floor `nr`
  spreads, re-shared by N_ref,i = (z_i - r_i) g_i(r), g(r) the gradient of the explained
  target at the reference (one vector per model and class: the weights frozen at r):
  R_i = R0_i (top 3), R_i = (1 - l) R0_i + l (E N_ref,i / sum_rest N_ref + phi) otherwise,
  l = c^2, c = the share of the row's positive `nr` relevance held by its top 3. Conserving
  (the rest's sum is kept). Rows where sum_rest N_ref is not usable (|sum| <= 1e-12 sum |N|,
  its sign not E's, E = 0) keep `nr`. Cost 2 (+ O(d) per row; g(r) once per model and class).
- `lean.5`: the same with l = c^2 / 2. `leanmid`: N_i = (z_i - r_i) times the rescale
  multipliers of the segment r -> r + (z - r) / 2 (cost 4); `leangm`: times the gradient at
  that midpoint (cost 4).
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from dense_flip_rows import DenseOutput, row_areas  # noqa: E402

BASELINES = ("occlusion", "gradient-x-input", "integrated-gradients")
TASKS = ("classification3", "classification2", "friedman1", "digits")
GAP_TARGET = 0.02  # issue 14: within 2% of the best baseline


class Net(DenseOutput):
    """Forward pieces, rescale multipliers and gradients in the standardized space."""

    def z(self, X):
        return X if self.mean is None else (X - self.mean) / self.scale

    def passes(self, Z):
        ins, pre = [Z], []
        for W, b, act in self.layers:
            p = ins[-1] @ W + b
            pre.append(p)
            if act is not None:
                ins.append(p if act == "identity" else np.maximum(p, 0.0))
        return ins, pre

    def top(self, cls):
        """Per-row weights of the explained target on the last hidden layer."""
        W, b, _ = self.layers[-1]
        if self.output == "softmax":
            return W[:, cls].T
        sign = np.where((self.output == "logistic") & (cls == 0), -1.0, 1.0)
        return W[:, 0][None, :] * sign[:, None]

    def target(self, Z, cls):
        W, b, _ = self.layers[-1]
        L = self.passes(Z)[1][-1]
        if self.output == "softmax":
            return L[np.arange(len(Z)), cls]
        if self.output == "logistic":
            return np.where(cls == 1, L[:, 0], -L[:, 0])
        return L[:, 0]

    def multipliers(self, A, B, cls):
        """Rescale multipliers of the segment A -> B (rows): sum m (B - A) = f(B) - f(A)."""
        _, pa = self.passes(A)
        _, pb = self.passes(B)
        M = self.top(cls)
        for l in reversed(range(len(self.layers) - 1)):
            if self.layers[l][2] == "relu":
                p, q = pb[l], pa[l]
                same = p == q
                s = np.where(same, (p > 0).astype(float),
                             (np.maximum(p, 0) - np.maximum(q, 0)) / np.where(same, 1.0, p - q))
                M = M * s
            M = M @ self.layers[l][0].T
        return M

    def gradient(self, Z, cls):
        _, pre = self.passes(Z)
        G = self.top(cls)
        for l in reversed(range(len(self.layers) - 1)):
            if self.layers[l][2] == "relu":
                G = G * (pre[l] > 0)
            G = G @ self.layers[l][0].T
        return G


def conserve(R, target):
    return R + ((target - R.sum(axis=1)) / R.shape[1])[:, None]


def first_piece(Z, r, R0, g):
    """(G, Z1, Rr): the mask of each row's top g features of R0 (ties: lower index first),
    the rows with those at the reference, and the reference rows."""
    n, d = Z.shape
    order = np.argsort(-R0, axis=1, kind="stable")
    G = np.zeros((n, d), dtype=bool)
    G[np.arange(n)[:, None], order[:, :g]] = True
    Rr = np.broadcast_to(r, Z.shape)
    return G, np.where(G, Rr, Z), Rr


def flip(net, Z, r, cls, R0, g):
    """Two-piece flip-ordered rescale path: the top g features of R0 move first."""
    G, Z1, Rr = first_piece(Z, r, R0, g)
    m1 = net.multipliers(Z1, Z, cls)
    m2 = net.multipliers(Rr, Z1, cls)
    return np.where(G, m1, m2) * (Z - Rr)


def lite_flips(net, Z, r, cls, nr, fz, g=3):
    """`flip3` without piece 1's backward product: the rest (outside G) takes piece 2's
    multipliers m2 (segment r -> z1), G keeps `nr`'s numerators, and G's sum is set to
    f(z) - f(z1) additively (`liteadd`), by scaling where that is safe (`litescale`: same
    sign, factor at most 10, else additively), or left to the final even spread (`litenr`).
    Cost: `nr`'s 2, a forward pass at z1 whose first layer is a rank-g update (about 0.6),
    and one backward product."""
    G, Z1, Rr = first_piece(Z, r, nr, g)
    rest = net.multipliers(Rr, Z1, cls) * (Z - Rr)
    drop = fz - net.target(Z1, cls)
    held = np.where(G, nr, 0.0).sum(axis=1)
    add = np.where(G, nr + ((drop - held) / g)[:, None], rest)
    ratio = drop / np.where(held != 0, held, 1.0)
    safe = (held != 0) & (ratio > 0) & (ratio <= 10)
    scaled = np.where(G, nr * ratio[:, None], rest)
    return {
        "liteadd": add,
        "litescale": np.where(safe[:, None], scaled, add),
        "litenr": np.where(G, nr, rest),
    }


def lean(R0, phi, N, scale=1.0, top=3):
    """Keep the top `top` of R0 per row; re-share the rest's relevance above the flat floor
    `phi` (per row) by the numerators N, with the per-row share scale * c^2 (docstring)."""
    n, d = R0.shape
    order = np.argsort(-R0, axis=1, kind="stable")
    T = np.zeros((n, d), dtype=bool)
    T[np.arange(n)[:, None], order[:, :top]] = True
    pos = np.maximum(R0, 0.0)
    total_pos = pos.sum(axis=1)
    held = np.where(T, pos, 0.0).sum(axis=1)
    c = np.where(total_pos > 0, np.minimum(held / np.where(total_pos > 0, total_pos, 1.0), 1.0),
                 0.0)
    share = scale * c * c
    Nr = np.where(T, 0.0, N)
    total, magnitude = Nr.sum(axis=1), np.abs(Nr).sum(axis=1)
    E = np.where(T, 0.0, R0 - phi[:, None]).sum(axis=1)
    usable = (E != 0) & (np.abs(total) > 1e-12 * magnitude) & ((total > 0) == (E > 0))
    usable &= share > 0
    k = np.where(usable, E / np.where(usable, total, 1.0), 0.0)
    mixed = (1 - share)[:, None] * R0 + share[:, None] * (k[:, None] * N + phi[:, None])
    R = np.where(T | ~usable[:, None], R0, mixed)
    return R, usable, share


def candidates(net, X, r, cls):
    Z = net.z(X)
    Rr = np.broadcast_to(r, Z.shape).copy()
    n, d = Z.shape
    fz, fr = net.target(Z, cls), net.target(Rr, cls)
    dz = Z - Rr
    out, cost = {}, {}
    nr = net.multipliers(Rr, Z, cls) * dz
    out["nr"], cost["nr"] = conserve(nr, fz), 2.0
    phi = (fz - nr.sum(axis=1)) / d
    N = dz * net.gradient(Rr, cls)
    out["lean"], used, share = lean(out["nr"], phi, N)
    cost["lean"] = 2.0
    out["lean.5"], _, _ = lean(out["nr"], phi, N, scale=0.5)
    cost["lean.5"] = 2.0
    M = (Z + Rr) / 2
    out["leanmid"], _, _ = lean(out["nr"], phi, dz * net.multipliers(Rr, M, cls))
    out["leangm"], _, _ = lean(out["nr"], phi, dz * net.gradient(M, cls))
    cost["leanmid"] = cost["leangm"] = 4.0
    for k in ("lean", "lean.5", "leanmid", "leangm"):
        err = np.abs(out[k].sum(axis=1) - fz).max()
        if err > 1e-9 * max(1.0, np.abs(fz).max()):
            raise SystemExit("%s does not conserve (%.3g)" % (k, err))
    candidates.lean_rows = (100 * used.mean(), share[used].mean() if used.any() else 0.0)
    for label, g in (("flip1", 1), ("flip2", 2), ("flip3", 3), ("flipq", max(1, d // 4))):
        out[label], cost[label] = conserve(flip(net, Z, r, cls, nr, g), fz), 4.0
    out["flipmix"], cost["flipmix"] = 0.5 * (out["nr"] + out["flip3"]), 4.0
    for label, lite in lite_flips(net, Z, r, cls, nr, fz).items():
        out[label], cost[label] = 0.5 * (out["nr"] + conserve(lite, fz)), 3.6
    M = (Z + Rr) / 2
    mid = net.multipliers(Rr, M, cls) * (M - Rr) + net.multipliers(M, Z, cls) * (Z - M)
    out["mid2"], cost["mid2"] = conserve(mid, fz), 4.0
    near = fz < np.abs(fr - fz) / 10
    gx = conserve(net.gradient(Z, cls) * dz, fz)
    out["gate"] = np.where(near[:, None], gx, out["nr"])
    cost["gate"] = 2.0 + near.mean()
    for kappa in (1, 3, 10):
        near = fz < np.abs(fr - fz) / kappa
        label = "flip1gate%d" % kappa
        out[label] = np.where(near[:, None], out["flip1"], out["nr"])
        cost[label] = 2.0 + 2.0 * near.mean()
    return out, cost


def gap(areas, which, col):
    best = min(areas[b][:, col].mean() for b in BASELINES)
    return areas[which][:, col].mean() / best - 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", default="target/df_all")
    ap.add_argument("--seeds", default="0,1,2,3,4")
    ap.add_argument("--draws", type=int, default=5)
    ap.add_argument("--draw-seeds", type=int, default=5)
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--only", default="",
                    help="comma-separated variants to score (default: all)")
    ap.add_argument("--bootstrap", type=int, default=0,
                    help="paired bootstrap resamples over rows for 95%% intervals (0: none)")
    ap.add_argument("--table", default="nr,lean,flipmix",
                    help="variants whose per-set gaps are printed as one table at the end")
    args = ap.parse_args()
    rng = np.random.RandomState(17)
    results, costs, intervals = [], {}, []
    for seed in [int(s) for s in args.seeds.split(",")]:
        for task in args.tasks.split(","):
            base = os.path.join(args.work, "%s_%d" % (task, seed))
            model = json.load(open(base + ".json"))
            X = np.loadtxt(base + ".heldout.csv", delimiter=",", skiprows=1)
            Xt = np.loadtxt(base + ".train.csv", delimiter=",", skiprows=1)
            saved = np.load(base + ".rows.npz")
            net = Net(model)
            r = net.z(Xt.mean(axis=0)[None, :])[0]
            if "reference" in model:
                r = net.z(np.asarray(model["reference"])[None, :])[0]
            cls = net.classes(X)
            rel, cost = candidates(net, X, r, cls)
            print("%s s%d: lean re-shares %.0f%% of the rows, mean l there %.2f" % (
                (task, seed) + candidates.lean_rows), flush=True)
            if args.only:
                keep = set(args.only.split(",")) | {"nr"}
                rel = {k: v for k, v in rel.items() if k in keep}
                cost = {k: v for k, v in cost.items() if k in keep}
            lib = [k[2:] for k in saved.files if k.startswith("R ") and k[2:].startswith("neon-ref")]
            diff = np.abs(rel["nr"] - saved["R " + lib[0]]).max()
            if diff > 1e-9 * max(1.0, np.abs(rel["nr"]).max()):
                raise SystemExit("%s: nr differs from the library's neon-ref by %.3g" % (base, diff))
            for k in list(BASELINES) + ["reveal-cancel"]:
                rel[k] = saved["R " + k]
            areas = {}
            for k, R in rel.items():
                _, a = row_areas(model, X, R, Xt, args.draws, seed)
                more = [row_areas(model, X, R, Xt, args.draws, seed + 1000 * j, mean=False)[1][:, 1]
                        for j in range(1, args.draw_seeds)]
                areas[k] = np.column_stack([a[:, 0], np.mean([a[:, 1]] + more, axis=0)])
            for k, c in cost.items():
                costs.setdefault(k, []).append(c)
            names = [k for k in rel if k not in BASELINES]
            n = len(areas["nr"])
            idx = rng.randint(n, size=(args.bootstrap, n)) if args.bootstrap else None
            for col, imp in enumerate(("mean", "marginal")):
                gaps = {k: gap(areas, k, col) for k in names}
                results.append((task, seed, imp, gaps))
                spans = {}
                cells = []
                for k, v in gaps.items():
                    cell = "%s %+.1f%%" % (k, 100 * v)
                    if idx is not None:
                        best = np.min([areas[b][idx, col].mean(axis=1) for b in BASELINES], 0)
                        lo, hi = np.percentile(areas[k][idx, col].mean(axis=1) / best - 1,
                                               [2.5, 97.5])
                        cell += " [%+.1f, %+.1f]" % (100 * lo, 100 * hi)
                        spans[k] = (lo, hi)
                    cells.append(cell)
                intervals.append(spans)
                print("%s s%d %-8s %s" % (task, seed, imp, " ".join(cells)), flush=True)
    print("\n| candidate | cost (forward passes) | within 2% | worst gap (set) |")
    print("|---|---:|---:|---|")
    for k in results[0][3]:
        gs = [(res[k], "%s s%d %s" % (t, s, i)) for t, s, i, res in results]
        worst = max(gs)
        c = "%.2f" % np.mean(costs[k]) if k in costs else "(library)"
        print("| %s | %s | %d / %d | %+.1f%% (%s) |" % (
            k, c, sum(g <= 0.02 for g, _ in gs), len(gs), 100 * worst[0], worst[1]))
    compare_with_nr(results, intervals if args.bootstrap else None, args.table.split(","))


def verdict(span):
    """The study's verdict of a 95% interval (lo, hi) of a gap: pass / open / miss at +2%."""
    lo, hi = span
    return "miss" if lo > GAP_TARGET else "pass" if hi <= GAP_TARGET else "open"


def compare_with_nr(results, intervals, table):
    """Per candidate, the adoption checks against `nr` (docs/dense_network.md, "Reference-pooled
    rest"): sets beyond 2% by point estimate where `nr` is within, the verdict counts (with
    intervals), and the mean gap on the marginal sets; then the per-set gaps of `table`."""
    print("\n| candidate | beyond 2% where nr within | pass / open / miss | mean gap, marginal "
          "| mean gap, mean imputation |")
    print("|---|---:|---|---:|---:|")
    for k in results[0][3]:
        worse = [(t, s, i) for t, s, i, res in results
                 if res[k] > GAP_TARGET and res["nr"] <= GAP_TARGET]
        counts = "-"
        if intervals is not None:
            v = [verdict(sp[k]) for sp in intervals]
            counts = "%d / %d / %d" % tuple(v.count(w) for w in ("pass", "open", "miss"))
        marg = np.mean([res[k] for _, _, i, res in results if i == "marginal"])
        mean = np.mean([res[k] for _, _, i, res in results if i == "mean"])
        print("| %s | %d%s | %s | %+.2f%% | %+.2f%% |" % (
            k, len(worse), "".join(" (%s s%d %s)" % w for w in worse[:3]), counts, 100 * marg,
            100 * mean))
    table = [k for k in table if k in results[0][3]]
    if not table:
        return
    print("\n| set | " + " | ".join(table) + " |")
    print("|---|" + "---:|" * len(table))
    for j, (t, s, i, res) in enumerate(results):
        cells = []
        for k in table:
            cell = "%+.1f%%" % (100 * res[k])
            if intervals is not None:
                lo, hi = intervals[j][k]
                cell += " [%+.1f, %+.1f] %s" % (100 * lo, 100 * hi, verdict((lo, hi)))
            cells.append(cell)
        print("| %s s%d %s | %s |" % (t, s, i, " | ".join(cells)))


if __name__ == "__main__":
    main()
