"""A small packaged model folder and live scoring servers on loopback, for serving tests."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import orjson

from {{ cookiecutter.package_name }}.serving.local import free_port, running

from .contracts import FEATURES

API_KEY = "test-key-0123456789-0123456789-01"  # checkov:skip=CKV_SECRET_6: the tests' fake key
AUTH = {"Authorization": f"Bearer {API_KEY}"}
JSON_TYPE, CSV_TYPE = "application/json", "text/csv"
Form = tuple[str, str, bytes]  # route, content type, body


def request_forms(
    rows: list[list[Any]], columns: tuple[str, ...] = FEATURES, unnamed: bool = True
) -> dict[str, Form]:
    """Every input form the two routes accept, each carrying `rows` under `columns` (records and
    named columns name the columns in reverse order, which the server must undo). With
    `unnamed`, lists of rows without names too: `columns` must then be the contract's features
    in order."""
    names = list(reversed(columns))
    records = [{name: row[columns.index(name)] for name in names} for row in rows]
    named = {name: [row[columns.index(name)] for row in rows] for name in names}
    split = {"columns": list(columns), "data": rows}
    json_forms = {
        "score split": ("/score", {"input_data": split}),
        "score records": ("/score", {"input_data": records}),
        "score named columns": ("/score", {"input_data": named}),
        "dataframe_split": ("/invocations", {"dataframe_split": split}),
        "dataframe_records": ("/invocations", {"dataframe_records": records}),
    }
    for key in ("instances", "inputs"):
        json_forms[f"{key} records"] = ("/invocations", {key: records})
        json_forms[f"{key} named columns"] = ("/invocations", {key: named})
    if unnamed:
        json_forms["score rows"] = ("/score", {"input_data": rows})
        for key in ("instances", "inputs"):
            json_forms[f"{key} rows"] = ("/invocations", {key: rows})
    forms = {
        name: (path, JSON_TYPE, orjson.dumps(body)) for name, (path, body) in json_forms.items()
    }
    lines = [",".join(columns), *(",".join(map(csv_cell, row)) for row in rows)]
    forms["csv"] = ("/invocations", CSV_TYPE, "\n".join(lines).encode() + b"\n")
    return forms


def csv_cell(value: Any) -> str:
    """A JSON value as a CSV cell: null empty, booleans true/false, the rest as written."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


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
