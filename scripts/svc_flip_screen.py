#!/usr/bin/env python3
"""NumPy screen of flip-ordered paths for the SVC default (not the oracle; see svc_oracle.py):

    cargo build --release && python3 scripts/svc_flip_screen.py [--seeds 99,1,2] [--out DIR]

The sets are svc_faithfulness.py's (same splits, untuned models: tune keeps `neon-path` on all
of them). Per set, `neuralize evaluate` gives the baselines' areas (gradient x input,
integrated gradients, occlusion) and the default's; `neuralize explain` gives the default's
relevance R0. The variants are computed here and scored by a NumPy copy of evaluate's
feature flipping (checked: the default's area recomputed here must equal evaluate's).

A variant is a path from the row z back to the reference r: the features are cut into
consecutive groups G_1, ..., G_m of R0's order (largest first); piece k moves only G_k from
z to r (G_<k already at r, G_>k still at z), in Q equal sub-pieces. On each sub-piece only
the weakest duel of the explained class counts (smallest mean of its values at the
sub-piece's ends); its change is split exactly over the moving features (every kernel
value's exponent is a sum over the features; the exponential passes it on with its secant
slope), and R = N + (T - sum N) / d. One group of all features with Q = 8 is the current
default (checked).
"""
import argparse
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from flip_rows import marginal_draws, order_by_relevance  # noqa: E402
from svc_faithfulness import BASELINES, parse_table, prepared_sets  # noqa: E402
from svc_oracle import _duel_terms, _parts, standardize  # noqa: E402


class Svc:
    """Vectorized duels of a neuralize/1 svc model (standardized space)."""

    def __init__(self, model):
        self.model = model
        self.q, self.g, self.sv, _, _, _, self.k = _parts(model)
        self.duel = {}
        for a in range(self.k):
            for b in range(self.k):
                if a != b:
                    self.duel[a, b] = _duel_terms(model, a, b)

    def exponents(self, Z):
        """(points, svs, features) per-feature exponents -gamma |z_i - u_si|^q."""
        t = Z[:, None, :] - self.sv[None, :, :]
        return -self.g * (t * t if self.q == 2 else np.abs(t))

    def kernel(self, Z):
        t = Z[:, None, :] - self.sv[None, :, :]
        D = (t * t).sum(-1) if self.q == 2 else np.abs(t).sum(-1)
        return np.exp(-self.g * D)

    def values(self, K, c):
        """(points, k - 1) duel values of class c from kernel values K (points, svs)."""
        out = []
        for m in range(self.k):
            if m != c:
                idx, coef, bias = self.duel[c, m]
                out.append(K[:, idx] @ coef + bias)
        return np.stack(out, axis=1)

    def predict(self, Z):
        K = self.kernel(Z)
        votes = np.zeros((len(Z), self.k), dtype=int)
        for i in range(self.k):
            for j in range(i + 1, self.k):
                idx, coef, bias = self.duel[i, j]
                v = K[:, idx] @ coef + bias
                votes[np.arange(len(Z)), np.where(v > 0, i, j)] += 1
        return np.argmax(votes, axis=1)

    def target(self, Z, c):
        return self.values(self.kernel(Z), c).min(axis=1)


def secant(E0, E1):
    gap = E1 - E0
    top = np.maximum(E0, E1)
    small = np.abs(gap) < 1e-300
    with np.errstate(invalid="ignore", divide="ignore"):
        s = np.exp(top) * (-np.expm1(-np.abs(gap))) / np.abs(gap)
    return np.where(small, np.exp(top), s)


