"""The ONNX graph as served: one ONNX Runtime session per process, single-threaded.

Inputs follow the contract: without category features, one float32 input (the numeric matrix,
`features.numbers`); otherwise one input per feature column, named like it, float32 (rows, 1)
for numbers, integers and booleans and text (rows, 1) for categories. A regressor's output is
the prediction. A classifier's graph (converted without ZipMap) gives class probabilities in
the fitted model's class order, which `export-onnx` records in the graph's metadata with the
float32 error bound of its probabilities; decision.py turns them into the contract's class
order and decides the labels.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import Features, numeric_features
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
            self._decision = class_decision(self._session, contract, card)
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
            inputs = {  # a basic slice is a view; a list index would copy each column
                name: features.numbers[:, column : column + 1]
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
