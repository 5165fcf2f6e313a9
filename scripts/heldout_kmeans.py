"""The k-means part of the held-out study alone (scripts/heldout_study.py's kmeans_sets,
its tuning and its summary), plus every listed method's gap to the best baseline:

    python scripts/heldout_kmeans.py [--bin target/release/neuralize] [--draws 20] [--out DIR]
                                     [--draw-seeds 3] [--fresh N]

About a minute on the shared 2-core machine (12 sets).
"""
import argparse
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import heldout_study as hs  # noqa: E402

SHOWN = ["neon-spread@auto", "neon-path@auto", "neon-ref@auto", "neon"] + hs.BASELINES


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/neuralize")
    ap.add_argument("--out", default=None, help="keep the generated files here")
    ap.add_argument("--draws", type=int, default=20, help="marginal-imputation draws per row")
    ap.add_argument("--draw-seeds", type=int, default=3,
                    help="marginal draw seeds of the intervals (heldout_study.py's)")
    ap.add_argument("--fresh", type=int, default=0, help="heldout_study.py's --fresh")
    ap.add_argument("--quick", action="store_true", help="one set")
    ap.add_argument("--detail", action="store_true")
    args = ap.parse_args()
    study = hs.Study(args)
    hs.kmeans_sets(study, args.quick, args.fresh)
    study.summary()
    method_gaps(study)


def method_gaps(study, shown=SHOWN):
    """Per set, every shown method's gap to the best baseline (mean / marginal imputation)."""
    print("\n| set | " + " | ".join(hs.short(m) for m in shown) + " |")
    print("|---|" + "---:|" * len(shown))
    for _, label, _, s, _, _ in study.rows:
        best = [min(s[b][i] for b in hs.BASELINES) for i in range(2)]
        print("| %s | %s |" % (label, " | ".join(
            "%+.1f%% / %+.1f%%" % (100 * (s[m][0] / best[0] - 1), 100 * (s[m][1] / best[1] - 1))
            for m in shown)))


if __name__ == "__main__":
    main()
