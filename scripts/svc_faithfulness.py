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

Intervals (`--draw-seeds K`, default 10; `--bootstrap B`, default 2000): the per-row areas of
the tuned default (and of the untuned one when tune chose another rule set) and of the three
baselines are recomputed in NumPy (scripts/svc_flip_rows.py) from `neuralize explain`'s
relevances; their means must equal evaluate's table (to 1e-4 beyond its printed rounding) or
the study stops. Marginal imputation is also redrawn with K - 1 further draw seeds (1000 k,
`--draws` per row each; evaluate's own is seed 0) and averaged per row. A paired bootstrap
over the explained rows (the same resample for every method; best = the best baseline in
each resample; flip_rows.gap_interval) gives 95% percentile intervals of the gap
default / best - 1 and a verdict per set and imputation: miss = the whole interval above
+2%, pass = the whole interval at or below +2%, open = it straddles +2%. Mean-imputation sets
are judged on their one column, marginal sets on the K-seed mean (evaluate's own draws
alone are printed next to it). For every set that is not a pass, the rows that carry the
gap (largest default - best-baseline area, best on the set's judged column) are listed.
Per-row areas and relevances are kept in OUT/NAME.rows.npz.

Larger held-out sets (`--synthetic N`, default off: the study above): instead of the real data
sets, four generated ones per seed, each 600 training rows + N held-out rows, all explained:
`classification2` / `classification3` (make_classification, 12 features, 2 / 3 classes),
`moons` and `circles` (make_moons noise 0.25 / make_circles noise 0.1, factor 0.5, each with
4 standard-normal noise features: d = 6); Pipeline(StandardScaler, SVC()) as above, rbf,
gamma 'scale'. After the verdicts, a sensitivity table gives every judged gap also without
the explained rows whose f(x) is among the lowest `--trim` (default 5 %) of the set (not the
criterion; its own bootstrap resamples, so the verdicts are unchanged).
"""
import argparse
import functools
import json
import os
import subprocess
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import export_sklearn as ex  # noqa: E402
from dense_faithfulness import (explain_relevance, print_carriers, print_counts,  # noqa: E402
                                print_interval_heading, print_trimmed, verdict)
from study_tune import tune  # noqa: E402
from svc_flip_rows import SvcOutput, row_areas  # noqa: E402
from flip_rows import gap_interval  # noqa: E402

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
            try:  # (mean, marginal, their printed decimals)
                out[cells[0]] = (float(cells[1]), float(cells[2]), decimals(cells[1]),
                                 decimals(cells[2]))
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


SYNTHETIC_TRAIN = 600  # training rows of every `--synthetic` set


def synthetic_cases(seed, n_test):
    """(name, X, y, estimator) of the generated sets of `--synthetic` (module doc); the
    first SYNTHETIC_TRAIN rows train, the other n_test are held out."""
    from sklearn.datasets import make_circles, make_classification, make_moons
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import SVC

    n = SYNTHETIC_TRAIN + n_test
    for k, classes in enumerate((2, 3)):
        X, y = make_classification(n_samples=n, n_features=12, n_informative=6, n_redundant=2,
                                   n_classes=classes, random_state=31 + k + 10 * seed)
        yield "classification%d" % classes, X, y, make_pipeline(StandardScaler(), SVC())
    for k, (name, make) in enumerate((
            ("moons", lambda r: make_moons(n, noise=0.25, random_state=r)),
            ("circles", lambda r: make_circles(n, noise=0.1, factor=0.5, random_state=r)))):
        r = 33 + k + 10 * seed
        X, y = make(r)
        X = np.hstack([X, np.random.RandomState(r).standard_normal((n, 4))])
        yield name, X, y, make_pipeline(StandardScaler(), SVC())


def prepared_sets(args):
    """Every case of `cases()` on every seed of `args.seeds` (named NAME_SEED; only those
    containing `args.only`): a seeded 70/30 split, the estimator fitted on the 70 % and
    exported to OUT/NAME.json, the rows written to OUT/NAME.train.csv and OUT/NAME.test.csv.
    Yields (name, X, y, fitted estimator, model file dict, (train, test) indices,
    (model, train, test) paths)."""
    synthetic = getattr(args, "synthetic", 0)
    for seed in map(int, args.seeds.split(",")):
        for name, X, y, est in (synthetic_cases(seed, synthetic) if synthetic else cases()):
            name = "%s_%d" % (name if not synthetic else "%s_n%d" % (name, synthetic), seed)
            if args.only and args.only not in name:
                continue
            if synthetic:
                tr, te = np.arange(SYNTHETIC_TRAIN), np.arange(SYNTHETIC_TRAIN, len(X))
            else:
                perm = np.random.RandomState(seed).permutation(len(X))
                n_tr = int(0.7 * len(X))
                tr, te = perm[:n_tr], perm[n_tr:]
            est.fit(X[tr], y[tr])
            names = ["f%d" % i for i in range(X.shape[1])]
            paths = [os.path.join(args.out, name + ext)
                     for ext in (".json", ".train.csv", ".test.csv")]
            model = ex.to_neuralize(est, X_train=X[tr], feature_names=names)
            ex.write_model(paths[0], model)
            ex.write_csv(paths[1], names, list(X[tr].T))
            ex.write_csv(paths[2], names, list(X[te].T))
            yield name, X, y, est, model, (tr, te), paths


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", default="/tmp/svc_faith")
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "target", "release",
                                                     "neuralize"))
    ap.add_argument("--seeds", default="99",
                    help="comma-separated split seeds (one study per seed)")
    ap.add_argument("--methods", default=METHODS)
    ap.add_argument("--only", default="", help="run only the sets whose name contains this")
    ap.add_argument("--draws", type=int, default=5,
                    help="marginal draws per row (evaluate's and the intervals')")
    ap.add_argument("--draw-seeds", type=int, default=10,
                    help="marginal draw seeds for the intervals (the first is evaluate's, 0)")
    ap.add_argument("--bootstrap", type=int, default=2000)
    ap.add_argument("--synthetic", type=int, default=0,
                    help="N > 0: the generated sets with N held-out rows instead (module doc)")
    ap.add_argument("--trim", type=float, default=0.05,
                    help="sensitivity: also the gap without the lowest f(x) share of rows")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    summary, intervals = [], []
    for name, X, y, est, model, (tr, te), (mpath, train, test) in prepared_sets(args):
        print("## %s (%d held-out rows, test accuracy %.3f)"
              % (name, len(te), est.score(X[te], y[te])))
        tuned = os.path.join(args.out, name + ".tuned.json")
        chosen, untuned = tune(args.binary, mpath, train, tuned)
        print("tune chose `%s` (family default `%s`)\n" % (chosen, untuned))
        methods = args.methods.split(",")
        methods = ["default", untuned] + [m for m in methods if m not in ("default", untuned)]
        methods += [b for b in BASELINES if b not in methods]
        out = subprocess.run([args.binary, "evaluate", "-m", tuned, "-i", test, "--reference",
                              train, "--methods", ",".join(methods), "--threads", "1",
                              "--draws", str(args.draws), "--seed", "0"],
                             check=True, capture_output=True, text=True)
        print(out.stdout, flush=True)
        table = parse_table(out.stdout)
        per_row = list(dict.fromkeys(["default"] + ([untuned] if chosen != untuned else [])
                                     + list(BASELINES)))
        files = dict(model=mpath, tuned=tuned, test=test, npz=os.path.join(args.out,
                                                                           name + ".rows.npz"))
        intervals.append((name, len(te), chosen, untuned, per_row_areas(
            args, files, per_row, table, X[tr], X[te])))
        for k, imputation in enumerate(("mean", "marginal")):
            best = min(BASELINES, key=lambda m: table[m][k])
            summary.append((name, imputation, chosen, table["default"][k], table[untuned][k],
                            best, table[best][k]))
    summarize(summary)
    print_intervals(args, intervals)
    return 0


def decimals(text):
    """The number of decimals evaluate printed an area with."""
    return len(text.split(".")[1]) if "." in text else 0


def per_row_areas(args, files, methods, table, X_train, X_test):
    """{method: (rows, 3)}: per-row areas under mean imputation, marginal with evaluate's
    draws, and marginal averaged over `--draw-seeds` seeds; checked against evaluate."""
    model = json.load(open(files["model"]))
    out, saved = {}, {}
    for method in methods:
        R = explain_relevance(args.binary, files["tuned"], files["test"], method)
        kept, a = row_areas(model, X_test, R, X_train, args.draws, 0)
        for i in range(2):
            args.deviation = max(getattr(args, "deviation", 0.0),
                                 abs(a[:, i].mean() - table[method][i]))
            # evaluate rounds its table: allow half a unit of the last printed digit + 1e-4
            tol = 0.5 * 10.0 ** -table[method][2 + i] + 1e-4
            if abs(a[:, i].mean() - table[method][i]) > tol:
                raise SystemExit("svc_flip_rows disagrees with evaluate on %s (%s, %s): %.6f "
                                 "vs %s" % (files["model"], method, ("mean", "marginal")[i],
                                            a[:, i].mean(), table[method][i]))
        seeds = [a[:, 1]] + [row_areas(model, X_test, R, X_train, args.draws, 1000 * k,
                                       mean=False)[1][:, 1]
                             for k in range(1, args.draw_seeds)]
        out[method] = np.column_stack([a[:, 0], a[:, 1], np.mean(seeds, axis=0)])
        saved["areas " + method] = out[method]
        saved["R " + method] = R
        saved["kept"] = kept
    np.savez(files["npz"], **saved)
    out["kept"] = kept
    f = SvcOutput(model)
    cls = f.classes(X_test[kept])
    out["start"] = f(X_test[kept], cls)
    out["at_reference"] = f(np.repeat(X_train.mean(axis=0)[None, :], len(kept), axis=0), cls)
    return out


def print_intervals(args, intervals):
    """Paired bootstrap table, verdict counts and the rows that carry open or missed gaps
    (see the module doc)."""
    print_interval_heading(args)
    print("(NumPy's per-row areas averaged to evaluate's table within %.1e on every set, "
          "method and imputation)\n" % getattr(args, "deviation", float("nan")))
    print("| set | imputation | rows | method | best baseline | gap (evaluate's draws) | "
          "gap [95%] (judged) | verdict |")
    print("|---|---|---:|---|---|---:|---:|---|")
    counts, carriers, trimmed = {}, [], []
    for name, _, chosen, untuned, areas in intervals:
        n = len(areas["kept"])
        trimmed.append((name, areas, [("tuned default (%s)" % chosen, "default")]))
        idx = np.random.RandomState(17).randint(n, size=(args.bootstrap, n))  # per set
        labels = [("tuned default (%s)" % chosen, "default")]
        if untuned in areas and untuned != "default":
            labels.append(("untuned default (%s)" % untuned, untuned))
        for k, imputation in enumerate(("mean", "marginal")):
            col = 0 if k == 0 else 2
            best = min(BASELINES, key=lambda b: areas[b][:, col].mean())
            for label, method in labels:
                point0 = gap_interval(areas, method, k, idx[:1], BASELINES)[0]
                point, lo, hi = gap_interval(areas, method, col, idx, BASELINES)
                v = verdict(lo, hi)
                counts.setdefault(label.split(" (")[0], []).append((v, point <= 0.02))
                print("| %s | %s | %d | %s | %s | %+.1f%% | %+.1f%% [%+.1f, %+.1f] | %s |" % (
                    name, imputation, n, label, best, 100 * point0, 100 * point, 100 * lo,
                    100 * hi, v))
                if v != "pass" and method == "default":
                    carriers.append((name, imputation, col, best, areas))
    print_counts(counts)
    print_trimmed(trimmed, args.bootstrap, args.trim)
    for name, imputation, col, best, areas in carriers:
        print_carriers(name, imputation, col, best, areas)


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
