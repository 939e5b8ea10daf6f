"""Fairness: a metric per group of each sensitive column (fairlearn's MetricFrame), and the gap.

A group is scored only with at least `min_rows` rows and where the metric is defined (roc_auc
needs both classes); any other group is listed with its size and why it was not scored, and
left out of the gap. The gap is the largest difference between two scored groups.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd
from fairlearn.metrics import MetricFrame

from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.tasks.base import Prediction, Task, task_for

MIN_GROUP_ROWS = 30
MISSING = "(missing)"  # the group of rows without a value in a nullable sensitive column


@dataclass(frozen=True)
class GroupScore:
    """One group: its value in the column, its rows, and the metric (None with the reason)."""

    group: str
    size: int
    value: float | None
    unscored: str | None = None


@dataclass(frozen=True)
class ColumnFairness:
    """The groups of one sensitive column and the largest gap between two scored ones."""

    column: str
    groups: tuple[GroupScore, ...]
    gap: float | None  # None when fewer than two groups could be scored


@dataclass(frozen=True)
class FairnessReport:
    """The metric per group of every sensitive column."""

    metric: str
    lower_is_better: bool
    columns: tuple[ColumnFairness, ...]

    @property
    def max_gap(self) -> float | None:
        """The largest gap of any column (what `[promotion] max_group_gap` bounds)."""
        gaps = [column.gap for column in self.columns if column.gap is not None]
        return max(gaps) if gaps else None

    def to_dict(self) -> dict[str, Any]:
        """The report as plain JSON- and YAML-ready values (for the run and the model card)."""
        columns = [
            {"column": c.column, "gap": c.gap, "groups": [asdict(g) for g in c.groups]}
            for c in self.columns
        ]
        return {**asdict(self), "columns": columns, "max_gap": self.max_gap}


def assess(
    contract: Contract,
    frame: pd.DataFrame,
    actual: np.ndarray,
    prediction: Prediction,
    threshold: float | None,
    *,
    metric: str | None = None,
    min_rows: int = MIN_GROUP_ROWS,
) -> FairnessReport:
    """Score `metric` (default: the task's primary) per group of each sensitive column.

    `frame` holds the rows scored (the test split), with the sensitive columns also where they
    are not features; `actual` and `prediction` are in the same row order.
    """
    task = task_for(contract)
    metric = metric or task.primary_metric
    if metric not in task.lower_is_better:
        known = ", ".join(task.lower_is_better)
        raise LifecycleError(f"fairness metric {metric!r} is not a {task.name} metric: {known}")
    if len(frame) != len(actual):
        raise LifecycleError(f"fairness needs a label per row: {len(frame)} rows, {len(actual)}")
    scoring = _Scoring(task, metric, np.asarray(actual), prediction, threshold, min_rows)
    columns = tuple(scoring.column(_groups_of(frame, c.name)) for c in contract.sensitive)
    return FairnessReport(metric, task.lower_is_better[metric], columns)


def _groups_of(frame: pd.DataFrame, column: str) -> pd.Series:
    """The column's values as group names (text, missing values as one group)."""
    if column not in frame.columns:
        raise LifecycleError(
            f"the sensitive column {column!r} is not in the scored rows: keep it in the test "
            "split (also when its role is not feature)"
        )
    values = frame[column]  # fairlearn reads groups by position, and refuses missing ones
    return values.astype(object).where(values.notna(), MISSING).map(str).rename(column)


@dataclass(frozen=True)
class _Scoring:
    """What every group is scored with: the task's metric on the group's rows."""

    task: Task
    metric: str
    actual: np.ndarray
    prediction: Prediction
    threshold: float | None
    min_rows: int

    def score(self, actual: np.ndarray, rows: np.ndarray) -> float:
        """The metric on some rows (`rows`: their positions), NaN for a group too small."""
        if len(rows) < self.min_rows:
            return math.nan
        rows = rows.astype(np.intp)
        values, probabilities = self.prediction.values, self.prediction.probabilities
        part = Prediction(values[rows], None if probabilities is None else probabilities[rows])
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # an undefined metric is reported as unscored
            return self.task.metrics(np.asarray(actual), part, self.threshold)[self.metric]

    def column(self, groups: pd.Series) -> ColumnFairness:
        """One sensitive column: the metric per group with fairlearn's MetricFrame, the gap."""
        frame = MetricFrame(
            metrics=self.score,
            y_true=self.actual,
            y_pred=np.arange(len(self.actual)),  # row positions: `score` reads the prediction
            sensitive_features=groups,
        )
        sizes, names = groups.value_counts(), groups.to_numpy()
        scores = tuple(
            self.group(str(name), int(sizes[name]), float(value), self.actual[names == name])
            for name, value in frame.by_group.items()
        )
        scored = [group for group in scores if group.value is not None]
        gap = float(frame.difference(method="between_groups")) if len(scored) > 1 else None
        return ColumnFairness(str(groups.name), scores, gap)

    def group(self, name: str, size: int, value: float, actual: np.ndarray) -> GroupScore:
        """A group's score, or None and why it has none."""
        if math.isfinite(value):
            return GroupScore(name, size, value)
        if size < self.min_rows:
            return GroupScore(
                name, size, None, f"too small ({size} of the {self.min_rows} rows needed)"
            )
        if len(pd.unique(actual)) < 2:
            return GroupScore(name, size, None, "one class only")
        return GroupScore(name, size, None, "metric undefined for this group")
