"""Would more candidate groups help `neon-pick`? A NumPy prototype of the rule with any of
these candidates tested against `neon-lean`'s top 3 (the study's saved default, `neon-lean@1`
in the studies run before stop 30), the winner taking the top places by the same exchange
of values as `neon-pick` (scripts/neon_oracle_pick.py):

- `first`: the row split's group, `delta_i (z_i + r_i - 2 mu_i)` (`neon-pick`'s own);
- `gxi`: gradient x input's group, `delta_i (z_i - mu_i)` (`do/dz = 2 gamma (z - mu)`),

with `mu = p(z) U` under the row's own soft-min. Candidates are tried in the order given;
one replaces the best so far when its joint removal to the reference gives a strictly lower
outlierness. Printed per kernel set: flipping gaps to the best of occlusion, gradient x input
and integrated gradients (mean / marginal imputation, 20 draws, seed 0, %) and top-3
precision minus the best of the three; then per family the misses of issue 17's targets.

    python3 scripts/top3_candidates_screen.py WIDE NARROW DIR [DIR ...]

WIDE and NARROW are comma-separated variants, each a `|`-separated list of candidates (empty:
none), paired in order: the first variant tests WIDE[0] on wide kernels (`gamma s <= 6.6`) and
NARROW[0] on the others. Stop 31 ran `"first,first|gxi" ",gxi"` on /tmp/pl0 /tmp/pd1 /tmp/pf2
/tmp/pf4 (`python3 scripts/heldout_study.py --kinds planted[,digits] [--fresh N] --out DIR`).
"""
import os
import sys

import numpy as np
from scipy.spatial.distance import pdist

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_rows import row_areas  # noqa: E402
from top3_pick_screen import kernel_sets  # noqa: E402
from top3_row_screen import row_softmin  # noqa: E402

BASELINES = ["occlusion", "gradient-x-input", "integrated-gradients"]
MAX_GAP = 6.6  # neon-pick's width gate (gamma s)
TOP = 3


def top3(scores):
    """Per row, the TOP largest scores' indices (ties: lower index first)."""
    return np.argsort(-scores, axis=1, kind="stable")[:, :TOP]


def precision(groups, planted):
    """Per row, the share of the group that is planted."""
    return np.array([len(set(g) & set(p)) / TOP for g, p in zip(groups, planted)])


def removed(f, X, reference, groups):
    """The output of every row with the features of its group at the reference."""
    moved = X.copy()
    moved[np.arange(len(X))[:, None], groups] = reference[groups]
    return f(moved)


def exchange(values, top, tested):
    """`neon-pick`'s exchange: features leaving `top` and entering from `tested` swap
    values, the larger ones to the entering features in `tested`'s order."""
    leaving = [i for i in top if i not in tested]
    entering = [i for i in tested if i not in top]
    high = sorted((values[i] for i in leaving), reverse=True)
    low = sorted((values[i] for i in entering), reverse=True)
    for i, v in zip(entering, high):
        values[i] = v
    for i, v in zip(leaving, low):
        values[i] = v


def pick(f, X, reference, lean, candidates):
    """`lean` with each row's top places given to the candidate group (tried in order) whose
    joint removal lowers the output most, strictly."""
    Z, r = f._z(X), f._z(reference[None])[0]
    delta = Z - r
    _, mu, _ = row_softmin(f, Z)
    scores = {"first": delta * (Z + r - 2 * mu), "gxi": delta * (Z - mu)}
    top = top3(lean)
    groups = [top] + [top3(scores[c]) for c in candidates]
    outputs = np.column_stack([removed(f, X, reference, g) for g in groups])
    R = lean.copy()
    for i in range(len(X)):
        best = 0
        for k in range(1, len(groups)):
            if set(groups[k][i]) != set(top[i]) and outputs[i, k] < outputs[i, best]:
                best = k
        if best:
            exchange(R[i], list(top[i]), list(groups[best][i]))
    return R


def parse(variants):
    return [v.split("|") if v else [] for v in variants.split(",")]


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    wide_variants, narrow_variants = parse(sys.argv[1]), parse(sys.argv[2])
    totals = {}
    for folder, stem, model, saved, X, train, f in kernel_sets(sys.argv[3:]):
        reference = train.mean(axis=0)
        wide = f.gamma * np.median(pdist(f.U[:500], "sqeuclidean")) <= MAX_GAP
        planted = saved["planted"] if saved["planted"].ndim == 2 else None
        best = [min(saved["areas " + b][:, c].mean() for b in BASELINES) for c in (0, 1)]
        bar = None if planted is None else max(
            precision(top3(saved["R " + b]), planted).mean() for b in BASELINES)
        cells = []
        for wide_cands, narrow_cands in zip(wide_variants, narrow_variants):
            R = pick(f, X, reference, saved["R default"], wide_cands if wide else narrow_cands)
            _, areas = row_areas(model, X, R, train, 20, 0)
            gaps = tuple(100 * (areas[:, c].mean() / best[c] - 1) for c in (0, 1))
            t3 = float("nan") if planted is None else precision(top3(R), planted).mean() - bar
            key = "|".join(wide_cands) + "/" + "|".join(narrow_cands)
            totals.setdefault(key, []).append((model["model"][:3], gaps, t3))
            cells.append("%s %+.1f/%+.1f t3 %+.3f" % (key, gaps[0], gaps[1], t3))
        print("%s/%s %s d %d %s | %s" % (
            os.path.basename(folder), os.path.basename(stem), model["model"][:3], X.shape[1],
            "wide" if wide else "narrow", " | ".join(cells)), flush=True)
    for key, sets in totals.items():
        for family in ("one", "ker"):
            rows = [x for x in sets if x[0] == family]
            if not rows:
                continue
            t3 = np.array([x[2] for x in rows if not np.isnan(x[2])])
            gaps = np.array([x[1] for x in rows])
            print("%-24s %s sets %d: top-3 misses %d (worst %+.3f) | flipping over 2 %%: "
                  "mean imputation %d (max %+.1f), marginal %d (max %+.1f)" % (
                      key, family, len(rows), (t3 < -0.0100001).sum(), t3.min() if len(t3) else 0,
                      (gaps[:, 0] > 2).sum(), gaps[:, 0].max(), (gaps[:, 1] > 2).sum(),
                      gaps[:, 1].max()))


if __name__ == "__main__":
    main()
