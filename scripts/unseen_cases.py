"""The driver the check_unseen_*.py scripts share: options, seeded cases, a scratch folder
that is removed when every case passes and kept (and named) when one fails."""
import argparse
import os
import shutil
import tempfile

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))


def run(doc, prefix, default_cases, datasets, check_case):
    """Parse --cases / --seed / --binary, call `check_case(args, tmp, case, rng, data)` (True
    when the case failed) for every case and return the exit code (1 if any failed)."""
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cases", type=int, default=default_cases)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--binary", default=os.path.join(HERE, "..", "target", "release",
                                                     "neuralize"))
    args = ap.parse_args()
    rng = np.random.default_rng(args.seed)
    data = list(datasets())
    tmp = tempfile.mkdtemp(prefix="neuralize-unseen-%s-" % prefix)
    failures = sum(bool(check_case(args, tmp, case, rng, data)) for case in range(args.cases))
    print("%d of %d cases failed" % (failures, args.cases))
    if failures:
        print("the failing cases' files are kept in %s" % tmp)
    else:
        shutil.rmtree(tmp)
    return 1 if failures else 0