def flip_path(svc, z, r, c, groups, sub=2):
    """N of the flip-ordered path (groups: lists of feature indices, moved from z to r in
    order), un-floored; returns N (sums to the weakest duels' changes)."""
    d = len(z)
    x = z.copy()
    points = [x.copy()]
    moving = []
    for G in groups:
        G = np.asarray(G)
        for q in range(1, sub + 1):
            x = x.copy()
            x[G] = z[G] + (q / sub) * (r[G] - z[G])
            points.append(x)
            moving.append(G)
    P = np.array(points)
    e = svc.exponents(P)  # (J+1, S, d)
    E = e.sum(-1)
    K = np.exp(E)
    V = svc.values(K, c)  # (J+1, k-1)
    weakest = np.argmin(0.5 * (V[:-1] + V[1:]), axis=1)
    others = [m for m in range(svc.k) if m != c]
    N = np.zeros(d)
    for j in range(len(moving)):
        idx, coef, _ = svc.duel[c, others[weakest[j]]]
        sl = coef * secant(E[j, idx], E[j + 1, idx])
        G = moving[j]
        # change from z toward r; the relevance is the change from r to z
        N[G] -= sl @ (e[j + 1][idx][:, G] - e[j][idx][:, G])
    return N


MIXES = ("g1", "g3", "single")


def floored(N, T):
    return N + (T - N.sum()) / len(N)


def groups_top(order, sizes):
    out, at = [], 0
    for s in sizes:
        if at >= len(order):
            break
        out.append(list(order[at:at + s]))
        at += s
    if at < len(order):
        out.append(list(order[at:]))
    return out


def groups_mass(order, R0, share):
    """First group: the smallest prefix holding `share` of the positive relevance."""
    pos = np.maximum(R0[order], 0)
    tot = pos.sum()
    if tot <= 0:
        return [list(order)]
    k = int(np.searchsorted(np.cumsum(pos) / tot, share - 1e-12) + 1)
    return groups_top(order, [k])


def variants(d):
    v = {"straight": lambda o, R0: [list(o)]}
    for g in (1, 2, 3, 8):
        if g < d:
            v["g%d" % g] = (lambda g: lambda o, R0: groups_top(o, [g]))(g)
    v["single"] = lambda o, R0: [[i] for i in o]
    v["geo"] = lambda o, R0: groups_top(o, [1, 2, 4, 8, 16, 32])
    for s in (0.5, 0.8):
        v["mass%.1f" % s] = (lambda s: lambda o, R0: groups_mass(o, R0, s))(s)
    return v


