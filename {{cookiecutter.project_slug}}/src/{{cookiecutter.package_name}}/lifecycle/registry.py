"""`register`: put the latest finished training run in the Model Registry with lineage tags."""

from __future__ import annotations

from dataclasses import dataclass

from mlflow.entities import Run
from mlflow.entities.model_registry import ModelVersion
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.events.sink import EventSink
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.lifecycle.tracking import (
    CONTRACT_SHA256_TAG,
    DATA_HASH_TAG,
    MODEL_ID_TAG,
    THRESHOLD_TAG,
    connect,
    latest_training_run,
    model_uri_of,
)
from {{ cookiecutter.package_name }}.model.digests import MODEL_SHA256_TAG
from {{ cookiecutter.package_name }}.settings import Settings

CARRIED_TAGS = (CONTRACT_SHA256_TAG, THRESHOLD_TAG)  # what the run records and its versions keep


@dataclass(frozen=True)
class Registration:
    """The registered version and whether this call created it."""

    name: str
    version: int
    run_id: str
    created: bool
    tags: dict[str, str]


def lineage_tags(run: Run, reason: str) -> dict[str, str]:
    """Who published the model, why, when, from which code, data and data contract."""
    run_tags = run.data.tags
    carried = {tag: run_tags[tag] for tag in CARRIED_TAGS if tag in run_tags}
    current = lineage.run_tags()
    trained = {tag: run_tags.get(tag) or current[tag] for tag in lineage.LINEAGE_TAGS}
    return {
        **trained,
        "author": current["author"],  # who registers; the run's own tags say who trained
        "reason": reason,
        "data_hash": run_tags.get(DATA_HASH_TAG, "unknown"),
        "run_id": run.info.run_id,
        "registered_at": lineage.now(),
        **carried,
    }


def register(settings: Settings, reason: str) -> Registration:
    """Register the newest finished training run; registering the same run twice is a no-op."""
    if not reason.strip():
        raise LifecycleError("--reason must not be empty: say why this model is published")
    events = EventSink(settings.monitoring.events)
    client = connect(settings)
    run = latest_training_run(client, settings)
    name = settings.registered_model
    existing = _versions(client, name, f"run_id = '{run.info.run_id}'")
    if existing:
        found = existing[0]
        return Registration(name, int(found.version), run.info.run_id, False, found.tags)
    tags = {**lineage_tags(run, reason), MODEL_SHA256_TAG: _model_sha256(run)}
    _ensure_registered_model(client, name)
    version = client.create_model_version(
        name,
        source=model_uri_of(run),
        run_id=run.info.run_id,
        tags=tags,
        model_id=run.data.tags.get(MODEL_ID_TAG),
    )
    registration = Registration(name, int(version.version), run.info.run_id, True, tags)
    events.emit("model_registered", {"model": name, "version": registration.version, **tags})
    return registration


def _model_sha256(run: Run) -> str:
    """The digest `train` recorded; a run logged without one is not registered."""
    digest = run.data.tags.get(MODEL_SHA256_TAG)
    if not digest:
        raise LifecycleError(
            f"run {run.info.run_id} has no {MODEL_SHA256_TAG} tag (trained before model digests "
            "were recorded): run `train` again"
        )
    return digest


def _ensure_registered_model(client: MlflowClient, name: str) -> None:
    try:
        client.create_registered_model(name, description="Managed by the project's lifecycle CLI.")
    except MlflowException as exc:
        if exc.error_code != "RESOURCE_ALREADY_EXISTS":
            raise


def all_versions(client: MlflowClient, name: str) -> list[ModelVersion]:
    """Every version of a registered model, newest first."""
    return sorted(_versions(client, name), key=lambda version: int(version.version), reverse=True)


def version_by_alias(client: MlflowClient, name: str, alias: str) -> ModelVersion | None:
    """The version an alias points at, or None when the alias is not set."""
    try:
        return client.get_model_version_by_alias(name, alias)
    except MlflowException:
        return None


def resolve_version(client: MlflowClient, name: str, version: int | None) -> ModelVersion:
    """The given version, or the champion when none is given; explain what is missing."""
    if version is None:
        champion = version_by_alias(client, name, "champion")
        if champion is None:
            raise LifecycleError(f"model {name!r} has no champion yet: run `promote` first")
        return champion
    try:
        return client.get_model_version(name, str(version))
    except MlflowException:
        raise LifecycleError(f"model {name!r} has no version {version}") from None


def _versions(client: MlflowClient, name: str, extra: str = "") -> list[ModelVersion]:
    query = f"name = '{name}'" + (f" and {extra}" if extra else "")
    return list(client.search_model_versions(query))
