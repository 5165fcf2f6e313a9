"""Screen of cheap per-row node choices for the rbf kernel path rule (issue 17: a default
with `neon-focus`'s faithfulness at `neon-path`'s cost), on the held-out study's sets:

    python scripts/heldout_study.py --out DIR       # keeps DIR/TAG.{json,train.csv,test.csv,rows.npz}
    python scripts/node_screen.py DIR [--seeds 3] [--variants mid2,nrow.5,...] [--tags ...]

Straight path x(t) = r + t (z - r) (standardized row z, reference r, delta = z - r) through
the soft-min of rbf units h_j(x) = gamma ||x - u_j||^2 + b_j at beta 1. Each node t has
the numerator (per feature, the unit changes split over the features as in `neon-path`)

    n_i(t) = delta_i (x(t)_i - (p(t) U)_i),   p(t) = softmax(-h(x(t))),

and a node set with weights w_k (sum 1) gives N = sum_k w_k n(t_k),
R_i = (o - o_0) N_i / sum N + o_0 / d (conserving; `neon-floor` where sum N <= 0 or
o <= o_0). At beta 1 every node t = k/4 costs no new exponential once the row's quarter
exponential F = exp(-(H - min H)/4) is known: p(k/4) is proportional to A^(k) F^k
(src/network/kernel/path_quarter.rs), and a per-row combination of node weights is still
ONE product with the centers U per row. Node sets:

  path = {1/4, 3/4}  (`neon-path@1`, `mid2`),   row = {1},   half = {1/2, 1}.

Per-row gates (concentrated rows, e.g. a few pixels far out after a StandardScaler, move
towards the row's own weights, the order gradient x input uses):

  c   = share of the row's positive R_path held by its top 3 features (as `neon-focus`);
        needs R_path, so the per-row mix needs a second product with U (stacked),
  cd  = share of sum delta^2 held by the 3 largest delta_i^2 (no product needed: one GEMM).

Variants (A a constant):
  mid2          `neon-path@1`
  ada.5:g3      `neon-focus@1` recomputed (scripts/flip_screen.py); saved:neon-focus@1 reads
                the study's own areas of it instead (the same numbers, much faster)
  nrowA         N = (1 - l) N_path + l N_row, l = A c^2 (numerator mix)
  rrowA         R = (1 - l) R_path + l R_row, l = A c^2 (relevance mix)
  nhalfA        N = (1 - l) N_path + l N_half, l = A c^2
  dnrowA, dnhalfA, drrowA   the same with the gate cd
  fixed variants: row (gradient-x-input order, conserving), half
Frozen weights over the whole path (each unit's change from r to z split exactly under
weights p: N_i = delta_i ((z_i + r_i) / 2 - (p U)_i)), by feature group (top 3 of R_path /
the rest): `ref` = p(r) for all (the reference's pooling: p(r) U is one vector per model,
no product per row), `ts` = p(z) / p(r), `ts1` = p(z) / the path's numerators, `tsr` = the
path's numerators / p(r), `nref` = p(z) for all (`neon-ref@1`'s numerators);
`kref` = the top 3 of R_path keep their values, the rest's total is shared over the rest
by the `ref` numerators (conserving, the top 3's order kept);
  mA:V          R = (1 - l) R_path + l R_V, l = A c^2 (mA:ref is `neon-lean` at A = 1/2)
  pA:V          the same with l = A c^4

Printed: per set the gap to the best of occlusion, gradient x input, integrated gradients
(mean imputation / marginal imputation averaged over draw seeds 0..seeds-1) and top-3
precision minus the best baseline's on planted sets; then the summary table per variant
(--json FILE: also the raw per-set numbers).
"""
import argparse
import json
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_screen import relevance as flip_relevance  # noqa: E402
from flip_screen import top_share  # noqa: E402
from path_variants import BASELINES, gap_and_top3, path_rule, rbf_rows, rbf_sets  # noqa: E402
from path_variants import softmax_rows, sq_dist, summarize  # noqa: E402


