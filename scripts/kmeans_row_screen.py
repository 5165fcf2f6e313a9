"""Can a row tell which k-means soft-min weights to trust? On a kept study's k-means sets,
per row: the mean-imputation flipping area with the soft-min weights at the row itself
(`near1` of scripts/kmeans_flip_screen.py, gradient x input's weights, shared as the default
shares) minus the area with the path's weights (`straight`, `neon-path@auto`), in quartiles
of six label-free row statistics:

- `tv`: total variation distance between the row's weights and the path's mean weights;
- `c`: the share of the row's positive `neon-path` relevance held by its top 3 (the gate of
  `neon-spread`);
- `neff`: the effective number of competitors at the row, 1 / sum p(1)^2;
- `f`: the row's logit; `h(r)`: the smallest contrast at the reference (< 0: the reference
  lies in another cluster's cell); `|z - r|`: the row's distance from the reference.

Negative = the row's weights flip better. Also the split by "the nearest competitor is the
same at the reference and at the row".

    python3 scripts/kmeans_row_screen.py DIR [TAG ...]

DIR: a kept study (`python3 scripts/heldout_large_kmeans.py --out DIR`, or heldout_study.py's);
TAGs: its k-means sets (e.g. k-means_3), default all.
"""
import glob
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import kmeans_flip_screen as ks  # noqa: E402
from flip_rows import row_areas  # noqa: E402

DRAWS = 20


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    folder, tags = sys.argv[1], sys.argv[2:]
    if not tags:
        tags = sorted(os.path.basename(p)[:-len(".rows.npz")]
                      for p in glob.glob(os.path.join(folder, "k-means_*.rows.npz")))
    for tag in tags:
        stem = os.path.join(folder, tag)
        model = json.load(open(stem + ".json"))
        X, train = ks.load_csv(stem + ".test.csv"), ks.load_csv(stem + ".train.csv")
        rows = ks.Rows(model, X)
        path_weighted = ks.share(ks.straight_numerators(rows, rows.beta), rows.f, "scale")
        p_row = ks.softmin(rows.hz, rows.beta)
        row_weighted = ks.share(np.einsum("nk,nkd->nd", p_row, rows.W) * rows.dz, rows.f,
                                "scale")
        _, path_areas = row_areas(model, X, path_weighted, train, DRAWS, 0)
        _, row_areas_ = row_areas(model, X, row_weighted, train, DRAWS, 0)
        diff = row_areas_[:, 0] - path_areas[:, 0]
        s = (np.arange(3) + 0.5) / 3
        H = rows.hr[:, None, :] + s[None, :, None] * (rows.hz - rows.hr)[:, None, :]
        p_path = ks.softmin(H, rows.beta).mean(1)
        stats = {"tv": 0.5 * np.abs(p_path - p_row).sum(1), "c": ks.top_share(path_weighted),
                 "neff": 1 / (p_row ** 2).sum(1), "f": rows.f, "h(r)": rows.hr.min(1),
                 "|z - r|": np.linalg.norm(rows.dz, axis=1)}
        print("%s: %d rows, row weights - path weights %+.4f (mean of the per-row areas)"
              % (tag, len(diff), diff.mean()))
        for name, stat in stats.items():
            bins = np.digitize(stat, np.quantile(stat, [0.25, 0.5, 0.75]))
            print("  %-8s quartiles %s" % (name, " ".join(
                "%+.4f" % diff[bins == k].mean() for k in range(4))))
        same = rows.hz.argmin(1) == rows.hr.argmin(1)
        print("  same nearest competitor at r and z: %.0f %% of rows, %+.4f; changed %+.4f"
              % (100 * same.mean(), diff[same].mean(), diff[~same].mean()))


if __name__ == "__main__":
    main()
