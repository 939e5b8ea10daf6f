"""The scoring core: parse a request, apply the input contract, predict. No web framework."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.features import InvalidInputError, matrix_from_rows
from {{ cookiecutter.package_name }}.serving.forms import (
    Table,
    input_data_table,
    records_table,
    split_table,
    tensor_table,
)
from {{ cookiecutter.package_name }}.serving.model import ServingModel

AZUREML = "azureml"
MLFLOW = "mlflow"
MLFLOW_KEYS = ("dataframe_split", "dataframe_records", "instances", "inputs")
Scored = tuple[np.ndarray, np.ndarray, Any]


def parse_json(body: bytes) -> Any:
    """Decode a JSON body; NaN, Infinity and numbers beyond float64 are malformed JSON here."""
    if not body.strip():
        raise InvalidInputError("empty body: send a JSON document", 400)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInputError(f"malformed JSON: {exc}", 400) from None


def extract_table(payload: Any, contract: str) -> Table:
    """Return (columns, rows, index) from an Azure ML or MLflow payload, whichever its form."""
    if not isinstance(payload, dict):
        raise InvalidInputError("the body must be a JSON object", 400)
    if contract == AZUREML:
        if "input_data" not in payload:
            raise InvalidInputError(
                'missing "input_data": send {"input_data": {"columns": [...], "data": [[...]]}}',
                400,
            )
        return input_data_table(payload["input_data"])
    keys = [key for key in MLFLOW_KEYS if key in payload]
    if len(keys) != 1:
        given = f"got {', '.join(keys)}" if keys else "got none"
        raise InvalidInputError(
            'expected exactly one of "dataframe_split", "dataframe_records", "instances" or '
            f'"inputs" ({given})',
            400,
        )
    key = keys[0]
    if key == "dataframe_split":
        return split_table(payload[key], key)
    if key == "dataframe_records":
        return records_table(payload[key], key)
    return tensor_table(payload[key], key)


def predict(payload: Any, model: ServingModel, contract: str = AZUREML) -> Scored:
    """Validate a decoded payload; return the feature matrix, the predictions and the index."""
    return predict_table(extract_table(payload, contract), model)


def predict_table(table: Table, model: ServingModel) -> Scored:
    """Apply the input contract to a table; return the matrix, the predictions and the index."""
    columns, rows, index = table
    matrix = matrix_from_rows(columns, rows)
    return matrix, model.predict(matrix), index


def result_of(predictions: np.ndarray, index: Any) -> dict[str, Any]:
    """The response document: {"predictions": [...]} (plus "index" when the request sent one)."""
    result: dict[str, Any] = {"predictions": predictions}
    if index is not None:
        result["index"] = index
    return result


def score(payload: Any, model: ServingModel, contract: str = AZUREML) -> dict[str, Any]:
    """Validate a decoded payload and return {"predictions": [...]} (plus "index" when sent)."""
    _, predictions, index = predict(payload, model, contract)
    return result_of(predictions, index)


def dumps(result: dict[str, Any]) -> bytes:
    """Serialize a scoring result (numpy arrays included) to JSON bytes."""
    return orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY)
