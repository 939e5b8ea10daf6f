"""The plain-Python reading of a small request under a contract with categories, booleans or
missing values: one pass per feature column over the values as sent, no pandas.

Each feature's type, nullability and categories are looked up once per contract, and a request
naming exactly the features in contract order skips the column-name checks (their answer is
known). It vouches only for values the contract plainly admits (JSON numbers in range, whole for
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
Step = tuple[str, str, bool, frozenset[str]]  # a feature's name, type, nullable, its categories


def mixed_features(contract: Contract, columns: list[Any], rows: Any) -> Features | None:
    """The Features of plainly valid rows, or None to leave them to the contract's rules."""
    if len(columns) > len(contract.columns) or type(rows) is not list:
        return None
    if not rows or len(rows) > SMALL_ROWS:
        return None
    steps, in_order = _plan(contract)
    # the rules' own first refusal; a request naming exactly the features needs none
    positions = in_order if tuple(columns) == contract.feature_names else None
    if positions is None:
        positions = check_request_columns(contract, columns)
    width = len(columns)
    if not all(type(row) is list and len(row) == width for row in rows):
        return None
    numbers: list[list[float]] = []
    categories: dict[str, np.ndarray] = {}
    for name, kind, nullable, allowed in steps:
        at = positions[name]
        values = _column(kind, nullable, allowed, [row[at] for row in rows])
        if values is None:
            return None
        if kind == "category":
            categories[name] = np.array(values, dtype=object)
        else:
            numbers.append(values)
    matrix = (  # one row per request row; float64 first, as the rules convert
        np.array(numbers, dtype=np.float64).T.astype(np.float32, order="C")
        if numbers
        else np.empty((len(rows), 0), dtype=np.float32)
    )
    return Features(matrix, categories)


def _column(
    kind: str, nullable: bool, allowed: frozenset[str], values: list[Any]
) -> list[Any] | None:
    """One column's values as the model reads them, or None at the first one not plainly valid."""
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


_PLAN: list[Any] = [None]  # (contract, plan) of the contract last asked about: one read


def _plan(contract: Contract) -> tuple[list[Step], dict[str, int]]:
    """Each feature's step in contract order, and the features' positions when a request names
    exactly them (remembered for the one contract a server serves)."""
    remembered = _PLAN[0]
    if remembered is None or remembered[0] is not contract:
        steps = [
            (column.name, column.type, column.nullable, _allowed(column))
            for column in contract.features
        ]
        in_order = {name: index for index, name in enumerate(contract.feature_names)}
        remembered = (contract, (steps, in_order))
        _PLAN[0] = remembered
    return remembered[1]


def _allowed(column: Column) -> frozenset[str]:
    return allowed_keys(column) if column.type == "category" else frozenset()
