"""The model's input contract: the feature columns and the one validator every entry point uses.

`prep`, `/score`, `/invocations`, `score-batch` and both Azure ML entry scripts apply the same
rules with the same messages: every feature column is present; every value is a finite number
within float32 range (text and booleans are not numbers); a missing value (null, an empty cell or
NaN) is refused, never imputed. Rows are counted from 0, the first data row.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.errors import InvalidInputError

FEATURES: tuple[str, ...] = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
TARGET = "target"
COLUMNS: tuple[str, ...] = (*FEATURES, TARGET)
FLOAT32_MAX = float(np.finfo(np.float32).max)


def check_width(count: int) -> None:
    """Refuse more columns than the features before any per-column work (JSON requests)."""
    if count > len(FEATURES):
        raise InvalidInputError(f"{count} columns, expected {len(FEATURES)}: {', '.join(FEATURES)}")


def check_columns(names: Sequence[object], allow_extra: bool) -> None:
    """Refuse duplicate or missing feature columns (and any other one unless `allow_extra`).

    Linear in the number of names; without `allow_extra` a list longer than the features is
    refused first (check_width), and then no duplicate and no missing feature leaves exactly the
    features.
    """
    if not allow_extra:
        check_width(len(names))
    if tuple(names) == FEATURES:
        return
    present = check_unique(names)
    missing = [name for name in FEATURES if name not in present]
    if missing:
        raise InvalidInputError(
            f"missing column {missing[0]!r}; expected columns: {', '.join(FEATURES)}"
        )


def check_unique(names: Iterable[object]) -> set[object]:
    """Refuse a repeated column name in one pass (never a count per name); return the names."""
    seen: set[object] = set()
    for name in names:
        if name in seen:
            raise InvalidInputError(f"duplicate column {name!r}")
        seen.add(name)
    return seen


def check_has_rows(count: int) -> None:
    """Refuse an input without data rows."""
    if count == 0:
        raise InvalidInputError("no rows to score: the input holds no data rows")


def value_error(
    row: int, column: str, value: object, text_is_number: bool = True
) -> InvalidInputError:
    """The error for one cell that is not a finite float32 number (JSON text never is one)."""
    return InvalidInputError(f"row {row}, column {column!r}: {_problem(value, text_is_number)}")


def _problem(value: object, text_is_number: bool) -> str:
    if _is_missing(value):
        return "missing value (null, empty or NaN); missing values are refused, not imputed"
    number = _as_number(value) if text_is_number or not isinstance(value, str) else None
    if number is None:
        return f"{_shown(value)} is not a number"
    if not math.isfinite(number):
        return f"{_shown(value)} is not a finite number"
    return f"{_shown(value)} is out of float32 range"


def _is_missing(value: object) -> bool:
    if value is None or (isinstance(value, str) and value == ""):
        return True
    scalar: Any = value
    try:
        return bool(pd.isna(scalar))  # NaN of any float type, pandas' NA and NaT
    except (TypeError, ValueError):  # lists and other containers
        return False


def _as_number(value: object) -> float | None:
    if isinstance(value, bool | np.bool_):
        return None
    if isinstance(value, int | float | np.number | str):
        try:
            return float(value)
        except (ValueError, OverflowError):
            return None
    return None


def _shown(value: object) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    except RecursionError:  # JSON may nest 1,024 levels; json.dumps stops at about 1,000
        text = f"a {type(value).__name__} nested too deeply to show"
    return text if len(text) <= 40 else text[:37] + "..."


def checked_values(values: pd.Series, column: str) -> np.ndarray:
    """One column as float64 under the value rules, or the error for its first bad cell."""
    if pd.api.types.is_bool_dtype(values) and len(values):
        raise value_error(0, column, values.iloc[0])
    try:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)
    except (TypeError, ValueError):
        numbers = np.full(len(values), np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numbers) | (np.abs(numbers) > FLOAT32_MAX)
    if bad.any():
        row = int(bad.argmax())
        raise value_error(row, column, values.iloc[row])
    return numbers


def matrix_from_columns(columns: Mapping[str, pd.Series]) -> np.ndarray:
    """Tabular input (CSV, Parquet, a frame) as the float32 model matrix; extra columns ignored."""
    check_columns(list(columns), allow_extra=True)
    check_has_rows(len(columns[FEATURES[0]]))
    return np.column_stack([checked_values(columns[name], name) for name in FEATURES]).astype(
        np.float32
    )


def matrix_from_rows(columns: list[Any], rows: Any) -> np.ndarray:
    """JSON rows (lists in `columns` order) as the model's float32 matrix, in feature order."""
    check_columns(columns, allow_extra=False)
    if not isinstance(rows, list):
        raise InvalidInputError('"data" must be a list of rows')
    check_has_rows(len(rows))
    width = len(columns)
    for number, row in enumerate(rows):
        if type(row) is not list or len(row) != width:
            size = len(row) if isinstance(row, list) else type(row).__name__
            raise InvalidInputError(
                f"row {number} has {size} values, expected {width} ({', '.join(columns)})"
            )
        if not all(type(value) is float or type(value) is int for value in row):
            _raise_first_bad(number, row, columns)
    matrix = np.asarray(rows, dtype=np.float64)
    if tuple(columns) != FEATURES:
        matrix = matrix[:, [columns.index(name) for name in FEATURES]]
    too_large = np.abs(matrix) > FLOAT32_MAX
    if too_large.any():
        number, column = np.argwhere(too_large)[0]
        raise value_error(int(number), FEATURES[column], float(matrix[number, column]))
    return matrix.astype(np.float32)


def _raise_first_bad(number: int, row: list[Any], columns: list[Any]) -> None:
    for column, value in zip(columns, row, strict=True):
        if type(value) is not float and type(value) is not int:
            raise value_error(number, column, value, text_is_number=False)
