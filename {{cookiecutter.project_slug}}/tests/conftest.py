"""Shared fixtures: an isolated project folder with its own MLflow store."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner, Result

from {{ cookiecutter.package_name }}.cli import cli
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

PROJECT_ROOT = Path(__file__).resolve().parents[1]


def make_project(folder: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """Copy mlops.toml into `folder`, work there, and track into a SQLite file inside it."""
    shutil.copy(PROJECT_ROOT / "mlops.toml", folder / "mlops.toml")
    monkeypatch.chdir(folder)
    monkeypatch.setenv("MLFLOW_TRACKING_URI", f"sqlite:///{folder / 'mlflow.db'}")
    monkeypatch.setenv("MLOPS_AUTHOR", "test-suite")
    return load_settings(folder)


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Settings:
    """A fresh, empty project for one test."""
    return make_project(tmp_path, monkeypatch)


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
    """A packaged model folder (skops + ONNX + card) built without MLflow."""
    from .serving_fixtures import write_model_dir

    return write_model_dir(tmp_path_factory.mktemp("model"))


@pytest.fixture(scope="session")
def server(model_dir: Path):
    """A live server with key auth, shared by the tests of one session."""
    from .serving_fixtures import API_KEY, start_server

    yield from start_server(model_dir, env={"SCORING_API_KEY": API_KEY})
