"""Speed, side by side in ONE run on ONE machine: scikit-learn's decision_function, the
project's NumPy NEON yardstick (scripts/neon_numpy.py), KernelSHAP, and neuralize (library
in memory and the whole command).

One-class SVM, d = 30, ~1,000 support vectors, 100,000 rows (seeded). Prints a markdown table
of times and ratios; every figure is from this single run.

    pip install -r scripts/requirements.txt pandas shap
    cargo build --release
    python3 scripts/bench_vs_sklearn.py [--rows 100000] [--neon-numpy scripts/neon_numpy.py]

--neon-numpy takes any file that defines explain_ocsvm(X, sv, dual_coef, rho, gamma, beta)
returning (outlierness, relevance); the default is this directory's neon_numpy.py.
"""
import argparse
import importlib.util
import json
import os
import subprocess
import sys
import tempfile
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
sys.path.insert(0, HERE)
from export_sklearn import to_neuralize  # noqa: E402


def best_of(repeats, fn):
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def run(cmd):
    start = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


NUMPY_KEY = "NumPy NEON explain (in memory, scripts/neon_numpy.py or --neon-numpy)"

READ_PREDICT_WRITE = """
import sys, pickle, pandas as pd
model = pickle.load(open(sys.argv[1], "rb"))
X = pd.read_csv(sys.argv[2]).to_numpy()
pd.DataFrame({"decision_function": model.decision_function(X)}).to_csv(sys.argv[3], index=False)
"""


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--shap-rows", type=int, default=10)
    parser.add_argument("--neon-numpy", default=os.path.join(HERE, "neon_numpy.py"),
                        help="NumPy NEON yardstick to time (default: scripts/neon_numpy.py)")
    args = parser.parse_args()

    from sklearn.svm import OneClassSVM

    rng = np.random.default_rng(0)
    d = 30
    train = rng.normal(size=(2000, d))
    svm = OneClassSVM(nu=0.5, gamma="scale").fit(train)
    X = rng.normal(size=(args.rows, d)) * 1.2
    tmp = tempfile.mkdtemp(prefix="neuralize-bench-")
    model_path = os.path.join(tmp, "model.json")
    input_path = os.path.join(tmp, "rows.csv")
    pickle_path = os.path.join(tmp, "model.pkl")
    with open(model_path, "w") as f:
        json.dump(to_neuralize(svm, train), f)
    header = ",".join(f"x{i}" for i in range(d))
    np.savetxt(input_path, X, delimiter=",", header=header, comments="", fmt="%.17g")
    import pickle
    with open(pickle_path, "wb") as f:
        pickle.dump(svm, f)
    n_sv = len(svm.support_)
    print(f"# one-class SVM: d = {d}, {n_sv} support vectors, {args.rows} rows, {os.cpu_count()} cores", flush=True)

    rows = {}
    rows["scikit-learn decision_function (in memory)"] = best_of(args.repeats, lambda: svm.decision_function(X))

    if os.path.exists(args.neon_numpy):
        spec = importlib.util.spec_from_file_location("neon_yardstick", args.neon_numpy)
        yardstick = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(yardstick)
        explain_ocsvm = yardstick.explain_ocsvm
        sv, alpha, rho, gamma = svm.support_vectors_, svm.dual_coef_[0], -svm.intercept_[0], svm._gamma
        rows[NUMPY_KEY] = best_of(
            args.repeats, lambda: explain_ocsvm(X, sv, alpha, rho, gamma, beta=1.0))
    else:
        print(f"(skipping the NumPy yardstick: {args.neon_numpy} not found)")

    script = os.path.join(tmp, "read_predict_write.py")
    with open(script, "w") as f:
        f.write(READ_PREDICT_WRITE)
    rows["Python read CSV + decision_function + write CSV (whole script)"] = min(
        run([sys.executable, script, pickle_path, input_path, os.path.join(tmp, "py.csv")])
        for _ in range(args.repeats))

    binary = os.path.join(REPO, "target", "release", "neuralize")
    out = subprocess.run(["cargo", "bench", "--quiet", "--bench", "library", "--",
                          model_path, input_path, str(args.repeats)],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    lib = json.loads(out)
    rows["neuralize forward / score (library, in memory)"] = lib["forward_s"]
    rows["neuralize explain (library, in memory, --rule neon --beta 1)"] = lib["explain_s"]
    rows["neuralize explain (library, in memory, default rule)"] = lib["explain_default_s"]
    for rule_args, label in [([], "default rule"), (["--rule", "neon", "--beta", "1"], "--rule neon --beta 1")]:
        rows[f"neuralize explain, whole command, CSV in/out ({label})"] = min(
            run([binary, "explain", "--model", model_path, "--input", input_path,
                 "--output", os.path.join(tmp, "r.csv")] + rule_args)
            for _ in range(args.repeats))

    try:
        import shap
        small = X[: args.shap_rows]
        background = shap.kmeans(train, 10)
        explainer = shap.KernelExplainer(lambda z: svm.decision_function(z), background)
        per_row = best_of(1, lambda: explainer.shap_values(small, silent=True)) / len(small)
        rows[f"KernelSHAP (shap {shap.__version__}, 10-centroid background; {args.shap_rows} rows timed, scaled to all rows)"] = per_row * args.rows
    except ImportError:
        print("(skipping KernelSHAP: `pip install shap`)")

    sk = rows["scikit-learn decision_function (in memory)"]
    print("\n| what | seconds | rows/s | time / scikit-learn decision_function |")
    print("|---|---:|---:|---:|")
    for name, seconds in rows.items():
        print(f"| {name} | {seconds:.3f} | {args.rows / seconds:,.0f} | {seconds / sk:.3f} |")

    print("\nRatios (same run):")
    forward = rows["neuralize forward / score (library, in memory)"]
    for label in ["--rule neon --beta 1", "default rule"]:
        lib_explain = rows[f"neuralize explain (library, in memory, {label})"]
        print(f"- library explain ({label}) vs scikit-learn decision_function: {sk / lib_explain:.1f}x faster")
        if NUMPY_KEY in rows:
            print(f"- library explain ({label}) vs NumPy NEON: {rows[NUMPY_KEY] / lib_explain:.1f}x faster")
        print(f"- library explain ({label}) / library forward: {lib_explain / forward:.2f}")
    py = rows["Python read CSV + decision_function + write CSV (whole script)"]
    for label in ["default rule", "--rule neon --beta 1"]:
        cmd = rows[f"neuralize explain, whole command, CSV in/out ({label})"]
        print(f"- whole command ({label}) vs Python read-predict-write: {py / cmd:.1f}x faster")


if __name__ == "__main__":
    main()
