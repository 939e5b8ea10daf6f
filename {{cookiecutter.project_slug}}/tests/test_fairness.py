"""Fairness: the metric per group of each sensitive column, exact gaps, small groups flagged."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from {{ cookiecutter.package_name }}.contract.load import parse_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.tasks.base import Prediction
from {{ cookiecutter.package_name }}.tasks.fairness import GroupScore, assess

REGRESSION = """\
task: regression
target: {column: y}
columns:
  x: {type: number}
  region: {type: category, categories: [north, south, east], role: ignore, sensitive: true}
  senior: {type: boolean, nullable: true, sensitive: true}
"""
BINARY = """\
task: binary
target: {column: y, classes: [1, 0], positive: 1}
columns:
  x: {type: number}
  region: {type: category, categories: [north, south], sensitive: true}
"""


def contract(text: str) -> Contract:
    return parse_contract(text, "contract.yaml")


def regression_split() -> tuple[pd.DataFrame, np.ndarray, Prediction]:
    """north misses by 1 on every row (rmse 1), south by 3 (rmse 3), east has one row."""
    region = ["north"] * 4 + ["south"] * 4 + ["east"]
    senior = [True, False, True, False, True, False, True, False, None]
    actual = np.arange(9, dtype=float)
    errors = np.array([1, -1, 1, -1, 3, -3, 3, -3, 50], dtype=float)
    index = pd.Index([17, 3, 9, 1, 12, 5, 0, 8, 30])  # a shuffled split keeps its row labels
    frame = pd.DataFrame({"x": actual, "region": region, "senior": senior}, index=index)
    return frame, actual, Prediction(actual + errors)


def test_the_gap_is_the_largest_difference_between_scored_groups() -> None:
    frame, actual, prediction = regression_split()
    report = assess(contract(REGRESSION), frame, actual, prediction, None, min_rows=2)
    region = report.columns[0]
    assert (report.metric, report.lower_is_better, region.column) == ("rmse", True, "region")
    assert region.groups == (
        GroupScore("east", 1, None, "too small (1 of the 2 rows needed)"),
        GroupScore("north", 4, 1.0),
        GroupScore("south", 4, 3.0),
    )
    assert region.gap == pytest.approx(2.0)  # east's 50 would make it 49: small groups stay out


def test_a_nullable_sensitive_column_has_a_missing_group() -> None:
    frame, actual, prediction = regression_split()
    report = assess(contract(REGRESSION), frame, actual, prediction, None, min_rows=2)
    senior = report.columns[1]
    assert [(group.group, group.size) for group in senior.groups] == [
        ("(missing)", 1),
        ("False", 4),
        ("True", 4),
    ]
    # True: errors 1, 1, 3, 3 -> rmse sqrt(5); False: -1, -1, -3, -3 -> the same: no gap
    assert senior.gap == pytest.approx(0.0)
    assert report.max_gap == pytest.approx(2.0)


def test_another_metric_of_the_task_can_be_checked() -> None:
    frame, actual, prediction = regression_split()
    report = assess(contract(REGRESSION), frame, actual, prediction, None, metric="mae", min_rows=2)
    assert (report.metric, report.columns[0].gap) == ("mae", pytest.approx(2.0))


def test_a_group_with_one_class_is_reported_not_scored() -> None:
    actual = np.array([1, 0, 1, 0, 1, 1, 1])
    positive = np.array([0.9, 0.2, 0.4, 0.6, 0.8, 0.7, 0.3])
    frame = pd.DataFrame({"x": positive, "region": ["north"] * 4 + ["south"] * 3})
    prediction = Prediction(actual, np.column_stack([positive, 1 - positive]))
    report = assess(contract(BINARY), frame, actual, prediction, 0.5, min_rows=2)
    north, south = report.columns[0].groups
    assert north == GroupScore("north", 4, 0.75)  # pairs ranked right: 3 of 4
    assert south == GroupScore("south", 3, None, "one class only")
    assert report.columns[0].gap is None  # one scored group: no gap
    assert report.max_gap is None


def test_the_report_is_plain_data_for_the_model_card() -> None:
    frame, actual, prediction = regression_split()
    data = assess(contract(REGRESSION), frame, actual, prediction, None, min_rows=2).to_dict()
    assert yaml.safe_load(yaml.safe_dump(data)) == json.loads(json.dumps(data)) == data
    assert data["columns"][0]["groups"][1] == {
        "group": "north",
        "size": 4,
        "value": 1.0,
        "unscored": None,
    }


def test_a_sensitive_column_missing_from_the_rows_is_refused() -> None:
    frame, actual, prediction = regression_split()
    with pytest.raises(LifecycleError, match="sensitive column 'region' is not in the scored rows"):
        assess(contract(REGRESSION), frame.drop(columns="region"), actual, prediction, None)


def test_a_metric_of_another_task_is_refused() -> None:
    frame, actual, prediction = regression_split()
    with pytest.raises(LifecycleError, match="'roc_auc' is not a regression metric"):
        assess(contract(REGRESSION), frame, actual, prediction, None, metric="roc_auc")
