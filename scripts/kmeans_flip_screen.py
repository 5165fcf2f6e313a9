"""NumPy screen of flip-ordered paths for k-means (issue 17's k-means misses), on the sets a
held-out study run kept (`python3 scripts/heldout_study.py --out DIR`; the k-means sets are
DIR/k-means_*.{json,train.csv,test.csv,rows.npz}):

    python3 scripts/kmeans_flip_screen.py DIR [--seeds 3] [--variants straight,g3,...]

The explained output of a row z (standardized) is the logit of its cluster t, the soft-min
over LINEAR contrasts h_k(x) = w_k . x + b_k (w_k = 2 (mu_t - mu_k), k != t).
`neon-path@auto` ("straight"; the default until stop 28, now `inv1:near56`,
`neon-spread@auto`) freezes the soft-min weights at the midpoints of 3
pieces of the straight path r -> z. A flip-ordered path walks from z back to the reference r
in groups G_1, G_2, ..., G_m of a first-pass order (largest first-pass relevance first):
piece k moves only the features of G_k (G_<k already at r, G_>k still at z). Each contrast's
change over piece k is sum_{i in G_k} w_ki (z_i - r_i), exact per feature; the soft-min
weights are frozen at sub-nodes (G_k at z - s (z - r), s = 1/4, 3/4), so

    N_i = (sum_k pbar^(k(i))_k w_ki) (z_i - r_i)   (pbar^(g) the mean weights of piece g)

and the logit is shared as the default does (`scale`: R = f N / sum N where sum N is usable,
else R = N + (f - sum N) / d; `shift`: always R = N + (f - sum N) / d).

Variants (`--variants`, comma-separated; the first pass is the default's relevance R0 unless
prefixed `x-` (gradient x input) or `o-` (occlusion); `@m` multiplies beta, `:shift` always
spreads the rest evenly):
- `straight`: the default itself (checked against the study's saved relevances, 1e-8);
- `gN`: 2 groups (top N, the rest); `gNx`: groups of N; `g1x`: one feature per piece (under
  mean imputation exactly the flipping trajectory); `geo`: groups 1, 2, 4, 8, ...;
  `massF`: 2 groups, the top features until their positive first-pass relevance reaches F of
  its total; `iter2`: `g1x` ordered by a `g1x` pass;
- `mixg3`, `mixg1x`: the mean of the straight and the flip-ordered numerators;
- `adaA:V` (e.g. `ada.5:g3`): a per-row mix (1 - l) R0 + l R_V of the default's relevance
  and variant V's, l = A c^2, c = the share of the row's positive R0 held by its top 3
  features (the rbf rule of scripts/flip_screen.py on the k-means flip path; conserving,
  both sum to the logit); `invA:V` the same with the opposite gate, l = A (1 - c)^2
  (rows with spread relevance move most); `twoA_B:V` both, l = min(1, A (1 - c)^2 + B c^2);
  `deepA_B:V`: `neon-spread@auto` (`inv1:near56`) moved toward V in rows deep in their cell,
  l = ramp(f beta0; A -> 0, B -> 1), beta0 = 1 / the mean training logit (the model's beta);
- `lex-gN`: the order of `gN` made consistent (group 1 before group 2, inside a group by the
  flip numerators), the first pass's sorted values handed out in that order (conserving);
- cheap non-flip ideas for the two misses: `nodesA/B/..` (straight path, weights at the
  listed nodes s of r + s (z - r)), `near` (= nodes 1/2, 5/6, 1), `near2`, `near1`,
  `near56` (nodes 5/6 and 1 exactly: `inv1:near56` is `neon-spread@auto`),
  `mixgxiA` (numerators (1 - A) N + A x gradient x input's), `blendocc[A]`, `blendgxi`
  ((1 - A) R0 + A x occlusion's / gradient x input's relevance shared as R0; A = 0.5);
- the rbf `neon-lean` rule on k-means (reference-pooled rest): `krefA` (A = 1 if omitted,
  e.g. `kref`, `kref.5`): the top 3 of R0 kept, the rest's relevance re-shared by the
  numerators with the soft-min weights frozen at the reference,
  N_ref,i = (z_i - r_i) sum_k p_k(r) w_ki (`nodes0`'s numerators), l = A c^2 (rows with the
  rest's R0 sum <= 0 or an unusable sum N_ref over the rest keep R0); `mrefA`: the whole-row
  mix (1 - l) R0 + l R_ref, R_ref the logit shared by N_ref as the default shares it
  (= `adaA:nodes0`); diagnostics: `krefcA` (the `kref` rule ungated, l = A on every
  row), `krowA` (`krefA` with the rest re-shared by the row's own weights p(z) instead).

`--tune A,B,...` adds the variant `tuned`: tune's pick among A, B, ... (A the default) on up
to 300 training rows, scored as `neuralize tune` scores (a per-model choice).

Printed per set: gap to the best of occlusion, gradient x input and integrated gradients
(mean imputation / marginal imputation averaged over draw seeds 0..seeds-1, %), then per
variant the mean and worst gap and the sets beyond 2 %.
"""
import argparse
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import neon_oracle  # noqa: E402
from flip_rows import row_areas  # noqa: E402

