"""The Azure ML entry script under the real Azure ML inference server (azmlinfsrv), and its data
collection through the real azureml.ai.monitoring Collector."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import numpy as np
import pytest
from azureml.ai.monitoring.init import teardown
from azureml.ai.monitoring.queue import get_queue

import {{ cookiecutter.package_name }}.serving.azureml_online as entry
from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.model.folder import find_model_dir, load_model_dir
from {{ cookiecutter.package_name }}.serving.azureml_collector import (
    ModelDataCollector,
    inputs_frame,
    outputs_frame,
)
from {{ cookiecutter.package_name }}.serving.local import free_port, running
from {{ cookiecutter.package_name }}.serving.scoring import dumps
from {{ cookiecutter.package_name }}.serving.scoring import score as score_core
from {{ cookiecutter.package_name }}.tasks.base import Prediction

from .collector_fixtures import Sidecar, running_sidecar, write_collector_config
from .conftest import ROW
from .contracts import FEATURES, RECORD, contract_of
from .model_fixtures import record_features
from .serving_fixtures import AUTH, request_forms

OTHER_ROW = [-0.01, 0.05, -0.02, 0.03, 0.01, 0.02, -0.03, 0.03, -0.01, 0.04]
AZURE_ML_FORMS = {
    name: form for name, form in request_forms([ROW, OTHER_ROW]).items() if form[0] == "/score"
}
REGRESSION = contract_of("numbers")
TARGET = REGRESSION.target.column
COLLECTOR_ENV = ("AZUREML_MDC_CONFIG_PATH", "AZUREML_MDC_ENABLED", "AZUREML_MDC_PORT")


@contextmanager
def azmlinfsrv_running(model_dir: Path, root: Path, env: dict[str, str]) -> Iterator[str]:
    """azmlinfsrv on loopback with AZUREML_MODEL_DIR holding the model in a subfolder."""
    (root / "model").symlink_to(model_dir, target_is_directory=True)
    port = free_port()
    command = [str(Path(sys.executable).parent / "azmlinfsrv"), "--entry_script", entry.__file__]
    env = {"AZUREML_MODEL_DIR": str(root), "WORKER_COUNT": "1", **env}
    with running([*command, "--port", str(port)], f"http://127.0.0.1:{port}/", env):
        yield f"http://127.0.0.1:{port}"


@pytest.fixture(scope="module")
def sidecar() -> Iterator[Sidecar]:
    """Azure ML's data collector sidecar, recording what the entry script collects."""
    with running_sidecar() as running:
        yield running


@pytest.fixture(scope="module")
def azmlinfsrv(
    model_dir: Path, sidecar: Sidecar, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[str]:
    """The entry script as deployed with data_collector enabled for inputs and outputs."""
    root = tmp_path_factory.mktemp("azureml-model")
    config = write_collector_config(tmp_path_factory.mktemp("mdc") / "config.json")
    env = {"AZUREML_MDC_CONFIG_PATH": str(config), "AZUREML_MDC_PORT": str(sidecar.port)}
    with azmlinfsrv_running(model_dir, root, env) as base_url:
        yield base_url


def score(base_url: str, body: object) -> httpx.Response:
    return httpx.post(f"{base_url}/score", json=body, timeout=10)


def test_entry_script_scores_like_our_server(azmlinfsrv: str, server: str) -> None:
    body = {"input_data": {"columns": list(FEATURES), "index": [3], "data": [ROW]}}
    ours = httpx.post(f"{server}/score", json=body, headers=AUTH)
    theirs = score(azmlinfsrv, body)
    assert theirs.status_code == 200
    assert theirs.json() == ours.json()
    assert theirs.headers["x-model-version"] == "7"


@pytest.mark.parametrize("form", sorted(AZURE_ML_FORMS))
def test_entry_script_takes_every_azure_ml_form_like_our_server(
    azmlinfsrv: str, server: str, form: str
) -> None:
    _, content_type, body = AZURE_ML_FORMS[form]
    headers = {"content-type": content_type}
    theirs = httpx.post(f"{azmlinfsrv}/score", content=body, headers=headers, timeout=10)
    ours = httpx.post(f"{server}/score", content=body, headers={**AUTH, **headers})
    assert theirs.status_code == 200, theirs.text
    assert theirs.json() == ours.json()
    assert len(theirs.json()["predictions"]) == 2


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"input_data": [[1.0] * 9]}, 422, "row 0 has 9 values, expected 10"),
        ({"data": []}, 400, 'missing "input_data"'),
        (
            {"input_data": {"columns": list(FEATURES[:-1]), "data": [ROW[:-1]]}},
            422,
            "missing column 's6'",
        ),
        (
            {"input_data": {**{name: [0.0] for name in FEATURES}, "sex": [1.0, 2.0]}},
            422,
            "column 'sex' has 2 values but column 'age' has 1",
        ),
        ({"input_data": {f"c{n}": [0] for n in range(40_000)}}, 422, "40000 columns, more than"),
        ({"input_data": {"columns": ["age"], "data": [[1]], "sex": [1]}}, 400, "mixes the split"),
    ],
)
def test_entry_script_refuses_bad_input_with_a_4xx(
    azmlinfsrv: str, body, status: int, message: str
) -> None:
    response = score(azmlinfsrv, body)
    assert response.status_code == status
    assert message in response.json()["error"]


