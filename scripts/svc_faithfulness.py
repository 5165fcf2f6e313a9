#!/usr/bin/env python3
"""Feature-flipping faithfulness of the SVC rule sets against the other explainers, on
held-out rows of fresh splits (other seeds than the shipped fixtures):

    cargo build --release && python3 scripts/svc_faithfulness.py [--out /tmp/svc_faith]

Per data set: fit Pipeline(StandardScaler, SVC) on 70 % (rbf, gamma='scale'; digits 0-3
also with a laplacian partial), export with export_sklearn.py, and run
`neuralize evaluate` on the held-out 30 % with the training rows as reference
(lower area = more faithful; rows whose target <= 0 are skipped by evaluate).
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

METHODS = ("default,neon,neon-ref,hybrid@0.1,hybrid@0.3,hybrid@3,hybrid@10,neon@0.3,neon-ref@0.3,"
           "neon@0.1,neon-ref@0.1,gradient-x-input,integrated-gradients,occlusion,"
           "shapley-sampling,random")


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
        out = subprocess.run([args.binary, "evaluate", "-m", mpath, "-i", test, "--reference",
                              train, "--methods", args.methods, "--threads", "1"],
                             check=True, capture_output=True, text=True)
        print(out.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
