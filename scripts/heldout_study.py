"""Held-out faithfulness study: the default explanation against the cheap explainers on
generated data (never in the repo; fixed seeds), reproducible by one command:

    python scripts/heldout_study.py [--bin target/release/neuralize] [--out DIR]
                                    [--draws 20] [--draw-seeds 3] [--quick] [--detail]
                                    [--kinds digits,planted,k-means] [--fresh N] [--extra M1,M2]

Sets (every one is scored with `neuralize evaluate`: feature-flipping AUC under mean and
marginal imputation, lower = more faithful, and the explanation cost per row):

1. Digits (image-like, 8x8 pixels, 0..16): a model trained on 130 images of one digit
   explains 300 images of the other digits (those it flags, output > 0, are flipped):
   OC-SVM rbf (nu 0.1, gamma 'scale') on raw pixels, the same after a StandardScaler, and a
   Gaussian KDE on raw pixels (bandwidth 4); digits 0, 3 and 7, each with its own seed.
2. Planted tabular anomalies: d correlated Gaussian features (Toeplitz rho^|i-j|), 800
   training rows; 1000 test rows with 3 random features pushed by 2.5 standard deviations
   (random sign); column scales 1 or 10^U(-1, 2) (then the model's StandardScaler undoes
   them); scaled OC-SVM rbf (nu 0.05, gamma 'scale') and scaled KDE (bandwidth 0.8). Also
   top-3 precision = |3 most relevant features & planted| / 3 over all test rows.
3. k-means (scaled): make_blobs (K = 5), wine (K = 3), breast cancer (K = 2); 2/3 of the
   rows train, the rest are explained.

`--fresh N` (N >= 1) swaps every set for a new draw of the same kind, all decided from N
alone (before any result is seen; N = 0, the default, is exactly the sets above):

1. digits: three other digits, the N-th consecutive triple (cyclic) of the list
   1, 5, 8, 2, 6, 9, 4 (N = 1: 1, 5, 8; N = 2: 2, 6, 9; N = 3: 4, 1, 5), split seeds
   100 N + 1, 100 N + 2, 100 N + 3; the same three models.
2. planted: 5 configs (seed, d, rho, scales) = (100 N + 1, 8, 0.3, no),
   (100 N + 2, 12, 0.75, yes), (100 N + 3, 16, 0.0, no), (100 N + 4, 20, 0.9, no),
   (100 N + 5, 30, 0.45, yes); the same generator, push and two models.
3. k-means: the same datasets and K; every split seed + 100 N and every make_blobs
   random_state + 100 N (7 -> 107, 21 -> 121, ... for N = 1).

The default measured is "untuned": the family's default, what `neuralize explain` with no
options runs on an exported model file (which stores no method). Every model is also tuned
on its training rows (`neuralize tune --reference train.csv`, never the explained rows);
"default" in the tables is what explain runs after tuning (the tuned model file's stored
method), reported beside it. The summary table compares both with the best of
occlusion, gradient x input and integrated gradients (gap = default / best - 1; top-3:
best - default); `--detail` also prints every `neuralize evaluate` table. `--quick` runs
one set of each kind (a smoke test).

Intervals: the per-row areas are recomputed in NumPy (scripts/flip_rows.py; their means must
match evaluate's table, or the study stops), also for draw seeds 1..draw_seeds-1, and a
paired bootstrap over the explained rows gives 95% intervals of the default's gap to the best
baseline and of its top-3 precision behind the best (`intervals`). Both also report top-3
against the restated target: the best top-3 among the baselines whose own flipping gap is
within 2 % (mean and marginal imputation), since the baseline with the best top-3 can trail
by up to 17 % on flipping (occlusion on wide one-class SVMs). The per-row areas,
top-3 hits and relevances of every set are kept in OUT/TAG.rows.npz.
"""
import argparse
import os
import subprocess
import sys
import tempfile

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_sklearn import to_neuralize, write_model  # noqa: E402
from flip_rows import gap_interval, row_areas  # noqa: E402

