#!/usr/bin/env python3
"""Feature-flipping faithfulness of the SVC rule sets against the other explainers, on
held-out rows of fresh splits (other seeds than the shipped fixtures):

    cargo build --release && python3 scripts/svc_faithfulness.py [--out /tmp/svc_faith]

Per data set: fit Pipeline(StandardScaler, SVC) on 70 % (rbf, gamma='scale'; digits 0-3
also with a laplacian partial), export with export_sklearn.py, and run
`neuralize evaluate` on the held-out 30 % with the training rows as reference
(lower area = more faithful; rows whose target <= 0 are skipped by evaluate).

Every model is first tuned on its training rows (`neuralize tune --reference train.csv`,
never the held-out rows) and evaluated through the tuned model file: "default" is what
`neuralize explain` runs with no options after tuning, and the family's (untuned) default
is added to the methods by name. After the tables, a summary: the tuned and the untuned
default against the best of gradient x input, integrated gradients and occlusion (ratio,
lower AUC is better; within 2% = ratio <= 1.02), with the rule set tune chose.
"""
import argparse
import functools
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_sklearn as ex  # noqa: E402
from study_tune import tune  # noqa: E402

METHODS = ("default,neon,neon-ref,hybrid@0.1,hybrid@0.3,hybrid@3,hybrid@10,neon@0.3,neon-ref@0.3,"
           "neon@0.1,neon-ref@0.1,gradient-x-input,integrated-gradients,occlusion,"
           "shapley-sampling,random")


BASELINES = ("gradient-x-input", "integrated-gradients", "occlusion")


def parse_table(text):
    """{method: (AUC mean imputation, AUC marginal imputation)} from evaluate's table."""
    out = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if len(cells) >= 3:
            try:
                out[cells[0]] = (float(cells[1]), float(cells[2]))
            except ValueError:
                pass
    return out


def cases():
    from sklearn.datasets import load_breast_cancer, load_digits, load_iris, load_wine
    from sklearn.metrics.pairwise import laplacian_kernel
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    for name, data in (("breast_cancer", load_breast_cancer()), ("wine", load_wine()),
                       ("iris", load_iris())):
        yield name, data.data, data.target, make_pipeline(StandardScaler(), SVC())
    dg = load_digits()
    keep = dg.target < 4
    yield ("digits0-3_laplacian", dg.data[keep], dg.target[keep],
           SVC(kernel=functools.partial(laplacian_kernel, gamma=0.02)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/svc_faith")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "target", "release",
                                                     "neuralize"))
    ap.add_argument("--seeds", default="99",
                    help="comma-separated split seeds (one study per seed)")
    ap.add_argument("--methods", default=METHODS)
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    summary = []
    for seed, (name, X, y, est) in ((seed, case) for seed in map(int, args.seeds.split(","))
                                    for case in cases()):
        perm = np.random.RandomState(seed).permutation(len(X))
        n_tr = int(0.7 * len(X))
        tr, te = perm[:n_tr], perm[n_tr:]
        est.fit(X[tr], y[tr])
        names = ["f%d" % i for i in range(X.shape[1])]
        model = ex.to_neuralize(est, X_train=X[tr], feature_names=names)
        name = "%s_%d" % (name, seed)
        mpath = os.path.join(args.out, name + ".json")
        ex.write_model(mpath, model)
        train = os.path.join(args.out, name + ".train.csv")
        test = os.path.join(args.out, name + ".test.csv")
        ex.write_csv(train, names, list(X[tr].T))
        ex.write_csv(test, names, list(X[te].T))
        print("## %s (%d held-out rows, test accuracy %.3f)"
              % (name, len(te), est.score(X[te], y[te])))
        tuned = os.path.join(args.out, name + ".tuned.json")
        chosen, untuned = tune(args.binary, mpath, train, tuned)
        print("tune chose `%s` (family default `%s`)\n" % (chosen, untuned))
        methods = args.methods.split(",")
        methods = ["default", untuned] + [m for m in methods if m not in ("default", untuned)]
        methods += [b for b in BASELINES if b not in methods]
        out = subprocess.run([args.binary, "evaluate", "-m", tuned, "-i", test, "--reference",
                              train, "--methods", ",".join(methods), "--threads", "1"],
                             check=True, capture_output=True, text=True)
        print(out.stdout, flush=True)
        table = parse_table(out.stdout)
        for k, imputation in enumerate(("mean", "marginal")):
            best = min(BASELINES, key=lambda m: table[m][k])
            summary.append((name, imputation, chosen, table["default"][k], table[untuned][k],
                            best, table[best][k]))
    summarize(summary)
    return 0


def summarize(summary):
    """The tuned and untuned default against the best baseline, per set, and the counts."""
    print("## Summary: tuned and untuned default against the best of %s\n"
          % ", ".join(BASELINES))
    print("| set | imputation | tune chose | tuned default AUC | untuned default AUC | "
          "best baseline | its AUC | tuned / best | untuned / best |")
    print("|---|---|---|---:|---:|---|---:|---:|---:|")
    within = {"tuned": 0, "untuned": 0}
    worst = {"tuned": 0.0, "untuned": 0.0}
    misses = []
    for name, imputation, chosen, tuned, untuned, best, best_auc in summary:
        ratios = {"tuned": tuned / best_auc, "untuned": untuned / best_auc}
        for which, r in ratios.items():
            within[which] += r <= 1.02
            worst[which] = max(worst[which], r)
        if ratios["tuned"] > 1.02:
            misses.append("%s %s: tuned `%s` %.4f, %s %.4f (ratio %.3f; untuned %.3f)"
                          % (name, imputation, chosen, tuned, best, best_auc, ratios["tuned"],
                             ratios["untuned"]))
        print("| %s | %s | %s | %.4f | %.4f | %s | %.4f | %.3f | %.3f |"
              % (name, imputation, chosen, tuned, untuned, best, best_auc, ratios["tuned"],
                 ratios["untuned"]))
    print()
    for which in ("tuned", "untuned"):
        print("%s default: within 2%% of the best on %d of %d, worst ratio %.3f"
              % (which, within[which], len(summary), worst[which]))
    print("\nWhere the tuned default misses (ratio > 1.02):")
    for m in misses:
        print("- " + m)


if __name__ == "__main__":
    sys.exit(main())
