"""The plain-Python reading of a small request under a contract with categories, booleans or
missing values: one pass per feature column over the values as sent, no pandas.

It vouches only for values the contract plainly admits (JSON numbers in range, whole for
integers; true/false; a listed category's text; null or "" where nullable) and gives up on
anything else, which then goes through the contract's rules for their exact answer.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import Features, check_request_columns
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.contract.values import FLOAT32_MAX, allowed_keys

SMALL_ROWS = 256  # larger requests: the contract's column-wise reading


def mixed_features(contract: Contract, columns: list[Any], rows: Any) -> Features | None:
    """The Features of plainly valid rows, or None to leave them to the contract's rules."""
    if len(columns) > len(contract.columns) or type(rows) is not list:
        return None
    if not rows or len(rows) > SMALL_ROWS:
        return None
    positions = check_request_columns(contract, columns)  # the rules' own first refusal
    width = len(columns)
    if not all(type(row) is list and len(row) == width for row in rows):
        return None
    numbers: list[list[float]] = []
    categories: dict[str, np.ndarray] = {}
    for column in contract.features:
        at = positions[column.name]
        values = _column(column, [row[at] for row in rows])
        if values is None:
            return None
        if column.type == "category":
            categories[column.name] = np.array(values, dtype=object)
        else:
            numbers.append(values)
    matrix = (
        np.column_stack(numbers).astype(np.float32)
        if numbers
        else np.empty((len(rows), 0), dtype=np.float32)
    )
    return Features(matrix, categories)


def _column(column: Column, values: list[Any]) -> list[Any] | None:
    """One column's values as the model reads them, or None at the first one not plainly valid."""
    kind, nullable = column.type, column.nullable
    allowed = allowed_keys(column) if kind == "category" else frozenset()
    converted: list[Any] = []
    for value in values:
        if value is None or (type(value) is str and value == ""):
            if not nullable:
                return None
            converted.append("" if kind == "category" else math.nan)
        elif kind == "category":
            if type(value) is not str or value not in allowed:
                return None
            converted.append(value)
        elif kind == "boolean":
            if type(value) is not bool:
                return None
            converted.append(1.0 if value else 0.0)
        else:
            if type(value) is not float and type(value) is not int:
                return None
            number = float(value)
            if not abs(number) <= FLOAT32_MAX or (kind == "integer" and not number.is_integer()):
                return None
            converted.append(number)
    return converted
