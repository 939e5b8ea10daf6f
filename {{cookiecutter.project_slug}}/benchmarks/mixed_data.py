"""A synthetic mixed table for the categories benchmark, and its numeric-only twin.

The mixed contract has ten features: categories, a boolean and a nullable number among plain
numbers; its rows are drawn from a seeded generator with a binary target that depends on them.
The twin has the same columns with every feature a plain number: a category becomes its
position in the contract's list, a boolean 0 or 1, and the nullable number is filled with its
median and no longer nullable. Both models are trained on the same number of rows with the
same params, so they differ only in how their inputs are read.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.load import parse_contract
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract

ROWS = 5_000
MIXED = """\
task: binary
target: {column: churn, classes: [churn, stay], positive: churn}
columns:
  tenure: {type: integer, min: 0, max: 72}
  monthly: {type: number, nullable: true, min: 10, max: 130}
  total: {type: number, min: 0, max: 10000}
  age: {type: integer, min: 18, max: 90}
  plan: {type: category, categories: [basic, plus, pro]}
  region: {type: category, categories: [north, south, east, west]}
  channel: {type: category, categories: [web, store, phone]}
  paperless: {type: boolean}
  calls: {type: integer, min: 0, max: 10}
  discount: {type: number, min: 0, max: 0.5}
"""


def mixed_contract() -> Contract:
    """The mixed contract: categories, a boolean and a nullable number."""
    return parse_contract(MIXED, "the benchmark's mixed contract")


def mixed_table(rows: int = ROWS, seed: int = 0) -> pd.DataFrame:
    """Seeded rows of the mixed contract (about 8 % of `monthly` missing) and their target."""
    rng = np.random.default_rng(seed)
    tenure = rng.integers(0, 73, rows)
    monthly = np.round(rng.uniform(10, 130, rows), 2)
    plan = rng.choice(["basic", "plus", "pro"], rows)
    paperless = rng.random(rows) < 0.5
    calls = rng.integers(0, 11, rows)
    score = (monthly - 70) / 30 - tenure / 24 + calls / 3 + paperless * 0.5
    score += np.where(plan == "basic", 0.8, 0.0) + rng.normal(0, 0.7, rows)
    table = pd.DataFrame(
        {
            "tenure": tenure,
            "monthly": pd.Series(monthly).mask(rng.random(rows) < 0.08),
            "total": np.round(tenure * monthly, 2),
            "age": rng.integers(18, 91, rows),
            "plan": plan,
            "region": rng.choice(["north", "south", "east", "west"], rows),
            "channel": rng.choice(["web", "store", "phone"], rows),
            "paperless": paperless,
            "calls": calls,
            "discount": np.round(rng.uniform(0, 0.5, rows), 3),
        }
    )
    table["churn"] = np.where(score > 1.0, "churn", "stay")
    return table


def numeric_twin(contract: Contract) -> Contract:
    """The same columns, every feature a plain number that may not be missing."""
    return replace(contract, columns=tuple(_numeric_column(column) for column in contract.columns))


def numeric_table(contract: Contract, table: pd.DataFrame) -> pd.DataFrame:
    """The mixed table as its twin's: codes for categories, 0/1 for booleans, medians filled."""
    twin = table.copy()
    for column in contract.features:
        values = table[column.name]
        if column.type == "category":
            twin[column.name] = values.map(_codes(column)).astype(float)
        elif column.type == "boolean":
            twin[column.name] = values.astype(float)
        elif column.nullable:
            twin[column.name] = values.fillna(values.median())
    return twin


def numeric_row(contract: Contract, row: list[Any]) -> list[float]:
    """One JSON row of the mixed contract (features in order) as its twin's row."""
    return [
        float(_codes(column)[value] if column.type == "category" else value)
        for column, value in zip(contract.features, row, strict=True)
    ]


def _codes(column: Column) -> dict[Any, int]:
    return {name: code for code, name in enumerate(column.categories)}


def _numeric_column(column: Column) -> Column:
    if column.role != "feature" or (column.is_numeric and not column.nullable):
        return column
    low, high = column.minimum, column.maximum
    if column.type == "category":
        low, high = 0.0, float(len(column.categories) - 1)
    elif column.type == "boolean":
        low, high = 0.0, 1.0
    return replace(column, type="number", nullable=False, minimum=low, maximum=high, categories=())
