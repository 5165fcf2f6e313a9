#!/usr/bin/env python3
"""NumPy emulation of the dense-network flipping study (scripts/dense_faithfulness.py: same
tasks, splits and networks) for candidate rules that are not in the library, to choose
what to build (docs/dense_network.md, "Candidates"):

    python3 scripts/dense_candidates.py 0,1,2,3,4

Candidates, all rooted at the training mean r in the standardized space: `neon-ref`
(DeepLIFT rescale, the default), `pathK` (the rescale rule on K equal pieces of the straight
path from r, summed), `revealcancel` (DeepLIFT RevealCancel, ReLU networks), `mix_rg` (the
mean of neon-ref and gradient x input); baselines `gxi` (gradient x (x - r)), `ig`
(integrated gradients, 32 midpoints), `occlusion` (one feature set to r). Flipping as
`neuralize evaluate` (relevance order, mean imputation = r, marginal = 5 draws per row,
curves clipped at 0, area / (d f(x)), rows with f(x) > 0), but the marginal draws come from
NumPy's generator, not the library's, so marginal scores differ from the Rust study by the
draw noise. Prints per set each method's AUC divided by the best of gxi, ig and occlusion.
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import dense_faithfulness as dfs  # noqa: E402
import export_sklearn as ex  # noqa: E402


def net(model):
    Ls = [(np.asarray(l["weights"]), np.asarray(l["biases"]), l.get("activation")) for l in model["layers"]]
    sc = model.get("scaler")
    mean = np.asarray(sc["mean"]) if sc else 0.0
    scale = np.asarray(sc["scale"]) if sc else 1.0
    return Ls, mean, scale

def passes(Ls, Z):
    ins, pre = [Z], []
    for W, b, act in Ls:
        p = ins[-1] @ W + b
        pre.append(p)
        if act is not None:
            ins.append(np.maximum(p, 0) if act == "relu" else p)
    return ins, pre

def topw(model, Ls, cls):
    W, b, _ = Ls[-1]
    if model["output"] == "softmax":
        return W[:, cls].T, b[cls]
    sign = np.where((model["output"] == "logistic") & (cls == 0), -1.0, 1.0)
    return (W[:, 0][None, :] * sign[:, None]), b[0] * sign

def f(model, Ls, Z, cls):
    ins, pre = passes(Ls, Z)
    Wt, bt = topw(model, Ls, cls)
    return (ins[-1] * Wt).sum(1) + bt

def grad(model, Ls, Z, cls):
    ins, pre = passes(Ls, Z)
    Wt, _ = topw(model, Ls, cls)
    G = Wt.copy()
    for l in reversed(range(len(Ls) - 1)):
        if Ls[l][2] == "relu":
            G = G * (pre[l] > 0)
        G = G @ Ls[l][0].T
    return G

def secant(p, q):
    with np.errstate(divide="ignore", invalid="ignore"):
        s = (np.maximum(p, 0) - np.maximum(q, 0)) / (p - q)
    return np.where(p == q, (p > 0).astype(float), s)

def rescale_mult(model, Ls, Z, R0, cls):
    """multipliers of the rescale rule on the segment R0 -> Z (rows each)."""
    ins, pre = passes(Ls, Z)
    ri, rp = passes(Ls, R0)
    Wt, _ = topw(model, Ls, cls)
    M = Wt.copy()
    for l in reversed(range(len(Ls) - 1)):
        if Ls[l][2] == "relu":
            M = M * secant(pre[l], rp[l])
        M = M @ Ls[l][0].T
    return M

def revealcancel(model, Ls, Z, r, cls):
    """DeepLIFT RevealCancel on the hidden ReLUs, Linear rule on the weights."""
    n = len(Z); R0 = np.repeat(r[None], n, 0)
    ins, pre = passes(Ls, Z)
    ri, rp = passes(Ls, R0)
    # forward: delta+ / delta- of each pre-activation, contributions split by sign
    # need per layer: multipliers m+ and m- on the input of each layer
    # Build per-layer positive / negative parts of dp (using positive/negative parts of input deltas)
    # We track dA+ and dA- for each layer input (input layer: split of dz by sign)
    dA = ins[0] - ri[0]
    Ap, An = np.maximum(dA, 0), np.minimum(dA, 0)
    store = []
    for l, (W, b, act) in enumerate(Ls[:-1]):
        Wp, Wn = np.maximum(W, 0), np.minimum(W, 0)
        dPp = Ap @ Wp + An @ Wn
        dPn = Ap @ Wn + An @ Wp
        q = rp[l]
        relu = lambda v: np.maximum(v, 0)
        dyp = 0.5 * (relu(q + dPp) - relu(q)) + 0.5 * (relu(q + dPn + dPp) - relu(q + dPn))
        dyn = 0.5 * (relu(q + dPn) - relu(q)) + 0.5 * (relu(q + dPp + dPn) - relu(q + dPp))
        with np.errstate(divide="ignore", invalid="ignore"):
            mp = np.where(dPp != 0, dyp / dPp, 0.0)
            mn = np.where(dPn != 0, dyn / dPn, 0.0)
        store.append((Wp, Wn, mp, mn))
        Ap, An = dyp, dyn  # positive and negative parts of next input delta (dyp>=0? not nec.)
    Wt, _ = topw(model, Ls, cls)
    # top: linear; multipliers on last hidden: for positive part contributions w*dA > 0 ...
    # treat generally: multiplier for (dA+ part) and (dA- part) of each input
    Mp = Wt.copy(); Mn = Wt.copy()  # multiplier of A+ part and A- part
    for l in reversed(range(len(Ls) - 1)):
        Wp, Wn, mp, mn = store[l]
        # unit k output delta = dyp_k + dyn_k ; its multiplier w.r.t. dyp is Mp_k, dyn Mn_k
        # dyp_k = mp_k dPp_k, dPp = Ap Wp + An Wn ; dyn_k = mn_k dPn_k, dPn = Ap Wn + An Wp
        gp, gn = Mp * mp, Mn * mn
        Mp = gp @ Wp.T + gn @ Wn.T
        Mn = gp @ Wn.T + gn @ Wp.T
    dz = Z - R0
    return np.where(dz > 0, Mp, Mn) * dz

def study(seeds):
    rows = []
    for seed in seeds:
        for name, X, y, est, ntr, nex in dfs.tasks(seed):
            est.fit(X[:ntr], y[:ntr])
            cols = ["f%d" % i for i in range(X.shape[1])]
            model = ex.to_neuralize(est, X_train=X[:ntr], feature_names=cols, dataset=name)
            Ls, mu, sd = net(model)
            Xtr = X[:ntr]; Xh = X[ntr:ntr + nex]
            Z = (Xh - mu) / sd; Ztr = (Xtr - mu) / sd
            r = Ztr.mean(0)
            logits = passes(Ls, Z)[1][-1]
            if model["output"] == "softmax": cls = logits.argmax(1)
            elif model["output"] == "logistic": cls = (logits[:, 0] > 0).astype(int)
            else: cls = np.zeros(len(Z), int)
            fx = f(model, Ls, Z, cls)
            keep = fx > 0
            Z, cls, fx = Z[keep], cls[keep], fx[keep]
            n, d = Z.shape
            R0 = np.repeat(r[None], n, 0)
            dz = Z - R0
            meths = {}
            meths["neon-ref"] = rescale_mult(model, Ls, Z, R0, cls) * dz
            meths["gxi"] = grad(model, Ls, Z, cls) * dz
            ig = np.zeros_like(Z)
            for t in (np.arange(32) + 0.5) / 32:
                ig += grad(model, Ls, R0 + t * dz, cls) / 32
            meths["ig"] = ig * dz
            occ = np.zeros_like(Z)
            for i in range(d):
                Zi = Z.copy(); Zi[:, i] = r[i]
                occ[:, i] = fx - f(model, Ls, Zi, cls)
            meths["occlusion"] = occ
            M = (Z + R0) / 2
            meths["path2"] = rescale_mult(model, Ls, Z, M, cls) * (Z - M) + rescale_mult(model, Ls, M, R0, cls) * (M - R0)
            for q in (3, 4):
                acc = np.zeros_like(Z)
                pts = [R0 + k / q * dz for k in range(q + 1)]
                for k in range(q):
                    acc += rescale_mult(model, Ls, pts[k + 1], pts[k], cls) * (pts[k + 1] - pts[k])
                meths["path%d" % q] = acc
            meths["revealcancel"] = revealcancel(model, Ls, Z, r, cls)
            meths["mix_rg"] = 0.5 * (meths["neon-ref"] + meths["gxi"])
            meths["random"] = np.random.RandomState(seed).rand(n, d)
            # flipping
            rng = np.random.RandomState(1000 + seed)
            draws = 5
            marg = Ztr[rng.randint(0, len(Ztr), size=(n, draws, d)), np.arange(d)[None, None, :]]
            res = {}
            for mname, Rm in meths.items():
                order = np.argsort(-Rm, axis=1, kind="stable")
                aucs = []
                for imp in ("mean", "marginal"):
                    reps = [np.repeat(r[None], n, 0)[:, None, :]] if imp == "mean" else [marg]
                    rep = reps[0]
                    D = rep.shape[1]
                    P = np.repeat(Z[:, None, :], D, 1).copy()
                    curve = [np.repeat(fx[:, None], D, 1)]
                    for k in range(d):
                        idx = order[:, k]
                        P[np.arange(n), :, idx] = rep[np.arange(n), :, idx]
                        out = f(model, Ls, P.reshape(n * D, d), np.repeat(cls, D)).reshape(n, D)
                        curve.append(np.maximum(out, 0))
                    C = np.stack([c.mean(1) for c in curve], 1)
                    area = (0.5 * (C[:, 1:] + C[:, :-1])).sum(1) / (d * fx)
                    aucs.append(area.mean())
                res[mname] = aucs
            rows.append((name, seed, res))
            best = {k: min(res[b][k] for b in ("occlusion", "gxi", "ig")) for k in (0, 1)}
            print("##", name, seed, " ".join("%s=%.3f/%.3f" % (m, v[0] / best[0], v[1] / best[1]) for m, v in res.items()), flush=True)
    return rows

def summary(rows):
    for m in rows[0][2]:
        ratios = []
        for name, seed, res in rows:
            for k in (0, 1):
                best = min(res[b][k] for b in ("occlusion", "gxi", "ig"))
                ratios.append((res[m][k] / best, name, seed, ("mean", "marginal")[k]))
        ok = sum(r[0] <= 1.02 for r in ratios)
        worst = sorted(ratios)[-3:][::-1]
        print("%-13s within 2%%: %2d of %d; worst: %s" % (
            m, ok, len(ratios), ", ".join("%.3f %s seed %d %s" % w for w in worst)))


if __name__ == "__main__":
    summary(study([int(s) for s in (sys.argv[1] if len(sys.argv) > 1 else "0").split(",")]))
