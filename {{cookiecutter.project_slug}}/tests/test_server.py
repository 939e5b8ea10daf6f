"""The live server on loopback: request forms, a classifier's answer, auth, limits, headers,
metrics across workers, load."""

from __future__ import annotations

import asyncio
import http.client
import json
import re
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import httpx
import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.model.folder import load_model_dir
from {{ cookiecutter.package_name }}.serving.scoring import score

from .conftest import ROW
from .contracts import FEATURES, RECORD, contract_of, records
from .serving_fixtures import API_KEY, AUTH, live_server, request_forms

VALID = {"input_data": {"columns": list(FEATURES), "index": [5], "data": [ROW]}}
TWENTY_MB = 20 * 1024 * 1024
JSON_TYPE = {"Content-Type": "application/json"}
SCORE_COUNT = re.compile(r'^scoring_requests_total\{route="/score",status="200"\} (\S+)$', re.M)


def post(server: str, path: str = "/score", body=VALID, headers=AUTH, **kwargs) -> httpx.Response:
    return httpx.post(f"{server}{path}", json=body, headers=headers, timeout=30, **kwargs)


def test_score_returns_predictions_model_version_and_request_id(server: str) -> None:
    response = post(server)
    assert response.status_code == 200
    assert response.json()["index"] == [5]
    assert len(response.json()["predictions"]) == 1
    assert response.headers["x-model-version"] == "7"
    assert re.fullmatch(r"[0-9a-f]{32}", response.headers["x-request-id"])


def test_a_sane_request_id_from_the_client_is_echoed(server: str) -> None:
    response = post(server, headers={**AUTH, "x-request-id": "trace-42"})
    assert response.headers["x-request-id"] == "trace-42"


def test_invocations_speaks_the_mlflow_contract(server: str) -> None:
    body = {"dataframe_split": {"columns": list(FEATURES), "data": [ROW]}}
    mlflow = post(server, "/invocations", body).json()["predictions"]
    assert mlflow == post(server).json()["predictions"]


OTHER_ROW = [-0.01, 0.05, -0.02, 0.03, 0.01, 0.02, -0.03, 0.03, -0.01, 0.04]
FORMS = request_forms([ROW, OTHER_ROW])


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_gets_the_predictions_of_the_split_form(server: str, form: str) -> None:
    path, content_type, body = FORMS[form]
    headers = {**AUTH, "content-type": content_type}
    response = httpx.post(f"{server}{path}", content=body, headers=headers, timeout=30)
    split = {"input_data": {"columns": list(FEATURES), "data": [ROW, OTHER_ROW]}}
    assert response.status_code == 200, response.text
    assert response.json() == post(server, body=split).json()


def test_a_csv_written_by_pandas_to_csv_is_scored_and_its_index_echoed(server: str) -> None:
    frame = pd.DataFrame([ROW, OTHER_ROW], columns=list(FEATURES), index=["a", "b"])
    headers = {**AUTH, "content-type": "text/csv"}
    response = httpx.post(f"{server}/invocations", content=frame.to_csv(), headers=headers)
    assert response.status_code == 200, response.text
    assert response.json()["index"] == ["a", "b"]


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
    assert re.search(r'^scoring_requests_total\{route="/score",status="401"\} [1-9]', text, re.M)
    assert re.search(r'^scoring_request_seconds_bucket\{le="\+Inf"\} [1-9]', text, re.M)
    assert 'scoring_model_info{name="test-model",runtime="onnx",version="7"} 1.0' in text


def upload(server: str, body: bytes | Iterator[bytes], headers: dict[str, str]) -> int:
    """POST with urllib, which sends `Connection: close`: the server closes right after its
    reply, so any body bytes it left unread would reset the connection before the reply is read."""
    request = urllib.request.Request(f"{server}/score", data=body, headers=headers, method="POST")  # noqa: S310
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310  # nosec B310 - loopback
            return response.status
    except urllib.error.HTTPError as refused:
        return refused.code


def test_a_20_mb_body_gets_413_not_a_reset_connection(server: str) -> None:
    assert upload(server, b"x" * TWENTY_MB, {**AUTH, **JSON_TYPE}) == 413


def test_a_20_mb_chunked_body_without_length_gets_413(server: str) -> None:
    chunks = (b"x" * (1024 * 1024) for _ in range(20))
    assert upload(server, chunks, {**AUTH, **JSON_TYPE}) == 413


def test_an_unauthenticated_20_mb_upload_still_receives_its_401(server: str) -> None:
    assert upload(server, b"x" * TWENTY_MB, JSON_TYPE) == 401


def test_the_connection_stays_usable_after_a_413(server: str) -> None:
    connection = http.client.HTTPConnection(server.removeprefix("http://"), timeout=30)
    statuses, sockets = [], set()
    for body in (b"x" * (2 * 1024 * 1024), json.dumps(VALID).encode()):
        connection.request("POST", "/score", body=body, headers={**AUTH, **JSON_TYPE})
        sockets.add(id(connection.sock))
        response = connection.getresponse()
        response.read()
        statuses.append(response.status)
    connection.close()
    assert statuses == [413, 200]
    assert len(sockets) == 1  # one keep-alive connection answered both


