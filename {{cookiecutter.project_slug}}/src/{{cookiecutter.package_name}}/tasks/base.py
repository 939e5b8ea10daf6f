"""The interface every task implements, and the prediction it hands around.

One object per task (`task_for(contract)`) knows its estimator, its metrics and which way each
is better, its default promotion metric and guardrails, how predictions and class probabilities
come out of a fitted model, the binary decision threshold, and its evaluation figures. Nothing
outside `tasks/` branches on the task.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

import numpy as np

from {{ cookiecutter.package_name }}.errors import LifecycleError

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

    from {{ cookiecutter.package_name }}.contract.schema import Contract


@dataclass(frozen=True)
class Prediction:
    """What a model says for each row: the value or label, and the class probabilities.

    `values`: regression predictions (float64), or class labels in the contract's label type.
    `probabilities`: (rows, classes) float64 in the contract's class order; None for regression.
    """

    values: np.ndarray
    probabilities: np.ndarray | None = None


@dataclass(frozen=True)
class ThresholdPolicy:
    """How a binary decision threshold is chosen on the validation split.

    `cost_ratio` None: the threshold maximizing F1; else the one minimizing
    cost_ratio * false negatives + false positives (a missed positive costs cost_ratio times a
    false alarm).
    """

    cost_ratio: float | None = None

    def __post_init__(self) -> None:
        ratio = self.cost_ratio
        number = isinstance(ratio, int | float) and not isinstance(ratio, bool)
        if ratio is not None and not (number and 0 < ratio < math.inf):
            raise LifecycleError(
                f"cost_ratio {ratio!r} must be a positive number (how many false alarms one "
                "missed positive is worth, e.g. 5), or unset for the F1-best threshold"
            )


class Task(Protocol):
    """A task: regression, binary or multiclass."""

    name: str
    primary_metric: str  # the default promotion metric
    guardrails: Mapping[str, float]  # default guardrail metric -> largest relative regression
    lower_is_better: Mapping[str, bool]  # every metric `metrics` returns

    def estimator(self, params: Mapping[str, int], seed: int) -> Any:
        """The final scikit-learn estimator of the pipeline."""
        ...

    def predict(self, model: Any, frame: pd.DataFrame, threshold: float | None) -> Prediction:
        """Predictions of a fitted pipeline (binary labels by `threshold`, else the model's)."""
        ...

    def metrics(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, float]:
        """Every metric of this task, by name."""
        ...

    def choose_threshold(
        self, actual: np.ndarray, prediction: Prediction, policy: ThresholdPolicy
    ) -> float | None:
        """The binary decision threshold for the positive class (None for other tasks)."""
        ...

    def figures(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, Figure]:
        """Evaluation figures by file name (e.g. "roc.png")."""
        ...


def task_for(contract: Contract) -> Task:
    """The Task object of the contract's task."""
    from {{ cookiecutter.package_name }}.tasks.classification import (
        BinaryTask,
        MulticlassTask,
    )
    from {{ cookiecutter.package_name }}.tasks.regression import RegressionTask

    if contract.task == "regression":
        return RegressionTask()
    if contract.task == "binary":
        return BinaryTask(contract.target.classes, contract.target.positive)
    return MulticlassTask(contract.target.classes)
