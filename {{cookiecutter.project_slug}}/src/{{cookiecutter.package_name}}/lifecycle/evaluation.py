"""`evaluate`: test-split metrics and diagnostic plots, logged to the training run."""

from __future__ import annotations

from dataclasses import dataclass

import mlflow

from {{ cookiecutter.package_name }}.lifecycle import plots
from {{ cookiecutter.package_name }}.lifecycle.data import read_split
from {{ cookiecutter.package_name }}.lifecycle.metrics import regression_metrics
from {{ cookiecutter.package_name }}.lifecycle.model_io import load_model
from {{ cookiecutter.package_name }}.lifecycle.tracking import (
    connect,
    latest_training_run,
    model_uri_of,
)
from {{ cookiecutter.package_name }}.settings import Settings

FIGURES = ("predicted_vs_actual.png", "residuals.png", "feature_importance.png")


@dataclass(frozen=True)
class EvaluationResult:
    """Test metrics of one training run and the figures logged with them."""

    run_id: str
    metrics: dict[str, float]
    figures: tuple[str, ...]


def evaluate(settings: Settings) -> EvaluationResult:
    """Score the latest training run's model on the test split and log the results to it."""
    client = connect(settings)
    run = latest_training_run(client, settings)
    model = load_model(model_uri_of(run))
    features, target = read_split(settings, "test")
    actual, predicted = target.to_numpy(), model.predict(features)
    metrics = regression_metrics(actual, predicted)
    figures = (
        plots.predicted_vs_actual(actual, predicted),
        plots.residuals(actual, predicted),
        plots.feature_importance(model, list(features.columns)),
    )
    with mlflow.start_run(run_id=run.info.run_id):
        mlflow.log_metrics({f"test_{name}": value for name, value in metrics.items()})
        for figure, name in zip(figures, FIGURES, strict=True):
            mlflow.log_figure(figure, f"evaluation/{name}")
            plots.close(figure)
    return EvaluationResult(run.info.run_id, metrics, tuple(f"evaluation/{n}" for n in FIGURES))
