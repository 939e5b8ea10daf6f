"""`train`: fit the scikit-learn Pipeline and log it to MLflow with its signature."""

from __future__ import annotations

import importlib.metadata
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

import mlflow
import mlflow.sklearn
import pandas as pd
from mlflow.models import infer_signature
from mlflow.models.model import ModelInfo
from sklearn.pipeline import Pipeline

from {{ cookiecutter.package_name }}.contract.inputs import features_from_table
from {{ cookiecutter.package_name }}.contract.render import render_contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.events.sink import EventSink
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.lifecycle.data import read_manifest, read_split
from {{ cookiecutter.package_name }}.lifecycle.pipeline import fit_pipeline
from {{ cookiecutter.package_name }}.lifecycle.tracking import (
    CONTRACT_ARTIFACT,
    CONTRACT_SHA256_TAG,
    DATA_HASH_TAG,
    MODEL_ID_TAG,
    MODEL_URI_TAG,
    STEP_TAG,
    THRESHOLD_TAG,
    TRAIN_STEP,
    connect,
)
from {{ cookiecutter.package_name }}.model import baseline, model_io
from {{ cookiecutter.package_name }}.model.digests import MODEL_SHA256_TAG
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks.base import ThresholdPolicy, task_for

MODEL_NAME = "model"
SERVING_PACKAGES = ("scikit-learn", "skops", "numpy", "pandas")


@dataclass(frozen=True)
class TrainingResult:
    """What `train` produced."""

    run_id: str
    model_uri: str
    params: dict[str, int]
    validation_metrics: dict[str, float]
    decision_threshold: float | None = None


def parse_params(pairs: list[str], defaults: dict[str, int]) -> dict[str, int]:
    """Merge `name=value` overrides into the defaults; reject unknown names and bad values."""
    params = dict(defaults)
    for pair in pairs:
        name, sep, value = pair.partition("=")
        if not sep or not name:
            raise LifecycleError(f"--param {pair!r} is not name=value, e.g. --param max_depth=4")
        if name not in defaults:
            known = ", ".join(sorted(defaults))
            raise LifecycleError(f"unknown parameter {name!r}; accepted: {known}")
        if not value.isdigit() or int(value) < 1:
            raise LifecycleError(f"--param {name}={value!r} must be a whole number >= 1")
        params[name] = int(value)
    return params


def train(settings: Settings, overrides: list[str]) -> TrainingResult:
    """Fit on the train split, choose the decision threshold and score on validation, log all."""
    params = parse_params(overrides, settings.default_params)
    contract, events = settings.contract, EventSink(settings.monitoring.events)
    task = task_for(contract)
    features, target = read_split(settings, "train")
    val_features, val_target = read_split(settings, "validation")
    data_hash = read_manifest(settings)["data_hash"]
    connect(settings)
    pipeline = fit_pipeline(contract, params, settings.seed, features, target)
    policy = ThresholdPolicy(settings.promotion.threshold_cost_ratio)
    raw = task.predict(pipeline, val_features, None)
    threshold = task.choose_threshold(val_target.to_numpy(), raw, policy)
    prediction = task.predict(pipeline, val_features, threshold)
    metrics = task.metrics(val_target.to_numpy(), prediction, threshold)
    reference = training_baseline(settings, pipeline, features, threshold, data_hash)
    tags = {
        STEP_TAG: TRAIN_STEP,
        DATA_HASH_TAG: data_hash,
        CONTRACT_SHA256_TAG: contract.sha256,
        **({THRESHOLD_TAG: repr(threshold)} if threshold is not None else {}),
        **lineage.run_tags(),
    }
    with mlflow.start_run(run_name="train", tags=tags) as run:
        mlflow.log_params(params)
        mlflow.log_metrics({f"val_{name}": value for name, value in metrics.items()})
        mlflow.log_dict(reference, baseline.ARTIFACT_PATH)
        mlflow.log_text(render_contract(contract), CONTRACT_ARTIFACT)
        model = _log_model(pipeline, features)
        digest = model_io.logged_sha256(model.model_uri)  # what later loads are checked against
        mlflow.set_tags(
            {
                MODEL_URI_TAG: model.model_uri,
                MODEL_ID_TAG: model.model_id,
                MODEL_SHA256_TAG: digest,
            }
        )
    result = TrainingResult(run.info.run_id, model.model_uri, params, metrics, threshold)
    events.emit(
        "run_finished",
        {"experiment": settings.experiment, "data_hash": data_hash, **asdict(result)},
    )
    return result


def training_baseline(
    settings: Settings,
    pipeline: Pipeline,
    features: pd.DataFrame,
    threshold: float | None,
    data_hash: str,
) -> dict:
    """The drift baseline of the training split as served, and the model's predictions of it."""
    contract = settings.contract
    served = features_from_table(contract, {name: features[name] for name in features.columns})
    prediction = task_for(contract).predict(pipeline, served.frame(contract), threshold)
    bins = settings.monitoring.drift.bins
    return baseline.compute(contract, served, prediction, bins, settings.seed, data_hash)


def _log_model(pipeline: Pipeline, features: pd.DataFrame) -> ModelInfo:
    example = features.head(3)
    signature = infer_signature(example, pd.Series(pipeline.predict(example)))
    return mlflow.sklearn.log_model(
        pipeline,
        name=MODEL_NAME,
        signature=signature,
        input_example=example,
        serialization_format="skops",
        skops_trusted_types=_checked_trusted_types(pipeline),
        pip_requirements=_pinned_requirements(),
    )


def _checked_trusted_types(pipeline: Pipeline) -> list[str]:
    """Round-trip the model through skops so a new untrusted type fails here, not at load."""
    import skops.io

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / model_io.SKOPS_FILE
        skops.io.dump(pipeline, path)
        model_io.load_skops(path)
    return list(model_io.TRUSTED_TYPES)


def _pinned_requirements() -> list[str]:
    """Exact versions of what serving needs, taken from this (locked) environment."""
    mlflow_version = importlib.metadata.version("mlflow")
    pins = [f"{name}=={importlib.metadata.version(name)}" for name in SERVING_PACKAGES]
    return [f"mlflow-skinny=={mlflow_version}", *pins]
