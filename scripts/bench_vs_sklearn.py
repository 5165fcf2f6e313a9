"""Speed against the best, side by side in ONE run on ONE machine, interleaved best-of-N.

For one-class SVMs (~100, ~1,000, ~10,000 support vectors), a Gaussian KDE (1,000 points)
and k-means (k = 8, 30, 100), all at d = 30 on the same seeded rows, it times:

- neuralize: the whole command (`neuralize explain`, CSV in, CSV out, default method) and
  the library in memory (`cargo bench --bench library -- MODEL INPUT`: forward, explain with
  the published rules, explain with the default method; and, where the bench has it,
  `-- floor MODEL INPUT`: the arithmetic floor of the kernel models);
- (a) scikit-learn's prediction in memory (decision_function / score_samples /
  KMeans.predict);
- (b) the project's lean NumPy NEON in memory (scripts/neon_numpy.py: BLAS products, in-place
  exp, no loop over rows; on --threads Python threads over row blocks, BLAS on one thread
  each, which beats BLAS threads alone by about 1.5x);
- (c) whole Python scripts, CSV to CSV: pyarrow read + scikit-learn prediction + pyarrow
  write, and pyarrow read + lean NumPy NEON + pyarrow write.

The ratio table also gives each explanation over the library's own forward pass and the
default explanation's nanoseconds per row x unit (flat from 100 to 10,000 support vectors
means linear in the units; this script replaces the former benches/side_by_side.py).

Every tool gets the same number of threads (--threads, default 2: RAYON_NUM_THREADS and the
BLAS thread variables are set before anything starts). Each round times every tool on
every workload once, in turn; the table shows the best of --repeats rounds, then the ratios.
Inside a round each library figure is the best of --passes passes in one process (warm
buffers and thread pool, as the in-memory Python figures are timed after their imports).

    pip install -r scripts/requirements.txt
    cargo build --release && cargo bench --no-run --bench library
    python3 scripts/bench_vs_sklearn.py [--rows 100000] [--repeats 3] [--only kmeans30,ocsvm1000]

Models and rows are generated once into --workdir (default: a directory under the system's
temporary directory named by the settings) and reused by later runs.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
D = 30

# name: (kind, parameter, share of --rows); the SVM's parameter is the wanted number of
# support vectors. The 10,000-SV model runs on a fifth of the rows (scikit-learn's
# decision_function alone would take a minute a round on 100,000).
WORKLOADS = {
    "ocsvm100": ("ocsvm", 100, 1),
    "ocsvm1000": ("ocsvm", 1000, 1),
    "ocsvm10000": ("ocsvm", 10000, 5),
    "kde1000": ("kde", 1000, 1),
    "kmeans8": ("kmeans", 8, 1),
    "kmeans30": ("kmeans", 30, 1),
    "kmeans100": ("kmeans", 100, 1),
}

# The whole-script competitors: read with pyarrow, compute, write with pyarrow. argv: kind,
# model pickle (scikit-learn) or model JSON (NumPy NEON), input CSV, output CSV.
PYARROW_SKLEARN = r'''
import pickle, sys
import numpy as np, pyarrow as pa, pyarrow.csv as pc
kind, model_path, src, dst = sys.argv[1:5]
table = pc.read_csv(src)
X = np.column_stack([c.to_numpy() for c in table.columns])
model = pickle.load(open(model_path, "rb"))
if kind == "ocsvm":
    out = {"decision_function": model.decision_function(X)}
elif kind == "kde":
    out = {"log_density": model.score_samples(X)}
else:
    out = {"cluster": model.predict(X)}
pc.write_csv(pa.table(out), dst)
'''

PYARROW_NEON = r'''
import json, sys
import numpy as np, pyarrow as pa, pyarrow.csv as pc
sys.path.insert(0, sys.argv[5])
import neon_numpy
kind, model_path, src, dst = sys.argv[1:5]
threads = int(sys.argv[6])
table = pc.read_csv(src)
names = table.column_names
X = np.column_stack([c.to_numpy() for c in table.columns])
m = json.load(open(model_path))
if kind == "kmeans":
    c, o, R = neon_numpy.on_threads(neon_numpy.explain_kmeans, X, m["centroids"], m["beta"], threads=threads)
    columns = {"cluster": c, "logit": o}
elif kind == "kde":
    gamma = m["kernel"]["rbf"]["gamma"]
    o, R = neon_numpy.on_threads(neon_numpy.explain_kde, X, m["points"], gamma, threads=threads)
    d = X.shape[1]
    columns = {"log_density": -o - 0.5 * d * np.log(np.pi / gamma), "outlierness": o}
else:
    o, R = neon_numpy.on_threads(neon_numpy.explain_ocsvm, X, m["support_vectors"], m["dual_coef"],
                                 m["rho"], m["kernel"]["rbf"]["gamma"], threads=threads)
    columns = {"decision_function": m["rho"] * np.expm1(-o), "outlierness": o}
for i, name in enumerate(names):
    columns["R_" + name] = R[:, i]
pc.write_csv(pa.table(columns), dst)
'''


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--passes", type=int, default=3,
                        help="passes of each library figure inside one bench process (best of them: "
                             "warm, as the in-memory Python figures are; 1 = a cold first pass)")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--only", default=",".join(WORKLOADS),
                        help="comma-separated workloads (default: all of %s)" % ", ".join(WORKLOADS))
    parser.add_argument("--workdir", default=None)
    parser.add_argument("--binary", default=os.path.join(REPO, "target", "release", "neuralize"))
    return parser.parse_args()


ARGS = parse_args()
for var in ["RAYON_NUM_THREADS", "OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"]:
    os.environ[var] = str(ARGS.threads)

import numpy as np  # noqa: E402  (after the thread variables)

sys.path.insert(0, HERE)
import neon_numpy  # noqa: E402
from export_sklearn import to_neuralize  # noqa: E402


def fit(kind, parameter, train):
    """A fitted scikit-learn model of this workload."""
    if kind == "ocsvm":
        from sklearn.svm import OneClassSVM
        # nu bounds the fraction of support vectors from below: nu = 0.5 on twice as many
        # rows as the wanted support vectors gives about that many.
        return OneClassSVM(nu=0.5, gamma="scale").fit(train[: 2 * parameter])
    if kind == "kde":
        from sklearn.neighbors import KernelDensity
        return KernelDensity(kernel="gaussian", bandwidth=np.sqrt(D)).fit(train[:parameter])
    from sklearn.cluster import KMeans
    return KMeans(n_clusters=parameter, n_init=1, random_state=0).fit(train)


def prepare(workdir, names):
    """Models (JSON for neuralize, pickle for scikit-learn) and the input CSV, made once."""
    import pickle
    os.makedirs(workdir, exist_ok=True)
    rng = np.random.default_rng(0)
    train = rng.normal(size=(20_000, D))
    X = rng.normal(size=(ARGS.rows, D)) * 1.2
    inputs = {}
    for share in sorted({WORKLOADS[n][2] for n in names}):
        rows = ARGS.rows // share
        path = os.path.join(workdir, f"rows{rows}.csv")
        if not os.path.exists(path):
            header = ",".join(f"x{i}" for i in range(D))
            np.savetxt(path + ".part", X[:rows], delimiter=",", header=header, comments="", fmt="%.17g")
            os.replace(path + ".part", path)
        inputs[share] = (X[:rows], path)
    models = {}
    for name in names:
        kind, parameter, share = WORKLOADS[name]
        json_path = os.path.join(workdir, name + ".json")
        pickle_path = os.path.join(workdir, name + ".pkl")
        if not (os.path.exists(json_path) and os.path.exists(pickle_path)):
            print(f"# fitting {name} ...", file=sys.stderr, flush=True)
            estimator = fit(kind, parameter, train)
            model = to_neuralize(estimator, train[:2000])
            if kind == "kmeans":
                # the beta NumPy NEON uses; neuralize's default method picks its own (auto)
                model["beta"] = model.get("beta") or default_kmeans_beta(model["centroids"])
            with open(json_path, "w") as f:
                json.dump(model, f)
            with open(pickle_path, "wb") as f:
                pickle.dump(estimator, f)
        with open(pickle_path, "rb") as f:
            estimator = pickle.load(f)
        with open(json_path) as f:
            model = json.load(f)
        models[name] = (kind, estimator, model, json_path, pickle_path) + inputs[share]
    return models


def default_kmeans_beta(centroids):
    """2 / mean over clusters of the squared distance to the nearest other centroid."""
    M = np.asarray(centroids)
    sq = (M * M).sum(axis=1)
    dist = sq[:, None] + sq[None, :] - 2.0 * M @ M.T
    np.fill_diagonal(dist, np.inf)
    return 2.0 / float(dist.min(axis=1).mean())


def timed(fn):
    start = time.perf_counter()
    fn()
    return time.perf_counter() - start


def run(cmd):
    return timed(lambda: subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL))


def bench_binary():
    """The library bench executable (built by `cargo bench --no-run --bench library`)."""
    out = subprocess.run(["cargo", "bench", "--no-run", "--bench", "library", "--message-format=json"],
                         cwd=REPO, check=True, capture_output=True, text=True).stdout
    for line in out.splitlines():
        message = json.loads(line)
        if message.get("reason") == "compiler-artifact" and message["target"]["name"] == "library" \
                and message.get("executable"):
            return message["executable"]
    sys.exit("bench_vs_sklearn: no executable for `cargo bench --bench library`")


def library(executable, *args, threads=None):
    """One JSON line from the library bench, or None when it does not take these arguments."""
    env = dict(os.environ, RAYON_NUM_THREADS=str(threads)) if threads else None
    done = subprocess.run([executable, "--bench", *args], capture_output=True, text=True, env=env)
    if done.returncode != 0:
        return None
    try:
        return json.loads(done.stdout.strip().splitlines()[-1])
    except (ValueError, IndexError):
        return None


def in_memory_sklearn(kind, estimator, X):
    if kind == "ocsvm":
        return lambda: estimator.decision_function(X)
    if kind == "kde":
        return lambda: estimator.score_samples(X)
    return lambda: estimator.predict(X)


def in_memory_neon(kind, model, X):
    """Lean NumPy NEON on --threads Python threads over row blocks (neon_numpy.on_threads)."""
    threads = ARGS.threads
    if kind == "ocsvm":
        return lambda: neon_numpy.on_threads(
            neon_numpy.explain_ocsvm, X, model["support_vectors"], model["dual_coef"], model["rho"],
            model["kernel"]["rbf"]["gamma"], threads=threads)
    if kind == "kde":
        return lambda: neon_numpy.on_threads(
            neon_numpy.explain_kde, X, model["points"], model["kernel"]["rbf"]["gamma"], threads=threads)
    return lambda: neon_numpy.on_threads(
        neon_numpy.explain_kmeans, X, model["centroids"], model["beta"], threads=threads)


COLUMNS = [
    ("cmd", "neuralize explain, CSV to CSV (default method)"),
    ("lib_forward", "library forward (in memory)"),
    ("lib_explain", "library explain, published rules (in memory)"),
    ("lib_default", "library explain, default method (in memory)"),
    ("floor", "arithmetic floor (`library -- floor`)"),
    ("lib_default_1t", "library explain, default method, 1 thread"),
    ("floor_1t", "arithmetic floor, 1 thread"),
    ("sk", "(a) scikit-learn prediction (in memory)"),
    ("np", "(b) lean NumPy NEON (in memory)"),
    ("pa_sk", "(c) pyarrow read + scikit-learn + pyarrow write"),
    ("pa_np", "(c) pyarrow read + lean NumPy NEON + pyarrow write"),
]


def main():
    names = [n.strip() for n in ARGS.only.split(",") if n.strip()]
    for name in names:
        if name not in WORKLOADS:
            sys.exit(f"bench_vs_sklearn: unknown workload {name!r} (have {', '.join(WORKLOADS)})")
    workdir = ARGS.workdir or os.path.join(tempfile.gettempdir(), f"neuralize-bench-d{D}-n{ARGS.rows}")
    models = prepare(workdir, names)
    executable = bench_binary()
    if not os.path.exists(ARGS.binary):
        sys.exit(f"bench_vs_sklearn: {ARGS.binary} not found: cargo build --release")
    scripts = {}
    for key, text in [("pa_sk", PYARROW_SKLEARN), ("pa_np", PYARROW_NEON)]:
        scripts[key] = os.path.join(workdir, key + ".py")
        with open(scripts[key], "w") as f:
            f.write(text)
    out_path = os.path.join(workdir, "out.csv")
    # a first floor run on a kernel model tells whether the bench has one
    kernel = [n for n in names if models[n][0] != "kmeans"]
    has_floor = bool(kernel) and library(executable, "floor", models[kernel[0]][3],
                                         models[kernel[0]][6], "1") is not None
    if kernel and not has_floor:
        print("# (no `cargo bench --bench library -- floor`: the floor column is skipped)", file=sys.stderr)

    best = {name: {} for name in names}

    def note(name, key, seconds):
        if seconds is not None:
            best[name][key] = min(seconds, best[name].get(key, float("inf")))

    for round_ in range(ARGS.repeats):
        print(f"# round {round_ + 1} of {ARGS.repeats}", file=sys.stderr, flush=True)
        for name in names:
            kind, estimator, model, json_path, pickle_path, X, input_path = models[name]
            note(name, "cmd", run([ARGS.binary, "explain", "-q", "--model", json_path,
                                   "--input", input_path, "--output", out_path]))
            lib = library(executable, json_path, input_path, str(ARGS.passes))
            if lib is None:
                sys.exit(f"bench_vs_sklearn: the library bench failed on {json_path}")
            note(name, "lib_forward", lib["forward_s"])
            note(name, "lib_explain", lib["explain_s"])
            note(name, "lib_default", lib["explain_default_s"])
            if has_floor and kind != "kmeans":
                floor = library(executable, "floor", json_path, input_path, str(ARGS.passes))
                note(name, "floor", floor and floor.get("floor_s"))
                # issue 12: explain within 1.3x of the floor on one thread
                floor = library(executable, "floor", json_path, input_path, str(ARGS.passes), threads=1)
                note(name, "floor_1t", floor and floor.get("floor_s"))
                lib = library(executable, json_path, input_path, str(ARGS.passes), threads=1)
                note(name, "lib_default_1t", lib and lib["explain_default_s"])
            note(name, "sk", timed(in_memory_sklearn(kind, estimator, X)))
            note(name, "np", timed(in_memory_neon(kind, model, X)))
            note(name, "pa_sk", run([sys.executable, scripts["pa_sk"], kind, pickle_path, input_path, out_path]))
            note(name, "pa_np", run([sys.executable, scripts["pa_np"], kind, json_path, input_path, out_path,
                                     HERE, str(ARGS.threads)]))

    units = {n: (len(models[n][2].get("dual_coef") or models[n][2].get("points") or models[n][2]["centroids"]))
             for n in names}
    print(f"\n{ARGS.rows:,} rows (ocsvm10000: {ARGS.rows // 5:,}) x {D} features, {ARGS.threads} threads for every tool, "
          f"{os.cpu_count()} cores, best of {ARGS.repeats} interleaved rounds; seconds:\n")
    shown = [(k, label) for k, label in COLUMNS if any(k in best[n] for n in names)]
    print("| workload | units | rows | " + " | ".join(label for _, label in shown) + " |")
    print("|---|---:|---:|" + "---:|" * len(shown))
    for n in names:
        cells = [f"{best[n][k]:.3f}" if k in best[n] else "" for k, _ in shown]
        print(f"| {n} | {units[n]:,} | {len(models[n][5]):,} | " + " | ".join(cells) + " |")

    def ratio(n, a, b):
        return f"{best[n][a] / best[n][b]:.2f}" if a in best[n] and b in best[n] else ""

    def per_unit(n, key):
        """Nanoseconds per row x unit: flat from 100 to 10,000 units means linear in units."""
        if key not in best[n]:
            return ""
        return f"{best[n][key] / (len(models[n][5]) * units[n]) * 1e9:.2f}"

    print("\nRatios (same run; > 1 means neuralize is faster, except the last six columns):\n")
    print("| workload | (c) pyarrow + scikit-learn / command | (c) pyarrow + NumPy NEON / command "
          "| (b) NumPy NEON / library explain (default) | (a) scikit-learn / library forward "
          "| library explain (default) / forward | library explain (published) / forward "
          "| library explain (published) / floor "
          "| library explain (default) / floor | same, 1 thread "
          "| library explain (default), ns per row x unit |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in names:
        print(f"| {n} | {ratio(n, 'pa_sk', 'cmd')} | {ratio(n, 'pa_np', 'cmd')} | {ratio(n, 'np', 'lib_default')} "
              f"| {ratio(n, 'sk', 'lib_forward')} | {ratio(n, 'lib_default', 'lib_forward')} "
              f"| {ratio(n, 'lib_explain', 'lib_forward')} "
              f"| {ratio(n, 'lib_explain', 'floor')} | {ratio(n, 'lib_default', 'floor')} "
              f"| {ratio(n, 'lib_default_1t', 'floor_1t')} | {per_unit(n, 'lib_default')} |")

    print("\nIssue 12's targets (this run):")

    def target(n, a, b, label, bound, at_least):
        if a not in best.get(n, {}) or b not in best[n]:
            return
        r = best[n][a] / best[n][b]
        met = r >= bound if at_least else r <= bound
        print(f"- {label}: {r:.2f} ({'met' if met else 'NOT met'}: {'>=' if at_least else '<='} {bound})")

    target("kmeans30", "pa_sk", "cmd",
           "k-means k = 30: pyarrow + KMeans.predict + pyarrow / command", 1, True)
    target("ocsvm1000", "pa_np", "cmd",
           "OC-SVM ~1,000 SVs: pyarrow + NumPy NEON + pyarrow / command (default method)", 2, True)
    target("ocsvm1000", "lib_default_1t", "floor_1t",
           "OC-SVM ~1,000 SVs: library explain (default) / floor, 1 thread", 1.3, False)
    for k in [8, 30, 100]:
        target(f"kmeans{k}", "lib_forward", "sk", f"k-means k = {k}: library forward / KMeans.predict", 2, False)
        target(f"kmeans{k}", "lib_default", "lib_forward", f"k-means k = {k}: library explain / forward", 3, False)


if __name__ == "__main__":
    main()
