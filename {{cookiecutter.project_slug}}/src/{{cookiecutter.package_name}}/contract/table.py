"""The value rules applied to a whole column of a table at once (CSV, Parquet, a frame).

Each function returns the column as the model reads it and the mask of the cells it refuses;
`values.cell_problem` explains a refused cell. Numbers, integers and booleans become float64
(NaN where a nullable value is missing), categories their text ("" where missing).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.schema import Column
from {{ cookiecutter.package_name }}.contract.values import (
    FALSE_TEXT,
    FLOAT32_MAX,
    TRUE_TEXT,
    allowed_keys,
    category_key,
)

Converted = tuple[np.ndarray, np.ndarray]


def convert_column(column: Column, values: pd.Series, bounds: bool) -> Converted:
    """(the column as the model reads it, mask of refused cells); missing ones per `nullable`."""
    missing = missing_mask(values)
    if column.type == "category":
        converted, bad = _categories(column, values, missing)
    elif column.type == "boolean":
        converted, bad = _booleans(values, missing)
    else:
        converted, bad = _numbers(column, values, missing, bounds)
    if not column.nullable:
        bad |= missing
    return converted, bad


def missing_mask(values: pd.Series) -> np.ndarray:
    """Null, NaN or an empty text."""
    missing = np.array(values.isna(), dtype=bool)  # a writable copy (pandas may share memory)
    if values.dtype == object or pd.api.types.is_string_dtype(values):
        missing |= (values == "").to_numpy(dtype=bool, na_value=False)
    return missing


def _numbers(column: Column, values: pd.Series, missing: np.ndarray, bounds: bool) -> Converted:
    if pd.api.types.is_bool_dtype(values):
        return np.full(len(values), np.nan), ~missing  # booleans are not numbers
    booleans = _python_booleans(values)
    try:
        numbers = np.array(pd.to_numeric(values, errors="coerce"), dtype=np.float64)
    except (TypeError, ValueError):
        numbers = np.full(len(values), np.nan)
    with np.errstate(invalid="ignore"):
        bad = ~np.isfinite(numbers) | (np.abs(numbers) > FLOAT32_MAX) | booleans
        if column.type == "integer":
            bad |= np.isfinite(numbers) & (numbers != np.round(numbers))
        if bounds and column.minimum is not None:
            bad |= numbers < column.minimum
        if bounds and column.maximum is not None:
            bad |= numbers > column.maximum
    numbers[missing] = np.nan
    return numbers, bad & ~missing


def _booleans(values: pd.Series, missing: np.ndarray) -> Converted:
    if pd.api.types.is_bool_dtype(values):
        return values.to_numpy(dtype=np.float64, na_value=np.nan), np.zeros(len(values), bool)
    mapped = values.map(_boolean_value).to_numpy(dtype=np.float64, na_value=np.nan)
    return mapped, np.isnan(mapped) & ~missing


def _boolean_value(value: object) -> float:
    if isinstance(value, bool | np.bool_):
        return float(value)
    if isinstance(value, str):
        text = value.strip().lower()
        return 1.0 if text in TRUE_TEXT else 0.0 if text in FALSE_TEXT else np.nan
    if isinstance(value, int | float | np.number) and value in (0, 1):  # 0/1, also 0.0/1.0
        return float(value)
    return np.nan


def _categories(column: Column, values: pd.Series, missing: np.ndarray) -> Converted:
    keys = values.map(category_key)
    unknown = np.array(keys.isna(), dtype=bool)  # no text: a list, 1.5 ...
    if column.categories:  # an id or ignored column may list none: any text then
        unknown |= ~keys.isin(allowed_keys(column)).to_numpy(dtype=bool)
    bad = unknown & ~missing
    return keys.where(~missing, "").to_numpy(dtype=object), bad


def _python_booleans(values: pd.Series) -> np.ndarray:
    """Cells holding a Python or NumPy boolean in an object column (never numbers)."""
    if values.dtype != object:
        return np.zeros(len(values), dtype=bool)
    return values.map(lambda value: isinstance(value, bool | np.bool_)).to_numpy(dtype=bool)
