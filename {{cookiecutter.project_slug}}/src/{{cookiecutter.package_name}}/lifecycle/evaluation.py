"""`evaluate`: test-split metrics, the task's figures and fairness per group, logged to the run."""

from __future__ import annotations

from dataclasses import dataclass

import mlflow

from {{ cookiecutter.package_name }}.lifecycle.data import model_frame, read_split_table
from {{ cookiecutter.package_name }}.lifecycle.policy import GROUP_GAP, promotion_policy
from {{ cookiecutter.package_name }}.lifecycle.tracking import (
    FAIRNESS_ARTIFACT,
    connect,
    latest_training_run,
    model_uri_of,
    threshold_of,
)
from {{ cookiecutter.package_name }}.model.model_io import load_model
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks import fairness, figures
from {{ cookiecutter.package_name }}.tasks.base import task_for


@dataclass(frozen=True)
class EvaluationResult:
    """Test metrics of one training run and the figures logged with them."""

    run_id: str
    metrics: dict[str, float]
    figures: tuple[str, ...]
    decision_threshold: float | None = None
    fairness: dict[str, object] | None = None


def evaluate(settings: Settings) -> EvaluationResult:
    """Score the latest training run's model on the test split and log the results to it."""
    client = connect(settings)
    contract, task = settings.contract, task_for(settings.contract)
    run = latest_training_run(client, settings)
    model = load_model(model_uri_of(run))
    table = read_split_table(settings, "test")
    features, actual = model_frame(contract, table), table[contract.target.column].to_numpy()
    threshold = threshold_of(run.data.tags)
    prediction = task.predict(model, features, threshold)
    metrics = task.metrics(actual, prediction, threshold)
    drawn = {
        **task.figures(actual, prediction, threshold),
        "feature_importance.png": figures.feature_importance(model),
    }
    metric = promotion_policy(settings).primary_metric
    groups = fairness.assess(contract, table, actual, prediction, threshold, metric=metric)
    report = groups.to_dict() if groups.columns else None
    if groups.max_gap is not None:
        metrics[GROUP_GAP] = groups.max_gap
    with mlflow.start_run(run_id=run.info.run_id):
        mlflow.log_metrics({f"test_{name}": value for name, value in metrics.items()})
        if report is not None:
            mlflow.log_dict(report, FAIRNESS_ARTIFACT)
        for name, figure in drawn.items():
            mlflow.log_figure(figure, f"evaluation/{name}")
            figures.close(figure)
    names = tuple(f"evaluation/{name}" for name in drawn)
    return EvaluationResult(run.info.run_id, metrics, names, threshold, report)
