"""Where `drift` finds its reference: the champion's baseline, a packaged model folder or a file."""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.monitoring import baseline as baselines
from {{ cookiecutter.package_name }}.settings import Settings

if TYPE_CHECKING:
    from mlflow.tracking import MlflowClient


@dataclass(frozen=True)
class Reference:
    """A baseline and the model it belongs to (version unknown for a bare file).

    `model_dir` is the packaged folder the baseline came with, if any: its model scores tabular
    current data; otherwise the registered version does.
    """

    baseline: dict[str, Any]
    source: str
    model: str
    version: str | None
    model_dir: Path | None = None


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


def champion_reference(settings: Settings) -> Reference:
    """The baseline logged with the champion's training run."""
    from {{ cookiecutter.package_name }}.lifecycle.registry import resolve_version
    from {{ cookiecutter.package_name }}.lifecycle.tracking import connect

    client = connect(settings)
    name = settings.registered_model
    champion = resolve_version(client, name, None)
    with tempfile.TemporaryDirectory(prefix="baseline-") as folder:
        path = fetch_baseline(client, str(champion.run_id), Path(folder))
        if path is None:
            raise LifecycleError(
                f"champion {name!r} version {champion.version} has no drift baseline (trained "
                "before baselines were logged); retrain: `make all` logs one with the new model"
            )
        baseline = baselines.read(path)
    source = f"models:/{name}@champion (version {champion.version})"
    return Reference(baseline, source, name, str(champion.version))


def file_reference(path: Path, settings: Settings) -> Reference:
    """A baseline file, e.g. build/model/baseline.json; its model card names the version."""
    from {{ cookiecutter.package_name }}.serving.model import CARD_FILE, read_card

    baseline = baselines.read(path)
    if (path.parent / CARD_FILE).is_file():
        card = read_card(path.parent)
        return Reference(baseline, str(path), card.name, card.version, path.parent)
    return Reference(baseline, str(path), settings.registered_model, None)
