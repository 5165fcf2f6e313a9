"""Can a row tell which top 3 to trust? Issue 17's last top-3 gap is on planted one-class SVMs
with d >= 20, where occlusion's top 3 (or its second-order expansion at the row, `est`, see
scripts/top3_hybrid_screen.py) beats the default's, while at d <= 12 the default's wins. A
per-row chooser needs a label-free row statistic whose value says which one hits more planted
features. This screen splits every planted one-class SVM set's rows into terciles of three
candidates and prints, per tercile, the mean top-3 precision of `est` minus the default's:

- `neff = 1 / sum p^2`, the effective number of units under the row's soft-min weights `p`
  (few: the row is far out, `o` follows its nearest units; many: `o` is near-quadratic);
- `gamma |z - r|^2`, the row's excursion from the reference in kernel units;
- `o`, the row's outlierness (the default's relevances summed).

    python3 scripts/top3_row_screen.py DIR [DIR ...]

DIR is a kept study (`python3 scripts/heldout_study.py --kinds planted --out DIR`).
"""
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_rows import Outputs  # noqa: E402

TOP = 3


def load_csv(path):
    return np.loadtxt(path, delimiter=",", skiprows=1, ndmin=2)


def hits(scores, planted):
    """Per row, the share of the TOP highest scores that are planted features."""
    top = np.argsort(-scores, axis=1, kind="stable")[:, :TOP]
    return np.array([len(set(t) & set(p)) / TOP for t, p in zip(top, planted)])


def row_softmin(f, Z):
    """The rows' soft-min weights p over the units and the units' mean and variance per
    coordinate under them."""
    h = f.gamma * np.maximum((Z * Z).sum(1)[:, None] - 2 * Z @ f.U.T
                             + (f.U * f.U).sum(1)[None], 0.0) + f.b
    p = np.exp(-(h - h.min(axis=1)[:, None]))
    p /= p.sum(axis=1)[:, None]
    mu = p @ f.U
    return p, mu, p @ (f.U * f.U) - mu * mu


def expansion(f, Z, r, mu, var):
    """Occlusion's second-order expansion at the row:
    gamma delta_i (z_i + r_i - 2 mu_i) + 2 gamma^2 delta_i^2 var_i."""
    delta = Z - r
    return f.gamma * delta * (Z + r - 2 * mu) + 2 * f.gamma ** 2 * delta * delta * var


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    for folder in sys.argv[1:]:
        for path in sorted(glob.glob(os.path.join(folder, "*.rows.npz"))):
            stem = path[:-len(".rows.npz")]
            model = json.load(open(stem + ".json"))
            saved = np.load(path)
            if model["model"] != "one_class_svm" or saved["planted"].ndim != 2:
                continue
            X, train = load_csv(stem + ".test.csv"), load_csv(stem + ".train.csv")
            f = Outputs(model)
            Z, r = f._z(X), f._z(train.mean(axis=0)[None])[0]
            p, mu, var = row_softmin(f, Z)
            est = expansion(f, Z, r, mu, var)
            planted, default = saved["planted"], saved["R default"]
            gain = hits(est, planted) - hits(default, planted)
            occ = hits(saved["R occlusion"], planted) - hits(default, planted)
            stats = {"neff": 1 / (p * p).sum(axis=1),
                     "gamma |z - r|^2": f.gamma * ((Z - r) ** 2).sum(axis=1),
                     "o": default.sum(axis=1)}
            cells = []
            for name, stat in stats.items():
                bins = np.digitize(stat, np.quantile(stat, [1 / 3, 2 / 3]))
                cells.append("%s (median %.2f): %s" % (name, np.median(stat), " ".join(
                    "%+.3f" % gain[bins == k].mean() for k in range(3))))
            print("%s/%s d %d | est - default %+.3f, occlusion - default %+.3f | %s" % (
                os.path.basename(folder.rstrip("/")), os.path.basename(stem), X.shape[1],
                gain.mean(), occ.mean(), " | ".join(cells)), flush=True)


if __name__ == "__main__":
    main()
