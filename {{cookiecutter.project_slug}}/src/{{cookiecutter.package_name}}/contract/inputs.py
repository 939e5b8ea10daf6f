"""Validated model input: what the contract admits, from a table or from JSON rows.

`Features` holds the feature columns as the model reads them: numbers, integers and booleans
(as 0/1) in one float32 matrix, categories as text arrays ("" where a nullable value is
missing). Both constructors refuse the first broken cell with `row N, column 'x': <problem>`
(rows counted from 0, the first data row). A request may also carry the contract's id and
ignored columns: they are accepted and never reach the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.contract.table import convert_column
from {{ cookiecutter.package_name }}.contract.values import (
    FLOAT32_MAX,
    allowed_keys,
    cell_problem,
)
from {{ cookiecutter.package_name }}.errors import InvalidInputError


@dataclass(frozen=True)
class Features:
    """The model's input: numeric features (contract order) as float32, categories as text."""

    numbers: np.ndarray
    categories: dict[str, np.ndarray]

    def __len__(self) -> int:
        return len(self.numbers)

    def frame(self, contract: Contract) -> pd.DataFrame:
        """The features as one frame in `model_columns` order (what the Pipeline reads)."""
        data: dict[str, np.ndarray] = {
            column.name: self.numbers[:, index]
            for index, column in enumerate(numeric_features(contract))
        }
        data.update(self.categories)
        return pd.DataFrame(data, columns=model_columns(contract))


def numeric_features(contract: Contract) -> tuple[Column, ...]:
    """The features in the numeric matrix, in contract order: numbers, integers, booleans."""
    return tuple(column for column in contract.features if column.type != "category")


def category_features(contract: Contract) -> tuple[Column, ...]:
    """The category features, in contract order: each a text input of its own."""
    return tuple(column for column in contract.features if column.type == "category")


def numeric_positions(contract: Contract) -> dict[str, int]:
    """Each numeric feature's column in the numeric matrix."""
    return {column.name: index for index, column in enumerate(numeric_features(contract))}


def model_columns(contract: Contract) -> list[str]:
    """The features in the order the model reads them: the numeric matrix's, then categories."""
    categories = [column.name for column in category_features(contract)]
    return [column.name for column in numeric_features(contract)] + categories


def features_from_table(
    contract: Contract, columns: Mapping[str, pd.Series], bounds: bool = False
) -> Features:
    """A table's features under the value rules (min/max too with `bounds`); extra columns ok."""
    return _features(contract, converted_table(contract, columns, bounds))


def converted_table(
    contract: Contract, columns: Mapping[str, pd.Series], bounds: bool = False
) -> dict[str, np.ndarray]:
    """A table's features under the value rules, each as the model reads it (numbers float64)."""
    present = check_unique(columns)
    missing = [column.name for column in contract.features if column.name not in present]
    if missing:
        raise InvalidInputError(f"missing column {missing[0]!r}; {expected(contract)}")
    check_has_rows(len(next(iter(columns.values()))))
    converted = {}
    for column in contract.features:
        values = columns[column.name]
        result, bad = convert_column(column, values, bounds)
        if bad.any():
            row = int(bad.argmax())
            problem = cell_problem(column, values.iloc[row], json_value=False, bounds=bounds)
            raise InvalidInputError(f"row {row}, column {column.name!r}: {problem}")
        converted[column.name] = result
    return converted


def features_from_rows(contract: Contract, columns: list[Any], rows: Any) -> Features:
    """JSON rows (lists in `columns` order) under the value rules, for the columns it names."""
    positions = check_request_columns(contract, columns)
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
    converted = {
        column.name: _json_column(column, [row[positions[column.name]] for row in rows])
        for column in contract.features
    }
    return _features(contract, converted)


def _json_column(column: Column, values: list[Any]) -> np.ndarray:
    """One column of JSON values: fast when every value is plain, else the first problem."""
    if column.type == "category":
        keys = values if all(type(value) is str for value in values) else None
        if keys is not None and set(keys) <= allowed_keys(column):
            return np.asarray(keys, dtype=object)
    elif column.type == "boolean":
        if all(type(value) is bool for value in values):
            return np.asarray(values, dtype=np.float64)
    elif all(type(value) is float or type(value) is int for value in values):
        numbers = np.asarray(values, dtype=np.float64)
        whole = column.type == "number" or bool(np.all(numbers == np.round(numbers)))
        if whole and not (np.abs(numbers) > FLOAT32_MAX).any():
            return numbers
    return _checked_json_column(column, values)


def _checked_json_column(column: Column, values: list[Any]) -> np.ndarray:
    converted: list[Any] = []
    for row, value in enumerate(values):
        problem = cell_problem(column, value, json_value=True, bounds=False)
        if problem is not None:
            raise InvalidInputError(f"row {row}, column {column.name!r}: {problem}")
        converted.append(value)
    frame_values = pd.Series(converted, dtype=object)
    result, _ = convert_column(column, frame_values, bounds=False)
    return result


def _features(contract: Contract, converted: Mapping[str, np.ndarray]) -> Features:
    numeric = [converted[column.name] for column in numeric_features(contract)]
    rows = len(next(iter(converted.values())))
    numbers = (
        np.column_stack(numeric).astype(np.float32)
        if numeric
        else np.empty((rows, 0), dtype=np.float32)
    )
    categories = {
        column.name: converted[column.name]
        for column in contract.features
        if column.type == "category"
    }
    return Features(numbers, categories)


def check_request_columns(contract: Contract, columns: Sequence[object]) -> dict[str, int]:
    """A JSON request's columns: known to the contract, each once, every feature; name -> index.

    A list longer than the contract's columns is refused before any per-name work.
    """
    if len(columns) > len(contract.columns):
        raise InvalidInputError(
            f"{len(columns)} columns, more than the contract's {len(contract.columns)}; "
            f"{expected(contract)}"
        )
    check_unique(columns)
    unknown = [name for name in columns if name not in contract.by_name]
    if unknown:
        raise InvalidInputError(f"unknown column {unknown[0]!r}; {expected(contract)}")
    positions = {str(name): index for index, name in enumerate(columns)}
    missing = [name for name in contract.feature_names if name not in positions]
    if missing:
        raise InvalidInputError(f"missing column {missing[0]!r}; {expected(contract)}")
    return positions


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


def expected(contract: Contract) -> str:
    """The feature columns a request must name, for messages."""
    return f"expected columns: {', '.join(contract.feature_names)}"
