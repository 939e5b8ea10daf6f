"""The data contract as typed objects: the task, the target and every column's type and role.

`data/contract.yaml` is parsed into a Contract (contract/load.py); everything else (validation,
the pipeline, metrics, serving, batch output, drift) asks the Contract, never a column list in
code. The Contract travels with every model version, so a model is always read with the
contract it was trained on.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from {{ cookiecutter.package_name }}.errors import LifecycleError

TASKS = ("regression", "binary", "multiclass")
KeyPath = tuple[str, ...]
TYPES = ("number", "integer", "category", "boolean")
ROLES = ("feature", "id", "ignore")
NUMERIC_TYPES = ("number", "integer")
Label = str | int


class ContractError(LifecycleError):
    """A contract that breaks a rule; `path` is the key in the file it is about."""

    def __init__(self, message: str, path: KeyPath = ()) -> None:
        super().__init__(message)
        self.path = path


@dataclass(frozen=True)
class Column:
    """One column other than the target: its type, role and the values it may hold."""

    name: str
    type: str
    role: str = "feature"
    nullable: bool = False
    minimum: float | None = None
    maximum: float | None = None
    categories: tuple[Label, ...] = ()
    sensitive: bool = False

    @property
    def is_numeric(self) -> bool:
        """Whether the column holds numbers (`number` or `integer`)."""
        return self.type in NUMERIC_TYPES

    def to_dict(self) -> dict[str, Any]:
        """The column as written in contract.yaml: only what differs from the defaults."""
        spec: dict[str, Any] = {"type": self.type}
        if self.role != "feature":
            spec["role"] = self.role
        if self.nullable:
            spec["nullable"] = True
        for key, bound in (("min", self.minimum), ("max", self.maximum)):
            if bound is not None:
                spec[key] = int(bound) if self.type == "integer" and bound.is_integer() else bound
        if self.categories:
            spec["categories"] = list(self.categories)
        if self.sensitive:
            spec["sensitive"] = True
        return spec


@dataclass(frozen=True)
class Target:
    """The column to predict; for classification its classes (and the positive one, binary)."""

    column: str
    classes: tuple[Label, ...] = ()
    positive: Label | None = None

    def to_dict(self) -> dict[str, Any]:
        """The target as written in contract.yaml."""
        spec: dict[str, Any] = {"column": self.column}
        if self.classes:
            spec["classes"] = list(self.classes)
        if self.positive is not None:
            spec["positive"] = self.positive
        return spec


@dataclass(frozen=True)
class Contract:
    """The task, the target and the columns, in the order the data holds them."""

    task: str
    target: Target
    columns: tuple[Column, ...]

    @cached_property
    def features(self) -> tuple[Column, ...]:
        """The columns the model reads, in contract order."""
        return tuple(column for column in self.columns if column.role == "feature")

    @cached_property
    def feature_names(self) -> tuple[str, ...]:
        """The names of the feature columns, in contract order."""
        return tuple(column.name for column in self.features)

    @cached_property
    def ids(self) -> tuple[Column, ...]:
        """Identity columns: carried through batch output, never a feature."""
        return tuple(column for column in self.columns if column.role == "id")

    @cached_property
    def sensitive(self) -> tuple[Column, ...]:
        """Columns fairness is checked over (features or not)."""
        return tuple(column for column in self.columns if column.sensitive)

    @cached_property
    def by_name(self) -> dict[str, Column]:
        """Every column by name."""
        return {column.name: column for column in self.columns}

    @property
    def is_classification(self) -> bool:
        """Whether the task predicts classes (binary or multiclass)."""
        return self.task != "regression"

    @cached_property
    def numeric_only(self) -> bool:
        """Whether every feature is a number (or an integer) and none may be missing."""
        return all(column.is_numeric and not column.nullable for column in self.features)

    def to_dict(self) -> dict[str, Any]:
        """The contract as written in contract.yaml."""
        return {
            "task": self.task,
            "target": self.target.to_dict(),
            "columns": {column.name: column.to_dict() for column in self.columns},
        }

    @cached_property
    def sha256(self) -> str:
        """Hash of the contract's content (not of the file's comments or layout)."""
        canonical = json.dumps(self.to_dict(), separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()
