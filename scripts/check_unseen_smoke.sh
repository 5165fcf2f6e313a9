#!/usr/bin/env bash
# A few cases of each check_unseen script: scikit-learn models that are not in the
# repository, fitted, exported and explained the way a user would, checked against
# scikit-learn's own outputs and the NumPy oracles. The full runs (default --cases) take
# minutes; this one about a minute, so CI catches a script that no longer matches the code.
#
#   scripts/check_unseen_smoke.sh [PYTHON]    # PYTHON with scripts/requirements.txt installed
set -euo pipefail
python="${1:-python3}"
cd "$(dirname "$0")/.."
"$python" scripts/check_unseen.py --cases 6
"$python" scripts/check_unseen_svc.py --cases 3
"$python" scripts/check_unseen_mlp.py --cases 5
"$python" scripts/check_unseen_detectors.py --cases 9
