"""NumPy prototype behind the k-means default (`neon-path@auto`): feature-flipping AUC of
conserving NEON variants against occlusion, gradient x input and integrated gradients on
held-out k-means sets, independent of the Rust code (its own flipping, its own draws).

    python scripts/neon_oracle_kmeans_variants.py [--draws 20] [--only wine,digits]

Per set: StandardScaler + KMeans fitted on 2/3 of the rows (split seed given), up to 200 of
the rest explained in the standardized space; the reference r = the training mean; the
explained output = the logit of the row's assigned cluster t, `f = min_k h_k`,
`h_k(x) = w_k . x + b_k`, `w_k = 2 (mu_t - mu_k)` (t fixed along every path and flip).
Variants share the numerators `N_i = (sum_k p̄_k w_ik) (z_i - r_i)`:

- `ref`: p̄ = softmin(beta h(z)) (weights at the row; `neon-ref`);
- `pathP`: p̄ = mean over the midpoints s_j = (j + 1/2)/P of softmin(beta h(r + s_j (z - r)));

then `R = f N / sum N` where the sum is usable (not tiny, the sign of f); elsewhere either
the NEON relevance (suffix `-neon`, what `neon-ref` does) or `N + (f - sum N) / d` (no
suffix; the numerators' ranking kept). beta: `auto` = 10 / mean training logit (the k-means
auto), `2auto`, `half` = 0.5 auto, `1`. Flipping as `neuralize evaluate`: features in
decreasing relevance replaced by r (mean) or by per-feature draws from the training rows
(marginal), output clipped at 0, trapezoid area / (d f). Prints each variant's gap to the
best baseline (mean / marginal imputation, %, `*` beyond 2 %) and the misses per variant.
"""
import argparse

import numpy as np

VARIANTS = {
    "ref@auto-neon": (0, "auto", "neon"),
    "ref@auto": (0, "auto", "shift"),
    "path2@auto-neon": (2, "auto", "neon"),
    "path2@auto": (2, "auto", "shift"),
    "path3@auto": (3, "auto", "shift"),
    "path4@auto": (4, "auto", "shift"),
    "path8@auto": (8, "auto", "shift"),
    "path3@2auto": (3, "2auto", "shift"),
    "path3@half": (3, "half", "shift"),
    "path2@1": (2, "1", "shift"),
    "path3@1": (3, "1", "shift"),
}
BASELINES = ["GxI", "IG", "occ"]


def softmin_rows(H, beta):
    E = np.exp(-beta * (H - H.min(axis=1, keepdims=True)))
    return E / E.sum(axis=1, keepdims=True)


def contrast(C, t):
    others = [k for k in range(len(C)) if k != t]
    return 2.0 * (C[t] - C[others]), (C[others] ** 2).sum(1) - (C[t] ** 2).sum()


def neon_midpoint(z, W, b, beta):
    """The published rules: soft-min over the contrasts, then the midpoint rule."""
    h = W @ z + b
    f = h.min()
    p = softmin_rows(h[None], beta)[0]
    R = np.zeros(len(z))
    for k in range(len(h)):
        m = -b[k] * W[k] / (W[k] @ W[k])
        n = (z - m) * W[k]
        R += p[k] * f * (n / h[k] if h[k] != 0 else 1.0 / len(z))
    return R


def explain_row(z, r, W, b, betas, beta_pub):
    h = W @ z + b
    f = h.min()
    dz = z - r
    out = {}
    for name, (P, beta, fallback) in VARIANTS.items():
        beta = betas[beta]
        if P == 0:
            pulled = softmin_rows(h[None], beta)[0] @ W
        else:
            s = (np.arange(P) + 0.5) / P
            pulled = (softmin_rows((r[None] + s[:, None] * dz[None]) @ W.T + b, beta) @ W).mean(0)
        N = pulled * dz
        total = N.sum()
        if f != 0 and abs(total) > 1e-12 * np.abs(N).sum() and (total > 0) == (f > 0):
            out[name] = f * N / total
        elif fallback == "neon":
            out[name] = neon_midpoint(z, W, b, beta)
        else:
            out[name] = N + (f - total) / len(z)
    out["GxI"] = W[h.argmin()] * dz
    s = (np.arange(32) + 0.5) / 32
    out["IG"] = W[((r[None] + s[:, None] * dz[None]) @ W.T + b).argmin(1)].mean(0) * dz
    occ = np.empty(len(z))
    for i in range(len(z)):
        zz = z.copy()
        zz[i] = r[i]
        occ[i] = f - (W @ zz + b).min()
    out["occ"] = occ
    return f, out


