#!/usr/bin/env python3
"""Cost of the dense-network rule sets side by side with `neon-ref` and the forward pass,
in ONE run of the library in memory (no CSV on the clock):
`cargo bench --bench library -- MODEL INPUT REPEATS neon-ref METHOD...` times forward,
the default and each named method in turn every round (interleaved), keeping each one's
best round.

    python3 scripts/bench_dense_flip.py [--rows 20000] [--features 30] [--hidden 64,32]
                                        [--classes 4] [--threads 2] [--repeats 7]
                                        [--methods neon-flip,neon-drop]

Prints a markdown table of best-of-N seconds and the ratios of each to the forward pass
and to `neon-ref`. The MLP is trained as in scripts/bench_dense.py (make_classification,
StandardScaler + MLPClassifier, random_state 0).
"""
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)

from bench_dense import bench_args, fit_mlp  # noqa: E402


def main():
    args = bench_args(__doc__, 20_000, 7, "bench_dense_flip",
                      methods="neon-flip,neon-drop")
    methods = [m for m in args.methods.split(",") if m]
    _, _, hidden, _, model_path, input_path = fit_mlp(args)

    env = dict(os.environ, RAYON_NUM_THREADS=str(args.threads))
    out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "library", "--", model_path,
                          input_path, str(args.repeats), "neon-ref"] + methods,
                         cwd=REPO, env=env, check=True, capture_output=True, text=True).stdout
    lib = json.loads(out.strip().splitlines()[-1])
    t = {
        "forward": lib["forward_s"],
        "default": lib["explain_default_s"],
        "neon-ref (named)": lib["methods"]["neon-ref"],
    }
    t.update((m, lib["methods"][m]) for m in methods)
    ref = t["neon-ref (named)"]
    print("MLP %s, d = %d, %d classes, %d rows, %d threads, best of %d (interleaved)"
          % (hidden, args.features, args.classes, args.rows, lib["threads"], args.repeats))
    print()
    print("| what | seconds | / forward | / neon-ref |")
    print("|---|---:|---:|---:|")
    for k, v in t.items():
        print("| %s | %.4f | %.2f | %.2f |" % (k, v, v / t["forward"], v / ref))
    return 0


if __name__ == "__main__":
    sys.exit(main())