@pytest.mark.parametrize(
    ("path", "content", "content_type", "status"),
    [
        ("/score", b"age\n1\n", "text/csv", 415),
        ("/score", b"{nope", "application/json", 400),
        ("/invocations", b"<rows/>", "application/xml", 415),
        ("/invocations", b"age,age\n1,2\n", "text/csv", 422),
        ("/invocations", ",".join(FEATURES).encode() + b'\n"1\n', "text/csv", 400),
    ],
)
def test_content_type_json_and_csv_are_enforced(
    server: str, path: str, content: bytes, content_type: str, status: int
) -> None:
    headers = {**AUTH, "content-type": content_type}
    response = httpx.post(f"{server}{path}", content=content, headers=headers)
    assert (response.status_code, response.json()["status"]) == (status, status)


def test_unknown_routes_and_methods_are_4xx(server: str) -> None:
    assert httpx.get(f"{server}/nope").status_code == 404
    assert httpx.get(f"{server}/score").status_code == 405


def test_serving_without_auth_needs_the_explicit_flag(model_dir: Path) -> None:
    with live_server(model_dir, "--no-auth") as base:
        assert post(base, headers={}).status_code == 200


def test_two_workers_answer_400_concurrent_requests_and_metrics_count_them_all(
    model_dir: Path,
) -> None:
    async def load(base: str) -> list[int]:
        async with httpx.AsyncClient(base_url=base, headers=AUTH, timeout=30) as client:

            async def worker() -> list[int]:
                return [(await client.post("/score", json=VALID)).status_code for _ in range(20)]

            batches = await asyncio.gather(*(worker() for _ in range(20)))
        return [status for batch in batches for status in batch]

    with live_server(model_dir, "--workers", "2", env={"SCORING_API_KEY": API_KEY}) as base:
        statuses = asyncio.run(load(base))
        scrapes = [httpx.get(f"{base}/metrics").text for _ in range(8)]
    assert statuses == [200] * 400
    counts = {float(match[1]) for text in scrapes if (match := SCORE_COUNT.search(text))}
    assert len(scrapes) == 8
    assert counts == {400.0}  # whichever worker answers the scrape, it reports the whole server


@pytest.fixture(scope="module")
def classifier(binary_dir: Path) -> Iterator[str]:
    """A live server of the mixed binary classifier, with key auth."""
    with live_server(binary_dir, env={"SCORING_API_KEY": API_KEY}) as base_url:
        yield base_url


MIXED_ROWS = [RECORD, *records(contract_of("binary"), 3, seed=4)]
MIXED_COLUMNS = tuple(RECORD)
MIXED_FORMS = request_forms(
    [[row[name] for name in MIXED_COLUMNS] for row in MIXED_ROWS], MIXED_COLUMNS, unnamed=False
)


@pytest.mark.parametrize("path", ["/score", "/invocations"])
def test_json_records_with_text_and_booleans_get_labels_and_class_probabilities(
    classifier: str, binary_dir: Path, path: str
) -> None:
    key = "input_data" if path == "/score" else "dataframe_records"
    response = post(classifier, path, {key: MIXED_ROWS})
    assert response.status_code == 200, response.text
    answer = response.json()
    assert list(answer) == ["predictions", "probabilities", "classes"]
    assert answer["classes"] == ["churn", "stay"]
    sklearn = score({"input_data": MIXED_ROWS}, load_model_dir(binary_dir, prefer_onnx=False))
    assert answer["predictions"] == sklearn["predictions"]  # at the card's threshold
    assert np.allclose(answer["probabilities"], sklearn["probabilities"], atol=1e-6)
    assert np.allclose(np.sum(answer["probabilities"], axis=1), 1.0, atol=1e-6)


@pytest.mark.parametrize("form", sorted(MIXED_FORMS))
def test_every_form_of_a_mixed_request_gets_the_same_answer(classifier: str, form: str) -> None:
    path, content_type, body = MIXED_FORMS[form]
    headers = {**AUTH, "content-type": content_type}
    response = httpx.post(f"{classifier}{path}", content=body, headers=headers, timeout=30)
    assert response.status_code == 200, response.text
    assert response.json() == post(classifier, body={"input_data": MIXED_ROWS}).json()


def test_an_unknown_category_is_a_422_naming_the_column_and_its_categories(
    classifier: str,
) -> None:
    response = post(classifier, "/invocations", {"dataframe_records": [{**RECORD, "plan": "gold"}]})
    assert response.status_code == 422
    assert response.json()["error"] == (
        'row 0, column \'plan\': "gold" is not a category of \'plan\': "basic", "plus", "pro"'
    )