BASELINES = ["occlusion", "gradient-x-input", "integrated-gradients"]
KERNEL_METHODS = (["default", "neon-path@1", "neon-floor@auto", "neon-path@auto", "neon-ref@auto"]
                  + BASELINES + ["shapley-sampling", "random"])
KMEANS_METHODS = (["default", "neon", "neon-ref@auto", "neon-path@auto"] + BASELINES
                  + ["shapley-sampling", "random"])
TOP3_METHODS = ["default", "neon-path@1", "neon-floor@auto", "neon-path@auto", "neon-ref@auto"] + BASELINES
DIGIT_TEST_ROWS = 300    # images of the other digits (the flagged ones are explained)
PLANTED_TEST_ROWS = 1000  # planted test rows per seed
BOOTSTRAP = 2000      # paired bootstrap resamples of the explained rows
GAP_TARGET = 0.02     # issue 17: flipping AUC within 2% of the best baseline
TOP3_TARGET = 0.01    # and top-3 precision within 0.01 of the best


def write_csv(path, X, names):
    with open(path, "w") as f:
        f.write(",".join(names) + "\n")
        for row in X:
            f.write(",".join(repr(float(v)) for v in row) + "\n")


def correlated(rng, n, d, rho):
    cov = rho ** np.abs(np.subtract.outer(np.arange(d), np.arange(d)))
    return rng.multivariate_normal(np.zeros(d), cov, size=n)


def explain(bin_, model, inp, method):
    out = subprocess.run([bin_, "explain", "-m", model, "-i", inp, "-o", "-",
                          "--method", method, "--seed", "0"],
                         check=True, capture_output=True, text=True).stdout.splitlines()
    return np.array([[float(v) for v in line.split(",")[2:]] for line in out[1:]])


def evaluate(bin_, model, inp, train, methods, draws):
    """`neuralize evaluate`: (markdown table, {method: (auc mean, auc marginal, us/row)})."""
    text = subprocess.run([bin_, "evaluate", "-m", model, "-i", inp, "--reference", train,
                           "--methods", ",".join(methods), "--seed", "0",
                           "--draws", str(draws)],
                          check=True, capture_output=True, text=True).stdout
    scores = {}
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        # method | AUC mean | AUC marginal | us/row | (the gap columns, not read here)
        if len(cells) >= 4 and cells[0] in methods:
            scores[cells[0]] = tuple(float(c) for c in cells[1:4])
    return text, scores


def default_names(bin_, model):
    """(the default method, the family's default) that `neuralize info` names."""
    import json
    out = json.loads(subprocess.run([bin_, "info", "-m", model, "--json"], check=True,
                                    capture_output=True, text=True).stdout)
    return out["default_method"], out["family_default_method"]


def tune(bin_, model, train, tuned):
    """`neuralize tune` on the training rows; returns its wall time in seconds."""
    import time
    started = time.time()
    subprocess.run([bin_, "tune", "-m", model, "--reference", train, "-o", tuned, "--quiet"],
                   check=True, capture_output=True, text=True)
    return time.time() - started


