"""Plain NumPy oracle of the `neon-focus` rule set (rbf kernel models), independent of the
Rust code; the flip-ordered pass is scripts/neon_oracle_flip.py's.

    python scripts/neon_oracle_focus.py           # writes models/NAME.expected_focus.csv

For a row z with first pass R0 (`neon-path`, same beta) and flip-ordered relevance R_flip
(neon_oracle_flip.flip_parts), the share of the row's positive first-pass relevance held by
its TOP features (R0's top 3, as scripts/flip_screen.py's `top_share`),

    c = sum_top3 max(R0_i, 0) / sum_i max(R0_i, 0)      (0 when no R0_i > 0),

sets the row's share of the flip-ordered relevance, l = c^2 / 2, and

    R = (1 - l) R0 + l R_flip                            (both sum to o: conserving).

Rows without a usable R_flip (and d <= TOP) keep R0. This is flip_screen.py's `ada.5:g3`.
The written file has the columns of NAME.expected.csv (prediction, outlierness, R_...).
"""
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from neon_oracle_flip import FIXTURES, TOP, mixed_explainer  # noqa: E402
from neon_oracle_path import write_fixtures  # noqa: E402

SCALE = 0.5


def focus_share(R0, top=TOP):
    """l = SCALE c^2, c the share of the positive R0 held by its `top` largest values."""
    P = np.sort(np.maximum(R0, 0.0))[::-1]
    total = P.sum()
    c = P[:top].sum() / total if total > 0 else 0.0
    return SCALE * c * c


explain = mixed_explainer(focus_share, "neon-focus")


def main():
    write_fixtures(FIXTURES, explain, "expected_focus.csv")


if __name__ == "__main__":
    main()
