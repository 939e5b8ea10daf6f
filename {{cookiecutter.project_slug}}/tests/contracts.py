"""The test contracts, whatever the project's own data set, and seeded rows drawn under any.

Every task's contract holds the same columns, one of each kind the contract language has: an id,
an integer with bounds, a nullable number, a nullable integer, a category, a nullable category,
a boolean, a nullable boolean and an ignored column; then its target: a regression number,
binary text classes with a positive one, or multiclass whole numbers listed out of sorted order
(tests check that classes keep that order). `numbers` is the default project's numeric-only
contract (the ten diabetes features), `numbers-id` adds an id column for batch scoring. `table`
and `records` draw seeded valid rows under any contract; a `Draw` moves shares and values.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.load import parse_contract
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract

COLUMNS = """columns:
  customer_id: {type: category, role: id}
  tenure: {type: integer, min: 0, max: 72}
  monthly: {type: number, nullable: true}
  visits: {type: integer, nullable: true}
  plan: {type: category, categories: [basic, plus, pro]}
  region: {type: category, nullable: true, categories: [north, south]}
  paperless: {type: boolean}
  autopay: {type: boolean, nullable: true}
  note: {type: category, role: ignore}
"""
FEATURES = ("age", "sex", "bmi", "bp", "s1", "s2", "s3", "s4", "s5", "s6")
NUMBERS = "task: regression\ntarget: {column: progression}\ncolumns:\n" + "".join(
    "  " + name + ": {type: number}\n" for name in FEATURES
)
TASKS = ("regression", "binary", "multiclass")
TARGETS = {  # name: (task, target)
    "regression": ("regression", "{column: spend}"),
    "binary": ("binary", "{column: churn, classes: [churn, stay], positive: churn}"),
    "multiclass": ("multiclass", "{column: tier, classes: [3, 1, 2]}"),
    # for the task library's unit tests: whole-number binary classes, text multiclass classes
    "binary-int": ("binary", "{column: churn, classes: [1, 0], positive: 1}"),
    "multiclass-text": ("multiclass", "{column: tier, classes: [c, a, b]}"),
}
CONTRACTS = {
    **{
        name: f"task: {task}\ntarget: {target}\n{COLUMNS}"
        for name, (task, target) in TARGETS.items()
    },
    "numbers": NUMBERS,
    "numbers-id": NUMBERS + "  id: {type: category, role: id}\n",
}
# One valid record of the task contracts, as a client sends it (id and ignored column too).
RECORD = {
    "customer_id": "C-007",
    "tenure": 12,
    "monthly": 70.5,
    "visits": 3,
    "plan": "plus",
    "region": None,
    "paperless": True,
    "autopay": False,
    "note": "called twice",
}


def contract_of(name: str) -> Contract:
    """The test contract `name` (a key of CONTRACTS), as `prep`, `train` and `serve` read it."""
    return parse_contract(CONTRACTS[name], f"{name} test contract")


def with_sensitive(name: str, column: str) -> str:
    """The text of contract `name` with `column` marked sensitive (fairness is checked over it)."""
    line = next(line for line in CONTRACTS[name].splitlines() if line.startswith(f"  {column}:"))
    return CONTRACTS[name].replace(line, line.removesuffix("}") + ", sensitive: true}")


@dataclass(frozen=True)
class Draw:
    """How rows are drawn: category shares, true shares, missing shares, number offsets."""

    shares: dict[str, list[float]] = field(default_factory=dict)
    true_share: dict[str, float] = field(default_factory=dict)
    missing: dict[str, float] = field(default_factory=dict)
    offset: dict[str, float] = field(default_factory=dict)


def span(column: Column) -> tuple[float, float]:
    """The range a number or integer column is drawn from: its bounds, ten wide where open."""
    low, high = column.minimum, column.maximum
    if low is None:
        low = 0.0 if high is None else min(0.0, high - 10.0)
    return low, low + 10.0 if high is None else high


def table(contract: Contract, rows: int, seed: int, draw: Draw | None = None) -> pd.DataFrame:
    """Seeded valid rows of every column of the contract (no target), missing where allowed."""
    draw, rng = draw or Draw(), np.random.default_rng(seed)
    frame = pd.DataFrame(
        {column.name: _values(column, rows, seed, rng, draw) for column in contract.columns}
    )
    for column in contract.columns:
        if column.nullable:
            gone = rng.random(rows) < draw.missing.get(column.name, 0.1)
            frame[column.name] = frame[column.name].astype(object).where(~gone, None)
    return frame


def _values(column: Column, rows: int, seed: int, rng: np.random.Generator, draw: Draw) -> Any:
    if column.role == "id":
        return [f"C-{seed:02d}-{row:04d}" for row in range(rows)]
    if column.role == "ignore":
        return [f"note {row}" for row in range(rows)]
    if column.type == "category":
        categories = [str(category) for category in column.categories]
        return rng.choice(categories, rows, p=draw.shares.get(column.name))
    if column.type == "boolean":
        return rng.random(rows) < draw.true_share.get(column.name, 0.4)
    low, high = span(column)
    shift = draw.offset.get(column.name, 0.0)
    if column.type == "integer":
        low, high = math.ceil(low), math.floor(high)
        values = rng.integers(low, high + 1, rows) + round(shift)
    else:  # two decimals, as typed: rarely a float32 number (the server reads float32)
        values = np.round(rng.uniform(low, high, rows) + shift, 2)
    bottom = -np.inf if column.minimum is None else low  # shifted values stay within bounds
    clipped = np.clip(values, bottom, np.inf if column.maximum is None else high)
    return clipped.astype(np.int64) if column.type == "integer" else clipped


def records(contract: Contract, rows: int, seed: int, draw: Draw | None = None) -> list[dict]:
    """The seeded rows as a client sends them: plain Python values, None where missing."""
    frame = table(contract, rows, seed, draw).astype(object)
    return frame.where(frame.notna(), None).to_dict("records")
