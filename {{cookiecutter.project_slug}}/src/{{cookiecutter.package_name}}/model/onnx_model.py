"""The ONNX graph as served: one ONNX Runtime session per process, single-threaded.

Inputs follow the contract: the numeric features (numbers, integers, booleans) as one float32
matrix, `features.numbers` as it is, and each category as a text (rows, 1) input named like its
column. A regressor's output is
the prediction. A classifier's graph (converted without ZipMap) gives class probabilities in
the fitted model's class order, which `export-onnx` records in the graph's metadata with the
float32 error bound of its probabilities; decision.py turns them into the contract's class
order and decides the labels.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import (
    Features,
    category_features,
    numeric_features,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model.decision import (
    PROBABILITIES,
    class_decision,
)
from {{ cookiecutter.package_name }}.model.runtime import refused, warm_up
from {{ cookiecutter.package_name }}.tasks.base import Prediction

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.model.folder import ModelCard

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
            self._decision = class_decision(self._session, contract, card)
        except errors as exc:
            raise refused(path, exc) from None
        self.contract, self.card = contract, card
        self._outputs = None if self._decision is None else [PROBABILITIES]
        warm_up(self, path, errors)

    def predict(self, features: Features) -> Prediction:
        """Run the session on the rows; a Prediction in the contract's terms."""
        numbers, categories = self._feeds
        inputs = {name: features.categories[name].reshape(-1, 1) for name in categories}
        if numbers is not None:
            inputs[numbers] = features.numbers
        output = self._session.run(self._outputs, inputs)[0]
        if self._decision is None:
            return Prediction(output.reshape(-1).astype(np.float64))
        return self._decision.prediction(output)


def _feeds(session: Any, contract: Contract) -> tuple[str | None, list[str]]:
    """The graph's numeric input (None without numeric features) and its category inputs."""
    inputs = {node.name: node.shape for node in session.get_inputs()}
    categories = [column.name for column in category_features(contract)]
    width = len(numeric_features(contract))
    numeric = [name for name in inputs if name not in categories]
    wanted = 1 if width else 0
    if set(categories) - set(inputs) or len(numeric) != wanted:
        raise LifecycleError(
            f"the graph's inputs {list(inputs)[:12]} are not the contract's "
            f"({wanted} numeric matrix and the categories {categories[:10]}): export it again"
        )
    if numeric and inputs[numeric[0]][-1] != width:
        raise LifecycleError(
            f"the graph reads {inputs[numeric[0]][-1]} numeric features, the contract has "
            f"{width}: export it again"
        )
    return (numeric[0] if numeric else None), categories
