"""The scoring core: parse a request, enforce the model signature, predict. No web framework."""

from __future__ import annotations

from typing import Any

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.serving_model import ServingModel

AZUREML = "azureml"
MLFLOW = "mlflow"
FLOAT32_MAX = float(np.finfo(np.float32).max)


class PayloadError(Exception):
    """A request the server must refuse: the HTTP status and a message naming the problem."""

    def __init__(self, message: str, status: int = 422) -> None:
        super().__init__(message)
        self.message = message
        self.status = status


def parse_json(body: bytes) -> Any:
    """Decode a JSON body; NaN, Infinity and numbers beyond float64 are malformed JSON here."""
    if not body.strip():
        raise PayloadError("empty body: send a JSON document", 400)
    try:
        return orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(f"malformed JSON: {exc}", 400) from None


def extract_table(payload: Any, contract: str, features: tuple[str, ...]) -> tuple[list, list, Any]:
    """Return (columns, rows, index) from an Azure ML or MLflow payload."""
    if not isinstance(payload, dict):
        raise PayloadError("the body must be a JSON object", 400)
    if contract == AZUREML:
        if "input_data" not in payload:
            raise PayloadError(
                'missing "input_data": send {"input_data": {"columns", "data"}}', 400
            )
        return _from_input_data(payload["input_data"], features)
    if "dataframe_split" in payload:
        return _split(payload["dataframe_split"], "dataframe_split")
    if "dataframe_records" in payload:
        return _records(payload["dataframe_records"], features)
    raise PayloadError('expected "dataframe_split" or "dataframe_records"', 400)


def _from_input_data(data: Any, features: tuple[str, ...]) -> tuple[list, list, Any]:
    if isinstance(data, list):
        return list(features), data, None
    return _split(data, "input_data")


def _split(table: Any, key: str) -> tuple[list, list, Any]:
    if not isinstance(table, dict) or "data" not in table or "columns" not in table:
        raise PayloadError(
            f'"{key}" must be an object with "columns" and "data" (split orientation)', 400
        )
    columns, rows, index = table["columns"], table["data"], table.get("index")
    if not isinstance(columns, list) or not all(isinstance(name, str) for name in columns):
        raise PayloadError(f'"{key}.columns" must be a list of column names', 400)
    if index is not None and (not isinstance(index, list) or len(index) != _length(rows)):
        raise PayloadError(f'"{key}.index" must be a list with one entry per row of "data"', 400)
    return columns, rows, index


def _records(records: Any, features: tuple[str, ...]) -> tuple[list, list, Any]:
    if not isinstance(records, list) or not all(isinstance(item, dict) for item in records):
        raise PayloadError('"dataframe_records" must be a list of objects', 400)
    columns = list(records[0]) if records else list(features)
    for number, record in enumerate(records):
        if set(record) != set(columns):
            raise PayloadError(
                f"record {number} has keys {sorted(record)}, expected {sorted(columns)}"
            )
    return columns, [[record[name] for name in columns] for record in records], None


def _length(rows: Any) -> int:
    return len(rows) if isinstance(rows, list) else -1


def to_matrix(columns: list, rows: Any, features: tuple[str, ...]) -> np.ndarray:
    """Check columns, row widths and values against the signature; return float32 in model order."""
    _check_columns(columns, features)
    if not isinstance(rows, list) or not rows:
        raise PayloadError('no rows to score: "data" must be a non-empty list of rows')
    width = len(columns)
    for number, row in enumerate(rows):
        if type(row) is not list or len(row) != width:
            size = len(row) if isinstance(row, list) else type(row).__name__
            raise PayloadError(
                f"row {number} has {size} values, expected {width} ({', '.join(columns)})"
            )
        if not all(type(value) is float or type(value) is int for value in row):
            _raise_bad_value(number, row, columns)
    matrix = np.asarray(rows, dtype=np.float64)
    if tuple(columns) != features:
        matrix = matrix[:, [columns.index(name) for name in features]]
    too_large = np.abs(matrix) > FLOAT32_MAX
    if too_large.any():
        number, column = np.argwhere(too_large)[0]
        raise PayloadError(f"row {number}, column '{features[column]}': value out of float32 range")
    return matrix.astype(np.float32)


def _check_columns(columns: list, features: tuple[str, ...]) -> None:
    if tuple(columns) == features:
        return
    if len(set(columns)) != len(columns):
        raise PayloadError('duplicate column names in "columns"')
    missing = [name for name in features if name not in columns]
    if missing:
        raise PayloadError(
            f"missing column '{missing[0]}'; expected columns: {', '.join(features)}"
        )
    unknown = [name for name in columns if name not in features]
    if unknown:
        raise PayloadError(
            f"unknown column '{unknown[0]}'; expected columns: {', '.join(features)}"
        )


def _raise_bad_value(number: int, row: list, columns: list) -> None:
    for column, value in zip(columns, row, strict=True):
        if type(value) is not float and type(value) is not int:
            shown = "null" if value is None else orjson.dumps(value).decode()[:40]
            raise PayloadError(f"row {number}, column '{column}': {shown} is not a number")


def score(payload: Any, model: ServingModel, contract: str = AZUREML) -> dict[str, Any]:
    """Validate a decoded payload and return {"predictions": [...]} (plus "index" when sent)."""
    columns, rows, index = extract_table(payload, contract, model.card.features)
    predictions = model.predict(to_matrix(columns, rows, model.card.features))
    result: dict[str, Any] = {"predictions": predictions}
    if index is not None:
        result["index"] = index
    return result


def dumps(result: dict[str, Any]) -> bytes:
    """Serialize a scoring result (numpy arrays included) to JSON bytes."""
    return orjson.dumps(result, option=orjson.OPT_SERIALIZE_NUMPY)