def test_model_dir_finds_the_single_packaged_folder(model_dir: Path, tmp_path: Path) -> None:
    (tmp_path / "nested").symlink_to(model_dir, target_is_directory=True)
    assert find_model_dir(tmp_path) == tmp_path / "nested"
    assert find_model_dir(model_dir) == model_dir


def test_entry_script_hands_inputs_and_outputs_to_the_data_collector(
    azmlinfsrv: str, sidecar: Sidecar
) -> None:
    body = {"input_data": {"columns": list(FEATURES), "data": [ROW, OTHER_ROW]}}
    response = score(azmlinfsrv, body)
    assert response.status_code == 200
    inputs = sidecar.find("model_inputs", lambda payload: len(payload.rows) == 2)
    outputs = sidecar.find("model_outputs", lambda p: p.correlation_id == inputs.correlation_id)
    assert inputs.correlation_id
    assert [list(row) for row in inputs.rows] == [list(FEATURES)] * 2
    assert np.allclose([list(row.values()) for row in inputs.rows], [ROW, OTHER_ROW])
    assert [list(row) for row in outputs.rows] == [[TARGET]] * 2
    predictions = [row[TARGET] for row in outputs.rows]
    assert np.allclose(predictions, response.json()["predictions"], rtol=1e-9)


def test_invalid_input_is_not_collected(azmlinfsrv: str, sidecar: Sidecar) -> None:
    invalid = {"input_data": [[*ROW[:-1], "abc"]]}
    assert score(azmlinfsrv, invalid).status_code == 422
    assert score(azmlinfsrv, {"input_data": [OTHER_ROW]}).status_code == 200
    # one sender thread, first in first out: the invalid request's tables would have come first
    valid = sidecar.find("model_inputs", lambda p: np.isclose(p.rows[0]["age"], OTHER_ROW[0]))
    earlier = sidecar.payloads[: sidecar.payloads.index(valid)]
    assert not [payload for payload in earlier if "abc" in str(payload.rows)]


def test_entry_script_scores_when_the_collector_config_is_unreadable(
    model_dir: Path, server: str, tmp_path: Path
) -> None:
    env = {"AZUREML_MDC_CONFIG_PATH": str(tmp_path / "missing.json")}
    with azmlinfsrv_running(model_dir, tmp_path, env) as base_url:
        body = {"input_data": [ROW]}
        response = score(base_url, body)
    assert response.status_code == 200
    assert response.json() == httpx.post(f"{server}/score", json=body, headers=AUTH).json()


def test_entry_script_answers_a_classifier_as_our_core_does(
    binary_dir: Path, tmp_path: Path
) -> None:
    body = {"input_data": [RECORD, {**RECORD, "plan": "pro", "region": "south"}]}
    with azmlinfsrv_running(binary_dir, tmp_path, {}) as base_url:
        response = score(base_url, body)
        unknown = score(base_url, {"input_data": [{**RECORD, "plan": "gold"}]})
    assert response.status_code == 200, response.text
    assert response.json() == json.loads(dumps(score_core(body, load_model_dir(binary_dir))))
    assert list(response.json()) == ["predictions", "probabilities", "classes"]
    assert unknown.status_code == 422
    assert '"gold" is not a category of \'plan\': "basic", "plus", "pro"' in unknown.json()["error"]


