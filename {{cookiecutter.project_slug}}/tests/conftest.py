"""Shared fixtures: isolated projects with their own MLflow store, and a packaged model folder."""

from __future__ import annotations

import json
import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from {{ cookiecutter.package_name }}.cli import cli
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]
# The tests train small forests: the lifecycle is the same, only faster than the default 200 trees.
FAST_TRAINING = ("n_estimators = 200", "n_estimators = 40")
ProjectFactory = Callable[[Path, pytest.MonkeyPatch], Settings]
ROW = [0.04, 0.05, 0.06, 0.02, -0.04, -0.03, -0.04, 0.0, 0.02, -0.02]  # one valid feature row


@pytest.fixture(scope="session")
def empty_store(pytestconfig: pytest.Config, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An empty MLflow SQLite store, created once per MLflow version: migrations take seconds."""
    import mlflow
    from mlflow.store.model_registry.sqlalchemy_store import SqlAlchemyStore as RegistryStore
    from mlflow.store.tracking.sqlalchemy_store import SqlAlchemyStore

    name = f"mlflow-{mlflow.__version__}-empty-store"
    cache = getattr(pytestconfig, "cache", None)  # absent with -p no:cacheprovider
    folder = cache.mkdir(name) if cache else tmp_path_factory.mktemp(name)
    path = folder / "mlflow.db"
    if not path.is_file():
        staging = folder / f"creating-{os.getpid()}.db"  # parallel workers never share a file
        SqlAlchemyStore(f"sqlite:///{staging}", (folder / "artifacts").as_uri())
        RegistryStore(f"sqlite:///{staging}")
        os.replace(staging, path)
    return path


@pytest.fixture(scope="session")
def new_project(empty_store: Path) -> ProjectFactory:
    """Turn a folder into a fresh project (mlops.toml, empty store) and work in it."""

    def make(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
        config = (PROJECT_ROOT / "mlops.toml").read_text(encoding="utf-8")
        assert FAST_TRAINING[0] in config
        (folder / "mlops.toml").write_text(config.replace(*FAST_TRAINING), encoding="utf-8")
        (folder / "data").mkdir(exist_ok=True)
        shutil.copy(PROJECT_ROOT / "data" / "contract.yaml", folder / "data" / "contract.yaml")
        shutil.copy(empty_store, folder / "mlflow.db")
        monkeypatch.chdir(folder)
        monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder / 'mlflow.db'}")
        monkeypatch.setenv("MLOPS_AUTHOR", "test-suite")
        return load_settings(folder)

    return make


@pytest.fixture
def project(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, new_project: ProjectFactory
) -> Settings:
    """A fresh, empty project for one test."""
    return new_project(tmp_path, monkeypatch)


@pytest.fixture(scope="module")
def champion_project(
    tmp_path_factory: pytest.TempPathFactory, new_project: ProjectFactory
) -> Iterator[tuple[Settings, dict]]:
    """A project whose `all` ran once (version 1 is the champion); tests must only read it."""
    with pytest.MonkeyPatch.context() as monkeypatch:
        settings = new_project(tmp_path_factory.mktemp("project"), monkeypatch)
        yield settings, invoke_json("all")


def invoke(*args: str) -> Result:
    """Run the CLI in-process and return its result (stdout and stderr apart)."""
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def invoke_json(*args: str) -> dict:
    """Run a CLI command with --json, insist it succeeded, and parse its summary."""
    result = invoke(*args, "--json")
    assert result.exit_code == 0, result.stderr
    return json.loads(result.stdout)


@pytest.fixture(scope="session")
def model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A packaged model of the diabetes numbers (skops, ONNX, contract, card), without MLflow."""
    from .model_fixtures import write_model_dir

    return write_model_dir(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def id_model_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The diabetes numbers' model folder, its contract naming an `id` column (batch keeps it)."""
    from .model_fixtures import write_model_dir

    return write_model_dir(tmp_path_factory.mktemp("model-id"), name="numbers-id")


@pytest.fixture(scope="session")
def regression_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A packaged regression of the mixed test contract (categories, booleans, missing values)."""
    from .model_fixtures import write_model_dir

    return write_model_dir(tmp_path_factory.mktemp("regression"), name="regression")


@pytest.fixture(scope="session")
def binary_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A packaged binary classifier of the mixed test contract, its threshold on a training row."""
    from .model_fixtures import write_model_dir

    return write_model_dir(tmp_path_factory.mktemp("binary"), name="binary")


@pytest.fixture(scope="session")
def multiclass_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A packaged multiclass classifier of the mixed test contract (integer classes)."""
    from .model_fixtures import write_model_dir

    return write_model_dir(tmp_path_factory.mktemp("multiclass"), name="multiclass")


@pytest.fixture(scope="session")
def server(model_dir: Path) -> Iterator[str]:
    """A live server with key auth on loopback; tests must not change its state."""
    from .serving_fixtures import API_KEY, live_server

    with live_server(model_dir, env={"SCORING_API_KEY": API_KEY}) as base_url:
        yield base_url
