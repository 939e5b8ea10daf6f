"""One-row HTTP requests at concurrency 1 and 8 against each server, one worker, loopback."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import orjson
import servers
from loadgen import run_load
from sample import json_rows

from {{ cookiecutter.package_name }}.model.folder import load_model_dir

CONTENDERS = ("ours", "mlflow", "azmlinfsrv")
Check = Callable[[str, int, object], None]  # contender, status and answer of its first request


def http(
    model_dir: Path,
    total: int,
    names: Sequence[str] = CONTENDERS,
    label: str = "",
    check: Check | None = None,
) -> dict:
    """`names`' servers on the folder's model: latency and throughput at c=1 and c=8.

    With `check`, each contender's answer to one request is checked before the load.
    """
    contract = load_model_dir(model_dir).contract
    split = {"columns": list(contract.feature_names), "data": json_rows(contract, 1)}
    contenders = {
        "ours": (
            servers.ours(model_dir),
            "/score",
            "/health",
            {"input_data": split},
            {"Authorization": f"Bearer {servers.API_KEY}"},
        ),
        "mlflow": (
            servers.mlflow_serve(model_dir),
            "/invocations",
            "/ping",
            {"dataframe_split": split},
            {},
        ),
        "azmlinfsrv": (servers.azmlinfsrv(model_dir), "/score", "/", {"input_data": split}, {}),
    }
    results = {}
    for name in names:
        (command, env), path, probe, payload, headers = contenders[name]
        count = total if name != "mlflow" else max(200, total // 20)
        with servers.serving(command, probe, env) as port:
            if check is not None:
                check(name, *servers.answer(port, path, orjson.dumps(payload), headers))
            for concurrency in (1, 8):
                print(
                    f"  http {label}{name} c={concurrency}: {count} requests",
                    file=sys.stderr,
                    flush=True,
                )
                result = run_load(
                    "127.0.0.1",
                    port,
                    path,
                    orjson.dumps(payload),
                    total=count,
                    concurrency=concurrency,
                    headers=headers,
                )
                results[f"{name}_c{concurrency}"] = result.__dict__
    return results
