"""A request's table held to the model's data contract: Features, or the first broken rule.

The contract's rules and messages are `contract.inputs.features_from_rows`, applied to every
request. A contract of numbers alone (no booleans, categories or missing values) takes a
shortcut first, the per-request work of the numeric-only server: one pass over the rows to see
that every value is a JSON number, one float64 matrix, its range checked at once. Any other
contract's small requests are read column by column in plain Python (mixed_rows.py). Any request
a shortcut cannot vouch for goes through the rules, so it gets their exact answer.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import (
    Features,
    check_request_columns,
    features_from_rows,
)
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.contract.values import FLOAT32_MAX
from {{ cookiecutter.package_name }}.serving.mixed_rows import mixed_features


def request_features(contract: Contract, columns: list[Any], rows: Any) -> Features:
    """The rows (lists in `columns` order) as the model's Features, under the contract."""
    if contract.numeric_only:
        features = _numbers(contract, columns, rows)
    else:
        features = mixed_features(contract, columns, rows)
    return features if features is not None else features_from_rows(contract, columns, rows)


def _numbers(contract: Contract, columns: list[Any], rows: Any) -> Features | None:
    """The Features of plain numeric rows naming exactly the features; None for anything else."""
    names = contract.feature_names
    if len(columns) != len(names):
        return None  # id or ignored columns, or a wrong width: the rules decide
    order = None
    if tuple(columns) != names:
        positions = check_request_columns(contract, columns)
        order = [positions[name] for name in names]
    if type(rows) is not list or not rows:
        return None
    width = len(names)
    for row in rows:
        if type(row) is not list or len(row) != width:
            return None
        if not all(type(value) is float or type(value) is int for value in row):
            return None
    matrix = np.asarray(rows, dtype=np.float64)
    if order is not None:
        matrix = matrix[:, order]
    if (np.abs(matrix) > FLOAT32_MAX).any() or not _whole(contract, matrix):
        return None
    return Features(matrix.astype(np.float32), {})


def _whole(contract: Contract, matrix: np.ndarray) -> bool:
    """Whether the integer columns hold whole numbers."""
    integers = _integer_columns(contract)
    if not integers:
        return True
    values = matrix[:, integers]
    return bool(np.all(values == np.round(values)))


_LAST: list[Any] = [None, []]  # the contract last asked about and its integer columns


def _integer_columns(contract: Contract) -> list[int]:
    """Positions of the integer features (remembered for the one contract a server serves)."""
    if _LAST[0] is not contract:
        integers = [
            index for index, column in enumerate(contract.features) if column.type == "integer"
        ]
        _LAST[:] = [contract, integers]
    return _LAST[1]
