"""Online data collection: the exact line format for every task, sampling, per-worker files,
drops, shutdown, and encoding only in the writer thread."""

from __future__ import annotations

import asyncio
import json
import os
import re
import socket
import stat
import sys
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import orjson
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.model.folder import load_model_dir
from {{ cookiecutter.package_name }}.monitoring import encoding
from {{ cookiecutter.package_name }}.monitoring.config import CollectionSettings
from {{ cookiecutter.package_name }}.monitoring.logs import parse_line
from {{ cookiecutter.package_name }}.serving.local import free_port, running
from {{ cookiecutter.package_name }}.serving.server import ScoringApp
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks.base import Prediction

from .conftest import ROW, invoke
from .contracts import FEATURES, TASKS, contract_of, table
from .monitoring_fixtures import RuleModel, collect, features
from .serving_fixtures import asgi_request, live_server

KEYS = ["time", "request_id", "model", "model_version", "features", "inputs", "outputs"]
TIME = re.compile(r"(\d{4}-\d\d-\d\d)T\d\d:\d\d:\d\d\.\d{3}Z")
FILE = re.compile(re.escape(socket.gethostname()) + r"-(\d+)\.jsonl")
OTHER_ROW = [0.01, -0.04, 0.03, 0.01, 0.02, 0.0, -0.01, 0.03, -0.02, 0.05]
SPLIT = {"columns": list(FEATURES), "data": [ROW, OTHER_ROW]}
SENT_MATRIX = np.asarray([ROW, OTHER_ROW], np.float32)  # what the server scored
QUEUE_FULL = re.compile(r'^scoring_collection_dropped_total\{reason="queue_full"\} (\S+)$', re.M)


def post(base: str, path: str = "/score", body: Any = None, **headers: str) -> httpx.Response:
    return httpx.post(f"{base}{path}", json=body or {"input_data": SPLIT}, headers=headers)


def collected(folder: Path) -> dict[Path, list[dict[str, Any]]]:
    """Every collected file under `folder` and its lines, parsed (key order kept)."""
    return {
        path: [json.loads(line) for line in path.read_bytes().splitlines()]
        for path in sorted(folder.rglob("*.jsonl"))
    }


def test_each_sampled_request_is_one_line_in_the_exact_format_matching_its_response(
    model_dir: Path, tmp_path: Path
) -> None:
    options = ("--no-auth", "--collect-rate", "1", "--collect-dir", str(tmp_path))
    with live_server(model_dir, *options) as base:
        replies = [
            post(base, **{"x-request-id": "client-id-1"}),
            post(base),
            post(base, "/invocations", {"dataframe_split": SPLIT}),
        ]
        refused = post(base, body={"input_data": {"columns": ["age"], "data": [[1]]}})
    assert [reply.status_code for reply in replies] == [200, 200, 200]
    assert refused.status_code == 422
    [(path, lines)] = collected(tmp_path).items()
    assert [line["request_id"] for line in lines] == [r.headers["x-request-id"] for r in replies]
    for line, reply in zip(lines, replies, strict=True):
        assert list(line) == KEYS
        day = TIME.fullmatch(line["time"])
        assert day is not None
        assert path.parent.name == day[1]
        assert (line["model"], line["model_version"]) == ("test-model", "7")
        assert line["features"] == list(FEATURES)
        assert np.array_equal(np.asarray(line["inputs"], np.float32), SENT_MATRIX)
        assert line["outputs"] == reply.json()["predictions"]
    assert FILE.fullmatch(path.name)
    assert path.parent.parent == tmp_path


def test_rate_0_collects_nothing(model_dir: Path, tmp_path: Path) -> None:
    target = tmp_path / "collected"
    options = ("--no-auth", "--collect-rate", "0", "--collect-dir", str(target))
    with live_server(model_dir, *options) as base:
        assert [post(base).status_code for _ in range(20)] == [200] * 20
    assert not target.exists()


def test_two_workers_write_separate_files_that_hold_every_request(
    model_dir: Path, tmp_path: Path
) -> None:
    async def load(base: str) -> list[str]:
        limits = httpx.Limits(max_keepalive_connections=0)  # a new connection per request
        async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:

            async def worker() -> list[str]:
                body = {"input_data": SPLIT}
                replies = [await client.post("/score", json=body) for _ in range(10)]
                return [reply.headers["x-request-id"] for reply in replies]

            batches = await asyncio.gather(*(worker() for _ in range(20)))
        return [request_id for batch in batches for request_id in batch]

    options = ("--no-auth", "--workers", "2", "--collect-rate", "1", "--collect-dir", str(tmp_path))
    with live_server(model_dir, *options) as base:
        sent = asyncio.run(load(base))
    files = collected(tmp_path)
    pids = {match[1] for path in files if (match := FILE.fullmatch(path.name))}
    assert len(files) == len(pids) == 2  # one file per worker process
    written = [line["request_id"] for lines in files.values() for line in lines]
    assert sorted(written) == sorted(sent)
    assert len(set(sent)) == 200


