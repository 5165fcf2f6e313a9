"""NumPy screen of issue 17's last top-3 gap (planted one-class SVMs with d >= 20, where
occlusion ranks the planted features best and loses marginal flipping): is occlusion's
flipping loss in its top 3 or in the rest of its order?

    python3 scripts/top3_hybrid_screen.py DIR [DIR ...] [--seeds 1] [--tags planted_8,digits_0]

DIR is a kept held-out study (`python3 scripts/heldout_study.py --kinds planted,digits --out
DIR`: every set's model, rows and the CLI relevances in TAG.rows.npz). Kernel sets only
(one-class SVMs, kernel densities). Variants, each a relevance array whose order is scored:

- `default`, `occlusion`, `gradient-x-input`, `integrated-gradients`: the study's saved
  relevances (the CLI's);
- `occ3+def`: occlusion's 3 largest first (in its order), then the default's order of the
  rest (an order only, not a rule);
- `dbl3+def`: the same with the top 3 of the path relevance with its interaction part
  doubled, `D = 2 R0' - kappa delta^2 + o_0 / d` (`R0 = neon-path@1` through the CLI,
  `R0' = R0 - o_0 / d` its share of `o - o_0`, `kappa = sum R0' / sum delta^2`,
  `delta = z - r`; `D` sums to `o`): free given `neon-path`'s pass;
- `est3+def`: the same with the top 3 of occlusion's second-order expansion at the row,
  `gamma delta_i (z_i + r_i - 2 mu_i) + 2 gamma^2 delta_i^2 var_i` (`mu`, `var`: the mean and
  variance of coordinate i over the units under the row's soft-min weights; two products
  with the units);
- `lean-dbl`: a conserving rule with that top 3: `R_i = D_i` on it, the default's relevances
  shifted evenly on the rest so the row sums to `o`;
- `lean-dbl-ref`: the same, the rest re-shared as `neon-lean` re-shares (`l = 1`): by the
  split under the reference's soft-min weights, `N_ref,i = delta_i (z_i + r_i - 2 mu_i(r))`.
- `mix3+def`: the top 3 of `(R0 + est) / 2` (both in units of the output), then the
  default's order; `borda3+def`: the top 3 by the sum of each feature's places in `R0`'s and
  `est`'s orders (ties: `est`'s);
- `resid3+def`: the top 3 of the standardized residual under the row's Hessian `A = 2 gamma I
  - 4 gamma^2 Cov_p(U)` (the soft-min covariance of the units), `sign(delta_i (A delta)_i)
  (A delta)_i^2 / A_ii`: how little the other features explain feature i (for a Gaussian
  with precision A, the statistic of "feature i alone was pushed"); `A delta` needs one
  product with the units beyond the cross terms.

Printed per set: `gamma s` (the kernel's width against the units' spread, s = the median
pairwise squared distance of the units, as `@auto`), then per variant the flipping gap to
the best of occlusion, gradient x input and integrated gradients (mean / marginal
imputation, marginal averaged over draw seeds 0..seeds-1, 20 draws, %) and, on planted sets,
top-3 precision minus the best of the three.
"""
import argparse
import glob
import io
import json
import os
import subprocess
import sys

import numpy as np
from scipy.spatial.distance import pdist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_rows import Outputs, row_areas  # noqa: E402
from top3_row_screen import expansion, row_softmin  # noqa: E402

BASELINES = ["occlusion", "gradient-x-input", "integrated-gradients"]
TOP = 3
DRAWS = 20


