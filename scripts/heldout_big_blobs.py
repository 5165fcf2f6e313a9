"""k-means on make_blobs with many explained rows: are the study's blobs gaps real?

The study's blobs sets explain 200 rows, and their mean-imputation gaps to the best baseline
(up to +4.3 %) have bootstrap intervals that straddle the 2 % target. This draws twelve new
blobs sets of the study's two kinds (heldout_study.kmeans_sets: 10 features, K = 5 with unequal
spreads; 8 features, K = 3, 8 and 12, spread 1.5), three random states each, trains on
2 ROWS rows and explains ROWS rows, and prints the
study's summary and intervals (gaps of the default to the best of occlusion, gradient x input
and integrated gradients, mean and marginal imputation; no Shapley sampling, for time), then
every k-means rule's gaps (heldout_kmeans.method_gaps):

    python3 scripts/heldout_big_blobs.py [--rows 1500] [--sets K:STATE,...] [--out DIR]
                                         [--bin target/release/neuralize]

About 40 seconds on the shared 2-core machine.
"""
import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heldout_study as hs  # noqa: E402
from heldout_kmeans import method_gaps  # noqa: E402

SETS = [(k, seed) for k in (3, 5, 8, 12) for seed in (601, 602, 603)]   # (K, random_state)


def main():
    from sklearn.cluster import KMeans
    from sklearn.datasets import make_blobs
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/neuralize")
    ap.add_argument("--out", default=None, help="keep the generated files here")
    ap.add_argument("--rows", type=int, default=1500, help="explained rows per set")
    ap.add_argument("--draws", type=int, default=20, help="marginal-imputation draws per row")
    ap.add_argument("--draw-seeds", type=int, default=3)
    ap.add_argument("--sets", default="",
                    help="K:random_state,... instead of the twelve (e.g. 5:604,5:605)")
    ap.add_argument("--detail", action="store_true")
    args = ap.parse_args()
    sets = [tuple(map(int, item.split(":"))) for item in args.sets.split(",") if item] or SETS
    study = hs.Study(args)
    methods = [m for m in hs.KMEANS_METHODS if m != "shapley-sampling"]
    for k, seed in sets:
        spread = [0.6, 1.0, 1.5, 2.0, 1.2] if k == 5 else 1.5
        X, _ = make_blobs(n_samples=3 * args.rows, n_features=10 if k == 5 else 8, centers=k,
                          cluster_std=spread, random_state=seed)
        perm = np.random.RandomState(seed).permutation(len(X))
        est = make_pipeline(StandardScaler(), KMeans(n_clusters=k, n_init=10, random_state=0))
        study.run("k-means", "blobs K=%d, random_state %d, %d rows" % (k, seed, args.rows), est,
                  X[perm[:2 * args.rows]], X[perm[2 * args.rows:]],
                  ["c%d" % j for j in range(X.shape[1])], methods)
    study.summary()
    study.intervals()
    method_gaps(study)


if __name__ == "__main__":
    main()