def area(W, b, z, order, replacements, f):
    d = len(z)
    points = []
    for v in replacements:
        p = z.copy()
        points.append(p.copy())
        for i in order:
            p[i] = v[i]
            points.append(p.copy())
    o = np.maximum((np.array(points) @ W.T + b).min(1), 0).reshape(len(replacements), d + 1)
    o = o.mean(0)
    return (0.5 * (o[:-1] + o[1:])).sum() / (d * f)


def study(X, K, seed, draws):
    from sklearn.cluster import KMeans
    from sklearn.preprocessing import StandardScaler

    perm = np.random.RandomState(seed).permutation(len(X))
    cut = 2 * len(X) // 3
    scaler = StandardScaler().fit(X[perm[:cut]])
    Ztr, Zte = scaler.transform(X[perm[:cut]]), scaler.transform(X[perm[cut:]][:200])
    C = KMeans(n_clusters=K, n_init=10, random_state=0).fit(Ztr).cluster_centers_
    D = ((Ztr[:, None, :] - C[None]) ** 2).sum(-1)
    D.sort(axis=1)
    beta_pub = 1.0 / np.mean(D[:, 1] - D[:, 0])   # the exporter's beta: 1 / mean logit
    auto = 10.0 * beta_pub
    betas = {"auto": auto, "2auto": 2 * auto, "half": 0.5 * auto, "1": 1.0}
    r = Ztr.mean(0)
    rng = np.random.RandomState(1000 + seed)
    scores = {}
    assigned = ((Zte[:, None, :] - C[None]) ** 2).sum(-1).argmin(1)
    for z, t in zip(Zte, assigned):
        W, b = contrast(C, t)
        f, R = explain_row(z, r, W, b, betas, beta_pub)
        if f <= 0:
            continue
        d = len(z)
        marginal = Ztr[rng.randint(0, len(Ztr), size=(draws, d)), np.arange(d)]
        for m, rel in R.items():
            order = sorted(range(d), key=lambda i: (-rel[i], i))
            s = scores.setdefault(m, [[], []])
            s[0].append(area(W, b, z, order, r[None], f))
            s[1].append(area(W, b, z, order, marginal, f))
    return {m: (np.mean(s[0]), np.mean(s[1])) for m, s in scores.items()}


def sets():
    from sklearn.datasets import (load_breast_cancer, load_digits, load_iris, load_wine,
                                  make_blobs)

    wine, cancer = load_wine().data, load_breast_cancer().data
    Xb, _ = make_blobs(n_samples=600, n_features=10, centers=5,
                       cluster_std=[0.6, 1.0, 1.5, 2.0, 1.2], random_state=7)
    out = [("blobs K5 s8", Xb, 5, 8), ("wine K3 s9", wine, 3, 9), ("cancer K2 s10", cancer, 2, 10)]
    out += [("wine K3 s%d" % s, wine, 3, s) for s in (11, 12, 13)]
    out += [("cancer K3 s11", cancer, 3, 11), ("cancer K3 s12", cancer, 3, 12),
            ("cancer K4 s13", cancer, 4, 13), ("wine K5 s14", wine, 5, 14),
            ("iris K3 s11", load_iris().data, 3, 11), ("iris K4 s12", load_iris().data, 4, 12),
            ("digits K10 s11", load_digits().data, 10, 11)]
    for K, seed in ((3, 21), (8, 22), (12, 23)):
        X, _ = make_blobs(n_samples=600, n_features=8, centers=K, cluster_std=1.5,
                          random_state=seed)
        out.append(("blobs K%d s%d" % (K, seed), X, K, seed))
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--only", default=None, help="comma-separated parts of set labels")
    args = ap.parse_args()
    methods = list(VARIANTS) + BASELINES
    misses = {m: [] for m in methods}
    print("| set | " + " | ".join(methods) + " |")
    print("|---|" + "---:|" * len(methods))
    for label, X, K, seed in sets():
        if args.only and not any(o in label for o in args.only.split(",")):
            continue
        res = study(X, K, seed, args.draws)
        best = [min(res[b][i] for b in BASELINES) for i in range(2)]
        cells = []
        for m in methods:
            gap = [100 * (res[m][i] / best[i] - 1) for i in range(2)]
            if max(gap) > 2.0:
                misses[m].append(label)
            cells.append("%+.1f / %+.1f%s" % (gap[0], gap[1], "*" if max(gap) > 2 else ""))
        print("| %s | %s |" % (label, " | ".join(cells)), flush=True)
    print("\n| method | sets more than 2 % behind the best baseline |\n|---|---|")
    for m in methods:
        print("| %s | %d: %s |" % (m, len(misses[m]), ", ".join(misses[m])))


if __name__ == "__main__":
    main()