def load_csv(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def lead_then(first, rest):
    """An order as scores: `first`'s TOP largest lead, then the others in `rest`'s order."""
    n, d = first.shape
    out = np.empty_like(rest)
    for r in range(n):
        top = list(np.argsort(-first[r], kind="stable")[:TOP])
        others = [i for i in np.argsort(-rest[r], kind="stable") if i not in top]
        out[r, top + others] = np.arange(d, 0, -1, dtype=float)
    return out


def cli_relevance(binary, stem, method):
    out = subprocess.run([binary, "explain", "-m", stem + ".json", "-i", stem + ".test.csv",
                          "-o", "-", "--method", method],
                         capture_output=True, text=True, check=True).stdout
    return load_csv(io.StringIO(out))[:, 2:]


def variants(binary, stem, model, saved, X, ref):
    f = Outputs(model)
    Z, r = f._z(X), f._z(ref[None])[0]
    delta = Z - r
    floor = f.b.min() - np.log(np.sum(np.exp(-(f.b - f.b.min()))))   # o_0
    d = X.shape[1]
    R0 = cli_relevance(binary, stem, "neon-path@1")
    o = R0.sum(axis=1)
    excess = R0 - floor / d
    kappa = excess.sum(axis=1) / np.maximum((delta * delta).sum(axis=1), 1e-300)
    D = 2 * excess - kappa[:, None] * delta * delta + floor / d
    default = saved["R default"]
    out = {m: saved["R " + m] for m in ["default"] + BASELINES}
    out["occ3+def"] = lead_then(saved["R occlusion"], default)
    out["dbl3+def"] = lead_then(D, default)
    p, mu, var = row_softmin(f, Z)
    est = expansion(f, Z, r, mu, var)
    out["est3+def"] = lead_then(est, default)
    out["mix3+def"] = lead_then(0.5 * (R0 + est), default)
    places = lambda s: np.argsort(np.argsort(-s, axis=1, kind="stable"), axis=1, kind="stable")
    borda = -(places(R0) + places(est)) - 1e-3 * places(est)
    out["borda3+def"] = lead_then(borda, default)
    # A delta = 2 gamma delta - 4 gamma^2 (E_p[u (u . delta)] - mu (mu . delta)).
    u_delta = delta @ f.U.T
    a_delta = (2 * f.gamma * delta
               - 4 * f.gamma ** 2 * ((p * u_delta) @ f.U - mu * (mu * delta).sum(1)[:, None]))
    a_diag = np.maximum(2 * f.gamma - 4 * f.gamma ** 2 * var, 1e-300)
    resid = np.sign(delta * a_delta) * a_delta ** 2 / a_diag
    out["resid3+def"] = lead_then(resid, default)
    h_ref = f.gamma * ((r - f.U) ** 2).sum(axis=1) + f.b
    p_ref = np.exp(-(h_ref - h_ref.min()))
    n_ref = delta * (Z + r - 2 * (p_ref / p_ref.sum()) @ f.U)
    lean, lean_ref = default.copy(), default.copy()
    for i in range(len(X)):
        top = np.argsort(-D[i], kind="stable")[:TOP]
        rest = np.setdiff1d(np.arange(d), top)
        lean[i, top] = D[i, top]
        lean[i, rest] += (o[i] - D[i, top].sum() - default[i, rest].sum()) / len(rest)
        carried = o[i] - D[i, top].sum() - len(rest) * floor / d
        total = n_ref[i, rest].sum()
        if carried > 0 and total > 1e-12 * np.abs(n_ref[i, rest]).sum():
            lean_ref[i, top] = D[i, top]
            lean_ref[i, rest] = carried * n_ref[i, rest] / total + floor / d
    for name, R in (("lean-dbl", lean), ("lean-dbl-ref", lean_ref)):
        assert np.allclose(R.sum(axis=1), o, atol=1e-8 * (1 + np.abs(o).max())), name
    out["lean-dbl"], out["lean-dbl-ref"] = lean, lean_ref
    return out, f


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--seeds", type=int, default=1, help="marginal draw seeds")
    ap.add_argument("--tags", default="", help="only these sets (e.g. planted_8,digits_0)")
    ap.add_argument("--binary", default="target/release/neuralize")
    ap.add_argument("--variants", default="",
                    help="only these variants (the four saved ones are always scored)")
    args = ap.parse_args()
    tags = set(filter(None, args.tags.split(",")))
    for folder in args.dirs:
        for path in sorted(glob.glob(os.path.join(folder, "*.rows.npz"))):
            stem = path[:-len(".rows.npz")]
            tag = os.path.basename(stem)
            model = json.load(open(stem + ".json"))
            if (tags and tag not in tags) or model["model"] not in ("one_class_svm",
                                                                     "kernel_density"):
                continue
            saved = np.load(path)
            X, train = load_csv(stem + ".test.csv"), load_csv(stem + ".train.csv")
            R, f = variants(args.binary, stem, model, saved, X, train.mean(axis=0))
            keep = set(filter(None, args.variants.split(",")))
            R = {k: v for k, v in R.items()
                 if not keep or k in keep or k in ["default"] + BASELINES}
            planted = saved["planted"] if saved["planted"].ndim == 2 else None
            scores = {}
            for name, rel in R.items():
                _, a = row_areas(model, X, rel, train, DRAWS, 0)
                marginal = [a[:, 1]] + [row_areas(model, X, rel, train, DRAWS, s,
                                                  mean=False)[1][:, 1]
                                        for s in range(1, args.seeds)]
                top3 = np.nan
                if planted is not None:
                    top = np.argsort(-rel, axis=1, kind="stable")[:, :TOP]
                    top3 = np.mean([len(set(t) & set(p)) / TOP for t, p in zip(top, planted)])
                scores[name] = (a[:, 0].mean(), np.mean(marginal), top3)
            best = [min(scores[b][c] for b in BASELINES) for c in (0, 1)]
            best3 = max(scores[b][2] for b in BASELINES)
            width = f.gamma * np.median(pdist(f.U, "sqeuclidean"))
            cells = ["%s %+.1f/%+.1f%s" % (name, 100 * (s[0] / best[0] - 1),
                                           100 * (s[1] / best[1] - 1),
                                           "" if np.isnan(s[2]) else " t3 %+.3f" % (s[2] - best3))
                     for name, s in scores.items()]
            print("%s/%s %s d %d gamma s %.1f | %s" % (os.path.basename(folder), tag,
                                                      model["model"], X.shape[1], width,
                                                      " | ".join(cells)), flush=True)


if __name__ == "__main__":
    main()
