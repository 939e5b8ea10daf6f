"""Evaluation figures: predicted vs actual, residuals, feature importance."""

from __future__ import annotations

import matplotlib

matplotlib.use("Agg")  # files only, never a window

import matplotlib.pyplot as plt
import numpy as np
from matplotlib.figure import Figure
from sklearn.pipeline import Pipeline


def predicted_vs_actual(actual: np.ndarray, predicted: np.ndarray) -> Figure:
    """Scatter of predictions against the truth with the ideal diagonal."""
    figure, axes = plt.subplots(figsize=(5, 5))
    axes.scatter(actual, predicted, alpha=0.6)
    low, high = float(min(actual.min(), predicted.min())), float(max(actual.max(), predicted.max()))
    axes.plot([low, high], [low, high], linestyle="--", color="grey")
    axes.set(xlabel="actual", ylabel="predicted", title="Predicted vs actual (test)")
    return figure


def residuals(actual: np.ndarray, predicted: np.ndarray) -> Figure:
    """Residuals against predictions: structure here means the model misses something."""
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.scatter(predicted, actual - predicted, alpha=0.6)
    axes.axhline(0, linestyle="--", color="grey")
    axes.set(xlabel="predicted", ylabel="actual - predicted", title="Residuals (test)")
    return figure


def feature_importance(pipeline: Pipeline, features: list[str]) -> Figure:
    """Impurity-based importance of each feature in the final estimator."""
    importances = pipeline[-1].feature_importances_
    order = np.argsort(importances)
    figure, axes = plt.subplots(figsize=(6, 4))
    axes.barh([features[i] for i in order], importances[order])
    axes.set(xlabel="importance", title="Feature importance")
    return figure


def close(figure: Figure) -> None:
    """Release a figure's memory."""
    plt.close(figure)