def areas(svc, X, R, cls, start, train, draws, seed, ids):
    """evaluate's per-row areas (mean, marginal) of relevance R (rows with start > 0)."""
    d = X.shape[1]
    xref = train.mean(axis=0)
    out = np.zeros((len(X), 2))
    for row in range(len(X)):
        order = order_by_relevance(R[row])
        for which in (0, 1):
            vals = (xref[None, :] if which == 0
                    else marginal_draws(train, draws, seed, int(ids[row])))
            pts = []
            for v in vals:
                x = X[row].copy()
                pts.append(x.copy())
                for i in order:
                    x[i] = v[i]
                    pts.append(x.copy())
            f = svc.target(standardize(np.array(pts), svc.model), cls[row])
            curve = np.maximum(f, 0).reshape(len(vals), d + 1).mean(axis=0)
            out[row, which] = 0.5 * (curve[:-1] + curve[1:]).sum() / (d * start[row])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/svc_flip")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "target", "release",
                                                     "neuralize"))
    ap.add_argument("--seeds", default="99,1,2")
    ap.add_argument("--only", default="", help="substring of the set names to run")
    ap.add_argument("--variants", default="", help="comma-separated variant names (all)")
    ap.add_argument("--mix", type=float, default=0.5,
                    help="weight of the flip-ordered N in the mix-* variants")
    ap.add_argument("--sub", type=int, default=2, help="sub-pieces per group")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    rows = []
    for name, X, y, est, model, (tr, te), (mpath, train, test) in prepared_sets(args):
        cache = os.path.join(args.out, name + ".eval.json")
        if not os.path.exists(cache):
            out = subprocess.run([args.binary, "evaluate", "-m", mpath, "-i", test,
                                  "--reference", train, "--methods",
                                  "default," + ",".join(BASELINES), "--threads", "2"],
                                 check=True, capture_output=True, text=True).stdout
            with open(cache, "w") as fh:
                json.dump(parse_table(out), fh)
        with open(cache) as fh:
            table = json.load(fh)
        expl = os.path.join(args.out, name + ".explain.csv")
        subprocess.run([args.binary, "explain", "-m", mpath, "-i", test, "--reference", train,
                        "-o", expl, "-q"], check=True)
        R0 = np.loadtxt(expl, delimiter=",", skiprows=1, usecols=range(2, 2 + X.shape[1]))
        R0 = R0.reshape(len(te), -1)
        svc = Svc(model)
        Xte, Xtr = X[te].astype(float), X[tr].astype(float)
        Z = standardize(Xte, model)
        r = standardize(Xtr.mean(axis=0)[None, :], model)[0]
        cls = svc.predict(Z)
        start = np.array([svc.target(Z[i:i + 1], cls[i])[0] for i in range(len(Z))])
        keep = start > 0
        best = [min(table[b][k] for b in BASELINES) for k in (0, 1)]
        a0 = areas(svc, Xte[keep], R0[keep], cls[keep], start[keep], Xtr, 5, 0, np.where(keep)[0])
        got0 = a0.mean(axis=0)
        line = "%-28s best %.3f/%.3f | default %.3f/%.3f (numpy %.3f/%.3f)" % (
            name, best[0], best[1], table["default"][0], table["default"][1], got0[0], got0[1])
        res = {"default": (table["default"][0] / best[0], table["default"][1] / best[1])}
        d = X.shape[1]
        for vname, rule in variants(d).items():
            if args.variants and vname != "straight" and vname not in args.variants.split(","):
                continue
            R = np.zeros_like(R0)
            for i in np.where(keep)[0]:
                order = order_by_relevance(R0[i])
                sub = 8 if vname == "straight" else args.sub
                N = flip_path(svc, Z[i], r, cls[i], rule(order, R0[i]), sub)
                R[i] = floored(N, start[i])
            if vname in MIXES:
                Rm = np.zeros_like(R0)
                for i in np.where(keep)[0]:
                    order = order_by_relevance(R0[i])
                    Ns = flip_path(svc, Z[i], r, cls[i], [list(order)], 8)
                    Ng = flip_path(svc, Z[i], r, cls[i], rule(order, R0[i]), args.sub)
                    Rm[i] = floored((1 - args.mix) * Ns + args.mix * Ng, start[i])
                a = areas(svc, Xte[keep], Rm[keep], cls[keep], start[keep], Xtr, 5, 0,
                          np.where(keep)[0]).mean(axis=0)
                ratio = a / np.array(best)
                res["mix-" + vname] = tuple(ratio)
                line += " | mix-%s %.3f/%.3f" % (vname, ratio[0], ratio[1])
                Ri = np.zeros_like(R0)
                for i in np.where(keep)[0]:
                    order = order_by_relevance(R[i])
                    Ri[i] = floored(flip_path(svc, Z[i], r, cls[i], rule(order, R[i]),
                                              args.sub), start[i])
                a = areas(svc, Xte[keep], Ri[keep], cls[keep], start[keep], Xtr, 5, 0,
                          np.where(keep)[0]).mean(axis=0)
                ratio = a / np.array(best)
                res["iter-" + vname] = tuple(ratio)
                line += " | iter-%s %.3f/%.3f" % (vname, ratio[0], ratio[1])
            if vname == "straight":
                err = np.abs(R[keep] - R0[keep]).max()
                line += " | straight err %.1e" % err
                continue
            a = areas(svc, Xte[keep], R[keep], cls[keep], start[keep], Xtr, 5, 0, np.where(keep)[0]).mean(axis=0)
            ratio = a / np.array(best)
            res[vname] = tuple(ratio)
            line += " | %s %.3f/%.3f" % (vname, ratio[0], ratio[1])
        print(line, flush=True)
        rows.append((name, res))
    print()
    names = list(rows[0][1]) if rows else []
    for v in names:
        ok = sum(int(a <= 1.02) + int(b <= 1.02) for _, res in rows for a, b in [res[v]])
        worst = max(max(res[v]) for _, res in rows)
        print("%-10s within 2%%: %d of %d, worst %.3f" % (v, ok, 2 * len(rows), worst))


if __name__ == "__main__":
    sys.exit(main())