@pytest.fixture
def collector_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    """No collector settings from the outside; the SDK's global state is reset afterwards."""
    for name in COLLECTOR_ENV:
        monkeypatch.delenv(name, raising=False)
    yield monkeypatch
    teardown()


def one_row() -> tuple[Features, Prediction]:
    return Features(np.array([ROW], dtype=np.float32), {}), Prediction(np.array([151.5]))


def test_collection_is_off_outside_azure_ml(
    collector_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING):
        collector = ModelDataCollector(REGRESSION)
        collector.collect(*one_row())
    assert (collector.inputs, collector.outputs) == (None, None)
    assert "data collection model_inputs is off: custom logging is not enabled" in caplog.text


def test_an_unreadable_collector_config_turns_collection_off(
    collector_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture, tmp_path: Path
) -> None:
    collector_env.setenv("AZUREML_MDC_CONFIG_PATH", str(tmp_path / "missing.json"))
    with caplog.at_level(logging.WARNING):
        collector = ModelDataCollector(REGRESSION)
    assert collector.inputs is None
    assert "data collection model_inputs is off: [Errno 2] No such file" in caplog.text


def queued_collector(monkeypatch: pytest.MonkeyPatch, capacity: int) -> ModelDataCollector:
    """Collection on, with the SDK's sender off: collected tables wait in its queue."""
    monkeypatch.setenv("AZUREML_MDC_ENABLED", "true")
    monkeypatch.setenv("AZUREML_MDC_WORKER_DISABLED", "true")
    monkeypatch.setenv("AZUREML_MDC_QUEUE_CAPACITY", str(capacity))
    return ModelDataCollector(REGRESSION)


def test_inputs_and_outputs_share_one_correlation_id(collector_env: pytest.MonkeyPatch) -> None:
    queued_collector(collector_env, capacity=2).collect(*one_row())
    queue = get_queue()
    inputs, outputs = queue.dequeue()[0], queue.dequeue()[0]
    assert (inputs.designation(), outputs.designation()) == ("model_inputs", "model_outputs")
    assert inputs.correlation_id() == outputs.correlation_id()
    assert json.loads(outputs.content()) == [{TARGET: 151.5}]


def test_a_full_collector_queue_drops_the_sample_not_the_request(
    collector_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    collector = queued_collector(collector_env, capacity=2)
    collector.collect(*one_row())
    with caplog.at_level(logging.WARNING):
        collector.collect(*one_row())  # the queue holds the first request's two tables
    assert "data collection dropped a sample: Too many requests" in caplog.text
    assert get_queue().length() == 2


def test_a_collector_that_raises_is_logged_not_raised(
    collector_env: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    collector = queued_collector(collector_env, capacity=2)
    teardown()  # the SDK shut down under the collector (as at worker exit): collect() raises
    with caplog.at_level(logging.WARNING):
        collector.collect(*one_row())
    assert "data collection failed; the request was scored all the same" in caplog.text


def test_a_classifiers_collected_tables_hold_typed_inputs_labels_and_probabilities() -> None:
    contract = contract_of("binary")
    second = {**RECORD, "region": "south", "monthly": None, "paperless": False, "autopay": None}
    features = record_features(contract, [RECORD, second])
    prediction = Prediction(np.array(["stay", "churn"]), np.array([[0.3, 0.7], [0.6, 0.4]]))
    inputs = inputs_frame(contract, features)
    assert list(inputs) == [
        "tenure", "monthly", "visits", "plan", "region", "paperless", "autopay",
    ]  # fmt: skip
    assert inputs["tenure"].tolist() == [12.0, 12.0]
    assert inputs["monthly"].tolist()[0] == 70.5
    assert np.isnan(inputs["monthly"][1])
    assert inputs["visits"].tolist() == [3.0, 3.0]
    assert inputs["plan"].tolist() == ["plus", "plus"]
    assert inputs["region"].tolist() == [None, "south"]
    assert inputs["paperless"].tolist() == [True, False]
    assert inputs["autopay"].tolist() == [False, None]
    assert outputs_frame(contract, prediction).to_dict("records") == [
        {"churn": "stay", "probability_churn": 0.3, "probability_stay": 0.7},
        {"churn": "churn", "probability_churn": 0.6, "probability_stay": 0.4},
    ]
