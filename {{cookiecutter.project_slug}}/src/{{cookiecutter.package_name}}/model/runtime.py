"""What every served runtime shares: the warm-up row, the shape check of a prediction, the refusal
of a model that cannot serve; and the scikit-learn Pipeline as a served model."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import Features, numeric_features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.contract.values import category_key
from {{ cookiecutter.package_name }}.errors import LifecycleError, first_line
from {{ cookiecutter.package_name }}.model.model_io import load_skops
from {{ cookiecutter.package_name }}.tasks.base import Prediction, task_for

if TYPE_CHECKING:
    from {{ cookiecutter.package_name }}.model.folder import ModelCard, ServingModel

# What the Pipeline raises for input it cannot read or classes it does not know.
SKOPS_ERRORS = (ValueError, TypeError, KeyError, IndexError, AttributeError, LifecycleError)


class SkopsModel:
    """The scikit-learn Pipeline itself (types and structure checked), for models without ONNX."""

    def __init__(self, path: Path, contract: Contract, card: ModelCard) -> None:
        self._pipeline = load_skops(path)
        self.contract, self.card = contract, card
        self._task = task_for(contract)
        warm_up(self, path, SKOPS_ERRORS)

    def predict(self, features: Features) -> Prediction:
        """The task's prediction on a frame with the contract's columns, at the card's threshold."""
        frame = features.frame(self.contract)
        return self._task.predict(self._pipeline, frame, self.card.threshold)


def warm_row(contract: Contract) -> Features:
    """One valid row of the contract: 0 for numbers, false for booleans, the first category."""
    numbers = np.zeros((1, len(numeric_features(contract))), dtype=np.float32)
    categories = {
        column.name: np.array([category_key(column.categories[0])], dtype=object)
        for column in contract.features
        if column.type == "category"
    }
    return Features(numbers, categories)


def warm_up(model: ServingModel, path: Path, errors: tuple[type[Exception], ...]) -> None:
    """Predict one valid row, so a model that cannot serve is refused when it loads."""
    try:
        check_prediction(model.contract, model.predict(warm_row(model.contract)), 1)
    except errors as exc:
        raise refused(path, exc) from None


def check_prediction(contract: Contract, prediction: Prediction, rows: int) -> None:
    """One value per row and, for classification, one probability per class and row."""
    values, probabilities = prediction.values, prediction.probabilities
    if values.shape != (rows,):
        raise LifecycleError(f"the model returned shape {values.shape} for {rows} rows")
    classes = len(contract.target.classes)
    if contract.is_classification and (
        probabilities is None or probabilities.shape != (rows, classes)
    ):
        shape = None if probabilities is None else probabilities.shape
        raise LifecycleError(
            f"the model returned class probabilities of shape {shape} for {rows} rows and "
            f"{classes} classes"
        )


def refused(path: Path, exc: Exception) -> LifecycleError:
    """One line naming the model file and the first line of what its runtime said."""
    return LifecycleError(
        f"{path}: refusing a model that does not load or predict ({first_line(exc)})"
    )
