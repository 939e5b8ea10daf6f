"""Classification: labels and probabilities in the contract's order and type, metrics exact."""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.tasks.base import Prediction, task_for
from {{ cookiecutter.package_name }}.tasks.classification import BinaryTask

from .contracts import contract_of
from .task_fixtures import FixedModel, fitted, separable


@pytest.mark.parametrize(
    ("name", "fitted_order"), [("binary", ["stay", "churn"]), ("binary-int", [0, 1])]
)
def test_binary_probabilities_and_labels_follow_the_contract_not_classes_(
    name: str, fitted_order: list[Any]
) -> None:
    task = task_for(contract_of(name))
    positive, negative = contract_of(name).target.classes
    model = FixedModel(fitted_order, [[0.8, 0.2], [0.3, 0.7], [0.5, 0.5]])  # columns: classes_
    prediction = task.predict(model, pd.DataFrame({"x": [0, 1, 2]}), None)
    assert prediction.probabilities is not None
    np.testing.assert_array_equal(prediction.probabilities, [[0.2, 0.8], [0.7, 0.3], [0.5, 0.5]])
    assert prediction.values.tolist() == [negative, positive, positive]  # 0.5 >= 0.5: positive
    assert [type(label) for label in prediction.values.tolist()] == [type(positive)] * 3
    at_0_6 = task.predict(model, pd.DataFrame({"x": [0, 1, 2]}), 0.6)
    assert at_0_6.values.tolist() == [negative, positive, negative]


@pytest.mark.parametrize(
    ("name", "labels"),
    [("binary-int", [1, 0]), ("multiclass", [3, 1, 2]), ("multiclass-text", ["c", "a", "b"])],
)
def test_a_fitted_forest_answers_in_contract_order_and_type(name: str, labels: list[Any]) -> None:
    task = task_for(contract_of(name))
    features, target = separable(labels)
    model = fitted(task, features, target)
    assert list(model.classes_) == sorted(labels) != labels
    prediction = task.predict(model, features, None)
    assert prediction.values.tolist() == target.tolist()
    order = [list(model.classes_).index(label) for label in labels]
    np.testing.assert_array_equal(prediction.probabilities, model.predict_proba(features)[:, order])


def test_multiclass_ties_go_the_way_the_model_predicts() -> None:
    model = FixedModel(["a", "b", "c"], [[0.2, 0.4, 0.4], [0.1, 0.2, 0.7]])
    prediction = task_for(contract_of("multiclass-text")).predict(
        model, pd.DataFrame({"x": [0, 1]}), None
    )
    np.testing.assert_array_equal(prediction.probabilities, [[0.4, 0.2, 0.4], [0.7, 0.1, 0.2]])
    assert prediction.values.tolist() == ["b", "c"]  # b, as the model's predict (not c, first here)


def test_a_class_the_model_never_saw_gets_probability_zero() -> None:
    prediction = task_for(contract_of("multiclass-text")).predict(
        FixedModel(["a", "c"], [[0.25, 0.75]]), pd.DataFrame({"x": [0]}), None
    )
    np.testing.assert_array_equal(prediction.probabilities, [[0.75, 0.25, 0.0]])


def test_a_model_fitted_on_other_labels_is_refused_with_the_fix() -> None:
    model = FixedModel(["0", "1"], [[0.5, 0.5]])  # text labels; the contract's classes are ints
    with pytest.raises(LifecycleError, match=r"predicts classes \['0', '1'\].*contract's labels"):
        task_for(contract_of("binary-int")).predict(model, pd.DataFrame({"x": [0]}), None)


def test_labels_outside_the_contract_are_refused_by_name() -> None:
    prediction = Prediction(np.array(["churn", "stay"]), np.array([[0.9, 0.1], [0.2, 0.8]]))
    with pytest.raises(LifecycleError, match=r"target holds \['gone'\]"):
        task_for(contract_of("binary")).metrics(np.array(["churn", "gone"]), prediction, None)


def test_a_binary_task_needs_its_positive_class_among_two() -> None:
    with pytest.raises(LifecycleError, match="positive 'gone'"):
        BinaryTask(("churn", "stay"), "gone")


def test_a_perfect_classifier_scores_roc_auc_one() -> None:
    actual = np.array(["churn", "stay", "stay", "churn"])
    probabilities = np.array([[0.9, 0.1], [0.4, 0.6], [0.2, 0.8], [0.6, 0.4]])
    scores = task_for(contract_of("binary")).metrics(
        actual, Prediction(actual, probabilities), None
    )
    assert scores["roc_auc"] == 1.0
    assert scores["recall"] == scores["precision"] == scores["f1"] == scores["accuracy"] == 1.0


def test_binary_recall_precision_f1_are_of_the_positive_class_at_the_threshold() -> None:
    actual = np.array([1, 1, 1, 0, 0])
    positive = np.array([0.9, 0.6, 0.3, 0.7, 0.1])
    prediction = Prediction(actual, np.column_stack([positive, 1 - positive]))
    task = task_for(contract_of("binary-int"))
    at_half = task.metrics(actual, prediction, 0.5)  # positives: 0.9, 0.6, 0.7 -> tp 2, fp 1, fn 1
    assert (at_half["recall"], at_half["precision"], at_half["accuracy"]) == (2 / 3, 2 / 3, 0.6)
    assert at_half["f1"] == pytest.approx(2 / 3)
    at_high = task.metrics(actual, prediction, 0.8)  # positives: 0.9 -> tp 1, fp 0, fn 2
    assert (at_high["recall"], at_high["precision"], at_high["accuracy"]) == (1 / 3, 1.0, 0.6)
    assert at_high["roc_auc"] == at_half["roc_auc"] == 4 / 6  # pairs ranked right: 4 of 6


def test_log_loss_counts_every_contract_class_in_contract_order() -> None:
    actual = np.array(["c", "a", "c"])  # class "b" is absent from these rows
    probabilities = np.array([[0.7, 0.2, 0.1], [0.1, 0.6, 0.3], [0.5, 0.25, 0.25]])  # c, a, b
    scores = task_for(contract_of("multiclass-text")).metrics(
        actual, Prediction(actual, probabilities), None
    )
    assert scores["log_loss"] == pytest.approx(-(math.log(0.7) + math.log(0.6) + math.log(0.5)) / 3)


def test_binary_scores_one_class_rows_without_failing() -> None:
    actual = np.array(["churn", "churn"])
    prediction = Prediction(actual, np.array([[0.8, 0.2], [0.6, 0.4]]))
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # undefined is said by NaN, not by a warning in the log
        scores = task_for(contract_of("binary")).metrics(actual, prediction, None)
    assert math.isnan(scores["roc_auc"])
    assert scores["log_loss"] == pytest.approx(-(math.log(0.8) + math.log(0.6)) / 2)


def test_multiclass_f1_macro_and_accuracy_are_exact() -> None:
    actual = np.array(["a", "b", "c", "a"])
    predicted = np.array(["a", "a", "c", "a"])  # a: p 2/3 r 1 -> 0.8; b: 0; c: 1
    probabilities = np.full((4, 3), 1 / 3)
    scores = task_for(contract_of("multiclass-text")).metrics(
        actual, Prediction(predicted, probabilities), None
    )
    assert scores["f1_macro"] == pytest.approx(1.8 / 3)
    assert scores["accuracy"] == 0.75
    assert scores["log_loss"] == pytest.approx(math.log(3))