class Nodes:
    """Per-node numerators of one set's explained rows, and the normalization."""

    def __init__(self, model, X):
        U, b, gamma, Z, r = rbf_rows(model, X)
        self.U, self.Z, self.r = U, Z, r
        H = gamma * sq_dist(Z, U) + b
        m = H.min(axis=1)
        self.o = m - np.log(np.exp(-(H - m[:, None])).sum(axis=1))
        self.p_row = softmax_rows(-H)
        self.p_ref = softmax_rows(-(gamma * sq_dist(r[None], U) + b))[0]
        self.floor = -(np.max(-b) + math.log(np.sum(np.exp(-b - np.max(-b)))))
        self.delta = Z - r
        self.n = {}
        for t in (0.25, 0.5, 0.75, 1.0):
            Xt = r + t * self.delta
            p = self.p_row if t == 1.0 else softmax_rows(-(gamma * sq_dist(Xt, U) + b))
            self.n[t] = self.delta * (Xt - p @ U)

    def split(self, top, top_kind, rest_kind):
        """Numerators with the top features (boolean mask) and the rest each under frozen
        weights over the whole path: `row` (p(z)), `ref` (p(r), a per-model constant),
        `path` (the `neon-path` numerators). Frozen weights p give the exact split
        delta_i ((z_i + r_i) / 2 - (p U)_i)."""
        half = 0.5 * (self.Z + self.r)
        kinds = {"row": lambda: self.delta * (half - self.p_row @ self.U),
                 "ref": lambda: self.delta * (half - self.p_ref @ self.U),
                 "path": lambda: self.numer(NODESETS["path"])}
        return np.where(top, kinds[top_kind](), kinds[rest_kind]())

    def numer(self, nodes):
        return np.mean([self.n[t] for t in nodes], axis=0)

    def relevance(self, N):
        """Conserving normalization of numerators N (n, d), neon-floor fallback."""
        Z, U = self.Z, self.U
        d = Z.shape[1]
        total = N.sum(axis=1)
        ok = (np.abs(total) > 1e-12 * np.abs(N).sum(axis=1)) & (total > 0) & (
            self.o > self.floor)
        R = np.empty_like(Z)
        R[ok] = (self.o[ok] - self.floor)[:, None] * N[ok] / total[ok, None] + self.floor / d
        for i in np.where(~ok)[0]:
            parts = (Z[i] - U) ** 2
            s = parts.sum(axis=1, keepdims=True)
            shares = np.where(s > 0, parts / np.where(s > 0, s, 1.0), 1.0 / d)
            R[i] = (self.o[i] - self.floor) * (self.p_row[i] @ shares) + self.floor / d
        return R


NODESETS = {"path": (0.25, 0.75), "row": (1.0,), "half": (0.5, 1.0)}
# Flip-inspired splits (top 3 of R_path, rest): (weights of the top, weights of the rest).
SPLITS = {"ts": ("row", "ref"), "ts1": ("row", "path"), "tsr": ("path", "ref"),
          "ref": ("ref", "ref"), "nref": ("row", "row")}


def delta_share(delta, k=3):
    """Per row: the share of sum delta^2 held by the k largest delta_i^2."""
    s = np.sort(delta ** 2, axis=1)[:, ::-1]
    return s[:, :k].sum(axis=1) / np.maximum(s.sum(axis=1), 1e-300)


def variant(name, nodes, cache, model, X):
    """Relevance of a variant name (module doc)."""
    if name in cache:
        return cache[name]
    if name == "mid2":
        R = nodes.relevance(nodes.numer(NODESETS["path"]))
    elif name.startswith("ada"):
        R = flip_relevance(name, model, X, cache.setdefault("_flip", {}))
    elif name == "kref":
        # The top 3 of R_path keep their values; the rest's total, sum_rest R_path, is
        # shared over the rest by the reference-pooled numerators (plus the flat floor).
        R0 = variant("mid2", nodes, cache, model, X)
        top = np.zeros(R0.shape, dtype=bool)
        np.put_along_axis(top, np.argsort(-R0, axis=1, kind="stable")[:, :3], True, axis=1)
        N = np.where(top, 0.0, nodes.split(top, "ref", "ref"))
        d = R0.shape[1]
        flat = nodes.floor / d
        excess = np.where(top, 0.0, R0).sum(axis=1) - (d - 3) * flat
        total = N.sum(axis=1)
        ok = (total > 1e-12 * np.abs(N).sum(axis=1)) & (excess > 0)
        R = R0.copy()
        R[ok] = np.where(top[ok], R0[ok], (excess[ok] / total[ok])[:, None] * N[ok] + flat)
    elif name in SPLITS:
        R0 = variant("mid2", nodes, cache, model, X)
        top = np.zeros(R0.shape, dtype=bool)
        np.put_along_axis(top, np.argsort(-R0, axis=1, kind="stable")[:, :3], True, axis=1)
        R = nodes.relevance(nodes.split(top, *SPLITS[name]))
    elif name[0] in "mp" and ":" in name:  # per-row mix (1 - l) R_path + l R_V
        a, v = name[1:].split(":")
        R0 = variant("mid2", nodes, cache, model, X)
        power = 2 if name[0] == "m" else 4  # mA:V: l = A c^2; pA:V: l = A c^4
        lam = np.clip(float(a) * top_share(R0) ** power, 0.0, 1.0)[:, None]
        R = (1 - lam) * R0 + lam * variant(v, nodes, cache, model, X)
    elif name in NODESETS:
        R = nodes.relevance(nodes.numer(NODESETS[name]))
    else:
        gate_delta = name.startswith("d")
        body = name[1:] if gate_delta else name
        kind, rest = body[0], body[1:]
        target = next(k for k in ("row", "half") if rest.startswith(k))
        a = float(rest[len(target):])
        R0 = variant("mid2", nodes, cache, model, X)
        c = delta_share(nodes.delta) if gate_delta else top_share(R0)
        lam = np.clip(a * c ** 2, 0.0, 1.0)[:, None]
        if kind == "n":
            N = (1 - lam) * nodes.numer(NODESETS["path"]) + lam * nodes.numer(
                NODESETS[target])
            R = nodes.relevance(N)
        elif kind == "r":
            R = (1 - lam) * R0 + lam * variant(target, nodes, cache, model, X)
        else:
            raise SystemExit("unknown variant " + name)
    cache[name] = R
    return R


