"""CD's steps around the rollout (register, smoke test, drift monitor) with a fake az."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.rollout import AzError
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke
from .test_rollout import REQUEST, answers

WS = ["--resource-group", "rg", "--workspace-name", "ws"]
SCOPE = tuple(WS)
MODEL = "{{ cookiecutter.project_slug }}-serving"


class Az:
    """Answers az commands from a table of (first words -> output); records every call."""

    def __init__(self, answers: dict[tuple[str, ...], str | Exception]) -> None:
        self.answers = answers
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, args: Sequence[str]) -> str:
        self.calls.append(tuple(args))
        answer = self.answers.get(tuple(args[1:4]), "{}")
        if isinstance(answer, Exception):
            raise answer
        return answer


def packaged(folder: Path, version: object = 7) -> Path:
    """A model folder whose model card names ``version``."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "model_card.json").write_text(json.dumps({"version": version}), encoding="utf-8")
    return folder


def test_register_model_creates_a_missing_version_and_prints_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    az = Az({("ml", "model", "show"): AzError("not found")})
    monkeypatch.setattr(driver, "az_runner", az)
    monkeypatch.setenv("MLOPS_CI_RUN_URL", "https://ci.example/run/1")
    monkeypatch.setenv("MLOPS_AUTHOR", "approver")
    model = packaged(tmp_path / "model")
    result = invoke("register-model", "--model-dir", str(model), *WS)
    assert (result.exit_code, result.stdout.strip()) == (0, "7")
    show = ("az", "ml", "model", "show", "--name", MODEL, "--version", "7", *SCOPE)
    create: tuple[str, ...] = ("az", "ml", "model", "create", "--name", MODEL, "--version", "7")
    create += ("--path", str(model), "--type", "custom_model")
    assert az.calls[0] == show
    assert az.calls[1][: len(create)] == create
    assert az.calls[1][-4:] == SCOPE
    sets = az.calls[1][len(create) : -4]
    assert sets[1::2] == tuple(f"tags.{k}={v}" for k, v in lineage.run_tags().items())
    assert "tags.ci_run_url=https://ci.example/run/1" in sets
    assert "tags.author=approver" in sets


def test_register_model_leaves_a_registered_version_alone(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    az = Az({})
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke("register-model", "--model-dir", str(packaged(tmp_path / "m")), *WS, "--json")
    assert json.loads(result.stdout) == {"model": MODEL, "version": "7", "registered": False}
    assert [call[3] for call in az.calls] == ["show"]


@pytest.mark.parametrize("version", [None, ""])
def test_register_model_refuses_a_folder_without_a_version(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, version: object
) -> None:
    az = Az({})
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke("register-model", "--model-dir", str(packaged(tmp_path / "m", version)), *WS)
    assert result.exit_code == 1
    assert "has no version: package a registered model" in result.stderr
    assert az.calls == []


def test_a_failed_create_is_one_line_naming_the_command(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    failure = AzError("`az ml model create` exited 1: AuthorizationFailed")
    az = Az({("ml", "model", "show"): AzError("x"), ("ml", "model", "create"): failure})
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke("register-model", "--model-dir", str(packaged(tmp_path / "m")), *WS)
    assert result.exit_code == 1
    assert result.stderr.strip() == f"Error: {failure}"


@pytest.mark.parametrize(
    ("traffic", "live"), [({"blue": 100}, "blue"), ({"blue": 0, "green": 100}, "green")]
)
def test_point_monitor_targets_the_deployment_with_the_most_traffic(
    monkeypatch: pytest.MonkeyPatch, traffic: dict[str, int], live: str
) -> None:
    az = Az({("ml", "online-endpoint", "show"): json.dumps(traffic)})
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke("point-monitor", "--endpoint-name", "ep", *WS)
    assert result.exit_code == 0, result.stderr
    target = f"create_monitor.monitoring_target.endpoint_deployment_id=azureml:ep:{live}"
    schedule = ("az", "ml", "schedule", "create", "--file", "pipelines/monitoring/monitor.yml")
    assert az.calls[-1] == (*schedule, "--set", target, *SCOPE)


def test_point_monitor_refuses_traffic_on_an_unknown_deployment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    az = Az({("ml", "online-endpoint", "show"): json.dumps({"red": 100})})
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke("point-monitor", "--endpoint-name", "ep", *WS)
    assert result.exit_code == 1
    assert "traffic on red" in result.stderr
    assert len(az.calls) == 1


@pytest.mark.parametrize(("answer", "code"), [("healthy", 0), ("one row short", 1), ("foreign", 1)])
def test_smoke_test_wants_one_valid_prediction_per_row(
    monkeypatch: pytest.MonkeyPatch, project: Settings, answer: str, code: int
) -> None:
    healthy = answers(project.contract)  # the project's own task: numbers or its classes
    predictions = {
        "healthy": healthy,
        "one row short": healthy[:-1],
        "foreign": ["not a class nor a number", *healthy[1:]],
    }[answer]
    body = json.dumps(json.dumps({"predictions": predictions}))
    az = Az({("ml", "online-endpoint", "invoke"): body})
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke("smoke-test", "--endpoint-name", "ep", "--request-file", str(REQUEST), *WS)
    assert result.exit_code == code, result.stderr
    invoke_ep = ("az", "ml", "online-endpoint", "invoke", "--name", "ep")
    assert az.calls == [(*invoke_ep, "--request-file", str(REQUEST), *SCOPE, "--output", "json")]
    if code:
        assert "smoke test of ep failed" in result.stderr
