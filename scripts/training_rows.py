"""Write the training rows of shipped fixtures (the same deterministic splits as
`export_sklearn.py fixtures`) as CSVs with the fixture's header: the reference rows of
`neuralize evaluate`.

    python scripts/training_rows.py OUT_DIR NAME [NAME ...]
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from export_sklearn import _fixture_specs  # noqa: E402


def main(argv):
    out_dir, names = argv[0], set(argv[1:])
    os.makedirs(out_dir, exist_ok=True)
    for name, _est, X_train, _X_in, feature_names, _ds in _fixture_specs():
        if name not in names:
            continue
        header = feature_names or ["x%d" % i for i in range(X_train.shape[1])]
        with open(os.path.join(out_dir, name + ".train.csv"), "w") as f:
            f.write(",".join(header) + "\n")
            for row in X_train:
                f.write(",".join(repr(float(v)) for v in row) + "\n")
        names.discard(name)
    if names:
        sys.exit("unknown fixtures: %s" % ", ".join(sorted(names)))


if __name__ == "__main__":
    main(sys.argv[1:])
