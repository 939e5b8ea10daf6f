"""The live server on loopback: contracts, auth, limits, headers, metrics, fuzzing and load."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.schema import FEATURES

from .serving_fixtures import API_KEY, start_server

ROW = [0.04, 0.05, 0.06, 0.02, -0.04, -0.03, -0.04, 0.0, 0.02, -0.02]
AUTH = {"Authorization": f"Bearer {API_KEY}"}
VALID = {"input_data": {"columns": list(FEATURES), "index": [5], "data": [ROW]}}


def post(server: str, path: str = "/score", body=VALID, headers=AUTH, **kwargs) -> httpx.Response:
    return httpx.post(f"{server}{path}", json=body, headers=headers, timeout=10, **kwargs)


def test_score_returns_predictions_model_version_and_request_id(server: str) -> None:
    response = post(server)
    assert response.status_code == 200
    assert response.json()["index"] == [5]
    assert len(response.json()["predictions"]) == 1
    assert response.headers["x-model-version"] == "7"
    assert len(response.headers["x-request-id"]) == 32


def test_a_sane_request_id_from_the_client_is_echoed(server: str) -> None:
    response = post(server, headers={**AUTH, "x-request-id": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"


def test_invocations_speaks_the_mlflow_contract(server: str) -> None:
    body = {"dataframe_split": {"columns": list(FEATURES), "data": [ROW]}}
    mlflow = post(server, "/invocations", body).json()["predictions"]
    assert mlflow == post(server).json()["predictions"]


@pytest.mark.parametrize(
    "headers", [{}, {"Authorization": "Bearer wrong"}, {"Authorization": API_KEY}]
)
def test_requests_without_the_right_key_get_401(server: str, headers: dict) -> None:
    response = post(server, headers=headers)
    assert response.status_code == 401
    assert "Authorization: Bearer" in response.json()["error"]


def test_probes_and_metrics_need_no_key(server: str) -> None:
    for path in ("/", "/health", "/ready", "/metrics"):
        assert httpx.get(f"{server}{path}").status_code == 200
    assert httpx.get(f"{server}/ready").json()["runtime"] == "onnx"


def test_metrics_count_requests_by_route_and_status(server: str) -> None:
    post(server, headers={})
    text = httpx.get(f"{server}/metrics").text
    assert 'scoring_requests_total{route="/score",status="401"}' in text
    assert 'scoring_request_seconds_bucket{le="+Inf"}' in text
    assert 'scoring_model_info{name="test-model",version="7",runtime="onnx"} 1' in text


@pytest.mark.parametrize(
    ("kwargs", "status"),
    [
        (
            {"content": b"x" * 2_000_000, "headers": {**AUTH, "content-type": "application/json"}},
            413,
        ),
        ({"content": b"{}", "headers": {**AUTH, "content-type": "text/csv"}}, 415),
        ({"content": b"{nope", "headers": {**AUTH, "content-type": "application/json"}}, 400),
    ],
)
def test_limits_and_content_type_are_enforced(server: str, kwargs: dict, status: int) -> None:
    assert httpx.post(f"{server}/score", timeout=10, **kwargs).status_code == status


def test_unknown_routes_and_methods_are_4xx(server: str) -> None:
    assert httpx.get(f"{server}/nope").status_code == 404
    assert httpx.get(f"{server}/score").status_code == 405


def test_serving_without_auth_needs_the_explicit_flag(model_dir) -> None:
    for base in start_server(model_dir, "--no-auth"):
        assert post(base, headers={}).status_code == 200


JSON = st.recursive(
    st.none() | st.booleans() | st.floats(allow_nan=False) | st.integers() | st.text(max_size=5),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)
NEAR_VALID = st.builds(
    lambda columns, rows, index: {"input_data": {"columns": columns, "data": rows, "index": index}},
    st.lists(st.sampled_from([*FEATURES, "x", ""]), max_size=12),
    st.lists(
        st.lists(
            st.one_of(st.floats(), st.integers(), st.none(), st.text(max_size=3)), max_size=11
        ),
        max_size=3,
    ),
    st.one_of(st.none(), st.lists(st.integers(), max_size=3)),
)
BODIES = st.one_of(
    st.binary(max_size=64),
    JSON.map(lambda value: json.dumps(value).encode()),
    NEAR_VALID.map(lambda value: json.dumps(value).encode()),  # NaN/Infinity become non-JSON
)
FUZZ_COUNT = {"requests": 0}


@settings(max_examples=600, deadline=None, suppress_health_check=list(HealthCheck))
@given(body=BODIES, path=st.sampled_from(["/score", "/invocations"]))
def test_fuzzed_requests_never_get_a_5xx(server: str, body: bytes, path: str) -> None:
    headers = {**AUTH, "content-type": "application/json"}
    response = httpx.post(f"{server}{path}", content=body, headers=headers, timeout=10)
    FUZZ_COUNT["requests"] += 1
    assert response.status_code < 500, (body, response.text)
    assert response.status_code in {200, 400, 422}


def test_server_is_still_ready_after_the_fuzzing(server: str) -> None:
    assert FUZZ_COUNT["requests"] >= 500
    assert httpx.get(f"{server}/ready").status_code == 200
    assert post(server).status_code == 200


def test_5000_requests_at_concurrency_16_all_succeed(server: str) -> None:
    async def worker(client: httpx.AsyncClient, count: int) -> list[int]:
        return [(await client.post("/score", json=VALID)).status_code for _ in range(count)]

    async def run() -> list[int]:
        async with httpx.AsyncClient(base_url=server, headers=AUTH, timeout=30) as client:
            batches = await asyncio.gather(*(worker(client, 5000 // 16 + 1) for _ in range(16)))
        return [status for batch in batches for status in batch]

    statuses = asyncio.run(run())
    assert len(statuses) >= 5000
    assert set(statuses) == {200}
