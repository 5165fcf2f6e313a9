"""Decide a held-out study's open sets with more marginal draws: re-score kept sets of a
`scripts/heldout_study.py --out DIR` run over more draw seeds, with the study's intervals.

    python3 scripts/study_redraw.py DIR --tags digits_3,planted_17 [--draw-seeds 10]
                                    [--methods default,neon-path@1] [--bin target/release/neuralize]

Under marginal imputation every flipped feature is replaced by draws from the training rows,
so a set's flipping AUC moves with the draw seed, and with the study's 3 seeds a gap near 2 %
often stays "open" (its 95 % interval straddles the target). This script takes the study's
saved files (DIR/TAG.{tuned.json,train.csv,test.csv,rows.npz}), explains the test rows with
each of `--methods` through the CLI (`neuralize explain --method M`; `default` = what explain
runs on the tuned model file), takes the baselines' relevances from the saved rows.npz (they
do not depend on the default), recomputes every per-row marginal area for draw seeds
0..N-1 (scripts/flip_rows.py, the library's draw streams) and prints the gap to the best of
occlusion, gradient x input and integrated gradients with the study's paired bootstrap over
rows and its verdict (pass / open / miss against 2 %). Mean imputation does not depend on
draws; its gap is printed from the same rows for reference.
"""
import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from flip_rows import gap_interval, row_areas  # noqa: E402
from heldout_study import BASELINES, BOOTSTRAP, GAP_TARGET, explain, verdict  # noqa: E402


def load_set(run, tag):
    """(model path, model, train rows, test rows, saved relevances by method)."""
    base = os.path.join(run, tag)
    model_path = base + ".tuned.json"
    if not os.path.exists(model_path):
        raise SystemExit("study_redraw: %s not found (is %s a heldout_study --out dir?)"
                         % (model_path, run))
    train = np.loadtxt(base + ".train.csv", delimiter=",", skiprows=1, ndmin=2)
    test = np.loadtxt(base + ".test.csv", delimiter=",", skiprows=1, ndmin=2)
    saved = np.load(base + ".rows.npz")
    relevance = {key[2:]: saved[key] for key in saved.files if key.startswith("R ")}
    missing = [b for b in BASELINES if b not in relevance]
    if missing:
        raise SystemExit("study_redraw: %s.rows.npz has no relevance for %s" % (base, missing))
    saved_areas = {key[6:]: saved[key] for key in saved.files if key.startswith("areas ")}
    return model_path, json.load(open(model_path)), train, test, relevance, saved_areas


def areas_over_seeds(model, train, test, relevance, draws, seeds, saved_areas):
    """(rows, 2) per method: mean-imputation area, marginal area averaged over the seeds.
    A method whose areas the study saved must reproduce them (mean, marginal seed 0)."""
    out = {}
    for method, r in relevance.items():
        _, first = row_areas(model, test, r, train, draws, 0)
        if method in saved_areas and not np.allclose(first, saved_areas[method][:, :2],
                                                     rtol=1e-9, atol=1e-12):
            raise SystemExit("study_redraw: %s's areas differ from the study's saved ones"
                             % method)
        marginal = [first[:, 1]] + [row_areas(model, test, r, train, draws, s, mean=False)[1][:, 1]
                                    for s in range(1, seeds)]
        out[method] = np.column_stack([first[:, 0], np.mean(marginal, axis=0)])
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("run", help="a heldout_study --out directory")
    ap.add_argument("--tags", required=True, help="sets to re-score, e.g. digits_3,planted_17")
    ap.add_argument("--methods", default="default", help="explained through the CLI")
    ap.add_argument("--draw-seeds", type=int, default=10)
    ap.add_argument("--draws", type=int, default=20, help="marginal draws per row (the study's)")
    ap.add_argument("--bin", default="target/release/neuralize")
    args = ap.parse_args()
    if args.draw_seeds < 1:
        raise SystemExit("study_redraw: --draw-seeds must be >= 1")
    rng = np.random.RandomState(17)
    print("| set | method | rows | gap mean [95%%] | gap marginal, %d draw seeds [95%%] | verdict |"
          % args.draw_seeds)
    print("|---|---|---:|---:|---:|---|")
    for tag in filter(None, args.tags.split(",")):
        model_path, model, train, test, saved, saved_areas = load_set(args.run, tag)
        methods = [m for m in args.methods.split(",") if m]
        relevance = {b: saved[b] for b in BASELINES}
        for m in methods:
            relevance[m] = explain(args.bin, model_path, os.path.join(args.run, tag + ".test.csv"),
                                   m)
        areas = areas_over_seeds(model, train, test, relevance, args.draws, args.draw_seeds,
                                 saved_areas)
        n = len(areas[BASELINES[0]])
        idx = rng.randint(n, size=(BOOTSTRAP, n))
        for m in methods:
            cells, verdicts = [], []
            for col in range(2):
                point, lo, hi = gap_interval(areas, m, col, idx, BASELINES)
                cells.append("%+.1f%% [%+.1f, %+.1f]" % (100 * point, 100 * lo, 100 * hi))
                verdicts.append(verdict(lo, hi, GAP_TARGET))
            worst = "miss" if "miss" in verdicts else ("open" if "open" in verdicts else "pass")
            print("| %s | %s | %d | %s | %s |" % (tag, m, n, " | ".join(cells), worst), flush=True)


if __name__ == "__main__":
    main()
