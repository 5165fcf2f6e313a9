"""`neuralize tune` as the faithfulness studies run it (scripts/dense_faithfulness.py,
scripts/svc_faithfulness.py): tune a model file on its training rows, then read back which
method its `default` became and the family's own default."""
import json
import subprocess


def tune(binary, model, train, tuned):
    """`neuralize tune` on the training rows; returns (chosen method, family default)."""
    subprocess.run([binary, "tune", "-m", model, "--reference", train, "-o", tuned, "--quiet"],
                   check=True, capture_output=True, text=True)
    info = json.loads(subprocess.run([binary, "info", "-m", tuned, "--json"], check=True,
                                     capture_output=True, text=True).stdout)
    return info["default_method"], info["family_default_method"]