class Study:
    def __init__(self, args):
        self.args = args
        self.out = args.out or tempfile.mkdtemp(prefix="neuralize_heldout_")
        os.makedirs(self.out, exist_ok=True)
        self.rows = []      # summary rows
        self.details = []   # (title, evaluate table)

    def run(self, kind, label, est, Xtr, Xte, names, methods, planted=None):
        tag = "%s_%d" % (kind, len(self.rows))
        train = os.path.join(self.out, tag + ".train.csv")
        test = os.path.join(self.out, tag + ".test.csv")
        model = os.path.join(self.out, tag + ".json")
        write_csv(train, Xtr, names)
        write_csv(test, Xte, names)
        est.fit(Xtr)
        write_model(model, to_neuralize(est, X_train=Xtr, feature_names=names))
        tuned = os.path.join(self.out, tag + ".tuned.json")
        seconds = tune(self.args.bin, model, train, tuned)
        name, untuned = default_names(self.args.bin, tuned)
        methods = ["default", untuned] + [m for m in methods if m not in ("default", untuned)]
        text, scores = evaluate(self.args.bin, tuned, test, train, methods, self.args.draws)
        scores["untuned"] = scores[untuned]
        top3, rows_top3 = {}, {}
        relevance = {}
        per_row = ["default", untuned] + [m for m in BASELINES if m != untuned]
        listed = per_row + ([m for m in TOP3_METHODS[1:] if m not in per_row]
                            if planted is not None else [])
        for method in listed:
            relevance[method] = explain(self.args.bin, tuned, test, method)
        if planted is not None:
            for method in listed:
                top = np.argsort(-relevance[method], axis=1, kind="stable")[:, :3]
                hits = np.array([len(set(t) & set(p)) / 3 for t, p in zip(top, planted)])
                rows_top3[method] = hits
                top3[method] = hits.mean()
            top3["untuned"] = top3[untuned]
            rows_top3["untuned"] = rows_top3[untuned]
        areas = self.row_areas(tuned, Xtr, Xte, relevance, per_row, scores)
        np.savez(os.path.join(self.out, tag + ".rows.npz"), planted=planted if planted is not None
                 else np.zeros(0), **{"areas " + m: a for m, a in areas.items()},
                 **{"top3 " + m: t for m, t in rows_top3.items()},
                 **{"R " + m: r for m, r in relevance.items()})
        areas["untuned"] = areas[untuned]
        self.rows.append((kind, label, (name, untuned, seconds), scores, top3,
                          (areas, rows_top3)))
        self.details.append(("%s: %s" % (kind, label), text, top3))
        print("done: %s %s" % (kind, label), file=sys.stderr, flush=True)

    def row_areas(self, model_path, Xtr, Xte, relevance, methods, scores):
        """{method: (rows, 3)}: per-row flipping areas (scripts/flip_rows.py) under mean
        imputation, marginal imputation with evaluate's draws (seed 0), and marginal
        imputation averaged over draw seeds 0..draw_seeds-1. The seed-0 means must equal
        evaluate's (its 4 printed decimals), or the study stops."""
        import json
        model = json.load(open(model_path))
        out = {}
        for method in methods:
            kept, a = row_areas(model, Xte, relevance[method], Xtr, self.args.draws, 0)
            for i in range(2):
                if abs(a[:, i].mean() - scores[method][i]) > 6e-5:
                    raise SystemExit("flip_rows disagrees with evaluate on %s (%s): %.6f vs %.4f"
                                     % (model_path, method, a[:, i].mean(), scores[method][i]))
            seeds = [a[:, 1]] + [row_areas(model, Xte, relevance[method], Xtr, self.args.draws,
                                           seed, mean=False)[1][:, 1]
                                 for seed in range(1, self.args.draw_seeds)]
            out[method] = np.column_stack([a[:, 0], a[:, 1], np.mean(seeds, axis=0)])
        return out

    def intervals(self):
        """Paired bootstrap (over the explained rows, the same resample for every method) of
        the gap default / best baseline - 1 and of top-3 precision best - default."""
        rng = np.random.RandomState(17)
        print("\nPaired bootstrap over the explained rows (%d resamples, 95%% percentile "
              "intervals; best = the best of occlusion, gradient x input and integrated "
              "gradients in each resample). Marginal: %d draws of seed 0 (evaluate's), and "
              "the per-row mean over draw seeds 0-%d. Verdict (from the mean-imputation, "
              "%d-seed marginal and top-3 columns): miss = the whole interval "
              "beyond the target (gap > %g%%, top-3 > %g behind), pass = the whole interval "
              "within it, open = the interval straddles it.\n" % (
                  BOOTSTRAP, self.args.draws, self.args.draw_seeds - 1, self.args.draw_seeds,
                  100 * GAP_TARGET, TOP3_TARGET))
        print("Top-3 behind the best eligible: the best top-3 among the baselines whose own "
              "flipping gap to the best baseline is within %g%% (mean and %d-seed marginal "
              "imputation; listed), the restated target; its verdict is the last column.\n"
              % (100 * GAP_TARGET, self.args.draw_seeds))
        print("| data | model | method | rows | gap mean | gap marginal (seed 0) | "
              "gap marginal (%d seeds) | top-3 behind best | top-3 behind best eligible | "
              "verdict | verdict, restated top-3 |" % self.args.draw_seeds)
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---|---|")
        for kind, label, (name, untuned, _), _, _, (areas, rows_top3) in self.rows:
            n = len(areas["default"])
            idx = rng.randint(n, size=(BOOTSTRAP, n))
            whiches = [("default", name)] + ([("untuned", untuned)] if name != untuned else [])
            for which, method in whiches:
                cells, verdicts = [], []
                for col in range(3):
                    point, lo, hi = gap_interval(areas, which, col, idx, BASELINES)
                    cells.append("%+.1f%% [%+.1f, %+.1f]" % (100 * point, 100 * lo, 100 * hi))
                    if col != 1:
                        verdicts.append(verdict(lo, hi, GAP_TARGET))
                if rows_top3:
                    t = rows_top3
                    m = len(t["default"])
                    tidx = idx if m == n else rng.randint(m, size=(BOOTSTRAP, m))
                    best = np.max([t[b][tidx].mean(axis=1) for b in BASELINES], axis=0)
                    diff = best - t[which][tidx].mean(axis=1)
                    point = max(t[b].mean() for b in BASELINES) - t[which].mean()
                    lo, hi = np.percentile(diff, [2.5, 97.5])
                    cells.append("%.3f [%.3f, %.3f]" % (point, lo, hi))
                    verdicts.append(verdict(lo, hi, TOP3_TARGET))
                    ok = eligible(areas)
                    restated = verdicts[:-1]
                    if ok:  # no baseline within 2 % on flipping: no top-3 bar
                        bar = np.max([t[b][tidx].mean(axis=1) for b in ok], axis=0)
                        lo, hi = np.percentile(bar - t[which][tidx].mean(axis=1), [2.5, 97.5])
                        point = max(t[b].mean() for b in ok) - t[which].mean()
                        restated.append(verdict(lo, hi, TOP3_TARGET))
                    cells.append("%.3f [%.3f, %.3f] (%s)" % (point, lo, hi, ", ".join(
                        map(short, ok))) if ok else "- (none within 2 %)")
                    restated = worst(restated)
                else:
                    cells += ["-", "-"]
                    restated = worst(verdicts)
                print("| %s | %s | %s | %d | %s | %s | %s |" % (
                    kind, label, method, n, " | ".join(cells), worst(verdicts), restated))

    def summary(self):
        print("| data | model | tuned default (tune s) | default AUC mean / marginal | "
              "untuned AUC mean / marginal | best baseline mean / marginal | "
              "gap default mean / marginal | gap untuned mean / marginal | "
              "top-3 default / untuned / best | µs/row default / IG |")
        print("|---|---|---|---:|---:|---:|---:|---:|---:|---:|")
        misses = {"default": [], "untuned": []}
        restated = {"default": [], "untuned": []}
        for kind, label, (name, untuned, seconds), s, top3, (areas, _) in self.rows:
            best = [min((s[b][i], b) for b in BASELINES) for i in range(2)]
            gaps = {}
            for which in ("default", "untuned"):
                d = s[which]
                gaps[which] = [d[i] / best[i][0] - 1 for i in range(2)]
                for i, imp in enumerate(["mean", "marginal"]):
                    if gaps[which][i] > 0.02:
                        misses[which].append("%s %s: %s imputation %+.1f%% vs %s" % (
                            kind, label, imp, 100 * gaps[which][i], best[i][1]))
            t3 = "-"
            if top3:
                tb = max((top3[b], b) for b in BASELINES)
                t3 = "%.3f / %.3f / %.3f (%s)" % (top3["default"], top3["untuned"], tb[0],
                                                  short(tb[1]))
                ok = eligible(areas)
                for which in ("default", "untuned"):
                    if tb[0] - top3[which] > TOP3_TARGET + 1e-12:
                        misses[which].append("%s %s: top-3 %.3f below %s" % (
                            kind, label, tb[0] - top3[which], tb[1]))
                    bar = max(((top3[b], b) for b in ok), default=None)
                    if bar and bar[0] - top3[which] > TOP3_TARGET + 1e-12:
                        restated[which].append("%s %s: top-3 %.3f below %s" % (
                            kind, label, bar[0] - top3[which], bar[1]))
            d = s["default"]
            u = s["untuned"]
            print("| %s | %s | %s (%.1f) | %.4f / %.4f | %.4f / %.4f | %.4f (%s) / %.4f (%s) "
                  "| %+.1f%% / %+.1f%% | %+.1f%% / %+.1f%% | %s | %.1f / %.1f |" % (
                      kind, label, name, seconds, d[0], d[1], u[0], u[1], best[0][0],
                      short(best[0][1]), best[1][0], short(best[1][1]),
                      100 * gaps["default"][0], 100 * gaps["default"][1],
                      100 * gaps["untuned"][0], 100 * gaps["untuned"][1], t3,
                      d[2], s["integrated-gradients"][2]))
        for which, what in (("untuned", "the default (the family's, which `explain` uses "
                             "with no options on an exported model file)"),
                            ("default", "the tuned default (after `neuralize tune`)")):
            sets = len({m.split(":")[0] for m in misses[which]})
            print("\nWhere %s misses the target (flipping within 2%% of the best baseline, "
                  "top-3 within 0.01): %d misses on %d of %d sets" % (
                      what, len(misses[which]), sets, len(self.rows)))
            for m in misses[which]:
                print("- " + m)
            print("Top-3 misses against the best baseline within 2%% on flipping (the restated "
                  "target): %d" % len(restated[which]))
            for m in restated[which]:
                print("- " + m)

    def other_methods(self):
        """Mean gap of every method to the best baseline, over the sets (both imputations)."""
        methods = ["untuned"] + [m for m in KERNEL_METHODS if m != "random"]
        kernel = [r for r in self.rows if r[0] != "k-means"]
        if not kernel:  # --kinds k-means
            return
        print("\n| method | mean gap, kernel sets (mean / marginal) | worst gap | "
              "mean top-3 (planted) | worst top-3 behind the best |")
        print("|---|---:|---:|---:|---:|")
        for m in methods:
            gaps = [[r[3][m][i] / min(r[3][b][i] for b in BASELINES) - 1 for i in range(2)]
                    for r in kernel]
            t3 = [r[4][m] for r in kernel if r[4] and m in r[4]]
            behind = [max(r[4][b] for b in BASELINES) - r[4][m]
                      for r in kernel if r[4] and m in r[4]]
            print("| %s | %+.1f%% / %+.1f%% | %+.1f%% | %s | %s |" % (
                m, 100 * np.mean([g[0] for g in gaps]), 100 * np.mean([g[1] for g in gaps]),
                100 * max(max(g) for g in gaps), "%.3f" % np.mean(t3) if t3 else "-",
                "%.3f" % max(behind) if behind else "-"))


