"""``Explainer``: a neuralized model that scores and explains rows in place."""

from __future__ import annotations

import json
import numbers
import os
from typing import Any, Optional, Sequence, Tuple, Union

import numpy as np

from . import convert
from ._evaluation import ALL_METHODS, Evaluation
from ._inputs import as_rows
from ._native import NativeExplainer

PathLike = Union[str, "os.PathLike[str]"]


class Scores:
    """Forward outputs of a batch of rows.

    Attributes:
        prediction: the original model's own output per row: the one-class SVM's
            ``decision_function`` (> 0: inlier), the KDE's ``log p(x)``, or the k-means
            cluster (int64, 0-based).
        output: the explained output per row: the outlierness
            ``o = -log sum_j exp(-h_j)`` (one-class SVM, KDE; > 0 for an OC-SVM outlier) or
            the logit ``f_c = min_{k != c} ||z-mu_k||^2 - ||z-mu_c||^2`` of the explained
            cluster c (>= 0 exactly when c is the assigned cluster).
    """

    def __init__(self, prediction: np.ndarray, output: np.ndarray, prediction_name: str,
                 output_name: str, index: Any = None) -> None:
        self.prediction = prediction
        self.output = output
        self.prediction_name = prediction_name
        self.output_name = output_name
        self._index = index

    def __len__(self) -> int:
        return len(self.output)

    def _columns(self) -> dict:
        return {self.prediction_name: self.prediction, self.output_name: self.output}

    def to_pandas(self) -> Any:
        """A pandas DataFrame with the command line's column names (the input DataFrame's
        index, if the rows came from one)."""
        import pandas as pd

        return pd.DataFrame(self._columns(), index=self._index)

    def __repr__(self) -> str:
        return "<%s: %d rows, %s and %s>" % (type(self).__name__, len(self),
                                             self.prediction_name, self.output_name)


class Explanation(Scores):
    """The explanation of a batch of rows: :class:`Scores` plus ``relevance``.

    Attributes:
        relevance: rows x features; ``relevance[r, i]`` is feature i's share of
            ``output[r]``. For the NEON rule sets (and every conserving method) each row
            sums to the output: ``relevance.sum(axis=1) == output`` up to rounding
            (``1e-9 * max(1, |output|)``).
        feature_names: the names of the relevance columns (the model's feature names, the
            DataFrame's columns, or ``x0, x1, ...``).
        method: the method's name.
    """

    def __init__(self, prediction: np.ndarray, output: np.ndarray, relevance: np.ndarray,
                 prediction_name: str, output_name: str, feature_names: list, method: str,
                 index: Any = None, inputs: Optional[np.ndarray] = None) -> None:
        super().__init__(prediction, output, prediction_name, output_name, index)
        self.relevance = relevance
        self.feature_names = feature_names
        self.method = method
        #: The explained rows as float64 (a reference, not a copy), for the pictures.
        self.inputs = inputs

    def plot_bars(self, row: int, top: int = 10) -> Any:
        """Signed bars of the ``top`` most relevant features of ``row`` (a matplotlib
        figure; see :func:`neuralize.plot.bars`)."""
        from . import plot

        return plot.bars(self, row, top)

    def plot_heatmap(self, row: int, shape: Tuple[int, int]) -> Any:
        """Input and relevance of ``row`` as images of ``shape`` = (height, width) (see
        :func:`neuralize.plot.heatmap`)."""
        from . import plot

        return plot.heatmap(self, row, shape)

    def plot_summary(self, top: int = 15) -> Any:
        """Mean |relevance| per feature and a beeswarm of relevance against feature value
        over all rows (see :func:`neuralize.plot.summary`)."""
        from . import plot

        return plot.summary(self, top)

    def _columns(self) -> dict:
        cols = super()._columns()
        for i, name in enumerate(self.feature_names):
            cols["R_" + name] = self.relevance[:, i]
        return cols

    def to_pandas(self) -> Any:
        """A pandas DataFrame with the command line's columns: the prediction
        (``decision_function``, ``log_density`` or ``cluster``), the explained output
        (``outlierness`` or ``logit``), then ``R_<feature>`` per feature."""
        return super().to_pandas()


