"""The ONNX graph as served: one ONNX Runtime session per process, single-threaded.

Inputs follow the contract: without category features, one float32 input (the numeric matrix,
`features.numbers`); otherwise one input per feature column, named like it, float32 (rows, 1)
for numbers, integers and booleans and text (rows, 1) for categories. A regressor's output is
the prediction. A classifier's graph (converted without ZipMap) gives class probabilities in
the fitted model's class order, which `export-onnx` records in the graph's metadata with the
float32 error bound of its probabilities; they are turned into the contract's class order here.

Labels are decided from those probabilities as scikit-learn decides them, allowing for float32
rounding: ONNX sums the trees in float32, so a row whose scikit-learn probability equals the
binary threshold (chosen among such probabilities) can come out a few units in the last place
below it. A binary row is positive when its positive-class probability reaches the threshold
less the error bound; a multiclass row takes the first class (in the model's order, as
scikit-learn breaks ties) within the error bound of the highest probability. Rows on the
threshold or on a tie never flip; `export-onnx` counts the rows within the bound of a decision.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import Features, numeric_features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.serving.runtime import refused, warm_up
from {{ cookiecutter.package_name }}.tasks.base import Prediction
from {{ cookiecutter.package_name }}.tasks.labels import label_array, model_class_index
from {{ cookiecutter.package_name }}.tasks.threshold import DEFAULT_THRESHOLD

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.serving.model import ModelCard

CLASSES_KEY = "mlops.classes"  # metadata: the fitted model's classes, in its order (JSON)
TOLERANCE_KEY = "mlops.probability_tolerance"  # metadata: float32 error bound of probabilities
PROBABILITIES = "probabilities"
MAX_TOLERANCE = 1e-3
# What ONNX Runtime raises for a file it cannot load or a graph that fails on the warm-up row;
# ValueError and LifecycleError for outputs that do not fit the contract.
ONNX_ERRORS = (
    "Fail",
    "InvalidArgument",
    "InvalidGraph",
    "InvalidProtobuf",
    "NoSuchFile",
    "NotImplemented",
    "RuntimeException",
)
Feed = tuple[str, str | None, int]  # input name, category column (None: numeric), matrix column


class OnnxModel:
    """An ONNX graph read with its contract: Features in, a Prediction out."""

    def __init__(
        self, source: Path | bytes, contract: Contract, card: ModelCard, threads: int = 1
    ) -> None:
        import onnxruntime as ort
        from onnxruntime.capi import onnxruntime_pybind11_state as state

        path = source if isinstance(source, Path) else Path("model.onnx")
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads
        options.inter_op_num_threads = 1
        options.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
        errors = (*(getattr(state, name) for name in ONNX_ERRORS), ValueError, LifecycleError)
        try:  # ONNX Runtime checks the tree attributes here; a bad feature index fails a run
            self._session = ort.InferenceSession(
                str(source) if isinstance(source, Path) else source,
                options,
                providers=["CPUExecutionProvider"],
            )
            self._feeds = _feeds(self._session, contract)
            self._decision = _decision(self._session, contract, card)
        except errors as exc:
            raise refused(path, exc) from None
        self.contract, self.card = contract, card
        self._single = self._feeds[0][0] if not contract_has_categories(contract) else None
        self._outputs = None if self._decision is None else [PROBABILITIES]
        warm_up(self, path, errors)

    def predict(self, features: Features) -> Prediction:
        """Run the session on the rows; a Prediction in the contract's terms."""
        if self._single is not None:
            inputs = {self._single: features.numbers}
        else:
            inputs = {
                name: features.numbers[:, [column]]
                if category is None
                else features.categories[category].reshape(-1, 1)
                for name, category, column in self._feeds
            }
        output = self._session.run(self._outputs, inputs)[0]
        if self._decision is None:
            return Prediction(output.reshape(-1).astype(np.float64))
        return self._decision.prediction(output)


def contract_has_categories(contract: Contract) -> bool:
    """Whether the graph takes one input per column (categories) or the one numeric matrix."""
    return any(column.type == "category" for column in contract.features)


def _feeds(session: Any, contract: Contract) -> list[Feed]:
    """Each graph input with the Features part it reads; the inputs must be the contract's."""
    names = [node.name for node in session.get_inputs()]
    if not contract_has_categories(contract):
        if len(names) != 1:
            raise LifecycleError(f"the graph has inputs {names}, expected one numeric input")
        return [(names[0], None, 0)]
    if sorted(names) != sorted(contract.feature_names):
        raise LifecycleError(
            f"the graph's inputs {names[:12]} are not the contract's features: export it again"
        )
    numeric = {column.name: index for index, column in enumerate(numeric_features(contract))}
    return [
        (name, None, numeric[name]) if name in numeric else (name, name, 0)
        for name in contract.feature_names
    ]


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


def _decision(session: Any, contract: Contract, card: ModelCard) -> Decision | None:
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
