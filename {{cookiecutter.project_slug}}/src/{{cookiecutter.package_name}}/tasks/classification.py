"""Binary and multiclass classification: labels and class probabilities in the contract's order,
metrics per task, the binary decision threshold, and the figures."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.metrics import accuracy_score, f1_score, roc_auc_score

from {{ cookiecutter.package_name }}.contract.schema import Label
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.tasks.base import Prediction, ThresholdPolicy
from {{ cookiecutter.package_name }}.tasks.classifier import ClassificationTask
from {{ cookiecutter.package_name }}.tasks.labels import check_labels, class_probabilities
from {{ cookiecutter.package_name }}.tasks.threshold import (
    DEFAULT_THRESHOLD,
    best_threshold,
    confusion_counts,
)


class BinaryTask(ClassificationTask):
    """Two classes: the positive one is predicted when its probability reaches the threshold."""

    name = "binary"
    primary_metric = "roc_auc"
    guardrails: Mapping[str, float] = MappingProxyType({"log_loss": 0.02, "recall": 0.02})
    lower_is_better: Mapping[str, bool] = MappingProxyType(
        {
            "roc_auc": False,
            "log_loss": True,
            "recall": False,
            "precision": False,
            "f1": False,
            "accuracy": False,
        }
    )

    def __init__(self, classes: Sequence[Label], positive: Label | None) -> None:
        super().__init__(classes)
        if len(self.classes) != 2 or positive not in self.classes:
            raise LifecycleError(
                f"a binary task needs two classes and a positive one among them, not classes "
                f"{list(self.classes)} and positive {positive!r}: fix target in data/contract.yaml"
            )
        self.positive = self.classes.index(positive)  # the positive class's column

    def label_at(self, probabilities: np.ndarray, threshold: float | None) -> np.ndarray:
        """Each row's label: positive when its probability is >= threshold (None: 0.5)."""
        chosen = probabilities[:, self.positive] >= _threshold(threshold)
        return self.labels[np.where(chosen, self.positive, 1 - self.positive)]

    def predict(self, model: Any, frame: pd.DataFrame, threshold: float | None) -> Prediction:
        """Labels at the threshold (None: 0.5) and the class probabilities, in contract order."""
        probabilities, _ = class_probabilities(model, frame, self.classes)
        return Prediction(self.label_at(probabilities, threshold), probabilities)

    def metrics(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, float]:
        """roc_auc and log_loss; recall, precision, f1 (positive class), accuracy at threshold."""
        check_labels(actual, self.classes)
        is_positive = np.asarray(actual) == self.labels[self.positive]
        score = self.probabilities(prediction)[:, self.positive]
        at = np.array([_threshold(threshold)])
        true_pos, false_pos, false_neg = (
            int(c[0]) for c in confusion_counts(is_positive, score, at)
        )
        both_classes = 0 < true_pos + false_neg < len(score)
        return {
            "roc_auc": float(roc_auc_score(is_positive, score)) if both_classes else float("nan"),
            "log_loss": self.log_loss(actual, prediction),
            "recall": _ratio(true_pos, true_pos + false_neg),
            "precision": _ratio(true_pos, true_pos + false_pos),
            "f1": _ratio(2 * true_pos, 2 * true_pos + false_pos + false_neg),
            "accuracy": 1.0 - _ratio(false_pos + false_neg, len(score)),
        }

    def choose_threshold(
        self, actual: np.ndarray, prediction: Prediction, policy: ThresholdPolicy
    ) -> float | None:
        """The validation split's best threshold: F1, or the least cost_ratio * FN + FP."""
        check_labels(actual, self.classes)
        is_positive = np.asarray(actual) == self.labels[self.positive]
        score = self.probabilities(prediction)[:, self.positive]
        return best_threshold(is_positive, score, policy.cost_ratio)

    def figures(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, Figure]:
        """Positive-class ROC, precision-recall and calibration; confusion matrix at threshold."""
        chosen = _threshold(threshold)
        labels = self.label_at(self.probabilities(prediction), chosen)
        title = f"Confusion matrix (test, threshold {chosen:.3g})"
        return {
            **self.curves(actual, prediction, [self.positive], chosen),
            "confusion_matrix.png": self.confusion(actual, labels, title),
        }


class MulticlassTask(ClassificationTask):
    """Three or more classes: the most likely class is predicted."""

    name = "multiclass"
    primary_metric = "f1_macro"
    guardrails: Mapping[str, float] = MappingProxyType({"log_loss": 0.02})
    lower_is_better: Mapping[str, bool] = MappingProxyType(
        {"f1_macro": False, "log_loss": True, "accuracy": False}
    )

    def predict(self, model: Any, frame: pd.DataFrame, threshold: float | None) -> Prediction:
        """The model's most likely class per row and the probabilities (no threshold)."""
        probabilities, top = class_probabilities(model, frame, self.classes)
        return Prediction(self.labels[top], probabilities)

    def metrics(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, float]:
        """f1_macro (over the classes in the rows or predicted), log_loss and accuracy."""
        check_labels(actual, self.classes)
        predicted = prediction.values
        return {
            "f1_macro": float(f1_score(actual, predicted, average="macro", zero_division=0)),
            "log_loss": self.log_loss(actual, prediction),
            "accuracy": float(accuracy_score(actual, predicted)),
        }

    def figures(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, Figure]:
        """One-vs-rest ROC, precision-recall and calibration per class; the confusion matrix."""
        return {
            **self.curves(actual, prediction, range(len(self.classes)), None),
            "confusion_matrix.png": self.confusion(
                actual, prediction.values, "Confusion matrix (test)"
            ),
        }


def _threshold(threshold: float | None) -> float:
    """The threshold to apply: the default 0.5 when none was chosen."""
    return DEFAULT_THRESHOLD if threshold is None else threshold


def _ratio(numerator: int, denominator: int) -> float:
    """numerator / denominator, 0 when the denominator is 0 (as zero_division=0 does)."""
    return numerator / denominator if denominator else 0.0