def eligible(areas):
    """The baselines whose own flipping gap to the best baseline is within GAP_TARGET under
    mean imputation and under marginal imputation averaged over the draw seeds (columns 0 and
    2 of the per-row areas): the ones whose top-3 precision the restated target compares with."""
    best = [min(areas[b][:, c].mean() for b in BASELINES) for c in (0, 2)]
    return [b for b in BASELINES
            if all(areas[b][:, c].mean() / best[k] - 1 <= GAP_TARGET for k, c in enumerate((0, 2)))]


def verdict(lo, hi, target):
    return "miss" if lo > target else ("pass" if hi <= target else "open")


def worst(verdicts):
    for v in ("miss", "open"):
        if v in verdicts:
            return v
    return "pass"


def short(name):
    return {"occlusion": "occ", "gradient-x-input": "GxI",
            "integrated-gradients": "IG"}.get(name, name)


FRESH_DIGITS = [1, 5, 8, 2, 6, 9, 4]   # digits not in the original study (0, 3, 7)
FRESH_PLANTED = [(1, 8, 0.3, False), (2, 12, 0.75, True), (3, 16, 0.0, False),
                 (4, 20, 0.9, False), (5, 30, 0.45, True)]  # (seed - 100 N, d, rho, scales)


def digits_sets(study, quick, fresh=0):
    from sklearn.datasets import load_digits
    from sklearn.neighbors import KernelDensity
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import OneClassSVM

    dg = load_digits()
    names = ["pixel_%d_%d" % (r, c) for r in range(8) for c in range(8)]
    pairs = [(0, 1), (3, 2), (7, 3)]
    if fresh:
        pairs = [(FRESH_DIGITS[(3 * (fresh - 1) + k) % len(FRESH_DIGITS)], 100 * fresh + k + 1)
                 for k in range(3)]
    for digit, seed in (pairs[1:2] if quick else pairs):
        rng = np.random.RandomState(seed)
        own = rng.permutation(np.where(dg.target == digit)[0])
        others = rng.permutation(np.where(dg.target != digit)[0])[:DIGIT_TEST_ROWS]
        Xtr, Xte = dg.data[own[:130]], dg.data[others]
        models = [("OC-SVM rbf", OneClassSVM(gamma="scale", nu=0.1)),
                  ("scaled OC-SVM rbf", make_pipeline(StandardScaler(),
                                                      OneClassSVM(gamma="scale", nu=0.1))),
                  ("KDE bw 4", KernelDensity(bandwidth=4.0))]
        for label, est in models[:1] if quick else models:
            study.run("digits", "%s, digit %d" % (label, digit), est, Xtr, Xte, names,
                      KERNEL_METHODS)


