"""`contract check`: every cell of a file against the contract, violations counted per column."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.contract.table import convert_column
from {{ cookiecutter.package_name }}.contract.values import cell_kind, describe

FIRST_ROWS = 5


@dataclass(frozen=True)
class Violation:
    """One rule broken in one column: how often, the first rows, and the first message."""

    column: str
    kind: str
    count: int
    rows: tuple[int, ...]
    example: str

    def line(self) -> str:
        """`column 'bmi': 3 x missing (rows 4, 17, 20): <message>`."""
        if not self.count:  # the column itself: missing, or not in the contract
            return f"column {self.column!r}: {self.kind}: {self.example}"
        rows = ", ".join(map(str, self.rows)) + (" ..." if self.count > len(self.rows) else "")
        return f"column {self.column!r}: {self.count} x {self.kind} (rows {rows}): {self.example}"


@dataclass(frozen=True)
class CheckReport:
    """What a file breaks of the contract; `ok` when nothing."""

    file: str
    rows: int
    contract_sha256: str
    violations: list[Violation] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether the file meets the contract."""
        return not self.violations


def target_column(contract: Contract) -> Column:
    """The target as a column: a number for regression, a category of its classes otherwise."""
    target = contract.target
    if contract.is_classification:
        return Column(target.column, "category", categories=target.classes)
    return Column(target.column, "number")


def check_frame(contract: Contract, frame: pd.DataFrame, file: str) -> CheckReport:
    """Check every cell of `frame` (min and max included) and every column's presence."""
    violations: list[Violation] = []
    known = {*contract.by_name, contract.target.column}
    for name in frame.columns:
        if name not in known:
            fix = "add it (role: ignore keeps it out of the model) or remove it"
            violations.append(Violation(str(name), "not in the contract", 0, (), fix))
    checked = (*[c for c in contract.columns if c.role != "ignore"], target_column(contract))
    for column in checked:
        if column.name not in frame.columns:
            violations.append(Violation(column.name, "missing column", 0, (), "add the column"))
            continue
        violations.extend(column_violations(column, frame[column.name]))
    return CheckReport(file, len(frame), contract.sha256, violations)


def column_violations(column: Column, values: pd.Series) -> list[Violation]:
    """The rules `values` break, one Violation per rule, in order of first occurrence."""
    _, bad = convert_column(column, values, bounds=True)
    found: dict[str, list[int]] = defaultdict(list)
    for row in np.flatnonzero(bad):
        kind = cell_kind(column, values.iloc[row], json_value=False, bounds=True) or "invalid"
        found[kind].append(int(row))
    return [
        Violation(
            column.name,
            kind,
            len(rows),
            tuple(rows[:FIRST_ROWS]),
            describe(kind, column, values.iloc[rows[0]]),
        )
        for kind, rows in found.items()
    ]