class Explainer:
    """A model rewritten as a NEON network, ready to score and explain rows.

    ``Explainer(model)`` accepts a fitted scikit-learn ``OneClassSVM`` (rbf, or a
    ``functools.partial(laplacian_kernel, gamma=g)`` kernel with ``X_train``),
    ``KernelDensity`` (gaussian), ``KMeans`` / ``MiniBatchKMeans``, ``GaussianMixture``
    (any covariance type), ``SVC`` / ``NuSVC`` (rbf, or a laplacian partial with
    ``X_train``; explained output: the weakest one-vs-one duel of the predicted class, see
    docs/svc.md), ``MLPClassifier`` / ``MLPRegressor``, a ``Pipeline`` of a
    ``StandardScaler`` and one of them, the path of a ``neuralize/1`` model file, or a model
    dict. Anything else raises ``TypeError`` naming its class and what is supported; a
    supported class that cannot be converted (not fitted, another kernel) raises
    ``ValueError``.

    The networks (``z = (x - mean) / scale`` when there is a scaler):

    * one-class SVM ``f(x) = sum_j alpha_j exp(-gamma ||z-u_j||_q^q) - rho``:
      ``h_j = gamma ||z-u_j||_q^q - log(alpha_j / rho)``, outlierness
      ``o = -log sum_j exp(-h_j)`` (``o >= 0`` exactly when ``f(x) <= 0``);
    * Gaussian KDE: ``h_j = gamma ||z-u_j||^2 + log N``, same ``o``,
      ``log p(z) = -o - (d/2) log(pi/gamma)``;
    * k-means: ``h_k = ||z-mu_k||^2 - ||z-mu_c||^2`` (k != c), logit ``f_c = min_k h_k``;
    * Gaussian mixture: ``h_k = (1/2) ||U_k^T (z - mu_k)||^2 - log w_k + (d/2) log 2 pi -
      sum_i log U_k,ii`` (``U_k`` the precision's Cholesky factor), same ``o``,
      ``log p(z) = -o`` (``score_samples``).

    Args:
        model: the estimator, a model-file path or a model dict.
        X_train: the training rows (input space), optional: adds the reference row (their
            mean) and, for k-means, the stiffness ``beta = 1 / mean f_c``; required for a
            laplacian one-class SVM. Exactly what ``scripts/export_sklearn.py --train``
            stores.
        feature_names: names of the features (default: the estimator's
            ``feature_names_in_``, i.e. the DataFrame columns it was fitted on).
    """

    def __init__(self, model: Any, X_train: Optional[Any] = None,
                 feature_names: Optional[list] = None) -> None:
        self.estimator: Any = None
        if isinstance(model, NativeExplainer):
            native = model
        elif isinstance(model, (str, os.PathLike)):
            native = NativeExplainer.from_path(os.fspath(model))
        elif isinstance(model, dict):
            native = NativeExplainer.from_json(json.dumps(model, allow_nan=False))
        elif _is_sklearn(model):
            dump = convert.to_neuralize(model, X_train=X_train, feature_names=feature_names)
            native = NativeExplainer.from_json(json.dumps(dump, allow_nan=False))
            self.estimator = model
        else:
            raise TypeError("neuralize.Explainer cannot explain a %s: it takes %s, a "
                            "neuralize/1 model-file path or a model dict"
                            % (_qualname(model), convert.SUPPORTED))
        self._native = native

    # -- facts ---------------------------------------------------------------------------

    @property
    def kind(self) -> str:
        """Model family: ``one_class_svm``, ``kernel_density``, ``kmeans``,
        ``gaussian_mixture``, ``knn_detector``, ``dense_network`` or ``svc``."""
        return self._native.kind

    @property
    def n_features(self) -> int:
        """Number of input features."""
        return self._native.n_features

    @property
    def feature_names(self) -> Optional[list]:
        """The model's feature names (DataFrame columns are matched by them), or None."""
        return self._native.feature_names

    @property
    def classes(self) -> Optional[list]:
        """A classifier's class labels (as ``class_`` takes them), or None."""
        return self._native.classes

    @property
    def prediction_name(self) -> str:
        """Name of the prediction: ``decision_function``, ``log_density``, ``cluster``,
        ``class``, ``predicted``..."""
        return self._native.prediction_name

    @property
    def output_name(self) -> str:
        """Name of the explained output: ``outlierness``, ``logit``, ``target``..."""
        return self._native.output_name

    @property
    def default_method(self) -> str:
        """What ``explain(X)`` runs without ``method``: the model file's stored method
        (``neuralize tune``), else the family's default, e.g. ``neon-pick@1`` (the command
        line's ``neuralize info`` shows the same)."""
        return self._native.default_method

    @property
    def default_reason(self) -> str:
        """Why ``default_method`` is the default for this model, in one sentence."""
        return self._native.default_reason

    @property
    def reference(self) -> np.ndarray:
        """The reference row x~ (input space) of the reference-based methods."""
        return self._native.reference

    def with_reference(self, reference: Any) -> "Explainer":
        """A copy that uses ``reference`` (one input-space row) as x~."""
        return self._sibling(self._native.with_reference(
            np.ascontiguousarray(reference, dtype=np.float64).reshape(-1)))

    def with_target(self, target: str) -> "Explainer":
        """A copy that explains ``target`` (the command line's ``--target``): ``logit`` or
        ``log-odds`` (``log p / (1 - p)``) of a classifier's class, or ``log-odds`` of a
        Gaussian mixture component's posterior."""
        return self._sibling(self._native.with_target(target))

    def _sibling(self, native: NativeExplainer) -> "Explainer":
        other = Explainer.__new__(Explainer)
        other.estimator = self.estimator
        other._native = native
        return other

    def to_dict(self) -> dict:
        """The ``neuralize/1`` model file as a dict."""
        return json.loads(self._native.to_json())

    def save(self, path: PathLike) -> None:
        """Write the ``neuralize/1`` model file (usable by the command line and
        :func:`neuralize.load`)."""
        with open(path, "w") as fh:
            fh.write(self._native.to_json())
            fh.write("\n")

    # -- computing -----------------------------------------------------------------------

    def _names(self, columns: Optional[list]) -> list:
        names = self.feature_names or columns
        if names is None or len(names) != self.n_features:
            names = ["x%d" % i for i in range(self.n_features)]
        return list(names)

    def explain(self, X: Any, method: str = "default", *, beta: Union[str, float, None] = None,
                cluster: Optional[int] = None, class_: Optional[Any] = None,
                target: Optional[str] = None, linear_rule: Optional[str] = None,
                layer_rule: Optional[str] = None, seed: Optional[int] = None, steps: Optional[int] = None,
                samples: Optional[int] = None, ignore_extra: bool = False) -> Explanation:
        """Explain every row of ``X``: one relevance per row and feature.

        Args:
            X: rows (input space): a NumPy array of any real dtype (float64 in C or Fortran
                order is used without a copy), a pandas or polars DataFrame (columns matched
                by name when the model has feature names).
            method: as the command line's ``--method``: ``default`` (the most faithful
                conserving NEON variant measured), a rule set (``neon`` = the published
                rules, ``neon-ref``, ``neon-floor``, ``neon-path``, ``neon-lean``,
                ``neon-pick`` (the rbf kernel default), ``neon-spread`` (the k-means default), ``hybrid``; for dense
                networks also ``tutorial``, ``gamma-zb``, ``epsilon-plus-flat``; optionally
                ``@beta``), or
                ``occlusion``, ``gradient-x-input``, ``sensitivity``,
                ``integrated-gradients``, ``taylor``, ``meaningful-perturbation``,
                ``shapley-sampling``, ``random``.
            beta: soft-min stiffness, a number > 0 or ``"auto"``. The pooling layer's
                relevance is ``R_j = softmin_j(beta h) * output``.
            cluster: k-means: explain this cluster's logit instead of the assigned one.
            class_: classifiers: explain this class (a label of :attr:`classes`) instead of
                the predicted one.
            target: classifiers: ``logit`` (default) or ``log-odds``; Gaussian mixtures:
                ``log-odds`` of the component's posterior (see :meth:`with_target`).
            linear_rule: k-means linear-layer rule (``midpoint``, ``lrp0``, ``epsilon=E``,
                ``gamma=G``, ``alpha-beta=A,B``, ``flat``, ``w2``, ``zb``).
            layer_rule: dense networks, on a layer-wise rule set: per-layer overrides
                ``"L=RULE,..."`` (``"0=zb,1=gamma=0.25"``), as ``--layer-rule``.
            seed, steps, samples: of the sampled and path methods.
            ignore_extra: skip DataFrame columns that are not model features.

        Raises:
            ValueError: a wrong width, NaN or infinite value (naming row and column), an
                unknown method or an out-of-range parameter, with the library's message.
        """
        A, columns, index = as_rows(X, self.feature_names, self.n_features, ignore_extra)
        b = None if beta is None else (beta if isinstance(beta, str) else repr(float(beta)))
        native = self._native if target is None else self._native.with_target(target)
        prediction, output, relevance = native.explain(
            A, method, beta=b, cluster=_count("cluster", cluster),
            class_label=None if class_ is None else str(class_), linear_rule=linear_rule,
            layer_rule=layer_rule, seed=_count("seed", seed), steps=_count("steps", steps),
            samples=_count("samples", samples))
        return Explanation(prediction, output, relevance, native.prediction_name,
                           native.output_name, self._names(columns), method, index, A)

    def evaluate(self, X: Any, reference: Any, methods: Sequence[str] = ALL_METHODS, *,
                 draws: int = 5, seed: int = 0, target: Optional[str] = None,
                 steps: Optional[int] = None, samples: Optional[int] = None,
                 ignore_extra: bool = False) -> Evaluation:
        """How faithful ``methods`` are on the rows of ``X``, by feature flipping (the
        command line's ``evaluate``): see :class:`Evaluation`.

        Args:
            X: the rows to explain (as :meth:`explain`); rows whose explained output is
                <= 0 are skipped (for a one-class SVM this keeps the outliers).
            reference: reference rows, e.g. the training data: their mean is the reference
                x~ and the mean imputation, their per-feature values feed the marginal one.
            methods: names as :meth:`explain`'s ``method`` (NEON rule sets also as
                ``NAME@BETA``); by default every method, as the command line.
            draws: marginal-imputation draws per row.
            seed: the stream of the marginal draws, the bootstrap and the sampling methods.
            target: classifiers and Gaussian mixtures: what is explained and flipped
                (``logit`` or ``log-odds``, as :meth:`explain`).
            steps, samples: integrated-gradients path points, Shapley-sampling permutations.
            ignore_extra: skip DataFrame columns that are not model features.

        Raises:
            ValueError: no row with a positive output, ``draws`` = 0, an unknown method or
                one that names a cluster, or rows as :meth:`explain` refuses them.
        """
        if isinstance(methods, str):
            methods = [m for m in methods.split(",") if m.strip()]
        A, _, _ = as_rows(X, self.feature_names, self.n_features, ignore_extra)
        B, _, _ = as_rows(reference, self.feature_names, self.n_features, True)
        native = self._native if target is None else self._native.with_target(target)
        raw = native.evaluate(A, B, [str(m) for m in methods], draws=_count("draws", draws),
                              seed=_count("seed", seed), steps=_count("steps", steps),
                              samples=_count("samples", samples))
        return Evaluation(raw)

    def score(self, X: Any, *, cluster: Optional[int] = None,
              ignore_extra: bool = False) -> Scores:
        """The model's prediction and explained output for every row, without relevance
        (about half the cost of :meth:`explain`)."""
        A, _, index = as_rows(X, self.feature_names, self.n_features, ignore_extra)
        prediction, output = self._native.score(A, cluster=_count("cluster", cluster))
        return Scores(prediction, output, self._native.prediction_name,
                      self._native.output_name, index)

    def verify(self, X: Any, tolerance: float = 1e-9) -> dict:
        """Compare the network with the scikit-learn estimator it came from on rows ``X``.

        Returns ``{"max_abs_diff", "max_rel_diff", "mismatches", "conservation", "ok"}``:
        the prediction against ``decision_function`` (one-class SVM), ``score_samples``
        (KDE; scikit-learn's tree may drift from the exact density far from the data),
        ``predict`` (regressors) or the predicted class or cluster (k-means, SVC, MLP
        classifiers: counted as mismatches), relative differences as
        ``|a - b| / max(1, |b|)``, and the largest conservation error of the default
        method, ``|sum_i R_i - output| / max(1, |output|)``. Raises ``ValueError`` for ``X``
        without rows (nothing compared is not ``ok``).
        """
        if self.estimator is None:
            raise ValueError("verify needs the scikit-learn estimator: build the Explainer "
                             "from the fitted estimator, not from a model file")
        A, _, _ = as_rows(X, self.feature_names, self.n_features)
        if len(A) == 0:
            # As the command line: nothing compared must not read as "ok".
            raise ValueError("verify needs at least one row: X has none")
        e = self.explain(A)
        est = self.estimator
        names = getattr(est, "feature_names_in_", None)
        if names is not None:  # the estimator was fitted on a DataFrame: give it one
            import pandas as pd

            A = pd.DataFrame(A, columns=names)
        if self.kind == "kmeans":
            truth = est.predict(A)
            mismatches = int(np.sum(truth != e.prediction))
            abs_diff = rel_diff = 0.0
        elif self.classes is not None:
            classes = list(est.classes_)
            truth = np.array([classes.index(p) for p in est.predict(A)])
            mismatches = int(np.sum(truth != e.prediction))
            abs_diff = rel_diff = 0.0
        else:
            if self.kind == "one_class_svm":
                truth = est.decision_function(A)
            elif self.kind == "dense_network":
                truth = est.predict(A)
            else:
                truth = est.score_samples(A)
            diff = np.abs(e.prediction - truth)
            abs_diff = float(diff.max(initial=0.0))
            rel_diff = float((diff / np.maximum(1.0, np.abs(truth))).max(initial=0.0))
            mismatches = 0
        cons = np.abs(e.relevance.sum(axis=1) - e.output) / np.maximum(1.0, np.abs(e.output))
        conservation = float(cons.max(initial=0.0))
        return {"max_abs_diff": abs_diff, "max_rel_diff": rel_diff, "mismatches": mismatches,
                "conservation": conservation,
                "ok": rel_diff <= tolerance and mismatches == 0 and conservation <= tolerance}

    def __repr__(self) -> str:
        return "<neuralize.Explainer %s, %d features, default method %s>" % (
            self.kind, self.n_features, self.default_method)


