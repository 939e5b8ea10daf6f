"""The ASGI app in-process: fuzzed requests never get a 5xx, for a numeric regression and a
mixed classification contract alike; refused bodies are drained."""

from __future__ import annotations

import asyncio
import json
import tracemalloc
from dataclasses import replace
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model.folder import (
    ModelCard,
    ServingModel,
    load_model_dir,
)
from {{ cookiecutter.package_name }}.monitoring.config import CollectionSettings
from {{ cookiecutter.package_name }}.serving.config import (
    API_KEY_ENV,
    CONFIG_ENV,
    ServerConfig,
)
from {{ cookiecutter.package_name }}.serving.server import ScoringApp, create_app
from {{ cookiecutter.package_name }}.tasks.base import Prediction

from .conftest import ROW
from .contracts import FEATURES, RECORD, contract_of
from .serving_fixtures import API_KEY, AUTH, asgi_request, request_forms

JSON_HEADERS = {**AUTH, "content-type": "application/json"}
CSV_HEADERS = {**AUTH, "content-type": "text/csv"}
VALID = orjson.dumps({"input_data": {"columns": list(FEATURES), "data": [ROW]}})


@pytest.fixture(scope="module", params=["numbers", "binary"])
def app(request: pytest.FixtureRequest) -> ScoringApp:
    """The app exactly as a worker builds it: from a ServerConfig, the key from the environment;
    once for the diabetes numbers' regression, once for the mixed binary classifier."""
    folder = request.getfixturevalue("model_dir" if request.param == "numbers" else "binary_dir")
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setenv(API_KEY_ENV, API_KEY)
        return create_app(ServerConfig(folder, max_body_bytes=4096))


def valid_body(app: ScoringApp) -> bytes:
    """One valid request for the app's model."""
    if app.model.contract.is_classification:
        return orjson.dumps({"input_data": [RECORD]})
    return VALID


def call(app: ScoringApp, path: str, body: bytes, headers: dict[str, str] = JSON_HEADERS):
    return asyncio.run(asgi_request(app, path, body, headers))


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
VALUES = st.one_of(
    st.floats(),
    st.integers(),
    st.none(),
    st.booleans(),
    st.text(max_size=3),
    st.sampled_from(["plus", "north", "gold", ""]),
)
MIXED = [*RECORD]
NAMES = st.sampled_from([*FEATURES, *MIXED, "x", "", "columns", "data", "index"])
SPLIT = st.builds(
    lambda columns, rows, index: {"columns": columns, "data": rows, "index": index},
    st.lists(st.sampled_from([*FEATURES, *MIXED, "x", ""]), max_size=12),
    st.lists(st.lists(VALUES, max_size=11), max_size=3),
    st.one_of(st.none(), st.lists(st.integers(), max_size=3)),
)
TABLES = st.one_of(
    SPLIT,
    st.lists(st.lists(VALUES, max_size=11), max_size=3),  # rows
    st.lists(st.dictionaries(NAMES, VALUES, max_size=11), max_size=3),  # records
    st.dictionaries(NAMES, st.lists(VALUES, max_size=3) | VALUES, max_size=12),  # named columns
    st.lists(st.lists(VALUES, max_size=10) | st.dictionaries(NAMES, VALUES), max_size=3),  # mixed
)
FORM_KEYS = ["input_data", "dataframe_split", "dataframe_records", "instances", "inputs"]
NEAR_VALID = st.dictionaries(st.sampled_from(FORM_KEYS), TABLES, min_size=1, max_size=2)
BODIES = st.one_of(
    st.binary(max_size=64),
    JSON.map(lambda value: json.dumps(value).encode()),
    NEAR_VALID.map(lambda value: json.dumps(value).encode()),  # NaN/Infinity become non-JSON
)
CELLS = st.sampled_from(["", "0.5", " -1e3 ", "1e999", "nan", "true", "abc", '"', '"1,2"', "\x00"])
CSV_BODIES = st.builds(
    lambda header, rows, end: end.join(",".join(line) for line in [header, *rows]).encode(),
    st.lists(st.sampled_from([*FEATURES, *MIXED, "x", "", '"age"']), max_size=12),
    st.lists(st.lists(CELLS | st.text(max_size=4), max_size=11), max_size=3),
    st.sampled_from(["\n", "\r\n", "\n\n"]),
) | st.binary(max_size=64)


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES, path=st.sampled_from(["/score", "/invocations"]))
def test_fuzzed_requests_never_get_a_5xx(app: ScoringApp, body: bytes, path: str) -> None:
    status, reply, _ = call(app, path, body)
    assert status in {200, 400, 413, 422}, (body, reply)
    assert "error" in json.loads(reply) or status == 200


