"""A classifier with known output and small fitted pipelines, for the task library's unit tests
(their contracts are the test contracts of contracts.py: the tasks read only the target)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from {{ cookiecutter.package_name }}.tasks.base import Task

PARAMS = {"n_estimators": 7, "max_depth": 3}


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
    """One feature x decides the class: rows of class k have x near k."""
    target = np.array([labels[i % len(labels)] for i in range(rows)])
    x = np.array([i % len(labels) for i in range(rows)], dtype=float) + np.linspace(0, 0.3, rows)
    return pd.DataFrame({"x": x}), target
