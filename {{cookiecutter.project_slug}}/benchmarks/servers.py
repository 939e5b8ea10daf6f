"""Start and stop the three scoring servers compared by the benchmark, on free loopback ports."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

BIN = Path(sys.executable).parent
API_KEY = "benchmark-key"


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_until_up(port: int, path: str, process: subprocess.Popen, timeout: float = 90) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=1):
                return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError(f"server on port {port} did not come up in {timeout:.0f}s")


@contextmanager
def running(command: list[str], port: int, probe: str, env: dict[str, str]) -> Iterator[int]:
    """Run a server process for the duration of the block."""
    environment = {**os.environ, "PATH": f"{BIN}{os.pathsep}{os.environ['PATH']}", **env}
    command = [part.replace("{port}", str(port)) for part in command]
    process = subprocess.Popen(  # noqa: S603 - fixed commands built above
        command,
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_until_up(port, probe, process)
        yield port
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def ours(model_dir: Path) -> tuple[list[str], dict[str, str]]:
    """Our Starlette + onnxruntime server, one worker."""
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
    import {{ cookiecutter.package_name }}.azureml_score as entry

    return (
        [str(BIN / "azmlinfsrv"), "--entry_script", entry.__file__, "--port", "{port}"],
        {"AZUREML_MODEL_DIR": str(model_dir), "WORKER_COUNT": "1"},
    )
