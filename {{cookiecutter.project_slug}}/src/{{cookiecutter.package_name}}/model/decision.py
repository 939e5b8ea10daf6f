"""A classifier graph's probabilities in the contract's class order, and the labels decided.

The graph gives class probabilities in the fitted model's class order, which `export-onnx`
records in the graph's metadata with the float32 error bound of its probabilities. Labels are
decided from the probabilities as scikit-learn decides them, allowing for float32 rounding: ONNX
sums the trees in float32, so a row whose scikit-learn probability equals the binary threshold
(chosen among such probabilities) can come out a few units in the last place below it. A binary
row is positive when its positive-class probability reaches the threshold less the error bound;
a multiclass row takes the first class (in the model's order, as scikit-learn breaks ties)
within the error bound of the highest probability. Rows on the threshold or on a tie never flip;
`export-onnx` counts the rows within the bound of a decision where labels differ.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

import numpy as np

from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.tasks.base import Prediction
from {{ cookiecutter.package_name }}.tasks.labels import label_array, model_class_index
from {{ cookiecutter.package_name }}.tasks.threshold import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.model.folder import ModelCard

CLASSES_KEY = "mlops.classes"  # metadata: the fitted model's classes, in its order (JSON)
TOLERANCE_KEY = "mlops.probability_tolerance"  # metadata: float32 error bound of probabilities
PROBABILITIES = "probabilities"
MAX_TOLERANCE = 1e-3


class Decision:
    """A classifier's probabilities in contract order, and the labels decided from them."""

    def __init__(
        self, contract: Contract, fitted: list[Any], tolerance: float, card: ModelCard
    ) -> None:
        classes = contract.target.classes
        self.index = model_class_index(fitted, classes)
        self.labels = label_array(classes)
        self.count, self.tolerance = len(classes), tolerance
        positive = contract.target.positive
        self.positive = None if positive is None else classes.index(positive)
        threshold = DEFAULT_THRESHOLD if card.threshold is None else card.threshold
        self.threshold = threshold - tolerance  # a row on the threshold never falls below it

    def prediction(self, raw: np.ndarray) -> Prediction:
        """Raw (rows, model classes) float32 probabilities as a Prediction."""
        scores = raw.astype(np.float64)
        probabilities = np.zeros((len(scores), self.count), dtype=np.float64)
        probabilities[:, self.index] = scores
        if self.positive is not None:
            chosen = probabilities[:, self.positive] >= self.threshold
            picked = np.where(chosen, self.positive, 1 - self.positive)
        else:  # the first class within the tolerance of the top, in the model's order
            near_top = scores >= scores.max(axis=1, keepdims=True) - self.tolerance
            picked = self.index[np.argmax(near_top, axis=1)]
        return Prediction(self.labels[picked], probabilities)


def class_decision(session: Any, contract: Contract, card: ModelCard) -> Decision | None:
    """For a classifier, how its probabilities are read (from the graph's metadata)."""
    if not contract.is_classification:
        return None
    outputs = [node.name for node in session.get_outputs()]
    if PROBABILITIES not in outputs:
        raise LifecycleError(f"the graph has no {PROBABILITIES!r} output: export it again")
    metadata = session.get_modelmeta().custom_metadata_map
    if CLASSES_KEY not in metadata or TOLERANCE_KEY not in metadata:
        raise LifecycleError("the graph does not record its classes: export it again")
    fitted, tolerance = json.loads(metadata[CLASSES_KEY]), float(metadata[TOLERANCE_KEY])
    if not _distinct_labels(fitted):
        raise LifecycleError(f"the graph's {CLASSES_KEY} is not a list of distinct labels")
    if not (math.isfinite(tolerance) and 0 <= tolerance <= MAX_TOLERANCE):
        raise LifecycleError(f"the graph's {TOLERANCE_KEY} {tolerance!r} is not in 0..1e-3")
    return Decision(contract, fitted, tolerance, card)


def _distinct_labels(fitted: Any) -> bool:
    """A list of distinct texts or whole numbers (never booleans)."""
    if not isinstance(fitted, list):
        return False
    plain = all(isinstance(label, str | int) and not isinstance(label, bool) for label in fitted)
    return plain and len(set(fitted)) == len(fitted)