BASELINES = ["occlusion", "gradient-x-input", "integrated-gradients"]
AUTO = 10.0


def load_csv(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


class Rows:
    """The explained rows of one set: z, r, cluster, contrasts W (n, K-1, d), b, h(z), f."""

    def __init__(self, model, X):
        C = np.asarray(model["centroids"], dtype=np.float64)
        beta = model.get("beta")
        self.beta = AUTO * (neon_oracle.default_kmeans_beta(C) if beta is None else beta)
        self.Z = neon_oracle.standardize(X, model.get("scaler"))
        self.r = neon_oracle.standardize(np.asarray(model["reference"], dtype=np.float64)[None],
                                         model.get("scaler"))[0]
        n, d = self.Z.shape
        K = len(C)
        D = ((self.Z[:, None, :] - C[None]) ** 2).sum(-1)
        self.t = D.argmin(1)
        others = np.array([[k for k in range(K) if k != t] for t in range(K)])[self.t]
        self.W = 2.0 * (C[self.t][:, None, :] - C[others])           # (n, K-1, d)
        self.b = (C[others] ** 2).sum(-1) - (C[self.t] ** 2).sum(-1)[:, None]
        self.dz = self.Z - self.r
        self.hz = np.einsum("nkd,nd->nk", self.W, self.Z) + self.b
        self.hr = np.einsum("nkd,d->nk", self.W, self.r) + self.b
        self.f = self.hz.min(1)
        self.Cn = self.W * self.dz[:, None, :]                         # contributions (n, K-1, d)
        self.d = d


def softmin(H, beta):
    E = np.exp(-beta * (H - H.min(-1, keepdims=True)))
    return E / E.sum(-1, keepdims=True)


def share(N, f, rule):
    d = N.shape[1]
    total = N.sum(1)
    shift = N + ((f - total) / d)[:, None]
    if rule == "shift":
        return shift
    ok = (f != 0) & (np.abs(total) > 1e-12 * np.abs(N).sum(1)) & ((total > 0) == (f > 0))
    R = shift.copy()
    R[ok] = (f[ok] / total[ok])[:, None] * N[ok]
    return R


def straight_numerators(rows, beta, pieces=3):
    s = (np.arange(pieces) + 0.5) / pieces
    H = rows.hr[:, None, :] + s[None, :, None] * (rows.hz - rows.hr)[:, None, :]
    p = softmin(H, beta).mean(1)                                      # (n, K-1)
    return np.einsum("nk,nkd->nd", p, rows.W) * rows.dz


def flip_numerators(rows, beta, piece, sub=(0.25, 0.75)):
    """piece (n, d) int: the piece number of every feature (0 = moved first, from z)."""
    n, d = piece.shape
    N = np.zeros((n, d))
    done = np.zeros_like(rows.hz)           # sum of the contributions of the moved features
    for g in range(piece.max() + 1):
        mask = piece == g
        if not mask.any():
            continue
        moving = np.einsum("nkd,nd->nk", rows.Cn, mask.astype(float))
        p = np.zeros_like(rows.hz)
        for s in sub:
            p += softmin(rows.hz - done - s * moving, beta) / len(sub)
        N += np.where(mask, np.einsum("nk,nkd->nd", p, rows.W) * rows.dz, 0.0)
        done += moving
    return N


def pieces_from_order(R0, sizes):
    """Group of each feature: consecutive groups of the sizes (last = the rest)."""
    order = np.array([neg_order(r) for r in R0])
    rank = np.argsort(order, axis=1)
    bounds = np.cumsum(sizes)
    return np.searchsorted(bounds, rank, side="right")


def neg_order(r):
    negative_zero = (r == 0) & np.signbit(r)
    return np.lexsort((np.arange(len(r)), negative_zero, -r))


def pieces_by_mass(R0, frac):
    """2 groups: the top features until their relevance reaches frac of the positive total."""
    order = np.array([neg_order(r) for r in R0])
    sorted_r = np.take_along_axis(R0, order, 1)
    pos = np.maximum(sorted_r, 0).cumsum(1)
    total = pos[:, -1:]
    # group 0 = positions before (and including) the first where cumsum >= frac total
    k = (pos < frac * total).sum(1) + 1
    rank = np.argsort(order, axis=1)
    return (rank >= k[:, None]).astype(int)


def occlusion(rows):
    """f - f(z with feature i at r): hard-min over the contrasts."""
    H = rows.hz[:, :, None] - rows.Cn                                 # (n, K-1, d)
    return rows.f[:, None] - H.min(1)


def gxi(rows):
    k = rows.hz.argmin(1)
    return rows.W[np.arange(len(k)), k] * rows.dz


def top_share(R0, k=3):
    """Per row: the share of the positive relevance held by the k largest values."""
    P = -np.sort(-np.maximum(R0, 0.0), axis=1)
    return P[:, :k].sum(axis=1) / np.maximum(P.sum(axis=1), 1e-300)


def ref_numerators(rows, beta):
    """N_ref,i = (z_i - r_i) sum_k p_k(r) w_ki: the soft-min weights of the row's cluster's
    contrasts frozen AT THE REFERENCE, p(r) = softmin(beta h(r)) (one vector per model and
    cluster; the straight path with one node at s = 0, the same as `nodes0`)."""
    return np.einsum("nk,nkd->nd", softmin(rows.hr, beta), rows.W) * rows.dz


def kref(R0, Nref, a, top=3, gate=True):
    """The rbf `neon-lean` rule on k-means (src/network/kernel/path_lean.rs, no flat floor:
    the k-means default has none): the top `top` values of R0 (ties: lower index first) kept,
    the rest's relevance E = sum_rest R0 re-shared by the reference-frozen numerators,
    R_i = (1 - l) R0_i + l E N_ref,i / sum_rest N_ref,  l = a c^2, c the share of the row's
    positive R0 held by its top (`gate=False`: l = a on every row). Rows with E <= 0 or an
    unusable rest total (tiny, or not of E's sign) keep R0. Conserving: the top keep their
    values, the rest its sum."""
    n, d = R0.shape
    order = np.argsort(-R0, axis=1, kind="stable")
    in_top = np.zeros((n, d), dtype=bool)
    np.put_along_axis(in_top, order[:, :top], True, 1)
    lam = a * top_share(R0, top) ** 2 if gate else np.full(n, a)
    rest = np.where(in_top, 0.0, Nref)
    total, magnitude = rest.sum(1), np.abs(rest).sum(1)
    E = np.where(in_top, 0.0, R0).sum(1)
    ok = (E > 0) & (np.abs(total) > 1e-12 * magnitude) & ((total > 0) == (E > 0)) & (lam > 0)
    scale = np.where(ok, E / np.where(ok, total, 1.0), 0.0)
    mixed = (1 - lam)[:, None] * R0 + (lam * scale)[:, None] * rest
    return np.where(ok[:, None] & ~in_top, mixed, R0)


def variants(rows, which):
    beta = rows.beta
    N0 = straight_numerators(rows, beta)
    R0 = share(N0, rows.f, "scale")
    out = {}
    for name in which:
        if name == "straight":
            out[name] = R0
            continue
        if name.startswith("ada"):         # per-row share: l = A c^2 of variant V
            a_, v_ = name[3:].split(":", 1)
            lam = float(a_) * top_share(R0) ** 2
            out[name] = (1 - lam)[:, None] * R0 + lam[:, None] * variants(rows, [v_])[v_]
            continue
        if name.startswith("inv"):         # the opposite gate: l = A (1 - c)^2 of variant V
            a_, v_ = name[3:].split(":", 1)
            lam = float(a_) * (1 - top_share(R0)) ** 2
            out[name] = (1 - lam)[:, None] * R0 + lam[:, None] * variants(rows, [v_])[v_]
            continue
        if name.startswith("two"):         # both gates: l = min(1, A (1 - c)^2 + B c^2)
            ab, v_ = name[3:].split(":", 1)
            a_, b_ = (float(v) for v in ab.split("_"))
            c = top_share(R0)
            lam = np.minimum(1.0, a_ * (1 - c) ** 2 + b_ * c ** 2)
            out[name] = (1 - lam)[:, None] * R0 + lam[:, None] * variants(rows, [v_])[v_]
            continue
        if name.startswith("deep"):        # the default moved toward V in deep rows:
            ab, v_ = name[4:].split(":", 1)  # l = ramp(f beta0; A -> 0, B -> 1)
            a_, b_ = (float(v) for v in ab.split("_"))
            lam = np.clip((rows.f * beta / AUTO - a_) / (b_ - a_), 0.0, 1.0)
            base_ = variants(rows, ["inv1:near56"])["inv1:near56"]
            out[name] = (1 - lam)[:, None] * base_ + lam[:, None] * variants(rows, [v_])[v_]
            continue
        base, _, rule = name.partition(":")
        rule = rule or "scale"
        b = beta
        if "@" in base:
            base, mult = base.split("@")
            b = beta * float(mult)
        first = R0
        if base.startswith("o-"):          # first pass = occlusion
            first, base = occlusion(rows), base[2:]
        elif base.startswith("x-"):        # first pass = gradient x input
            first, base = gxi(rows), base[2:]
        if base.startswith("krefc"):       # diagnostic: the same, ungated (l = A every row)
            out[name] = kref(R0, ref_numerators(rows, b), float(base[5:] or 1), gate=False)
            continue
        if base.startswith("kref"):        # top 3 of R0 kept, the rest by N_ref, l = A c^2
            out[name] = kref(R0, ref_numerators(rows, b), float(base[4:] or 1))
            continue
        if base.startswith("krow"):        # diagnostic: the rest by the ROW's weights p(z)
            Nrow = np.einsum("nk,nkd->nd", softmin(rows.hz, b), rows.W) * rows.dz
            out[name] = kref(R0, Nrow, float(base[4:] or 1))
            continue
        if base.startswith("mref"):        # whole-row mix with N_ref's share of the logit
            a_ = float(base[4:] or 1)
            lam = a_ * top_share(R0) ** 2
            Rr = share(ref_numerators(rows, b), rows.f, rule)
            out[name] = (1 - lam)[:, None] * R0 + lam[:, None] * Rr
            continue
        if base == "gxi":
            N = gxi(rows)
        elif base == "mixg3":
            N = 0.5 * N0 + 0.5 * flip_numerators(rows, b, pieces_from_order(first, [3]))
        elif base == "mixg1x":
            N = 0.5 * N0 + 0.5 * flip_numerators(rows, b, pieces_from_order(first, [1] * rows.d))
        elif base.startswith("mass"):
            N = flip_numerators(rows, b, pieces_by_mass(first, float(base[4:])))
        elif base == "geo":
            N = flip_numerators(rows, b, pieces_from_order(first, [1, 2, 4, 8, 16, 32, 64]))
        elif base == "g1x":
            N = flip_numerators(rows, b, pieces_from_order(first, [1] * rows.d))
        elif base.startswith("g") and base.endswith("x"):
            g = int(base[1:-1])
            N = flip_numerators(rows, b, pieces_from_order(first, [g] * rows.d))
        elif base.startswith("g"):
            N = flip_numerators(rows, b, pieces_from_order(first, [int(base[1:])]))
        elif base == "iter2":              # flip path ordered by a flip path (g1x) again
            R1 = share(flip_numerators(rows, b, pieces_from_order(first, [1] * rows.d)),
                       rows.f, rule)
            N = flip_numerators(rows, b, pieces_from_order(R1, [1] * rows.d))
        elif base == "straight":           # the straight path at another beta / rule
            N = straight_numerators(rows, b)
        elif base == "occ":                # occlusion shared as a numerator
            N = occlusion(rows)
        elif base.startswith("lex"):        # groups in first-pass order, reordered inside
            piece = pieces_from_order(first, [int(base[5:])])
            N = flip_numerators(rows, b, piece)
            # rank by (group, -N); hand out the first pass's sorted values in that order
            key = np.array([np.lexsort((-n_, p_)) for n_, p_ in zip(N, piece)])
            vals = -np.sort(-first, axis=1)
            Rl = np.empty_like(first)
            np.put_along_axis(Rl, key, vals, 1)
            out[name] = Rl
            continue
        elif base.startswith("near"):      # straight path, nodes nearer the row
            s_ = {"near": [0.5, 5 / 6, 1.0], "near2": [0.75, 1.0], "near1": [1.0],
                  "near56": [5 / 6, 1.0]}[base]
            H = rows.hr[:, None, :] + np.array(s_)[None, :, None] * (rows.hz - rows.hr)[:, None, :]
            N = np.einsum("nk,nkd->nd", softmin(H, b).mean(1), rows.W) * rows.dz
        elif base.startswith("nodes"):     # straight path, weights at the listed nodes s
            s_ = [float(v) for v in base[5:].split("/")]
            H = rows.hr[:, None, :] + np.array(s_)[None, :, None] * (rows.hz - rows.hr)[:, None, :]
            N = np.einsum("nk,nkd->nd", softmin(H, b).mean(1), rows.W) * rows.dz
        elif base.startswith("blendocc") and base != "blendocc":
            a_ = float(base[8:])
            out[name] = (1 - a_) * R0 + a_ * share(occlusion(rows), rows.f, "scale")
            continue
        elif base.startswith("mixgxi"):     # straight numerators + a share of GxI's
            a_ = float(base[6:] or 0.5)
            N = (1 - a_) * (N0 if b == beta else straight_numerators(rows, b)) + a_ * gxi(rows)
        elif base == "blendocc":           # straight numerators + occlusion, each scaled to f
            Ro = share(occlusion(rows), rows.f, "scale")
            out[name] = 0.5 * R0 + 0.5 * Ro
            continue
        elif base == "blendgxi":
            Rg = share(gxi(rows), rows.f, "scale")
            out[name] = 0.5 * R0 + 0.5 * Rg
            continue
        else:
            raise SystemExit("unknown variant " + name)
        out[name] = share(N, rows.f, rule)
    return out


def tuned(model, Xtr, names, margin=0.02, rows=300, draws=10):
    """tune's choice among the variants (the first is the family default) on up to `rows`
    training rows (seeded sample), scored as `neuralize tune` scores: the mean over the two
    imputations of each candidate's area over the best candidate's; another candidate must
    beat the default by more than `margin`."""
    pick = np.sort(np.random.RandomState(0).permutation(len(Xtr))[:rows])
    X = Xtr[pick]
    R = variants(Rows(model, X), names)
    areas = {m: row_areas(model, X, R[m], Xtr, draws, 0)[1].mean(0) for m in names}
    best = [min(a[i] for a in areas.values()) for i in range(2)]
    score = {m: (a[0] / best[0] + a[1] / best[1]) / 2 for m, a in areas.items()}
    lowest = min(names, key=lambda m: score[m])
    return names[0] if score[lowest] >= score[names[0]] / (1 + margin) else lowest


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("--seeds", type=int, default=3)
    ap.add_argument("--draws", type=int, default=20)
    ap.add_argument("--variants", default="straight,g1,g3,g8,geo,g1x,mass0.5,mixg3")
    ap.add_argument("--only", default=None)
    ap.add_argument("--tune", default=None, help="comma-separated candidates (the first is "
                    "the default): add a variant `tuned` = tune's pick on the training rows")
    args = ap.parse_args()
    names = args.variants.split(",")
    tags = sorted((p for p in glob.glob(os.path.join(args.dir, "k-means_*.json"))
                   if not p.endswith(".tuned.json")),
                  key=lambda p: int(p.split("_")[-1].split(".")[0]))
    gaps = {m: [] for m in names}
    for path in tags:
        stem = path[:-5]
        tag = os.path.basename(stem)
        if args.only and tag not in args.only.split(","):
            continue
        model = json.load(open(path))
        saved = np.load(stem + ".rows.npz")
        Xtr, Xte = load_csv(stem + ".train.csv"), load_csv(stem + ".test.csv")
        rows = Rows(model, Xte)
        R = variants(rows, [m for m in names if m != "tuned"])
        if args.tune:
            candidates = args.tune.split(",")
            choice = tuned(model, Xtr, candidates)
            R["tuned"] = variants(rows, [choice])[choice]
            print("%s: tune picks %s" % (tag, choice), flush=True)
        for m, Rm in R.items():            # every variant conserves the logit
            err = np.abs(Rm.sum(1) - rows.f).max()
            assert err <= 1e-9 * (1 + np.abs(rows.f).max()), (tag, m, err)
        # The variants that are built rules reproduce the CLI's saved relevances.
        for variant, key in (("straight", "R neon-path@auto"),
                             ("inv1:near56", "R neon-spread@auto")):
            if variant in R and key in saved.files:
                err = np.abs(R[variant] - saved[key]).max()
                assert err < 1e-8, (tag, variant, err)
        best = [min(saved["areas " + b][:, c].mean() for b in BASELINES) for c in (0, 2)]
        cells = [tag]
        for m in names:
            _, a = row_areas(model, Xte, R[m], Xtr, args.draws, 0)
            marg = [a[:, 1]] + [row_areas(model, Xte, R[m], Xtr, args.draws, s, mean=False)[1][:, 1]
                                for s in range(1, args.seeds)]
            g = (a[:, 0].mean() / best[0] - 1, np.mean(marg) / best[1] - 1)
            gaps[m].append((tag, g))
            cells.append("%s %+.1f/%+.1f%s" % (m, 100 * g[0], 100 * g[1],
                                               "*" if max(g) > 0.02 else ""))
        print(" | ".join(cells), flush=True)
    print("\n| variant | mean gap mean / marginal | worst | sets beyond 2 % |")
    print("|---|---:|---:|---|")
    for m in names:
        g = np.array([x[1] for x in gaps[m]])
        miss = [t for t, x in gaps[m] if max(x) > 0.02]
        print("| %s | %+.2f / %+.2f | %+.1f | %d: %s |" % (
            m, 100 * g[:, 0].mean(), 100 * g[:, 1].mean(), 100 * g.max(), len(miss),
            ",".join(t.split("_")[1] for t in miss)))


if __name__ == "__main__":
    main()
