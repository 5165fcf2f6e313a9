#!/usr/bin/env python3
"""NumPy screen of cheap conserving variants of the dense-network default (`neon-ref`) on the
held-out study's 40 sets, scored exactly as `neuralize evaluate` scores them
(docs/dense_network.md, "Variants screened"):

    python3 scripts/dense_faithfulness.py --seeds 0,1,2,3,4 --work target/df_all
    python3 scripts/dense_flip_screen.py --work target/df_all [--seeds 0,1,2,3,4]

Reads the study's model files, rows and per-row relevances (WORK/NAME_SEED.rows.npz: the
library's own `neon-ref`, `reveal-cancel`, occlusion, gradient x input and integrated
gradients), computes the candidates below in NumPy, and scores every candidate and the
library's relevances with scripts/dense_flip_rows.py (the library's marginal draws: seed
`SEED` is evaluate's, averaged with `--draw-seeds` - 1 more). Prints per set the gap of each
candidate to the best baseline (mean imputation; marginal over the draw seeds) and a
summary: sets within 2%, worst gap, and the cost in forward-pass equivalents (dense GEMM
passes over the hidden layers: a forward pass is 1, a backward product 1).

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
- `mid2`: the rescale rule on the two halves of r -> z, summed. Cost 4.
- `flip1gateK`: per row, `flip1` where f(z) < |f(r) - f(z)| / K (K = 1, 3, 10), else `nr`:
  the second forward and backward only on those rows. Cost 2 + 2 x their share.
- `gate`: per row, `nr` unless the row is near the boundary relative to the reference,
  f(z) < |f(r) - f(z)| / 10, then conserving gradient x (z - r) (one more backward on those
  rows only). Cost 2 + the share of such rows.
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


def flip(net, Z, r, cls, R0, g):
    """Two-piece flip-ordered rescale path: the top g features of R0 move first."""
    n, d = Z.shape
    order = np.argsort(-R0, axis=1, kind="stable")
    G = np.zeros((n, d), dtype=bool)
    G[np.arange(n)[:, None], order[:, :g]] = True
    Rr = np.broadcast_to(r, Z.shape)
    Z1 = np.where(G, Rr, Z)
    m1 = net.multipliers(Z1, Z, cls)
    m2 = net.multipliers(Rr, Z1, cls)
    return np.where(G, m1, m2) * (Z - Rr)


def candidates(net, X, r, cls):
    Z = net.z(X)
    Rr = np.broadcast_to(r, Z.shape).copy()
    n, d = Z.shape
    fz, fr = net.target(Z, cls), net.target(Rr, cls)
    dz = Z - Rr
    out, cost = {}, {}
    nr = net.multipliers(Rr, Z, cls) * dz
    out["nr"], cost["nr"] = conserve(nr, fz), 2.0
    for label, g in (("flip1", 1), ("flip2", 2), ("flip3", 3), ("flipq", max(1, d // 4))):
        out[label], cost[label] = conserve(flip(net, Z, r, cls, nr, g), fz), 4.0
    out["flipmix"], cost["flipmix"] = 0.5 * (out["nr"] + out["flip3"]), 4.0
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
    args = ap.parse_args()
    rng = np.random.RandomState(17)
    results, costs = [], {}
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
                cells = []
                for k, v in gaps.items():
                    cell = "%s %+.1f%%" % (k, 100 * v)
                    if idx is not None:
                        best = np.min([areas[b][idx, col].mean(axis=1) for b in BASELINES], 0)
                        lo, hi = np.percentile(areas[k][idx, col].mean(axis=1) / best - 1,
                                               [2.5, 97.5])
                        cell += " [%+.1f, %+.1f]" % (100 * lo, 100 * hi)
                    cells.append(cell)
                print("%s s%d %-8s %s" % (task, seed, imp, " ".join(cells)), flush=True)
    print("\n| candidate | cost (forward passes) | within 2% | worst gap (set) |")
    print("|---|---:|---:|---|")
    for k in results[0][3]:
        gs = [(res[k], "%s s%d %s" % (t, s, i)) for t, s, i, res in results]
        worst = max(gs)
        c = "%.2f" % np.mean(costs[k]) if k in costs else "(library)"
        print("| %s | %s | %d / %d | %+.1f%% (%s) |" % (
            k, c, sum(g <= 0.02 for g, _ in gs), len(gs), 100 * worst[0], worst[1]))


if __name__ == "__main__":
    main()
