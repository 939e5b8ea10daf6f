"""A small packaged model folder and live scoring servers on loopback, for serving tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson
import skops.io
from sklearn.datasets import load_diabetes

from {{ cookiecutter.package_name }}.features import FEATURES, TARGET
from {{ cookiecutter.package_name }}.lifecycle.onnx_export import convert
from {{ cookiecutter.package_name }}.lifecycle.training import build_pipeline
from {{ cookiecutter.package_name }}.serving.local import free_port, running
from {{ cookiecutter.package_name }}.serving.model import ONNX_FILE, ModelCard, write_card

API_KEY = "test-key-0123456789-0123456789-01"  # checkov:skip=CKV_SECRET_6: the tests' fake key
AUTH = {"Authorization": f"Bearer {API_KEY}"}
JSON_TYPE, CSV_TYPE = "application/json", "text/csv"
Form = tuple[str, str, bytes]  # route, content type, body


def request_forms(rows: list[list[Any]]) -> dict[str, Form]:
    """Every input form the two routes accept, each carrying `rows` (records and named columns
    name the columns in reverse order, which the server must undo)."""
    names = list(reversed(FEATURES))
    records = [{name: row[FEATURES.index(name)] for name in names} for row in rows]
    columns = {name: [row[FEATURES.index(name)] for row in rows] for name in names}
    split = {"columns": list(FEATURES), "data": rows}
    json_forms = {
        "score split": ("/score", {"input_data": split}),
        "score rows": ("/score", {"input_data": rows}),
        "score records": ("/score", {"input_data": records}),
        "score named columns": ("/score", {"input_data": columns}),
        "dataframe_split": ("/invocations", {"dataframe_split": split}),
        "dataframe_records": ("/invocations", {"dataframe_records": records}),
    }
    for key in ("instances", "inputs"):
        json_forms[f"{key} rows"] = ("/invocations", {key: rows})
        json_forms[f"{key} records"] = ("/invocations", {key: records})
        json_forms[f"{key} named columns"] = ("/invocations", {key: columns})
    forms = {
        name: (path, JSON_TYPE, orjson.dumps(body)) for name, (path, body) in json_forms.items()
    }
    lines = [",".join(FEATURES), *(",".join(map(str, row)) for row in rows)]
    forms["csv"] = ("/invocations", CSV_TYPE, "\n".join(lines).encode() + b"\n")
    return forms


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
    write_card(folder, ModelCard("test-model", "7", runtime))
    return folder


@contextmanager
def live_server(model_dir: Path, *extra: str, env: dict[str, str] | None = None) -> Iterator[str]:
    """The project's `serve` command on a free loopback port; yields its base URL."""
    with live_server_process(model_dir, *extra, env=env) as (base_url, _):
        yield base_url


@contextmanager
def live_server_process(
    model_dir: Path, *extra: str, env: dict[str, str] | None = None
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """Like live_server, and the server's process too (one worker serves in that process)."""
    port = free_port()
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "serve"]
    command += ["--model-dir", str(model_dir), "--port", str(port), *extra]
    base_url = f"http://127.0.0.1:{port}"
    with running(command, f"{base_url}/ready", env) as process:
        yield base_url, process


async def asgi_request(
    app: Any,
    path: str,
    body: bytes = b"",
    headers: dict[str, str] | None = None,
    method: str = "POST",
    chunk: int = 65_536,
) -> tuple[int, bytes, int]:
    """Call the ASGI app in-process; returns (status, body, body chunks the app received)."""
    offsets = list(range(0, len(body), chunk)) or [0]
    received: list[int] = []
    replies: list[dict[str, Any]] = []

    async def receive() -> dict[str, Any]:
        start = offsets.pop(0)  # chunks are cut on demand and dropped by the app: no copy kept
        received.append(start)
        return {
            "type": "http.request",
            "body": body[start : start + chunk],
            "more_body": bool(offsets),
        }

    async def send(message: dict[str, Any]) -> None:
        replies.append(message)

    sent = {"content-length": str(len(body)), **(headers or {})}
    scope = {
        "type": "http",
        "method": method,
        "path": path,
        "headers": [(k.lower().encode(), v.encode()) for k, v in sent.items()],
    }
    await app(scope, receive, send)
    return replies[0]["status"], replies[1]["body"], len(received)
