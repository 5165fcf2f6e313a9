"""Cost of `neon-flip@1` and `neon-focus@1` next to `neon-path@1` (the kernel default) and the
forward pass,
through the CLI, interleaved best-of-N on the same rows (a noisy shared machine: compare
ratios from one run only).

    cargo build --release
    python3 scripts/bench_flip_cost.py [--models m1.json,m2.json] [--rows 20000] [--rounds 5]
        [--threads 1] [--bin a/neuralize,b/neuralize]

Default models: the fixtures ocsvm_breast_cancer (d = 30), kde_digits (d = 64) and
ocsvm_digits_rbf (d = 64); each fixture's input rows are repeated to --rows rows. Timed per
round and model: `score` (the forward pass), `explain --method random` (explain's CSV
input/output with a negligible explainer: the I/O floor), `explain --method neon-path@1`,
`explain --method neon-flip@1` and `explain --method neon-focus@1` (the same passes, another
per-row mix). Printed: best wall times, the raw ratios, and `(t_rule - t_floor) / t_forward`,
the explainer's compute beyond explain's own I/O in forward passes (the forward's own CSV input is not subtracted, so it is a lower bound of the
kernel-only ratio). The kernel-only ratio for neon-path is in scripts/bench_default_cost.py.

With several binaries (`--bin before,after`, e.g. a copy of an older build) every round runs
each command with each binary in turn (interleaved), one table per binary, then the ratios
side by side. `--clock cpu` times the child's CPU time instead of the wall time (a machine
busy with other work: the ratios at --threads 1 without the waits for a core).
"""
import argparse
import os
import resource
import subprocess
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(HERE)
BIN = os.path.join(REPO, "target", "release", "neuralize")
FIXTURES = ["ocsvm_breast_cancer", "kde_digits", "ocsvm_digits_rbf"]


def wall(args):
    start = time.perf_counter()
    subprocess.run(args, check=True, capture_output=True)
    return time.perf_counter() - start


def cpu(args):
    """The child's user + system CPU time: on a loaded machine it leaves out the time spent
    waiting for a core (with --threads above 1 it sums the threads' times)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(args, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--models", default=",".join(
        os.path.join(REPO, "models", f + ".json") for f in FIXTURES))
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--threads", default="1")
    ap.add_argument("--bin", default=BIN,
                    help="comma-separated neuralize binaries, compared interleaved")
    ap.add_argument("--clock", choices=["wall", "cpu"], default="wall")
    args = ap.parse_args()
    clock = wall if args.clock == "wall" else cpu
    bins = args.bin.split(",")
    work = tempfile.mkdtemp(prefix="flip-cost-")
    jobs = []
    for model in args.models.split(","):
        name = os.path.basename(model)[:-len(".json")]
        source = os.path.join(os.path.dirname(model), name + ".input.csv")
        lines = open(source).read().splitlines()
        header, body = lines[0], lines[1:]
        rows = os.path.join(work, name + ".csv")
        with open(rows, "w") as f:
            f.write(header + "\n")
            for k in range(args.rows):
                f.write(body[k % len(body)] + "\n")
        jobs.append((name, model, rows))
    out = os.path.join(work, "out.csv")
    what = {
        "forward": ["score"],
        "io floor": ["explain", "--method", "random"],
        "neon-path@1": ["explain", "--method", "neon-path@1"],
        "neon-flip@1": ["explain", "--method", "neon-flip@1"],
        "neon-focus@1": ["explain", "--method", "neon-focus@1"],
    }

    def command(binary, key, model, rows):
        return [binary, *what[key][:1], "-m", model, "-i", rows, "-o", out, "-q",
                *what[key][1:], "--threads", args.threads]

    best = {}
    for _ in range(args.rounds):
        for name, model, rows in jobs:
            for key in what:
                for binary in bins:
                    t = clock(command(binary, key, model, rows))
                    slot = (binary, name, key)
                    best[slot] = min(t, best.get(slot, float("inf")))
    for binary in bins:
        print(f"{binary}: threads {args.threads}, {args.rounds} rounds (best of), "
              f"{args.clock} time")
        print("| model | rows | forward (s) | io floor (s) | neon-path@1 (s) | neon-flip@1 (s) | "
              "neon-focus@1 (s) | path / forward | flip / forward | focus / forward | "
              "focus / path | (focus - floor) / forward |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for name, _, _ in jobs:
            f, io, p, fl, fo = (best[(binary, name, k)] for k in what)
            print(f"| {name} | {args.rows} | {f:.3f} | {io:.3f} | {p:.3f} | {fl:.3f} | "
                  f"{fo:.3f} | {p / f:.2f} | {fl / f:.2f} | {fo / f:.2f} | {fo / p:.2f} "
                  f"| {(fo - io) / f:.2f} |")
        print()
    if len(bins) > 1:
        # The forward pass is taken as the best over all binaries (they are meant to share
        # it): the least noisy yardstick; `t / t_first` compares the binaries directly.
        print("side by side: rule / forward (the best forward over the binaries), and each "
              "binary's time over the first's")
        print("| model | rule | " + " | ".join(os.path.basename(b) for b in bins) + " | "
              + " | ".join(f"t / t_first ({os.path.basename(b)})" for b in bins[1:]) + " |")
        print("|---|---|" + "---:|" * (2 * len(bins) - 1))
        for name, _, _ in jobs:
            forward = min(best[(b, name, "forward")] for b in bins)
            for key in ("neon-path@1", "neon-flip@1", "neon-focus@1"):
                times = [best[(b, name, key)] for b in bins]
                print(f"| {name} | {key} | " + " | ".join(f"{t / forward:.2f}" for t in times)
                      + " | " + " | ".join(f"{t / times[0]:.3f}" for t in times[1:]) + " |")


if __name__ == "__main__":
    main()