@settings(max_examples=400, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=CSV_BODIES, path=st.sampled_from(["/score", "/invocations"]))
def test_fuzzed_csv_bodies_never_get_a_5xx(app: ScoringApp, body: bytes, path: str) -> None:
    status, reply, _ = call(app, path, body, CSV_HEADERS)
    assert status in ({415} if path == "/score" else {200, 400, 413, 422}), (body, reply)
    assert "error" in json.loads(reply) or status == 200


def test_the_app_still_scores_after_bad_requests(app: ScoringApp) -> None:
    for body in (b"{", b"[]", b'{"input_data": [[null]]}', b"x" * 5000):
        assert call(app, "/score", body)[0] in {400, 413, 422}
    status, reply, _ = call(app, "/score", valid_body(app))
    assert status == 200
    assert len(json.loads(reply)["predictions"]) == 1


def test_an_oversized_body_is_drained_chunk_by_chunk_and_never_kept(app: ScoringApp) -> None:
    body = b"x" * (50 * 1024 * 1024)
    tracemalloc.start()
    try:
        status, reply, chunks = call(app, "/score", body)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert status == 413
    assert json.loads(reply)["error"] == "body larger than 4096 bytes"
    assert chunks == 800  # every 64 KiB chunk was read (and dropped), so the client gets the 413
    assert peak < 4 * 1024 * 1024, peak  # the test's own 50 MB body is allocated before tracing


def test_a_refused_request_is_drained_whatever_the_reason(app: ScoringApp) -> None:
    body = b"x" * (1024 * 1024)
    for headers, expected in ((JSON_HEADERS, 413), ({"content-type": "application/json"}, 401)):
        status, _, chunks = call(app, "/score", body, headers)
        assert (status, chunks) == (expected, 16)


@pytest.mark.parametrize(
    ("path", "content_type", "expected"),
    [("/invocations", "text/csv", 413), ("/score", "text/csv", 415)],
)
def test_a_csv_body_is_held_to_the_limit_and_a_refused_one_is_drained(
    app: ScoringApp, path: str, content_type: str, expected: int
) -> None:
    body = b"age\n" + b"1\n" * (512 * 1024 - 2)  # 1 MiB: 16 chunks of 64 KiB
    status, _, chunks = call(app, path, body, {**AUTH, "content-type": content_type})
    assert (status, chunks) == (expected, 16)


@pytest.mark.parametrize(
    ("path", "content_type", "message"),
    [
        ("/score", "text/csv", "unsupported content type 'text/csv': send application/json"),
        ("/invocations", "text/plain", "'text/plain': send application/json or text/csv"),
        ("/invocations", "text/csv; charset=latin-1", "unsupported charset in 'text/csv; char"),
    ],
)
def test_a_415_names_the_content_types_the_route_accepts(
    app: ScoringApp, path: str, content_type: str, message: str
) -> None:
    status, reply, _ = call(app, path, b"age\n1\n", {**AUTH, "content-type": content_type})
    assert (status, message in json.loads(reply)["error"]) == (415, True), reply


DEEP_FORMS = {
    name: form for name, form in request_forms([["deep", *ROW[1:]]]).items() if name != "csv"
}
MIXED_COLUMNS = tuple(RECORD)


def deep_forms(column: str) -> dict[str, tuple[str, str, bytes]]:
    """Every named JSON form of the mixed contract with "deep" in `column`."""
    row = [("deep" if name == column else value) for name, value in RECORD.items()]
    forms = request_forms([row], MIXED_COLUMNS, unnamed=False)
    return {name: form for name, form in forms.items() if name != "csv"}


@pytest.mark.parametrize("form", sorted(DEEP_FORMS))
def test_a_value_nested_a_thousand_levels_deep_is_a_422_in_every_json_form(
    model_dir: Path, form: str
) -> None:
    app = ScoringApp(load_model_dir(model_dir), None, 1 << 20)
    path, _, body = DEEP_FORMS[form]
    deep = b"[" * 1010 + b"]" * 1010  # JSON allows 1,024 levels; Python's json.dumps about 1,000
    status, reply, _ = call(app, path, body.replace(b'"deep"', deep))
    assert status == 422, reply
    assert json.loads(reply)["error"] == (
        "row 0, column 'age': a list nested too deeply to show is not a number"
    )


