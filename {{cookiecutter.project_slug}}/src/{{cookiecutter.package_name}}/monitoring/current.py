"""The current data `drift` compares with the baseline: collected JSON lines, CSV or Parquet.

Collected lines (one JSON object per line, in *.jsonl files, any folder depth) carry the inputs
and the outputs the served model returned. Azure ML's data collector writes CloudEvents whose
`data` is a list of records: its `model_inputs` lines are read like a table, its `model_outputs`
lines are skipped. CSV, Parquet and Azure ML inputs carry no predictions; theirs come from
`predict`. Every row goes through the one input contract (features.py).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import orjson

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.features import (
    FEATURES,
    InvalidInputError,
    matrix_from_rows,
)

LOGS = ".jsonl"
TABLES = (".csv", ".parquet")
Predict = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Current:
    """Feature rows (float32, FEATURES order), one prediction per row, and where they came from."""

    matrix: np.ndarray
    predictions: np.ndarray
    files: list[str]
    model_versions: dict[str, int] = field(default_factory=dict)

    @property
    def rows(self) -> int:
        """Number of rows."""
        return len(self.matrix)


def read_current(path: Path, predict: Predict) -> Current:
    """Read a file or every *.jsonl, *.csv and *.parquet under a folder (recursively)."""
    files = _files(path)
    versions: Counter[str] = Counter()
    parts = [_read_file(file, predict, versions) for file in files]
    parts = [part for part in parts if len(part[0])]
    if not parts:
        raise LifecycleError(f"no current data: {path} holds no rows; {_HOW}")
    return Current(
        matrix=np.concatenate([matrix for matrix, _ in parts]),
        predictions=np.concatenate([predictions for _, predictions in parts]),
        files=[str(file) for file in files],
        model_versions=dict(sorted(versions.items())),
    )


_HOW = "enable collection ([monitoring.collection] sample_rate) or pass --current FILE|DIR"


def _files(path: Path) -> list[Path]:
    if path.is_file():
        if path.suffix.lower() not in (LOGS, *TABLES):
            raise LifecycleError(f"{path}: not a .jsonl, .csv or .parquet file; pass one of those")
        return [path]
    if not path.is_dir():
        raise LifecycleError(f"no current data: {path} does not exist; {_HOW}")
    suffixes = (LOGS, *TABLES)
    files = sorted(file for file in path.rglob("*") if file.suffix.lower() in suffixes)
    files = [file for file in files if file.is_file()]
    if not files:
        raise LifecycleError(f"no current data: no .jsonl, .csv or .parquet under {path}; {_HOW}")
    return files


Part = tuple[np.ndarray, np.ndarray]


def _read_file(file: Path, predict: Predict, versions: Counter[str]) -> Part:
    if file.suffix.lower() == LOGS:
        return _read_log(file, predict, versions)
    from {{ cookiecutter.package_name }}.batch.reader import load_input

    try:
        matrix = load_input(file.name, file.read_bytes()).matrix
    except InvalidInputError as exc:
        raise LifecycleError(f"{file}: {exc}") from None
    return matrix, predict(matrix)


def _read_log(file: Path, predict: Predict, versions: Counter[str]) -> Part:
    matrices, outputs = [np.empty((0, len(FEATURES)), np.float32)], [np.empty(0)]
    with file.open("rb") as lines:
        for number, line in enumerate(lines, start=1):
            if not line.strip():
                continue
            try:
                matrix, predictions, version = parse_line(line)
            except (InvalidInputError, orjson.JSONDecodeError) as exc:
                raise LifecycleError(f"{file}:{number}: {exc}; fix or remove the line") from None
            if predictions is None:
                predictions = predict(matrix) if len(matrix) else np.empty(0)
            matrices.append(matrix)
            outputs.append(predictions)
            versions[version] += len(predictions)
    return np.concatenate(matrices), np.concatenate(outputs)


def parse_line(line: bytes) -> tuple[np.ndarray, np.ndarray | None, str]:
    """One collected line as (feature matrix, outputs or None when not logged, model version)."""
    record: Any = orjson.loads(line)
    if isinstance(record, dict) and "features" not in record and "data" in record:
        return _azureml_line(record)
    if not isinstance(record, dict) or any(key not in record for key in _KEYS):
        raise InvalidInputError(f"expected an object with {', '.join(_KEYS)}")
    if not isinstance(record["features"], list):
        raise InvalidInputError('"features" must be the list of column names')
    matrix = matrix_from_rows(record["features"], record["inputs"])
    outputs = record["outputs"]
    if not isinstance(outputs, list) or len(outputs) != len(matrix):
        raise InvalidInputError(f'"outputs" must be a list of {len(matrix)} numbers, one per row')
    if not all(type(value) is float or type(value) is int for value in outputs):
        raise InvalidInputError('"outputs" must hold numbers only')
    return matrix, np.asarray(outputs, dtype=np.float64), str(record.get("model_version", ""))


_KEYS = ("features", "inputs", "outputs")
AZUREML_OUTPUTS = "azureml.inference.model_outputs"


def _azureml_line(record: dict[str, Any]) -> tuple[np.ndarray, None, str]:
    """An Azure ML data collector event: `data` is a list of {feature: value} records."""
    rows = record["data"]
    if record.get("type") == AZUREML_OUTPUTS:
        return np.empty((0, len(FEATURES)), np.float32), None, ""
    if not isinstance(rows, list) or not all(isinstance(row, dict) for row in rows):
        raise InvalidInputError('"data" must be a list of {feature: value} records')
    columns = list(rows[0]) if rows else list(FEATURES)
    matrix = matrix_from_rows(columns, [[row.get(name) for name in columns] for row in rows])
    return matrix, None, str(record.get("modelversion", ""))
