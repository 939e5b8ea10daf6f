"""`contract init`: draft a contract from a data file; the user reviews it before it is used.

Types: `true`/`false` columns (and Parquet booleans) are booleans; whole numbers with few
distinct values and text with few distinct values are categories; other whole numbers are
integers and other numbers numbers, with their observed min and max; a column with any missing
value is nullable; text with many distinct values is kept out of the model (role: ignore). The
task follows from the target: two values binary (positive class: 1, true, yes, or else the
rarer one), a few whole numbers or text multiclass, anything else regression.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.rules import check_contract
from {{ cookiecutter.package_name }}.contract.schema import (
    TASKS,
    Column,
    Contract,
    Label,
    Target,
)
from {{ cookiecutter.package_name }}.contract.table import missing_mask
from {{ cookiecutter.package_name }}.contract.values import as_number, category_key
from {{ cookiecutter.package_name }}.errors import LifecycleError

MAX_CATEGORIES = 20
POSITIVE_NAMES = ("1", "true", "yes", "y", "positive")


@dataclass(frozen=True)
class Draft:
    """A drafted contract and what the user should check in it."""

    contract: Contract
    notes: tuple[str, ...]


def draft_contract(
    frame: pd.DataFrame, target: str, task: str | None = None, ids: Sequence[str] = ()
) -> Draft:
    """Infer types, roles, ranges and the task from `frame`; refuse what cannot be inferred."""
    for name in (target, *ids):
        if name not in frame.columns:
            known = ", ".join(map(str, frame.columns))
            raise LifecycleError(f"no column {name!r} in the file; its columns: {known}")
    if task is not None and task not in TASKS:
        raise LifecycleError(f"--task {task!r} is unknown: use one of {', '.join(TASKS)}")
    columns = tuple(
        _column(str(name), frame[name], role="id" if name in ids else "feature")
        for name in frame.columns
        if name != target
    )
    drafted_target, task, note = _target(frame[target], target, task)
    contract = Contract(task, drafted_target, columns)
    check_contract(contract)
    ignored = [column.name for column in columns if column.role == "ignore"]
    notes = [note]
    if ignored:
        notes.append(f"kept out of the model (many distinct texts): {', '.join(ignored)}")
    return Draft(contract, tuple(notes))


def _column(name: str, values: pd.Series, role: str) -> Column:
    missing = missing_mask(values)
    present = values[~missing]
    nullable = bool(missing.any())
    kind, labels = _kind(present)
    if kind == "text" and role == "feature":
        return Column(name, "category", role="ignore", nullable=nullable)
    if kind in ("category", "text"):
        listed = labels if role == "feature" else ()
        return Column(name, "category", role, nullable, categories=listed)
    if kind == "boolean":
        return Column(name, "boolean", role, nullable)
    numbers = pd.to_numeric(present).to_numpy(dtype=np.float64)
    low, high = (float(numbers.min()), float(numbers.max())) if len(numbers) else (None, None)
    return Column(name, kind, role, nullable, low, high)


def _kind(present: pd.Series) -> tuple[str, tuple[Label, ...]]:
    """number, integer, boolean, category (few distinct values) or text (many)."""
    uniques = list(present.unique())
    if pd.api.types.is_bool_dtype(present) or (
        uniques and all(str(value).strip().lower() in ("true", "false") for value in uniques)
    ):
        return "boolean", ()
    numbers = [as_number(value, text_is_number=True) for value in uniques]
    few = len(uniques) <= MAX_CATEGORIES and len(uniques) < max(len(present) / 2, 2)
    finite = [number for number in numbers if number is not None and math.isfinite(number)]
    if uniques and len(finite) == len(numbers):
        if all(number.is_integer() for number in finite):
            whole = tuple(sorted({int(number) for number in finite}))
            return ("category", whole) if few else ("integer", ())
        return "number", ()
    keys = sorted({key for key in map(category_key, uniques) if key is not None})
    return ("category" if few else "text"), tuple(keys)


def _target(values: pd.Series, name: str, task: str | None) -> tuple[Target, str, str]:
    missing = missing_mask(values)
    if missing.any():
        rows = ", ".join(map(str, np.flatnonzero(missing)[:5]))
        raise LifecycleError(
            f"target {name!r} is missing in rows {rows} (counted from 0): drop or fill those rows"
        )
    keys = sorted({key for key in map(category_key, values.unique()) if key is not None})
    numbers = [as_number(key, text_is_number=True) for key in keys]
    all_whole = all(number is not None and number.is_integer() for number in numbers)
    chosen = task or _infer_task(values, keys, all_whole)
    if chosen == "regression":
        return Target(name), chosen, _said(chosen, task, f"{len(keys)} distinct values")
    labels: tuple[Label, ...] = (
        tuple(sorted(int(number) for number in numbers if number is not None))
        if all_whole
        else tuple(keys)
    )
    if len(labels) < 2:
        raise LifecycleError(f"target {name!r} has one class: classification needs two or more")
    if chosen == "binary":
        positive = _positive(values, labels)
        reason = f"2 classes; positive class {positive!r}: check it"
        return Target(name, labels, positive), chosen, _said(chosen, task, reason)
    return Target(name, labels), chosen, _said(chosen, task, f"{len(labels)} classes")


def _infer_task(values: pd.Series, keys: list[str], all_whole: bool) -> str:
    if len(keys) == 2:
        return "binary"
    numeric = all(as_number(key, text_is_number=True) is not None for key in keys)
    if numeric and not (all_whole and len(keys) <= MAX_CATEGORIES):
        return "regression"
    return "multiclass"


def _positive(values: pd.Series, labels: tuple[Label, ...]) -> Label:
    for label in labels:
        if str(label).lower() in POSITIVE_NAMES:
            return label
    counts = values.map(category_key).value_counts()
    return min(labels, key=lambda label: (counts.get(str(label), 0), str(label)))


def _said(task: str, given: str | None, reason: str) -> str:
    source = "as given with --task" if given else "inferred: check it"
    return f"task {task} ({source}); {reason}"
