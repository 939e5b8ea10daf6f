"""What binary and multiclass classification share: the forest, probabilities, log loss, curves."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
from matplotlib.figure import Figure
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import log_loss

from {{ cookiecutter.package_name }}.contract.schema import Label
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.tasks import class_figures
from {{ cookiecutter.package_name }}.tasks.base import Prediction, ThresholdPolicy
from {{ cookiecutter.package_name }}.tasks.labels import label_array


class ClassificationTask:
    """The classes in the contract's order and type, and what every classifier task does alike."""

    def __init__(self, classes: Sequence[Label]) -> None:
        self.classes: tuple[Label, ...] = tuple(classes)
        self.labels = label_array(self.classes)  # the classes as an array, for indexing

    def estimator(self, params: Mapping[str, int], seed: int) -> RandomForestClassifier:
        """A random forest classifier with the run's n_estimators and max_depth."""
        return RandomForestClassifier(
            n_estimators=params["n_estimators"], max_depth=params["max_depth"], random_state=seed
        )

    @staticmethod
    def probabilities(prediction: Prediction) -> np.ndarray:
        """The prediction's class probabilities (a classification prediction always has them)."""
        if prediction.probabilities is None:
            raise LifecycleError("a classification prediction needs its class probabilities")
        return prediction.probabilities

    def log_loss(self, actual: np.ndarray, prediction: Prediction) -> float:
        """Log loss over all the contract's classes, also those absent from `actual`."""
        order = np.argsort(self.labels, kind="stable")  # log_loss reads columns in sorted order
        probabilities = self.probabilities(prediction)[:, order]
        return float(log_loss(actual, probabilities, labels=list(self.labels[order])))

    def choose_threshold(
        self, actual: np.ndarray, prediction: Prediction, policy: ThresholdPolicy
    ) -> float | None:
        """None: only a binary task has a decision threshold."""
        return None

    def curves(
        self,
        actual: np.ndarray,
        prediction: Prediction,
        shown: Sequence[int],
        threshold: float | None,
    ) -> dict[str, Figure]:
        """roc.png, precision_recall.png and calibration.png of the shown classes."""
        probabilities, classes = self.probabilities(prediction), self.classes
        actual = np.asarray(actual)
        return {
            "roc.png": class_figures.roc(actual, probabilities, classes, shown, threshold),
            "precision_recall.png": class_figures.precision_recall(
                actual, probabilities, classes, shown, threshold
            ),
            "calibration.png": class_figures.calibration(actual, probabilities, classes, shown),
        }

    def confusion(self, actual: np.ndarray, predicted: np.ndarray, title: str) -> Figure:
        """confusion_matrix.png: actual classes against predicted ones, in contract order."""
        return class_figures.confusion(np.asarray(actual), predicted, self.classes, title)
