"""The binary decision threshold: best F1 or least cost, exact on hand-made probabilities."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.tasks.base import Prediction, ThresholdPolicy
from {{ cookiecutter.package_name }}.tasks.classification import BinaryTask, MulticlassTask

TASK = BinaryTask(("churn", "stay"), "churn")
# Positive-class probabilities and the truth. At each candidate threshold t (rows >= t positive):
#   t     0.1   0.3   0.35  0.4   0.5   0.6   0.7   0.8   0.9
#   TP    5     5     4     4     3     3     3     2     1
#   FP    3     2     2     1     1     1     0     0     0
#   FN    0     0     1     1     2     2     2     3     4
#   F1    .769  .833  .727  .800  .667  .667  .750  .571  .333
SCORES = [0.1, 0.3, 0.35, 0.4, 0.6, 0.7, 0.8, 0.9]
TRUTH = ["stay", "churn", "stay", "churn", "stay", "churn", "churn", "churn"]


def prediction_of(scores: list[float]) -> Prediction:
    positive = np.array(scores)
    labels = np.where(positive >= 0.5, "churn", "stay")
    return Prediction(labels, np.column_stack([positive, 1 - positive]))


def chosen(scores: list[float], truth: list[str], policy: ThresholdPolicy) -> float | None:
    return TASK.choose_threshold(np.array(truth), prediction_of(scores), policy)


def test_the_default_threshold_maximizes_f1() -> None:
    assert chosen(SCORES, TRUTH, ThresholdPolicy()) == 0.3


def test_a_cost_ratio_below_one_prefers_fewer_false_alarms() -> None:
    # 0.5 * FN + FP: 3, 2, 2.5, 1.5, 2, 2, 1, 1.5, 2 -> 0.7, where F1 picks 0.3
    assert chosen(SCORES, TRUTH, ThresholdPolicy(cost_ratio=0.5)) == 0.7


def test_a_high_cost_ratio_prefers_catching_every_positive() -> None:
    # 5 * FN + FP: 3, 2, 7, 6, 11, 11, 10, 15, 20 -> 0.3
    assert chosen(SCORES, TRUTH, ThresholdPolicy(cost_ratio=5)) == 0.3


def test_ties_go_to_the_lowest_threshold() -> None:
    # FN + FP: 3, 2, 3, 2, 3, 3, 2, 3, 4 -> 0.3, 0.4 and 0.7 tie
    assert chosen(SCORES, TRUTH, ThresholdPolicy(cost_ratio=1)) == 0.3


def test_the_default_half_is_a_candidate_too() -> None:
    # F1 is 1 from 0.5 (not a predicted probability) up to 0.55: the lowest, 0.5, wins
    scores, truth = [0.2, 0.45, 0.55, 0.9], ["stay", "stay", "churn", "churn"]
    assert chosen(scores, truth, ThresholdPolicy()) == 0.5


def test_the_threshold_never_leaves_zero_to_one() -> None:
    scores, truth = [0.0, 0.0, 1.0], ["stay", "churn", "churn"]  # 0 would catch the missed one
    for policy in (ThresholdPolicy(), ThresholdPolicy(cost_ratio=1000)):
        threshold = chosen(scores, truth, policy)
        assert threshold is not None
        assert 0 < threshold <= 1


def test_the_same_input_always_gives_the_same_threshold() -> None:
    rng = np.random.default_rng(7)
    scores = rng.choice([0.1, 0.2, 0.5, 0.8], size=200).tolist()
    truth = rng.choice(["churn", "stay"], size=200).tolist()
    runs = {chosen(scores, truth, ThresholdPolicy(cost_ratio=2)) for _ in range(3)}
    assert len(runs) == 1


def test_a_validation_split_without_positives_is_refused() -> None:
    with pytest.raises(LifecycleError, match="no positive rows"):
        chosen([0.2, 0.7], ["stay", "stay"], ThresholdPolicy())


@pytest.mark.parametrize("ratio", [0, -1.0, math.nan, math.inf, True])
def test_a_cost_ratio_must_be_a_positive_number(ratio: float) -> None:
    with pytest.raises(LifecycleError, match="must be a positive number"):
        ThresholdPolicy(cost_ratio=ratio)


def test_only_a_binary_task_has_a_threshold() -> None:
    task = MulticlassTask(("a", "b", "c"))
    prediction = Prediction(np.array(["a"]), np.array([[0.5, 0.3, 0.2]]))
    assert task.choose_threshold(np.array(["a"]), prediction, ThresholdPolicy()) is None
