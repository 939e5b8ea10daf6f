"""A contract's Pipeline as an ONNX graph, fed as the server feeds it (model/onnx_model.py).

The graph takes the numeric features as one float32 matrix (`features`, or a name no category
column has) and each category as a (rows, 1) text input named like its column: the Pipeline
reads its columns by position in that order. A classifier is converted without ZipMap,
and the graph's metadata records the fitted model's classes in its order and the float32 error
bound of its probabilities, which the server needs to read them.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.contract.inputs import (
    category_features,
    numeric_features,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.model.decision import CLASSES_KEY, TOLERANCE_KEY

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
    """The numeric features as one float32 matrix (if any), then one text input per category."""
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    categories = [column.name for column in category_features(contract)]
    width = len(numeric_features(contract))
    numbers = [(numeric_input_name(categories), FloatTensorType([None, width]))] if width else []
    return numbers + [(name, StringTensorType([None, 1])) for name in categories]


def numeric_input_name(categories: list[str]) -> str:
    """`features`, prefixed with underscores while a category column has the name."""
    name = INPUT_NAME
    while name in categories:
        name = f"_{name}"
    return name


def tolerance_of(model: Any) -> float:
    """Error bound of a forest's probabilities summed in float32: (trees + 1) unit roundoffs."""
    return (len(getattr(model, "estimators_", [model])) + 1) * FLOAT32_UNIT


def _plain(label: Any) -> Any:
    """A numpy label as the Python value it holds (JSON writes str and int only)."""
    return label.item() if isinstance(label, np.generic) else label