def load(path: PathLike) -> Explainer:
    """An :class:`Explainer` of a ``neuralize/1`` model file."""
    return Explainer(os.fspath(path))


def _count(name: str, value: Optional[int]) -> Optional[int]:
    """A non-negative integer option (or None), else a ValueError / TypeError naming it."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError("%s must be an integer, got %r" % (name, value))
    if not 0 <= int(value) < 2**63:
        raise ValueError("%s must be an integer in [0, 2^63), got %d" % (name, value))
    return int(value)


def _qualname(obj: Any) -> str:
    t = type(obj)
    return "%s.%s" % (t.__module__, t.__qualname__)


def _is_sklearn(obj: Any) -> bool:
    """An estimator of a class neuralize converts (or a Pipeline), without importing
    scikit-learn when it is not loaded."""
    import sys

    if "sklearn" not in sys.modules:
        return False
    from sklearn.cluster import KMeans, MiniBatchKMeans
    from sklearn.mixture import GaussianMixture
    from sklearn.neighbors import KernelDensity
    from sklearn.neural_network import MLPClassifier, MLPRegressor
    from sklearn.pipeline import Pipeline
    from sklearn.svm import SVC, NuSVC, OneClassSVM

    return isinstance(obj, (OneClassSVM, KernelDensity, KMeans, MiniBatchKMeans,
                            GaussianMixture, Pipeline, SVC, NuSVC, MLPClassifier,
                            MLPRegressor))
