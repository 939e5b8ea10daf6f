"""The online sample request: the first rows of the prepared test split, typed as JSON.

The rollout's smoke test and probes send it (`pipelines/online/sample-request.json`), in the
`input_data` split orientation: the contract's feature columns in contract order, the rows' index
in the test split, and each value as a client would send it: a number (the shortest text of the
float32 the model reads), a whole number for an `integer` column, true/false for a `boolean`, the
category's text, null where a nullable value is missing.
"""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.contract.values import is_missing

SAMPLE_ROWS = 3


def json_value(column: Column, value: Any) -> Any:
    """A cell of the prepared split as a request carries it (None where the value is missing)."""
    if is_missing(value):
        return None
    if isinstance(value, np.generic):
        value = value.item()
    if column.type == "category":
        return str(value)
    if column.type == "boolean":
        return bool(value)
    if column.type == "integer":
        return int(value)
    return float(str(np.float32(value)))  # the shortest text of what the model reads


def index_value(label: object) -> int | str:
    """A row label of the split as JSON: a whole number, else its text."""
    if isinstance(label, np.integer | int) and not isinstance(label, bool | np.bool_):
        return int(label)
    return str(label)


def sample_rows(
    contract: Contract, test: pd.DataFrame, count: int = SAMPLE_ROWS
) -> tuple[list[int | str], list[list[Any]]]:
    """The first `count` rows of the test split: their index and their features, typed."""
    head = test.head(count)
    rows = [
        [json_value(column, head[column.name].iloc[row]) for column in contract.features]
        for row in range(len(head))
    ]
    return [index_value(label) for label in head.index], rows


def render_request(contract: Contract, index: list[int | str], rows: list[list[Any]]) -> str:
    """The request body as written to the file: one line for the columns, the index, each row."""
    data = ",\n".join(f"      {_dumps(row)}" for row in rows)
    return (
        '{\n  "input_data": {\n'
        f'    "columns": {_dumps(list(contract.feature_names))},\n'
        f'    "index": {_dumps(index)},\n'
        f'    "data": [\n{data}\n    ]\n'
        "  }\n}\n"
    )


def _dumps(value: Any) -> str:
    return json.dumps(value, allow_nan=False)
