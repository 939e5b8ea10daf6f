"""Regression: a random forest, rmse/mae/r2, predicted-vs-actual and residual figures."""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from sklearn.ensemble import RandomForestRegressor
from sklearn.metrics import mean_absolute_error, mean_squared_error, r2_score

from {{ cookiecutter.package_name }}.tasks.base import Prediction, ThresholdPolicy
from {{ cookiecutter.package_name }}.tasks.figures import new_figure


class RegressionTask:
    """A number to predict: the forest's mean, scored by rmse (lower is better)."""

    name = "regression"
    primary_metric = "rmse"
    guardrails: Mapping[str, float] = MappingProxyType({"mae": 0.02, "r2": 0.02})
    lower_is_better: Mapping[str, bool] = MappingProxyType({"rmse": True, "mae": True, "r2": False})

    def estimator(self, params: Mapping[str, int], seed: int) -> RandomForestRegressor:
        """A random forest regressor with the run's n_estimators and max_depth."""
        return RandomForestRegressor(
            n_estimators=params["n_estimators"], max_depth=params["max_depth"], random_state=seed
        )

    def predict(self, model: Any, frame: pd.DataFrame, threshold: float | None) -> Prediction:
        """The fitted pipeline's predictions as float64 (there is no threshold)."""
        return Prediction(np.asarray(model.predict(frame), dtype=np.float64))

    def metrics(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, float]:
        """rmse, mae and r2 of the predictions against the truth."""
        predicted = prediction.values
        return {
            "rmse": float(np.sqrt(mean_squared_error(actual, predicted))),
            "mae": float(mean_absolute_error(actual, predicted)),
            "r2": float(r2_score(actual, predicted)),
        }

    def choose_threshold(
        self, actual: np.ndarray, prediction: Prediction, policy: ThresholdPolicy
    ) -> float | None:
        """None: regression has no decision threshold."""
        return None

    def figures(
        self, actual: np.ndarray, prediction: Prediction, threshold: float | None
    ) -> dict[str, Figure]:
        """predicted_vs_actual.png and residuals.png."""
        actual = np.asarray(actual, dtype=np.float64)
        return {
            "predicted_vs_actual.png": predicted_vs_actual(actual, prediction.values),
            "residuals.png": residuals(actual, prediction.values),
        }


def predicted_vs_actual(actual: np.ndarray, predicted: np.ndarray) -> Figure:
    """Scatter of predictions against the truth with the ideal diagonal."""
    figure, axes = new_figure(5, 5)
    axes.scatter(actual, predicted, alpha=0.6)
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    axes.plot([low, high], [low, high], linestyle="--", color="grey", label="ideal")
    axes.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual (test)")
    axes.legend(loc="upper left")
    return figure


def residuals(actual: np.ndarray, predicted: np.ndarray) -> Figure:
    """Residuals against predictions: structure here means the model misses something."""
    figure, axes = new_figure()
    axes.scatter(predicted, actual - predicted, alpha=0.6)
    axes.axhline(0, linestyle="--", color="grey")
    axes.set(xlabel="predicted", ylabel="actual - predicted", title="Residuals (test)")
    return figure
