"""The three scoring servers the benchmark compares, each started on a free loopback port."""

from __future__ import annotations

import http.client
import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from {{ cookiecutter.package_name }}.serving.local import free_port, running

BIN = Path(sys.executable).parent
API_KEY = "benchmark-key-0123456789-0123456789"  # checkov:skip=CKV_SECRET_6: a throwaway key


@contextmanager
def serving(command: list[str], probe: str, env: dict[str, str]) -> Iterator[int]:
    """Run one contender on a free loopback port for the duration of the block; yield the port."""
    port = free_port()
    command = [part.replace("{port}", str(port)) for part in command]
    environment = {"PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    with running(command, f"http://127.0.0.1:{port}{probe}", environment):
        yield port


def answer(port: int, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, Any]:
    """POST one request to a contender on loopback: the status and the decoded JSON answer."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", path, body, {"Content-Type": "application/json", **headers})
        response = connection.getresponse()
        status, data = response.status, response.read()
    finally:
        connection.close()
    return status, orjson.loads(data) if data else None


def ours(model_dir: Path, *extra: str) -> tuple[list[str], dict[str, str]]:
    """Our raw-ASGI + ONNX Runtime server (uvicorn, httptools), one worker; `extra` options."""
    return (
        [
            str(BIN / "python"),
            "-m",
            "{{ cookiecutter.package_name }}",
            "serve",
            "--model-dir",
            str(model_dir),
            "--port",
            "{port}",
            *extra,
        ],
        {"SCORING_API_KEY": API_KEY},
    )


def mlflow_serve(model_dir: Path) -> tuple[list[str], dict[str, str]]:
    """`mlflow models serve` on the same MLflow model, one worker, local environment."""
    return (
        [
            str(BIN / "mlflow"),
            "models",
            "serve",
            "-m",
            str(model_dir),
            "--env-manager",
            "local",
            "-p",
            "{port}",
            "-w",
            "1",
        ],
        {"MLFLOW_ALLOW_PICKLE_DESERIALIZATION": "true"},
    )


def azmlinfsrv(model_dir: Path) -> tuple[list[str], dict[str, str]]:
    """Azure ML's inference server running our entry script, one worker."""
    import {{ cookiecutter.package_name }}.serving.azureml_online as entry

    return (
        [str(BIN / "azmlinfsrv"), "--entry_script", entry.__file__, "--port", "{port}"],
        {"AZUREML_MODEL_DIR": str(model_dir), "WORKER_COUNT": "1"},
    )