def planted_sets(study, quick, fresh=0):
    from sklearn.neighbors import KernelDensity
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    from sklearn.svm import OneClassSVM

    configs = [(1, 12, 0.6, False), (2, 12, 0.0, False), (3, 12, 0.9, False),
               (4, 12, 0.6, True), (5, 20, 0.6, False)]
    if fresh:
        configs = [(100 * fresh + k, d, rho, sc) for k, d, rho, sc in FRESH_PLANTED]
    for seed, d, rho, scales in configs[:1] if quick else configs:
        rng = np.random.RandomState(seed)
        names = ["f%d" % i for i in range(d)]
        Xtr, Xte = correlated(rng, 800, d, rho), correlated(rng, PLANTED_TEST_ROWS, d, rho)
        planted = np.array([rng.choice(d, 3, replace=False) for _ in range(len(Xte))])
        std = Xtr.std(axis=0)
        for row, feats in zip(Xte, planted):
            row[feats] += 2.5 * std[feats] * rng.choice([-1.0, 1.0], size=3)
        if scales:
            s = 10.0 ** rng.uniform(-1, 2, size=d)
            Xtr, Xte = Xtr * s, Xte * s
        what = "seed %d, d %d, rho %s%s" % (seed, d, ("%.2f" if fresh else "%.1f") % rho,
                                             ", scales 0.1-100" if scales else "")
        models = [("OC-SVM", make_pipeline(StandardScaler(), OneClassSVM(gamma="scale", nu=0.05))),
                  ("KDE", make_pipeline(StandardScaler(), KernelDensity(bandwidth=0.8)))]
        for label, est in models:
            study.run("planted", "%s, %s" % (label, what), est, Xtr, Xte, names,
                      KERNEL_METHODS, planted)


