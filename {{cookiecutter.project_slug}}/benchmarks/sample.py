"""Benchmark rows drawn from the served model's contract, so every benchmark runs on any data.

Numbers around the middle of their min..max (else around 0), integers whole, booleans either
way, categories in turn; never a missing value.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.serving.validation import request_features


def json_rows(contract: Contract, count: int, seed: int = 0) -> list[list[Any]]:
    """`count` valid rows of the features, in contract order, as a JSON client sends them."""
    rng = np.random.default_rng(seed)
    columns = [_values(column, count, rng) for column in contract.features]
    return [list(row) for row in zip(*columns, strict=True)]


def features(contract: Contract, count: int, seed: int = 0) -> Features:
    """`count` valid rows as the model reads them."""
    return request_features(
        contract, list(contract.feature_names), json_rows(contract, count, seed)
    )


def table(contract: Contract, count: int, seed: int, first_id: int) -> pd.DataFrame:
    """A file's rows: the features, and every id column numbered from `first_id`."""
    frame = pd.DataFrame(json_rows(contract, count, seed), columns=list(contract.feature_names))
    for column in contract.ids:
        frame.insert(0, column.name, [f"{first_id + row}" for row in range(count)])
    return frame


def _values(column: Column, count: int, rng: np.random.Generator) -> list[Any]:
    if column.type == "category":
        return [column.categories[row % len(column.categories)] for row in range(count)]
    if column.type == "boolean":
        return [bool(value) for value in rng.random(count) < 0.5]
    low, high = column.minimum, column.maximum
    centre = (low + high) / 2 if low is not None and high is not None else 0.0
    spread = (high - low) / 6 if low is not None and high is not None else 0.05
    values = rng.normal(centre, spread, count)
    if low is not None or high is not None:
        values = np.clip(values, low, high)
    if column.type == "integer":
        return [int(value) for value in np.round(values)]
    return [float(value) for value in values]
