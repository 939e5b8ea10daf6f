"""Contracts of each task, a classifier with known output, and small fitted pipelines."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from {{ cookiecutter.package_name }}.contract.load import parse_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.tasks.base import Task

PARAMS = {"n_estimators": 7, "max_depth": 3}
REGRESSION = "task: regression\ntarget: {column: y}\ncolumns:\n  x: {type: number}\n"
BINARY_STR = (
    "task: binary\ntarget: {column: y, classes: [churn, stay], positive: churn}\n"
    "columns:\n  x: {type: number}\n"
)
BINARY_INT = (
    "task: binary\ntarget: {column: y, classes: [1, 0], positive: 1}\n"
    "columns:\n  x: {type: number}\n"
)
MULTICLASS = (
    "task: multiclass\ntarget: {column: y, classes: [c, a, b]}\ncolumns:\n  x: {type: number}\n"
)


def contract(text: str) -> Contract:
    return parse_contract(text, "contract.yaml")


class FixedModel:
    """A fitted classifier's surface with known classes_ (sorted, as scikit-learn's) and output."""

    def __init__(self, classes: list[Any], probabilities: list[list[float]]) -> None:
        self.classes_ = np.array(classes)
        self.output = np.array(probabilities)

    def predict_proba(self, frame: pd.DataFrame) -> np.ndarray:
        return self.output


def fitted(task: Task, features: pd.DataFrame, target: np.ndarray) -> Pipeline:
    """A real pipeline fitted on the contract's labels, as training builds it."""
    steps = [("scale", StandardScaler()), ("model", task.estimator(PARAMS, 3))]
    return Pipeline(steps).fit(features, target)


def separable(labels: list[Any], rows: int = 60) -> tuple[pd.DataFrame, np.ndarray]:
    """x decides the class: rows of class k have x near k."""
    target = np.array([labels[i % len(labels)] for i in range(rows)])
    x = np.array([i % len(labels) for i in range(rows)], dtype=float) + np.linspace(0, 0.3, rows)
    return pd.DataFrame({"x": x}), target
