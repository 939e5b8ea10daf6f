"""MLflow wiring: the tracking store, the experiment, and finding training runs."""

from __future__ import annotations

import logging
import os
from pathlib import Path
from urllib.parse import urlparse

import mlflow
from mlflow.entities import Run
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.settings import Settings

STEP_TAG = "mlops.step"
MODEL_URI_TAG = "mlops.model_uri"
MODEL_ID_TAG = "mlops.model_id"
DATA_HASH_TAG = "mlops.data_hash"
CONTRACT_SHA256_TAG = "mlops.contract_sha256"
THRESHOLD_TAG = "mlops.decision_threshold"  # binary: the positive class's probability cut-off
CONTRACT_ARTIFACT = "contract/contract.yaml"  # the data contract the run was trained under
FAIRNESS_ARTIFACT = "evaluation/fairness.json"  # the primary metric per sensitive group
TRAIN_STEP = "train"
QUIET_LOGGERS = {"mlflow": logging.WARNING, "alembic": logging.WARNING}
SILENT_LOGGERS = ("mlflow.utils.environment", "mlflow.store.db.utils")


def threshold_of(tags: dict[str, str]) -> float | None:
    """The decision threshold a run or version records (binary), else None."""
    value = tags.get(THRESHOLD_TAG)
    return float(value) if value else None


def connect(settings: Settings) -> MlflowClient:
    """Point MLflow at the project's tracking store and make sure the experiment exists."""
    os.environ.setdefault("MLFLOW_ENABLE_ARTIFACTS_PROGRESS_BAR", "false")
    for name, level in QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(level)
    for name in SILENT_LOGGERS:
        logging.getLogger(name).setLevel(logging.ERROR)
    mlflow.set_tracking_uri(settings.tracking_uri)
    mlflow.set_registry_uri(settings.tracking_uri)
    client = MlflowClient()
    if client.get_experiment_by_name(settings.experiment) is None:
        client.create_experiment(
            settings.experiment, artifact_location=artifact_location(settings.tracking_uri)
        )
    mlflow.set_experiment(settings.experiment)
    return client


def artifact_location(tracking_uri: str) -> str | None:
    """Local artifact folder beside a SQLite store; remote servers choose their own."""
    parsed = urlparse(tracking_uri)
    if parsed.scheme != "sqlite":
        return None
    database = Path(tracking_uri.removeprefix("sqlite:///"))
    return (database.parent / "mlartifacts").resolve().as_uri()


def latest_training_run(client: MlflowClient, settings: Settings) -> Run:
    """Return the newest finished training run, or explain how to make one."""
    experiment = client.get_experiment_by_name(settings.experiment)
    if experiment is None:
        raise LifecycleError(f"no experiment {settings.experiment!r}: run `train` first")
    runs = client.search_runs(
        [experiment.experiment_id],
        filter_string=f"tags.`{STEP_TAG}` = '{TRAIN_STEP}' and attributes.status = 'FINISHED'",
        order_by=["attributes.start_time DESC"],
        max_results=1,
    )
    if not runs:
        raise LifecycleError(
            f"no finished training run in experiment {settings.experiment!r}: run `train` first"
        )
    return runs[0]


def model_uri_of(run: Run) -> str:
    """The URI of the model a training run logged."""
    uri = run.data.tags.get(MODEL_URI_TAG)
    if not uri:
        raise LifecycleError(f"run {run.info.run_id} logged no model: run `train` again")
    return uri
