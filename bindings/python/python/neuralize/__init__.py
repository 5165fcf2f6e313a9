"""neuralize: explain one-class SVMs, kernel densities and k-means with NEON, in place.

NEON (neuralization-propagation) rewrites the fitted model exactly as a small neural network
and splits each prediction into one relevance per input feature with Layer-wise Relevance
Propagation, at about the cost of one prediction. For the NEON rules every row's relevances
sum to the explained output (the outlierness, or a k-means logit).

    >>> import neuralize
    >>> ex = neuralize.Explainer(fitted)          # OneClassSVM, KernelDensity, KMeans,
    ...                                           # Pipeline(StandardScaler, one of them),
    ...                                           # or a model-file path
    >>> e = ex.explain(X)                         # NumPy array or DataFrame
    >>> e.output, e.relevance, e.prediction       # NumPy arrays
    >>> e.to_pandas()                             # the command line's columns
    >>> s = neuralize.spray(e, clusters="auto")   # SpRAy: group the explanations
    >>> s.labels, s.embedding, s.clusters         # per row; per cluster: size, mean R
    >>> ev = ex.evaluate(X, X_train)              # feature flipping: which method is
    >>> ev.to_pandas()                            # the most faithful on these rows

The computation runs in the Rust library (``neuralize._native``) with the GIL released;
library errors are ``ValueError`` with the library's message.
"""

from . import convert
from ._evaluation import Evaluation
from ._explainer import Explainer, Explanation, Scores, load
from ._native import __version__
from ._spray import ClusterSummary, Spray, spray
from .convert import ExportError, UnsupportedEstimatorError

__all__ = ["Explainer", "Explanation", "Scores", "Evaluation", "load", "convert", "ExportError",
           "UnsupportedEstimatorError", "spray", "Spray", "ClusterSummary", "__version__"]
