"""`serve-image`, the scoring image's entry point: the project's server with its API key by
default, Azure ML's inference server only inside an Azure ML deployment of the same model."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path

import httpx
import pytest

from {{ cookiecutter.package_name }}.model.folder import CARD_FILE
from {{ cookiecutter.package_name }}.serving.local import free_port, running

from .conftest import ROW, invoke
from .contracts import FEATURES

PACKAGE = "{{ cookiecutter.package_name }}"


def mounted(model_dir: Path, root: Path) -> Path:
    """What Azure ML mounts at AZUREML_MODEL_DIR: the registered folder, one level down."""
    shutil.copytree(model_dir, root / "serving-model")
    return root


def test_the_default_is_the_project_server_which_refuses_to_start_without_its_key(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SCORING_API_KEY", raising=False)
    monkeypatch.delenv("SCORING_SERVER", raising=False)
    result = invoke("serve-image", "--model-dir", str(model_dir))
    assert result.exit_code != 0
    assert "SCORING_API_KEY" in result.stderr


def test_azure_ml_mode_refuses_to_start_outside_an_azure_ml_deployment(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AZUREML_MODEL_DIR", raising=False)
    monkeypatch.setenv("SCORING_SERVER", "azureml")
    result = invoke("serve-image", "--model-dir", str(model_dir))
    assert result.exit_code == 1
    assert "serves only inside an Azure ML online deployment (AZUREML_MODEL_DIR is unset)" in (
        result.stderr
    )


@pytest.mark.parametrize(
    ("field", "value"),
    [("version", "8"), ("name", "another-model"), ("sha256", {"model.onnx": "0" * 64})],
)
def test_azure_ml_mode_refuses_a_deployment_whose_model_is_not_the_baked_one(
    model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, field: str, value: object
) -> None:
    root = mounted(model_dir, tmp_path)
    card_file = root / "serving-model" / CARD_FILE
    card = json.loads(card_file.read_text(encoding="utf-8"))
    card_file.write_text(json.dumps({**card, field: value}), encoding="utf-8")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(root))
    result = invoke("serve-image", "--model-dir", str(model_dir), "--server", "azureml")
    assert result.exit_code == 1
    assert "is not the one baked into this image" in result.stderr


def test_in_an_azure_ml_deployment_the_image_serves_the_entry_script_with_azmlinfsrv(
    model_dir: Path, tmp_path: Path
) -> None:
    """As the online deployment runs it: SCORING_SERVER=azureml, the model mounted by Azure ML,
    the routes of pipelines/online/image-environment.yml (GET / for health, POST /score)."""
    port = free_port()
    command = [sys.executable, "-m", PACKAGE, "serve-image", "--model-dir", str(model_dir)]
    env = {"SCORING_SERVER": "azureml", "AZUREML_MODEL_DIR": str(mounted(model_dir, tmp_path))}
    env |= {"WORKER_COUNT": "1", "SCORING_API_KEY": ""}  # no key: the endpoint authenticates
    with running([*command, "--port", str(port)], f"http://127.0.0.1:{port}/", env):
        body = {"input_data": {"columns": list(FEATURES), "index": [0], "data": [ROW]}}
        answer = httpx.post(f"http://127.0.0.1:{port}/score", json=body, timeout=10)
        health = httpx.get(f"http://127.0.0.1:{port}/", timeout=10)
    assert (answer.status_code, health.status_code) == (200, 200), answer.text
    assert len(answer.json()["predictions"]) == 1
    card = json.loads((model_dir / CARD_FILE).read_text(encoding="utf-8"))
    assert answer.headers["x-model-version"] == card["version"]
