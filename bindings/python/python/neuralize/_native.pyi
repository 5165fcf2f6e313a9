"""Type stubs of the compiled extension (see src/lib.rs)."""

from typing import Any, Dict, Optional, Tuple

import numpy as np

__version__: str

class NativeExplainer:
    @staticmethod
    def from_json(text: str) -> "NativeExplainer": ...
    @staticmethod
    def from_path(path: str) -> "NativeExplainer": ...
    def to_json(self) -> str: ...
    def with_reference(self, reference: np.ndarray) -> "NativeExplainer": ...
    kind: str
    n_features: int
    feature_names: Optional[list]
    prediction_name: str
    output_name: str
    published_beta: float
    auto_beta: float
    default_method: str
    default_reason: str
    reference: np.ndarray
    classes: Optional[list]
    def with_target(self, target: str) -> "NativeExplainer": ...
    def explain(self, x: np.ndarray, method: str = ..., beta: Optional[str] = ...,
                cluster: Optional[int] = ..., class_label: Optional[str] = ...,
                linear_rule: Optional[str] = ..., layer_rule: Optional[str] = ...,
                seed: Optional[int] = ..., steps: Optional[int] = ...,
                samples: Optional[int] = ...) -> Tuple[np.ndarray, np.ndarray, np.ndarray]: ...
    def evaluate(self, x: np.ndarray, reference_rows: np.ndarray, methods: list,
                 draws: int = ..., seed: int = ..., steps: Optional[int] = ...,
                 samples: Optional[int] = ...) -> Dict[str, Any]: ...
    def score(self, x: np.ndarray,
              cluster: Optional[int] = ...) -> Tuple[np.ndarray, np.ndarray]: ...

def spray(relevance: np.ndarray, clusters: str = ..., neighbors: int = ...,
          eigenvalues: int = ..., normalize: str = ..., seed: int = ...,
          inputs: Optional[np.ndarray] = ..., restarts: int = ...,
          prototypes: int = ...) -> Dict[str, Any]: ...