def test_a_full_queue_drops_and_counts_exactly_what_the_stuck_writer_never_got(
    project: Settings, model_dir: Path
) -> None:
    config = project.root / "mlops.toml"
    text = config.read_text(encoding="utf-8").replace("sample_rate = 0.0", "sample_rate = 1.0")
    config.write_text(text.replace("queue_size = 10000", "queue_size = 3"), encoding="utf-8")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "{{ cookiecutter.package_name }}", "serve"]
    command += ["--no-auth", "--model-dir", str(model_dir), "--port", str(port)]
    received: list[bytes] = []
    with running(command, f"{base}/ready") as server:
        day = datetime.now(UTC).strftime("%Y-%m-%d")
        folder = project.root / "data" / "collected" / day
        folder.mkdir(parents=True)
        fifo = folder / f"{socket.gethostname()}-{server.pid}.jsonl"
        os.mkfifo(fifo)  # the writer blocks opening it until a reader comes
        replies = [post(base) for _ in range(40)]
        dropped = float(QUEUE_FULL.findall(httpx.get(f"{base}/metrics").text)[0])
        reader = threading.Thread(target=lambda: received.extend(fifo.open("rb")))
        reader.start()  # unblocks the writer; the server's shutdown then flushes and closes
    reader.join(timeout=60)
    assert [reply.status_code for reply in replies] == [200] * 40
    lines = [orjson.loads(line) for line in received]
    assert dropped + len(lines) == 40  # every request is either written or counted as dropped
    assert dropped >= 40 - 2 * 3  # at most one drained batch and one full queue got through
    sent = [reply.headers["x-request-id"] for reply in replies]
    written = [line["request_id"] for line in lines]  # each once, in the order they were sent
    assert written == [request_id for request_id in sent if request_id in set(written)]


def test_shutdown_writes_every_accepted_sample(model_dir: Path, tmp_path: Path) -> None:
    settings = CollectionSettings(sample_rate=1.0, directory=tmp_path, queue_size=10_000)
    app = ScoringApp(load_model_dir(model_dir), None, 1 << 20, settings)
    body = orjson.dumps({"input_data": SPLIT})
    headers = {"content-type": "application/json"}

    async def serve_then_stop() -> list[int]:
        statuses = [(await asgi_request(app, "/score", body, headers))[0] for _ in range(500)]
        messages = iter([{"type": "lifespan.startup"}, {"type": "lifespan.shutdown"}])
        sent: list[dict[str, Any]] = []

        async def receive() -> dict[str, Any]:
            return next(messages)

        async def send(message: dict[str, Any]) -> None:
            sent.append(message)

        await app({"type": "lifespan"}, receive, send)
        assert [message["type"] for message in sent][-1] == "lifespan.shutdown.complete"
        return statuses

    assert asyncio.run(serve_then_stop()) == [200] * 500
    assert sum(len(lines) for lines in collected(tmp_path).values()) == 500


def test_collected_requests_are_owner_only_whatever_the_umask(
    model_dir: Path, tmp_path: Path
) -> None:
    target = tmp_path / "collected"
    app = ScoringApp(load_model_dir(model_dir), None, 1 << 20, CollectionSettings(1.0, target, 10))
    body, headers = orjson.dumps({"input_data": SPLIT}), {"content-type": "application/json"}
    previous = os.umask(0o022)  # the usual default: 0644 files, 0755 folders
    try:
        status = asyncio.run(asgi_request(app, "/score", body, headers))[0]
        assert app.collector is not None
        app.collector.close()  # the writer thread creates the file under this umask
    finally:
        os.umask(previous)
    files = list(target.rglob("*.jsonl"))
    assert (status, len(files)) == (200, 1)
    modes = [stat.S_IMODE(path.stat().st_mode) for path in (target, files[0].parent, files[0])]
    assert modes == [0o700, 0o700, 0o600]


