"""A contract's Pipeline as an ONNX graph, fed as the server feeds it (model/onnx_model.py).

Without category features the graph takes one float32 matrix (`features`); otherwise one
(rows, 1) input per feature column, float32 or text. A classifier is converted without ZipMap,
and the graph's metadata records the fitted model's classes in its order and the float32 error
bound of its probabilities, which the server needs to read them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.model.decision import CLASSES_KEY, TOLERANCE_KEY
from {{ cookiecutter.package_name }}.model.onnx_model import contract_has_categories

INPUT_NAME = "features"
FLOAT32_UNIT = 2.0**-24  # float32's unit roundoff


class ConversionUnsupportedError(Exception):
    """skl2onnx has no converter for something in the Pipeline."""


def convert(pipeline: Pipeline, contract: Contract) -> bytes:
    """The Pipeline as a serialized ONNX graph with the contract's inputs."""
    from skl2onnx import convert_sklearn

    final = pipeline.steps[-1][1]
    options = {id(final): {"zipmap": False}} if contract.is_classification else None
    try:
        graph = convert_sklearn(pipeline, initial_types=initial_types(contract), options=options)
    except (RuntimeError, ValueError, TypeError, NotImplementedError) as exc:
        raise ConversionUnsupportedError(str(exc).splitlines()[0]) from None
    if contract.is_classification:
        classes = [_plain(label) for label in final.classes_]
        metadata = {CLASSES_KEY: json.dumps(classes), TOLERANCE_KEY: repr(tolerance_of(final))}
        for key, value in metadata.items():
            entry = graph.metadata_props.add()
            entry.key, entry.value = key, value
    return graph.SerializeToString()


def initial_types(contract: Contract) -> list[tuple[str, Any]]:
    """One float32 matrix without categories, else one (rows, 1) input per feature column."""
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    if not contract_has_categories(contract):
        return [(INPUT_NAME, FloatTensorType([None, len(contract.features)]))]
    return [
        (column.name, StringTensorType([None, 1]))
        if column.type == "category"
        else (column.name, FloatTensorType([None, 1]))
        for column in contract.features
    ]


def tolerance_of(model: Any) -> float:
    """Error bound of a forest's probabilities summed in float32: (trees + 1) unit roundoffs."""
    return (len(getattr(model, "estimators_", [model])) + 1) * FLOAT32_UNIT


def _plain(label: Any) -> Any:
    """A numpy label as the Python value it holds (JSON writes str and int only)."""
    return label.item() if isinstance(label, np.generic) else label
