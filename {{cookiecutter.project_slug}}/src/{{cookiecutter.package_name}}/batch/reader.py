"""One batch input file: parse CSV or Parquet, check the features, keep the identity columns."""

from __future__ import annotations

import io
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from {{ cookiecutter.package_name }}.schema import FEATURES

SUFFIXES = (".csv", ".parquet")
RESERVED = ("source_file", "row_number", "prediction", "model_name", "model_version")
Column = pa.Array | pa.ChunkedArray


class InvalidInputError(Exception):
    """The file cannot be scored; the message is the one-line reason."""


@dataclass(frozen=True)
class BatchInput:
    """One validated file: its float32 feature matrix and the identity columns to carry through."""

    name: str
    matrix: np.ndarray
    identity: dict[str, Column]


def load_input(name: str, data: bytes) -> BatchInput:
    """Parse and validate one file's bytes; InvalidInputError says why it cannot be scored."""
    if not data:
        raise InvalidInputError("the file is empty (0 bytes)")
    reader = _parquet if name.lower().endswith(".parquet") else _csv
    features, identity = reader(data)
    missing = [column for column in FEATURES if column not in features]
    if missing:
        raise InvalidInputError(f"missing column {missing[0]!r}; expected {', '.join(FEATURES)}")
    reserved = [column for column in identity if column in RESERVED]
    if reserved:
        raise InvalidInputError(f"column {reserved[0]!r} is reserved for the output; rename it")
    matrix = np.column_stack([_floats(features[column], column) for column in FEATURES])
    if len(matrix) == 0:
        raise InvalidInputError("the file has a header but no data rows")
    return BatchInput(name, matrix, identity)


def _csv(data: bytes) -> tuple[dict[str, pd.Series], dict[str, Column]]:
    """Identity columns stay text exactly as written (`007` stays `007`); features are parsed."""
    try:
        header = [str(column) for column in pd.read_csv(io.BytesIO(data), nrows=0).columns]
        frame = pd.read_csv(
            io.BytesIO(data),
            dtype={column: str for column in header if column not in FEATURES},
            keep_default_na=False,
            na_values={column: [""] for column in FEATURES if column in header},
        )
    except (ValueError, OSError) as exc:
        raise InvalidInputError(f"unreadable CSV: {_first_line(exc)}") from None
    features = {column: frame[column] for column in header if column in FEATURES}
    identity = {
        column: pa.array(frame[column].to_numpy(dtype=object), type=pa.string())
        for column in header
        if column not in FEATURES
    }
    return features, identity


def _parquet(data: bytes) -> tuple[dict[str, pd.Series], dict[str, Column]]:
    """Identity columns keep their Parquet types."""
    try:
        table = pq.read_table(pa.BufferReader(data))
    except (ValueError, OSError, pa.ArrowException) as exc:
        raise InvalidInputError(f"unreadable Parquet: {_first_line(exc)}") from None
    names = table.column_names
    duplicated = [column for column in names if names.count(column) > 1]
    if duplicated:
        raise InvalidInputError(f"column {duplicated[0]!r} appears more than once")
    features = {column: table.column(column).to_pandas() for column in names if column in FEATURES}
    identity = {column: table.column(column) for column in names if column not in FEATURES}
    return features, identity


def _floats(values: pd.Series, column: str) -> np.ndarray:
    """The column as float32, or InvalidInputError naming the first bad value and its row_number."""
    try:
        numbers = pd.to_numeric(values, errors="coerce")
    except (TypeError, ValueError):
        raise InvalidInputError(f"column {column!r} does not hold plain numbers") from None
    with np.errstate(over="ignore", invalid="ignore"):
        floats = numbers.to_numpy(dtype=np.float64, na_value=np.nan).astype(np.float32)
    bad = ~np.isfinite(floats)
    if bad.any():
        row = int(bad.argmax())
        raise InvalidInputError(
            f"column {column!r} has {_describe(values.iloc[row])} at row_number {row}; "
            "every feature must be a finite number"
        )
    return floats


def _describe(value: object) -> str:
    if value is None or value == "" or (not isinstance(value, str) and pd.isna(value)):
        return "an empty value"
    shown = repr(value) if isinstance(value, str) else str(value)
    if pd.isna(pd.to_numeric(pd.Series([value]), errors="coerce").iloc[0]):
        return f"a non-numeric value {shown}"
    return f"a non-finite (or beyond float32) value {shown}"


def _first_line(exc: BaseException) -> str:
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__
