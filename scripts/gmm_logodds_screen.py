"""NumPy screen of reference-rooted rules for a Gaussian mixture's log-odds target
(`neuralize explain --target log-odds`), against the shipped rule (`neon`, split from each
component's mean) and the baselines, by feature flipping of the log-odds on held-out rows:

    python3 scripts/gmm_logodds_screen.py [--bin target/release/neuralize] [--out DIR]

The target of a row z (standardized) is f_c(z) = -log sum_{k != c} exp(-d_k(z)), d_k = q_k -
q_c, c the assigned component (docs/detectors.md). Every contrast is quadratic in z, so over a
straight piece from a to b its change is exactly (b - a) . grad d_k((a + b) / 2). The screened
rule `pathN` walks the path r -> z (r the reference, the training rows' mean) in N equal
pieces, freezes the soft-min weights p(s) of the contrasts at each piece's midpoint s_j (the
exact weights of f's gradient there) and sums

    N_i = delta_i / N sum_j sum_{k != c} p_k(s_j) d/dz_i d_k(r + s_j delta),   delta = z - r,

i.e. integrated gradients with N midpoint steps; the row's target is shared by N as the
k-means `neon-path` shares (R = f N / sum N where the sum is usable and of f's sign, else
R = N + (f - sum N) / d), so every row conserves. Cost: N gradient evaluations (each about a
forward pass) per row.

Also `occ-share`: exact single-feature occlusion of f_c at the reference (each occluded
feature changes every q_k by a rank-one term, so all d of them cost K d products and K d
exponentials after the row's pulls P_k (z - mu_k); checked equal to the CLI's `occlusion`), shared to
conserve as above; `split-occ`: NEON-style, each contrast's soft-min share of f_c split over
the features by that contrast's own occlusion terms; and two orders (not rules): `occ3+path`,
occlusion's 3 largest first and then the last path rule's order, and `path3+occ`, the
other way round. `inc-share`: the mirror image of occlusion, each feature alone added to the
reference, f_c(r + delta_i e_i) - f_c(r) (rank-one at r, same cost), shared to conserve;
`shap2`: the mean of the two (Shapley's estimate from a feature's first and last place;
the exact Shapley value when the target is quadratic), shared to conserve.

Sets: GaussianMixture (scikit-learn) in a Pipeline with a StandardScaler, trained on 2/3 of the
rows, the rest explained (those with f > 0: all, f >= 0 for the assigned component): iris
(K 3, full), wine (K 3, tied), breast cancer (K 2, full), digits (K 10, diag), blobs (K 5,
spherical), each with two split seeds. Gap = area / the best of occlusion, gradient x input and
integrated gradients - 1 (mean / marginal imputation, 20 draws, %).
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402
from export_sklearn import to_neuralize, write_model  # noqa: E402
from flip_rows import classifier_row_areas  # noqa: E402
from neon_oracle_detectors import gmm_biases, gmm_factors  # noqa: E402
from top3_hybrid_screen import lead_then  # noqa: E402

BASELINES = ["occlusion", "gradient-x-input", "integrated-gradients"]
DRAWS = 20


class LogOdds:
    """f_c(z) of a neuralize/1 gaussian_mixture model dict (rows in input space)."""

    def __init__(self, model):
        self.means = np.asarray(model["means"], dtype=np.float64)
        self.U = gmm_factors(model)
        self.P = np.array([u @ u.T for u in self.U])
        self.b = gmm_biases(model)
        self.model = model

    def z(self, X):
        return neon_oracle.standardize(np.asarray(X, dtype=np.float64), self.model.get("scaler"))

    def q(self, Z):
        return np.column_stack([0.5 * (((Z - mu) @ u) ** 2).sum(axis=1)
                                for mu, u in zip(self.means, self.U)]) + self.b

    def classes(self, X):
        return np.argmin(self.q(self.z(X)), axis=1)

    def contrasts(self, Z, c):
        q = self.q(Z)
        d = q - q[np.arange(len(Z)), c][:, None]
        d[np.arange(len(Z)), c] = np.inf
        return d

    def __call__(self, X, c):
        d = self.contrasts(self.z(X), c)
        low = d.min(axis=1)
        return low - np.log(np.exp(-(d - low[:, None])).sum(axis=1))

    def gradient_z(self, Z, c):
        """df_c/dz = sum_{k != c} p_k (P_k (z - mu_k) - P_c (z - mu_c)), p = softmin(d)."""
        d = self.contrasts(Z, c)
        p = np.exp(-(d - d.min(axis=1)[:, None]))
        p /= p.sum(axis=1)[:, None]
        pulls = np.stack([(Z - mu) @ P for mu, P in zip(self.means, self.P)], axis=1)
        own = pulls[np.arange(len(Z)), c]
        return np.einsum("nk,nkd->nd", p, pulls) - own * p.sum(axis=1)[:, None]


def path_rule(f, X, r_input, pieces):
    Z, r = f.z(X), f.z(r_input[None])[0]
    c = f.classes(X)
    delta = Z - r
    N = np.zeros_like(Z)
    for j in range(pieces):
        s = (j + 0.5) / pieces
        N += f.gradient_z(r + s * delta, c) * delta / pieces
    target = f(X, c)
    R = share(N, target)
    assert np.allclose(R.sum(axis=1), target, atol=1e-9 * (1 + np.abs(target).max()))
    return R


def share(N, target):
    """`neon-path`'s share: R = f N / sum N where the sum is usable and of f's sign, else
    R = N + (f - sum N) / d; every row sums to f."""
    total = N.sum(axis=1)
    R = N + ((target - total) / N.shape[1])[:, None]
    ok = (np.abs(total) > 1e-12 * np.abs(N).sum(axis=1)) & ((total > 0) == (target > 0))
    R[ok] = (target[ok] / total[ok])[:, None] * N[ok]
    return R


def occlusion_rules(f, X, r_input):
    """`occ-share`: exact single-feature occlusion of f_c (each feature at the reference, a
    rank-one change of every q_k: q_k - delta_i (P_k (z - mu_k))_i + delta_i^2 P_k,ii / 2),
    shared to conserve. `split-occ`: NEON-style, each contrast's soft-min share of f_c split
    over the features by that contrast's own occlusion terms t_ki = d_k(z) - d_k(z, i at r).
    `inc-share` and `shap2` (module doc) from the inclusion terms at the reference."""
    Z, r = f.z(X), f.z(r_input[None])[0]
    c = f.classes(X)
    n, d = Z.shape
    delta = Z - r
    pulls = np.stack([(Z - mu) @ P for mu, P in zip(f.means, f.P)], axis=1)     # (n, K, d)
    diag = np.array([np.diag(P) for P in f.P])                                  # (K, d)
    q = f.q(Z)
    q_occ = q[:, :, None] - delta[:, None, :] * pulls + 0.5 * delta[:, None, :] ** 2 * diag[None]
    rows = np.arange(n)
    d_occ = q_occ - q_occ[rows, c][:, None, :]
    d_occ[rows, c, :] = np.inf
    low = d_occ.min(axis=1)
    f_occ = low - np.log(np.exp(-(d_occ - low[:, None, :])).sum(axis=1))       # (n, d)
    target = f(X, c)
    occ = target[:, None] - f_occ
    contrasts = f.contrasts(Z, c)
    p = np.exp(-(contrasts - contrasts.min(axis=1)[:, None]))
    p /= p.sum(axis=1)[:, None]                                                 # 0 at k = c
    t = (q[:, :, None] - q_occ) - (q[rows, c][:, None, None] - q_occ[rows, c][:, None, :])
    t[rows, c, :] = 0.0
    split = np.einsum("nk,nkd->nd", p, t)
    # Inclusion: each feature alone moved from the reference to the row, a rank-one change of
    # every q_k at r: q_k(r) + delta_i (P_k (r - mu_k))_i + delta_i^2 P_k,ii / 2.
    R0 = np.repeat(r[None], n, axis=0)
    pulls_r = np.stack([(R0 - mu) @ P for mu, P in zip(f.means, f.P)], axis=1)
    q_r = f.q(R0)
    q_inc = q_r[:, :, None] + delta[:, None, :] * pulls_r + 0.5 * delta[:, None, :] ** 2 * diag[None]
    d_inc = q_inc - q_inc[rows, c][:, None, :]
    d_inc[rows, c, :] = np.inf
    low = d_inc.min(axis=1)
    f_inc = low - np.log(np.exp(-(d_inc - low[:, None, :])).sum(axis=1))
    dr = q_r - q_r[rows, c][:, None]
    dr[rows, c] = np.inf
    lowr = dr.min(axis=1)
    f_r = lowr - np.log(np.exp(-(dr - lowr[:, None])).sum(axis=1))
    inc = f_inc - f_r[:, None]
    return occ, share(occ, target), share(split, target), share(inc, target), share(0.5 * (occ + inc), target)


def cli_relevance(binary, model, inp, method):
    out = subprocess.run([binary, "explain", "-m", model, "-i", inp, "-o", "-", "--method",
                          method, "--target", "log-odds"],
                         capture_output=True, text=True, check=True).stdout
    return np.loadtxt(out.splitlines(), delimiter=",", skiprows=1, ndmin=2)[:, 2:]


def sets():
    from sklearn.datasets import (load_breast_cancer, load_digits, load_iris, load_wine,
                                  make_blobs)
    blobs, _ = make_blobs(n_samples=900, n_features=6, centers=5, cluster_std=1.2,
                          random_state=5)
    for name, X, k, kind in (("iris", load_iris().data, 3, "full"),
                             ("wine", load_wine().data, 3, "tied"),
                             ("breast cancer", load_breast_cancer().data, 2, "full"),
                             ("digits", load_digits().data, 10, "diag"),
                             ("blobs", blobs, 5, "spherical")):
        for seed in (1, 2):
            yield name, X, k, kind, seed


def main():
    from sklearn.mixture import GaussianMixture
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/neuralize")
    ap.add_argument("--out", default=None)
    ap.add_argument("--pieces", default="1,2,3")
    args = ap.parse_args()
    out = args.out or tempfile.mkdtemp(prefix="gmm_logodds_")
    os.makedirs(out, exist_ok=True)
    pieces = [int(p) for p in args.pieces.split(",")]
    names = (["neon"] + ["path%d" % p for p in pieces] + ["occ-share", "split-occ", "inc-share", "shap2"]
             + ["occ3+path", "path3+occ"] + BASELINES)
    print("| set | rows | " + " | ".join(names) + " | best baseline (mean / marginal) |")
    print("|---|---:|" + "---:|" * (len(names) + 1))
    for name, X, k, kind, seed in sets():
        perm = np.random.RandomState(seed).permutation(len(X))
        cut = 2 * len(X) // 3
        train, test = X[perm[:cut]], X[perm[cut:]]
        est = make_pipeline(StandardScaler(), GaussianMixture(k, covariance_type=kind,
                                                              random_state=0, reg_covar=1e-6))
        est.fit(train)
        cols = ["f%d" % i for i in range(X.shape[1])]
        tag = "%s_%d" % (name.replace(" ", "_"), seed)
        model_path, test_path = os.path.join(out, tag + ".json"), os.path.join(out, tag + ".csv")
        model = to_neuralize(est, X_train=train, feature_names=cols, dataset=name)
        write_model(model_path, model)
        np.savetxt(test_path, test, delimiter=",", header=",".join(cols), comments="")
        model = json.load(open(model_path))
        f = LogOdds(model)
        rel = {m: cli_relevance(args.bin, model_path, test_path, m) for m in ["neon"] + BASELINES}
        for p in pieces:
            rel["path%d" % p] = path_rule(f, test, train.mean(axis=0), p)
        occ, rel["occ-share"], rel["split-occ"], rel["inc-share"], rel["shap2"] = occlusion_rules(f, test, train.mean(axis=0))
        # Orders only: occlusion's 3 largest first, then the last path rule's order, and the
        # other way round (scripts/top3_hybrid_screen.py's `lead_then`).
        path = rel["path%d" % pieces[-1]]
        rel["occ3+path"] = lead_then(rel["occ-share"], path)
        rel["path3+occ"] = lead_then(path, rel["occ-share"])
        # The rank-one occlusion is the CLI's occlusion (d + 1 forward passes per row).
        scale = 1e-8 * (1 + np.abs(rel["occlusion"]).max())
        assert np.allclose(occ, rel["occlusion"], rtol=1e-8, atol=scale), tag
        areas = {}
        for m, R in rel.items():
            kept, a = classifier_row_areas(f, test, R, train, DRAWS, 0)
            areas[m] = a.mean(axis=0)
        best = [min(areas[b][i] for b in BASELINES) for i in range(2)]
        leader = [min(BASELINES, key=lambda b: areas[b][i]) for i in range(2)]
        print("| %s K %d %s, seed %d | %d | %s | %s / %s |" % (
            name, k, kind, seed, len(kept), " | ".join(
                "%+.1f / %+.1f" % tuple(100 * (areas[m][i] / best[i] - 1) for i in range(2))
                for m in names), leader[0], leader[1]), flush=True)


if __name__ == "__main__":
    main()