@pytest.mark.parametrize(
    ("column", "rule"),
    [("plan", "is not a category of 'plan'"), ("paperless", "is not true or false")],
)
def test_a_deeply_nested_category_or_boolean_is_a_422_in_every_json_form(
    binary_dir: Path, column: str, rule: str
) -> None:
    app = ScoringApp(load_model_dir(binary_dir), None, 1 << 20)
    deep = b"[" * 1010 + b"]" * 1010
    for name, (path, _, body) in deep_forms(column).items():
        status, reply, _ = call(app, path, body.replace(b'"deep"', deep))
        assert status == 422, (name, reply)
        error = json.loads(reply)["error"]
        assert error.startswith(f"row 0, column '{column}': a list nested too deeply to show ")
        assert rule in error


def test_a_client_waiting_for_100_continue_gets_the_refusal_without_uploading(
    app: ScoringApp,
) -> None:
    headers = {**JSON_HEADERS, "expect": "100-continue"}
    status, _, chunks = call(app, "/score", b"x" * 100_000, headers)
    assert (status, chunks) == (413, 0)


def test_the_app_factory_refuses_to_start_without_a_key(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(API_KEY_ENV, raising=False)
    with pytest.raises(LifecycleError, match="no API key"):
        create_app(ServerConfig(model_dir))
    assert create_app(ServerConfig(model_dir, auth=False)).key is None


def test_the_config_travels_to_workers_as_json_without_the_key(
    model_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    config = ServerConfig(model_dir, host="0.0.0.0", port=9000, workers=3, max_body_bytes=10)  # noqa: S104  # nosec B104 - a value under test, nothing binds
    config = replace(config, collect_rate=0.25, collect_dir=Path("/c"), collect_queue_size=5)
    monkeypatch.setenv(API_KEY_ENV, API_KEY)
    monkeypatch.setenv(CONFIG_ENV, config.to_json())
    assert ServerConfig.from_env() == config
    assert API_KEY not in config.to_json()


def nested_index_body(depth: int) -> bytes:
    """A valid request whose one index label is a list nested `depth` levels deep."""
    label = b"[" * depth + b"]" * depth
    head = orjson.dumps({"columns": list(FEATURES), "data": [ROW]})[:-1]
    return b'{"input_data": ' + head + b',"index": [' + label + b"]}}"


def collecting_app(model: ServingModel, folder: Path) -> ScoringApp:
    """An app without a key that collects every request it scores into `folder`."""
    return ScoringApp(model, None, 4096, CollectionSettings(1.0, folder, 100))


def collected_lines(app: ScoringApp, folder: Path) -> list[bytes]:
    """Stop the app's collector (writing what it accepted) and read every collected line."""
    assert app.collector is not None
    app.collector.close()
    return [line for path in folder.rglob("*.jsonl") for line in path.read_bytes().splitlines()]


def counted(app: ScoringApp, status: int) -> bool:
    """Whether the app's /metrics counts exactly one /score request answered `status`."""
    line = 'scoring_requests_total{route="/score",status="STATUS"} 1.0'
    return line.replace("STATUS", str(status)) in app.metrics.render().decode()


def test_a_deeply_nested_index_is_a_counted_400_and_never_collected(
    model_dir: Path, tmp_path: Path
) -> None:
    app = collecting_app(load_model_dir(model_dir), tmp_path)
    headers = {"content-type": "application/json"}
    status, reply, _ = call(app, "/score", nested_index_body(260), headers)
    assert status == 400
    assert json.loads(reply)["error"].startswith('"input_data.index" must be a flat list')
    assert counted(app, 400)
    assert collected_lines(app, tmp_path) == []


class UnserializableModel:
    """A defect: predictions that cannot be written as JSON."""

    card = ModelCard("broken", "1")
    contract = contract_of("numbers")

    def predict(self, features: Features) -> Prediction:
        return Prediction(np.array([object()] * len(features)))


class FailingModel:
    """A defect: the model raises."""

    card = ModelCard("broken", "1")
    contract = contract_of("numbers")

    def predict(self, features: Features) -> Prediction:
        raise RuntimeError("the model failed")


@pytest.mark.parametrize("model", [UnserializableModel(), FailingModel()])
def test_an_unexpected_error_is_a_counted_500_naming_the_request_and_never_collected(
    model: ServingModel, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app = collecting_app(model, tmp_path)
    headers = {"content-type": "application/json", "x-request-id": "req-1"}
    status, reply, _ = call(app, "/score", VALID, headers)
    assert (status, json.loads(reply)) == (
        500,
        {"error": "internal error: the server log has request req-1", "status": 500},
    )
    assert "request req-1: internal error" in capsys.readouterr().err
    assert counted(app, 500)
    assert collected_lines(app, tmp_path) == []