@pytest.mark.parametrize("rate", ["1.5", "-0.1", "half"])
def test_a_bad_collect_rate_is_refused_naming_the_option(model_dir: Path, rate: str) -> None:
    result = invoke("serve", "--no-auth", "--model-dir", str(model_dir), "--collect-rate", rate)
    assert result.exit_code == 2
    assert "Invalid value for '--collect-rate'" in result.stderr
    assert "Traceback" not in result.stderr


def test_a_classifier_line_holds_typed_rows_its_labels_and_probabilities(tmp_path: Path) -> None:
    contract = contract_of("binary")
    frame = pd.DataFrame(
        {
            "customer_id": ["a", "b"],
            "tenure": [30, 12],
            "monthly": [130.5, None],
            "visits": [3, None],
            "plan": ["pro", "basic"],
            "region": ["north", ""],
            "paperless": ["true", "false"],
            "autopay": [None, "false"],
        }
    )
    prediction = Prediction(
        np.array(["stay", "churn"], dtype=object), np.array([[0.2, 0.8], [0.9, 0.1]])
    )
    [line], _ = collect(contract, tmp_path, [(features(contract, frame), prediction)])
    record = json.loads(line)
    assert list(record) == [*KEYS, "probabilities"]
    assert (record["model"], record["model_version"]) == ("churn", "5")
    assert record["features"] == [
        "tenure", "monthly", "visits", "plan", "region", "paperless", "autopay",
    ]  # fmt: skip
    assert record["inputs"] == [
        [30.0, 130.5, 3.0, "pro", "north", True, None],
        [12.0, None, None, "basic", None, False, False],
    ]
    assert record["outputs"] == ["stay", "churn"]
    assert record["probabilities"] == [[0.2, 0.8], [0.9, 0.1]]


def test_a_multiclass_line_keeps_integer_labels(tmp_path: Path) -> None:
    contract = contract_of("multiclass")
    rows = features(contract, table(contract, 3, seed=1))
    [line], _ = collect(contract, tmp_path, [(rows, RuleModel(contract).predict(rows))])
    record = json.loads(line)
    assert all(type(label) is int for label in record["outputs"])
    assert all(len(row) == 3 for row in record["probabilities"])


@pytest.mark.parametrize("task", TASKS)
def test_collected_lines_read_back_as_the_features_and_prediction_that_were_offered(
    task: str, tmp_path: Path
) -> None:
    contract = contract_of(task)
    model = RuleModel(contract)
    parts = [features(contract, table(contract, 20, seed)) for seed in range(3)]
    samples = [(rows, model.predict(rows)) for rows in parts]
    lines, counts = collect(contract, tmp_path, samples)
    assert (len(lines), counts["written"].value) == (3, 3)
    for line, (rows, prediction) in zip(lines, samples, strict=True):
        parsed = parse_line(line, contract)
        assert parsed is not None
        assert parsed.version == "5"
        np.testing.assert_array_equal(parsed.features.numbers, rows.numbers)  # NaN where missing
        assert parsed.features.categories.keys() == rows.categories.keys()
        for name, keys in rows.categories.items():
            assert parsed.features.categories[name].tolist() == keys.tolist()
        assert parsed.prediction is not None
        assert parsed.prediction.values.tolist() == prediction.values.tolist()
        probabilities = parsed.prediction.probabilities
        if prediction.probabilities is None:
            assert probabilities is None
        else:
            assert probabilities is not None
            np.testing.assert_allclose(probabilities, prediction.probabilities)


def test_encoding_happens_in_the_writer_thread_never_on_the_request_path(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    threads: list[str] = []
    encode = encoding.InputRows.encode

    def recording(self: encoding.InputRows, rows: Any) -> bytes:
        threads.append(threading.current_thread().name)
        return encode(self, rows)

    monkeypatch.setattr(encoding.InputRows, "encode", recording)
    contract = contract_of("binary")
    rows = features(contract, table(contract, 5, seed=2))
    lines, _ = collect(contract, tmp_path, [(rows, RuleModel(contract).predict(rows))] * 4)
    assert len(lines) == 4
    assert threads == ["collection-writer"] * 4


def test_a_sample_that_cannot_be_encoded_is_counted_and_the_writer_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    contract = contract_of("multiclass")
    rows = features(contract, table(contract, 2, seed=3))
    good = RuleModel(contract).predict(rows)
    broken = Prediction(np.array([object(), object()], dtype=object), good.probabilities)
    lines, counts = collect(contract, tmp_path, [(rows, broken), (rows, good)])
    assert [json.loads(line)["request_id"] for line in lines] == ["r1"]
    assert (counts["written"].value, counts["write_failed"].value) == (1, 1)
    assert "a collected sample could not be encoded" in capsys.readouterr().err