def saved_gap(saved, method, best, col):
    """gap_and_top3's numbers from the study's saved per-row areas and relevances of
    `method` (e.g. neon-focus@1, which the study ran with --extra or as its default)."""
    a = saved["areas " + method]
    gap = [a[:, 0].mean() / best[0] - 1, a[:, col].mean() / best[1] - 1]
    if not saved["planted"].size:
        return gap, None
    top = np.argsort(-saved["R " + method], axis=1, kind="stable")[:, :3]
    hits = np.mean([len(set(t) & set(p)) / 3 for t, p in zip(top, saved["planted"])])
    return gap, hits - max(saved["top3 " + b].mean() for b in BASELINES)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run", help="a held-out study --out directory")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--variants", default="mid2,ada.5:g3,nrow.5,nrow1,rrow.5,rrow1,nhalf1,"
                    "dnrow.5,dnrow1")
    ap.add_argument("--tags", default="")
    ap.add_argument("--json", default="", help="also write the raw per-set results here")
    ap.add_argument("--merge", default="",
                    help="only summarize --json files (comma-separated; with run = a label)")
    args = ap.parse_args()
    if args.merge:
        merged = {}
        for path in args.merge.split(","):
            for entry in json.load(open(path)):
                for name, (gap, top3) in entry["results"].items():
                    merged.setdefault(name, []).append((gap, top3))
        summarize(merged)
        return
    chosen = args.variants.split(",")
    wanted = set(args.tags.split(",")) if args.tags else None
    results = {v: [] for v in chosen}
    raw = []
    for stem, saved, model, Xtr, Xte in rbf_sets(args.run, wanted):
        col = 1 if args.seeds == 1 else 2
        best = [min(saved["areas " + b][:, c].mean() for b in BASELINES) for c in (0, col)]
        nodes = Nodes(model, Xte)
        cache = {}
        check = path_rule(model, Xte, [0.25, 0.75], [0.5, 0.5])
        assert np.allclose(variant("mid2", nodes, cache, model, Xte), check, atol=1e-9)
        cells = [os.path.basename(stem)]
        for name in chosen:
            if name.startswith("saved:"):  # the study's own areas of a method it ran
                gap, top3 = saved_gap(saved, name[6:], best, col)
            else:
                R = variant(name, nodes, cache, model, Xte)
                gap, top3 = gap_and_top3(model, Xte, Xtr, R, saved, best, args.draws,
                                         args.seeds)
            cell = "%s %+.1f/%+.1f" % (name, 100 * gap[0], 100 * gap[1])
            if top3 is not None:
                cell += " t3 %+.3f" % top3
            cells.append(cell)
            results[name].append((gap, top3))
        print(" | ".join(cells), flush=True)
        if args.json:
            raw.append({"set": os.path.basename(stem), "results": {
                name: rows[-1] for name, rows in results.items()}})
            json.dump(raw, open(args.json, "w"))
    summarize(results)


if __name__ == "__main__":
    main()
