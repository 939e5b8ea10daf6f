"""One line of collected data, read through the contract: our JSON lines or Azure ML's events.

Our lines (monitoring/collection.py) carry `features` (the column names), `inputs` (rows in that
order), `outputs` (the served predictions) and, for a classifier, `probabilities`. Azure ML's
data collector writes CloudEvents whose `data` is a list of {column: value} records: its
`model_inputs` lines have no predictions (the model scores them), its `model_outputs` lines
hold no inputs and are skipped.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.contract.inputs import (
    Features,
    features_from_rows,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.contract.values import shown
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.model.columns import class_keys, label_keys
from {{ cookiecutter.package_name }}.tasks.base import Prediction

KEYS = ("features", "inputs", "outputs")
AZUREML_OUTPUTS = "azureml.inference.model_outputs"


@dataclass(frozen=True)
class Line:
    """A line's rows, the predictions logged with them (None: not logged) and the model version."""

    features: Features
    prediction: Prediction | None
    version: str


def parse_line(line: bytes, contract: Contract) -> Line | None:
    """One line under the contract; None for a line without inputs (Azure ML model_outputs)."""
    record: Any = orjson.loads(line)
    if isinstance(record, dict) and "features" not in record and "data" in record:
        return _azureml_line(record, contract)
    if not isinstance(record, dict) or any(key not in record for key in KEYS):
        raise InvalidInputError(f"expected an object with {', '.join(KEYS)}")
    if not isinstance(record["features"], list):
        raise InvalidInputError('"features" must be the list of column names')
    features = features_from_rows(contract, record["features"], record["inputs"])
    prediction = logged_prediction(contract, record, len(features))
    return Line(features, prediction, str(record.get("model_version", "")))


def _azureml_line(record: dict[str, Any], contract: Contract) -> Line | None:
    if record.get("type") == AZUREML_OUTPUTS:
        return None
    rows = record["data"]
    if not isinstance(rows, list) or not rows or not all(isinstance(row, dict) for row in rows):
        raise InvalidInputError('"data" must be a list of {column: value} records')
    columns = list(rows[0])
    features = features_from_rows(
        contract, columns, [[row.get(name) for name in columns] for row in rows]
    )
    return Line(features, None, str(record.get("modelversion", "")))


def logged_prediction(contract: Contract, record: dict[str, Any], rows: int) -> Prediction:
    """A line's `outputs` (and `probabilities`) checked against the contract's task."""
    outputs = record["outputs"]
    if not isinstance(outputs, list) or len(outputs) != rows:
        raise InvalidInputError(f'"outputs" must be a list of {rows} predictions, one per row')
    if not contract.is_classification:
        if not all(type(value) is float or type(value) is int for value in outputs):
            raise InvalidInputError('"outputs" must hold numbers only')
        return Prediction(np.asarray(outputs, dtype=np.float64))
    classes = class_keys(contract.target.classes)
    keys = label_keys(outputs)
    unknown = [index for index, key in enumerate(keys) if key not in classes]
    if unknown:
        value = shown(outputs[unknown[0]])
        raise InvalidInputError(
            f'"outputs" holds {value}, not one of the classes {", ".join(classes)}'
        )
    probabilities = _probabilities(record.get("probabilities"), rows, len(classes))
    return Prediction(np.asarray(outputs, dtype=object), probabilities)


def _probabilities(probabilities: object, rows: int, classes: int) -> np.ndarray:
    shape = f'"probabilities" must be {rows} rows of {classes} class probabilities'
    if not isinstance(probabilities, list) or len(probabilities) != rows:
        raise InvalidInputError(shape)
    for row in probabilities:
        if not isinstance(row, list) or len(row) != classes:
            raise InvalidInputError(shape)
        if not all(
            (type(value) is float or type(value) is int) and 0 <= value <= 1 for value in row
        ):
            raise InvalidInputError(f"{shape}, each a number from 0 to 1")
    return np.asarray(probabilities, dtype=np.float64)
