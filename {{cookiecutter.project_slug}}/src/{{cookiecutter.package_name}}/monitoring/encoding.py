"""A scored request as JSON, for the collected lines: typed input rows, outputs, probabilities.

`inputs` holds one row per scored row, the features in contract order, each value typed as a
request may send it: a number, true/false for a boolean, the category's text, null where a
nullable value is missing. `outputs` are the predictions (a regression's values, a classifier's
labels); a classifier's lines add `probabilities`, one row of class probabilities in the
contract's class order per scored row. Float32 inputs are written in their shortest form.
"""

from __future__ import annotations

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.contract.inputs import (
    Features,
    numeric_positions,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.tasks.base import Prediction

NUMPY = orjson.OPT_SERIALIZE_NUMPY


class InputRows:
    """Encodes Features as JSON rows in contract order (prepared once per contract)."""

    def __init__(self, contract: Contract) -> None:
        positions = numeric_positions(contract)
        # Numbers only: the float32 matrix is already the rows in contract order (NaN -> null).
        self.plain = all(column.is_numeric for column in contract.features)
        self.columns = [
            (column.type, positions.get(column.name, -1), column.name)
            for column in contract.features
        ]

    def encode(self, features: Features) -> bytes:
        """The rows as one JSON array of arrays."""
        if self.plain:
            return orjson.dumps(np.ascontiguousarray(features.numbers), option=NUMPY)
        columns = [self._column(features, *column) for column in self.columns]
        return orjson.dumps(list(zip(*columns, strict=True)), option=NUMPY)

    @staticmethod
    def _column(features: Features, kind: str, position: int, name: str) -> list[object]:
        if kind == "category":
            keys = features.categories[name]
            values = np.array(keys, dtype=object)
            values[keys == ""] = None
            return values.tolist()
        numbers = features.numbers[:, position]
        if kind == "boolean":
            values = (numbers == 1.0).astype(object)
            values[np.isnan(numbers)] = None
            return values.tolist()
        return list(numbers)  # float32 scalars: orjson writes their shortest form, NaN as null


def encode_outputs(prediction: Prediction) -> bytes:
    """`"outputs":[...]` and, for a classifier, `,"probabilities":[[...],...]`."""
    outputs = b'"outputs":' + _array(prediction.values)
    if prediction.probabilities is None:
        return outputs
    return outputs + b',"probabilities":' + _array(prediction.probabilities)


def _array(values: np.ndarray) -> bytes:
    if values.dtype.kind in "biuf":
        return orjson.dumps(np.ascontiguousarray(values), option=NUMPY)
    return orjson.dumps(values.tolist(), option=NUMPY)  # text labels (or numpy scalars)
