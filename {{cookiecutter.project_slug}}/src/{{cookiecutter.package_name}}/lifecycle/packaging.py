"""`package`: one self-contained model folder for serving, batch scoring and Azure ML."""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import mlflow
from mlflow.exceptions import MlflowException
from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.contract.load import CONTRACT_FILE, load_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.registry import resolve_version
from {{ cookiecutter.package_name }}.lifecycle.tracking import (
    CONTRACT_ARTIFACT,
    FAIRNESS_ARTIFACT,
    connect,
    threshold_of,
)
from {{ cookiecutter.package_name }}.model import baseline as baselines
from {{ cookiecutter.package_name }}.model.digests import (
    MODEL_SHA256_TAG,
    ONNX_SHA256_TAG,
    check_sha256,
)
from {{ cookiecutter.package_name }}.model.folder import (
    CARD_FILE,
    ONNX_FILE,
    ModelCard,
    read_card,
    write_card,
)
from {{ cookiecutter.package_name }}.model.model_io import SKOPS_FILE
from {{ cookiecutter.package_name }}.settings import Settings


@dataclass(frozen=True)
class PackagedModel:
    """Where the folder is and what it holds."""

    path: Path
    card: ModelCard
    files: tuple[str, ...]


def package_model(settings: Settings, version: int | None, output: Path) -> PackagedModel:
    """Download a registered version (default: champion), its ONNX file and drift baseline."""
    client = connect(settings)
    model_version = resolve_version(client, settings.registered_model, version)
    tags = model_version.tags
    onnx_uri = tags.get("onnx.artifact_uri")
    runtime = "onnx" if tags.get("onnx.status") == "exported" and onnx_uri else "skops"
    output.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{output.name}-", dir=output.parent))
    try:
        uri = f"models:/{settings.registered_model}/{model_version.version}"
        mlflow.artifacts.download_artifacts(uri, dst_path=str(staging))
        _check(staging / SKOPS_FILE, tags, MODEL_SHA256_TAG, uri, "train and register it again")
        if runtime == "onnx":
            mlflow.artifacts.download_artifacts(onnx_uri, dst_path=str(staging))
            _check(staging / ONNX_FILE, tags, ONNX_SHA256_TAG, uri, "run `export-onnx` again")
        fetch_baseline(client, str(model_version.run_id), staging)  # absent on older versions
        contract = _fetch_contract(str(model_version.run_id), staging, uri)
        card = ModelCard(
            settings.registered_model,
            str(model_version.version),
            runtime,
            contract.feature_names,
            task=contract.task,
            classes=contract.target.classes,
            threshold=threshold_of(tags),
            fairness=_fairness(client, str(model_version.run_id)),
        )
        card = write_card(staging, card)
        if output.exists():
            shutil.rmtree(output)
        staging.rename(output)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    files = tuple(sorted(path.name for path in output.iterdir()))
    return PackagedModel(output, card, files)


def fetch_baseline(client: MlflowClient, run_id: str, folder: Path) -> Path | None:
    """Download a training run's baseline into `folder`; None for runs logged before baselines."""
    import mlflow

    logged = {item.path for item in client.list_artifacts(run_id, baselines.ARTIFACT_DIR)}
    if baselines.ARTIFACT_PATH not in logged:
        return None
    downloaded = mlflow.artifacts.download_artifacts(
        run_id=run_id, artifact_path=baselines.ARTIFACT_PATH, dst_path=str(folder)
    )
    return Path(downloaded)


def _fetch_contract(run_id: str, folder: Path, uri: str) -> Contract:
    """The data contract the version was trained under, as contract.yaml in the folder."""
    try:
        downloaded = mlflow.artifacts.download_artifacts(
            run_id=run_id, artifact_path=CONTRACT_ARTIFACT, dst_path=str(folder / ".contract")
        )
    except MlflowException:
        raise LifecycleError(
            f"{uri} has no data contract (trained before contracts travelled with models): "
            "train and register it again"
        ) from None
    target = folder / CONTRACT_FILE
    Path(downloaded).replace(target)
    shutil.rmtree(folder / ".contract", ignore_errors=True)
    return load_contract(target)


def _fairness(client: MlflowClient, run_id: str) -> dict | None:
    """The groups and gap `evaluate` logged with the run, if it ran."""
    logged = {item.path for item in client.list_artifacts(run_id, "evaluation")}
    if FAIRNESS_ARTIFACT not in logged:
        return None
    return mlflow.artifacts.load_dict(f"runs:/{run_id}/{FAIRNESS_ARTIFACT}")


def _check(path: Path, tags: dict[str, str], tag: str, uri: str, fix: str) -> None:
    """The downloaded file is the one whose SHA-256 the version records."""
    check_sha256(path, tags.get(tag), f"{uri}'s {tag} tag", fix)


def serving_folder(settings: Settings, version: int | None = None) -> Path:
    """Package the requested version (default: champion) into build/serving/, once."""
    client = connect(settings)
    number = resolve_version(client, settings.registered_model, version).version
    folder = settings.root / "build" / "serving" / f"{settings.registered_model}-v{number}"
    # A card without digests was written before they were recorded: package that version again.
    if not (folder / CARD_FILE).is_file() or not read_card(folder).sha256:
        package_model(settings, int(number), folder)
    return folder
