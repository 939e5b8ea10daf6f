"""The scoring core: parse a request, apply the input contract, predict. No web framework."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.features import (
    FEATURES,
    InvalidInputError,
    check_width,
    matrix_from_rows,
)
from {{ cookiecutter.package_name }}.serving.model import ServingModel

AZUREML = "azureml"
MLFLOW = "mlflow"
Table = tuple[list[Any], Any, Any]
Scored = tuple[np.ndarray, np.ndarray, Any]
INDEX_LABELS = frozenset({str, int, float, bool, type(None)})


def parse_json(body: bytes) -> Any:
    """Decode a JSON body; NaN, Infinity and numbers beyond float64 are malformed JSON here."""
    if not body.strip():
        raise InvalidInputError("empty body: send a JSON document", 400)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise InvalidInputError(f"malformed JSON: {exc}", 400) from None


def extract_table(payload: Any, contract: str) -> Table:
    """Return (columns, rows, index) from an Azure ML or MLflow payload."""
    if not isinstance(payload, dict):
        raise InvalidInputError("the body must be a JSON object", 400)
    if contract == AZUREML:
        if "input_data" not in payload:
            raise InvalidInputError(
                'missing "input_data": send {"input_data": {"columns", "data"}}', 400
            )
        return _from_input_data(payload["input_data"])
    if "dataframe_split" in payload:
        return _split(payload["dataframe_split"], "dataframe_split")
    if "dataframe_records" in payload:
        return _records(payload["dataframe_records"])
    raise InvalidInputError('expected "dataframe_split" or "dataframe_records"', 400)


def _from_input_data(data: Any) -> Table:
    if isinstance(data, list):
        return list(FEATURES), data, None
    return _split(data, "input_data")


def _split(table: Any, key: str) -> Table:
    if not isinstance(table, dict) or "data" not in table or "columns" not in table:
        raise InvalidInputError(
            f'"{key}" must be an object with "columns" and "data" (split orientation)', 400
        )
    columns, rows, index = table["columns"], table["data"], table.get("index")
    if not isinstance(columns, list):
        raise InvalidInputError(f'"{key}.columns" must be a list of column names', 400)
    check_width(len(columns))
    if not all(isinstance(name, str) for name in columns):
        raise InvalidInputError(f'"{key}.columns" must be a list of column names', 400)
    if index is not None and not _is_index(index, _length(rows)):
        raise InvalidInputError(
            f'"{key}.index" must be a flat list of strings or numbers, one per row of "data"', 400
        )
    return columns, rows, index


def _is_index(index: Any, rows: int) -> bool:
    """A flat list with one label (string, number, boolean or null) per row: echoed as given."""
    return (
        isinstance(index, list)
        and len(index) == rows
        and all(type(label) in INDEX_LABELS for label in index)
    )


def _records(records: Any) -> Table:
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        raise InvalidInputError('"dataframe_records" must be a list of objects', 400)
    columns = list(records[0]) if records else list(FEATURES)
    check_width(len(columns))
    for number, record in enumerate(records):
        if set(record) != set(columns):
            raise InvalidInputError(
                f"record {number} has keys {sorted(record)}, expected {sorted(columns)}"
            )
    return columns, [[record[name] for name in columns] for record in records], None


def _length(rows: Any) -> int:
    return len(rows) if isinstance(rows, list) else -1


def predict(payload: Any, model: ServingModel, contract: str = AZUREML) -> Scored:
    """Validate a decoded payload; return the feature matrix, the predictions and the index."""
    columns, rows, index = extract_table(payload, contract)
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