def kmeans_sets(study, quick, fresh=0):
    from sklearn.cluster import KMeans
    from sklearn.datasets import (load_breast_cancer, load_digits, load_iris, load_wine,
                                  make_blobs)
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    shift = 100 * fresh   # --fresh: new split seeds and make_blobs draws
    Xb, _ = make_blobs(n_samples=600, n_features=10, centers=5,
                       cluster_std=[0.6, 1.0, 1.5, 2.0, 1.2], random_state=7 + shift)
    wine, cancer = load_wine().data, load_breast_cancer().data
    # (label, data, K, split seed): the first three are the study's original sets.
    sets = [("blobs (K=5)", Xb, 5, 8), ("wine (K=3)", wine, 3, 9),
            ("breast cancer (K=2)", cancer, 2, 10)]
    if fresh:
        sets = [("blobs (K=5), seed %d, blobs %d" % (8 + shift, 7 + shift), Xb, 5, 8),
                ("wine (K=3), seed %d" % (9 + shift), wine, 3, 9),
                ("breast cancer (K=2), seed %d" % (10 + shift), cancer, 2, 10)]
    if not quick:
        more = [("wine (K=3)", wine, 3, 11), ("wine (K=5)", wine, 5, 14),
                ("breast cancer (K=3)", cancer, 3, 11), ("breast cancer (K=4)", cancer, 4, 13),
                ("iris (K=4)", load_iris().data, 4, 12),
                ("digits (K=10)", load_digits().data, 10, 11)]
        sets += [("%s, seed %d" % (name, seed + shift), X, k, seed)
                 for name, X, k, seed in more]
        for k, seed in ((3, 21), (8, 22), (12, 23)):
            X, _ = make_blobs(n_samples=600, n_features=8, centers=k, cluster_std=1.5,
                              random_state=seed + shift)
            sets.append(("blobs (K=%d), seed %d" % (k, seed + shift), X, k, seed))
    for label, X, k, seed in sets[:1] if quick else sets:
        perm = np.random.RandomState(seed + shift).permutation(len(X))
        cut = 2 * len(X) // 3
        names = ["c%d" % j for j in range(X.shape[1])]
        est = make_pipeline(StandardScaler(), KMeans(n_clusters=k, n_init=10, random_state=0))
        study.run("k-means", label, est, X[perm[:cut]], X[perm[cut:]][:200], names,
                  KMEANS_METHODS)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--bin", default="target/release/neuralize")
    ap.add_argument("--out", default=None, help="keep the generated files here")
    ap.add_argument("--draws", type=int, default=20, help="marginal-imputation draws per row")
    ap.add_argument("--draw-seeds", type=int, default=3,
                    help="marginal draw seeds of the per-row intervals (seed 0 is evaluate's)")
    ap.add_argument("--quick", action="store_true", help="one set of each kind")
    ap.add_argument("--detail", action="store_true", help="print every evaluate table")
    ap.add_argument("--kinds", default="digits,planted,k-means",
                    help="which kinds of sets, comma-separated (a kernel-model change needs "
                         "digits,planted only)")
    ap.add_argument("--fresh", type=int, default=0,
                    help="N >= 1: a new family of sets decided from N (see the module doc); "
                         "0 = the study's own sets")
    ap.add_argument("--extra", default="",
                    help="further kernel-model methods to evaluate next to the default, "
                         "comma-separated (e.g. neon-focus@1): their gaps and top-3 appear in "
                         "the per-method table")
    args = ap.parse_args()
    if args.fresh < 0:
        raise SystemExit("heldout_study: --fresh must be >= 0")
    for method in filter(None, args.extra.split(",")):
        KERNEL_METHODS.insert(KERNEL_METHODS.index(BASELINES[0]), method)
        TOP3_METHODS.append(method)
    study = Study(args)
    kinds = {"digits": digits_sets, "planted": planted_sets, "k-means": kmeans_sets}
    for kind in args.kinds.split(","):
        if kind not in kinds:
            raise SystemExit("heldout_study: unknown kind %r (digits, planted, k-means)" % kind)
    for kind, sets in kinds.items():
        if kind in args.kinds.split(","):
            sets(study, args.quick, args.fresh)
    print("## The default (untuned) and the tuned default against the best of occlusion, gradient x input and integrated "
          "gradients (%d marginal draws)%s\n" % (
              args.draws, ", fresh sets %d" % args.fresh if args.fresh else ""))
    study.summary()
    study.intervals()
    study.other_methods()
    if args.detail:
        for title, text, top3 in study.details:
            print("\n### %s\n" % title)
            print(text)
            if top3:
                print("top-3 precision: " + ", ".join(
                    "%s %.3f" % (m, v) for m, v in top3.items()))


if __name__ == "__main__":
    main()
