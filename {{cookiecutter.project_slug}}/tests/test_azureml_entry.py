"""The Azure ML entry script under the real Azure ML inference server (azmlinfsrv)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

import {{ cookiecutter.package_name }}.serving.azureml_online as entry
from {{ cookiecutter.package_name }}.features import FEATURES
from {{ cookiecutter.package_name }}.serving.local import free_port, running
from {{ cookiecutter.package_name }}.serving.model import find_model_dir

from .conftest import ROW
from .serving_fixtures import AUTH


@pytest.fixture(scope="module")
def azmlinfsrv(model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """azmlinfsrv on loopback with AZUREML_MODEL_DIR holding the model in a subfolder."""
    root = tmp_path_factory.mktemp("azureml-model")
    (root / "model").symlink_to(model_dir, target_is_directory=True)
    port = free_port()
    command = [str(Path(sys.executable).parent / "azmlinfsrv"), "--entry_script", entry.__file__]
    env = {"AZUREML_MODEL_DIR": str(root), "WORKER_COUNT": "1"}
    with running([*command, "--port", str(port)], f"http://127.0.0.1:{port}/", env):
        yield f"http://127.0.0.1:{port}"


def score(base_url: str, body: object) -> httpx.Response:
    return httpx.post(f"{base_url}/score", json=body, timeout=10)


def test_entry_script_scores_like_our_server(azmlinfsrv: str, server: str) -> None:
    body = {"input_data": {"columns": list(FEATURES), "index": [3], "data": [ROW]}}
    ours = httpx.post(f"{server}/score", json=body, headers=AUTH)
    theirs = score(azmlinfsrv, body)
    assert theirs.status_code == 200
    assert theirs.json() == ours.json()
    assert theirs.headers["x-model-version"] == "7"


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"input_data": [[1.0] * 9]}, 422, "row 0 has 9 values, expected 10"),
        ({"data": []}, 400, 'missing "input_data"'),
        (
            {"input_data": {"columns": list(FEATURES[:-1]), "data": [ROW[:-1]]}},
            422,
            "missing column 's6'",
        ),
    ],
)
def test_entry_script_refuses_bad_input_with_a_4xx(
    azmlinfsrv: str, body, status: int, message: str
) -> None:
    response = score(azmlinfsrv, body)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_model_dir_finds_the_single_packaged_folder(model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "nested").symlink_to(model_dir, target_is_directory=True)
    assert find_model_dir(tmp_path) == tmp_path / "nested"
    assert find_model_dir(model_dir) == model_dir
