"""Evaluation figures, which now live with their task (tasks/): kept for `evaluate` until it
asks the task for its figures (`task_for(contract).figures`, `tasks.figures.feature_importance`)."""

from __future__ import annotations

from matplotlib.figure import Figure
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.tasks.figures import close
from {{ cookiecutter.package_name }}.tasks.figures import (
    feature_importance as _feature_importance,
)
from {{ cookiecutter.package_name }}.tasks.regression import predicted_vs_actual, residuals

__all__ = ["close", "feature_importance", "predicted_vs_actual", "residuals"]


def feature_importance(pipeline: Pipeline, features: list[str]) -> Figure:
    """Impurity-based importance; the names come from the pipeline (`features` is not read)."""
    return _feature_importance(pipeline)
