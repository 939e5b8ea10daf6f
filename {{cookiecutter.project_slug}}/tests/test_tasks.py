"""Each task's defaults, metric directions and estimator; regression metrics exact."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pytest
from sklearn.ensemble import RandomForestClassifier, RandomForestRegressor

from {{ cookiecutter.package_name }}.tasks.base import (
    Prediction,
    Task,
    ThresholdPolicy,
    task_for,
)
from {{ cookiecutter.package_name }}.tasks.classification import BinaryTask, MulticlassTask
from {{ cookiecutter.package_name }}.tasks.regression import RegressionTask

from .contracts import TASKS, contract_of
from .task_fixtures import PARAMS, fitted


def test_task_for_gives_each_task_its_defaults() -> None:
    regression, binary, multiclass = (task_for(contract_of(task)) for task in TASKS)
    assert (regression.name, regression.primary_metric) == ("regression", "rmse")
    assert dict(regression.guardrails) == {"mae": 0.02, "r2": 0.02}
    assert (binary.name, binary.primary_metric) == ("binary", "roc_auc")
    assert dict(binary.guardrails) == {"log_loss": 0.02, "recall": 0.02}
    assert (multiclass.name, multiclass.primary_metric) == ("multiclass", "f1_macro")
    assert dict(multiclass.guardrails) == {"log_loss": 0.02}


def test_each_metric_is_better_in_its_declared_direction() -> None:
    assert dict(RegressionTask.lower_is_better) == {"rmse": True, "mae": True, "r2": False}
    assert dict(BinaryTask.lower_is_better) == {
        "roc_auc": False,
        "log_loss": True,
        "recall": False,
        "precision": False,
        "f1": False,
        "accuracy": False,
    }
    assert dict(MulticlassTask.lower_is_better) == {
        "f1_macro": False,
        "log_loss": True,
        "accuracy": False,
    }


def good_and_poor(
    task: Task, classes: tuple[Any, ...]
) -> tuple[np.ndarray, Prediction, Prediction]:
    """Rows, a prediction close to them and one that is wrong on every row."""
    if not classes:
        actual = np.array([1.0, 2.0, 3.0, 4.0])
        return actual, Prediction(actual + 0.1), Prediction(actual[::-1].copy())
    actual = np.array([classes[i % len(classes)] for i in range(6)])
    sure = np.array([[0.9 if c == label else 0.1 for c in classes] for label in actual])
    sure /= sure.sum(axis=1, keepdims=True)
    wrong = np.roll(sure, 1, axis=1)  # the most likely class is always the wrong one
    wrong_labels = np.array(classes)[np.argmax(wrong, axis=1)]
    return actual, Prediction(actual, sure), Prediction(wrong_labels, wrong)


@pytest.mark.parametrize("name", TASKS)
def test_a_better_model_wins_on_every_metric_in_its_direction(name: str) -> None:
    task = task_for(contract_of(name))
    actual, good, poor = good_and_poor(task, contract_of(name).target.classes)
    good_scores, poor_scores = task.metrics(actual, good, None), task.metrics(actual, poor, None)
    assert set(good_scores) == set(task.lower_is_better)
    for name, lower in task.lower_is_better.items():
        ahead = good_scores[name] - poor_scores[name]
        assert ahead < 0 if lower else ahead > 0, (name, good_scores[name], poor_scores[name])


def test_regression_metrics_are_exact_on_a_tiny_example() -> None:
    actual, predicted = np.array([1.0, 2.0, 3.0, 4.0]), np.array([1.0, 2.0, 3.0, 8.0])
    scores = RegressionTask().metrics(actual, Prediction(predicted), None)
    # squared errors 0, 0, 0, 16: mse 4, rmse 2; mae 4 / 4; r2 1 - 16 / 5 (variance sum 5)
    assert scores == {"rmse": 2.0, "mae": 1.0, "r2": pytest.approx(-2.2)}


def test_regression_fits_a_seeded_forest_and_predicts_float64_values() -> None:
    task = RegressionTask()
    estimator = task.estimator(PARAMS, 3)
    assert isinstance(estimator, RandomForestRegressor)
    assert (estimator.n_estimators, estimator.max_depth, estimator.random_state) == (7, 3, 3)
    features = pd.DataFrame({"x": np.arange(20.0)})
    prediction = task.predict(fitted(task, features, np.arange(20)), features, None)
    assert prediction.values.dtype == np.float64
    assert prediction.probabilities is None
    assert task.choose_threshold(np.arange(20.0), prediction, ThresholdPolicy()) is None


def test_classifiers_are_seeded_forests_without_class_weights() -> None:
    for task in (task_for(contract_of("binary")), task_for(contract_of("multiclass"))):
        estimator = task.estimator(PARAMS, 5)
        assert isinstance(estimator, RandomForestClassifier)
        assert (estimator.n_estimators, estimator.max_depth, estimator.random_state) == (7, 3, 5)
        assert estimator.class_weight is None
