"""A small packaged model folder and a live scoring server on loopback, for serving tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
import skops.io
from sklearn.datasets import load_diabetes

from {{ cookiecutter.package_name }}.onnx_export import convert
from {{ cookiecutter.package_name }}.schema import FEATURES, TARGET
from {{ cookiecutter.package_name }}.serving_model import CARD_FILE, ONNX_FILE, ModelCard
from {{ cookiecutter.package_name }}.training import build_pipeline

API_KEY = "test-key-0123456789"


def write_model_dir(folder: Path, with_onnx: bool = True) -> Path:
    """Train a small forest on the diabetes data and package it like `package` does."""
    frame = load_diabetes(as_frame=True).frame
    pipeline = build_pipeline({"n_estimators": 20, "max_depth": 4}, seed=0)
    pipeline.fit(frame[list(FEATURES)], frame[TARGET])
    folder.mkdir(parents=True, exist_ok=True)
    skops.io.dump(pipeline, folder / "model.skops")
    runtime = "onnx" if with_onnx else "skops"
    if with_onnx:
        (folder / ONNX_FILE).write_bytes(convert(pipeline, len(FEATURES)))
    (folder / CARD_FILE).write_text(ModelCard("test-model", "7", runtime).to_json())
    return folder


def free_port() -> int:
    """A loopback port that is free right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_ready(
    base_url: str, process: subprocess.Popen, timeout: float = 60, probe: str = "/ready"
) -> None:
    """Poll the probe path until the server answers 200, failing early if it died."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"server exited with {process.returncode}")
        try:
            if httpx.get(f"{base_url}{probe}", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    pytest.fail(f"server at {base_url} not ready after {timeout}s")


def start_server(model_dir: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """Run `python -m <package> serve` on a free port; yield its base URL; stop it after."""
    port = free_port()
    command = [
        sys.executable,
        "-m",
        "{{ cookiecutter.package_name }}",
        "serve",
        "--model-dir",
        str(model_dir),
        "--port",
        str(port),
        *extra,
    ]
    process = subprocess.Popen(
        command,
        env={**os.environ, **(env or {})},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, process)
        yield base_url
    finally:
        process.terminate()
        process.wait(timeout=15)
