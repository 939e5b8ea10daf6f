"""The safe-rollout driver: exact az command sequences, gates and rollback, with a fake az."""

from __future__ import annotations

import json
import math
import os
import stat
from collections.abc import Callable, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.rollout import (
    EXIT_OK,
    EXIT_REFUSED,
    EXIT_ROLLBACK_INCOMPLETE,
    EXIT_ROLLED_BACK,
    AzError,
    Config,
    GateError,
    az_runner,
    check_predictions,
    plan,
    run_rollout,
)
from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke
from .contracts import CONTRACTS
from .test_prep import use_contract

ROOT = Path(__file__).resolve().parents[1]
REQUEST = ROOT / "pipelines" / "online" / "sample-request.json"
EP = "{{ cookiecutter.project_slug }}-online"
SCOPE = ("--resource-group", "rg", "--workspace-name", "ws")
Command = tuple[str, ...]
SHOW: Command = ("az", "ml", "online-endpoint", "show", "--name", EP, *SCOPE)
SHOW += ("--output", "json", "--query", "traffic")
LIST: Command = ("az", "ml", "online-deployment", "list", "--endpoint-name", EP, *SCOPE)
LIST += ("--output", "json", "--query", "[].name")
DEPLOY: Command = ("--name", "green", "--endpoint-name", EP, "--file", "pipelines/online/green.yml")
IMAGE_ENV = "azureml:{{ cookiecutter.project_slug }}-scoring-image:0123456789abcdef"
DEPLOY += ("--set", "model=azureml:{{ cookiecutter.project_slug }}-serving:7")
DEPLOY += ("--set", f"environment={IMAGE_ENV}", *SCOPE)
CREATE = ("az", "ml", "online-deployment", "create", *DEPLOY)
UPDATE = ("az", "ml", "online-deployment", "update", *DEPLOY)
INVOKE: Command = ("az", "ml", "online-endpoint", "invoke", "--name", EP, "--deployment-name")
INVOKE += ("green",)
INVOKE += ("--request-file", str(REQUEST), *SCOPE, "--output", "json")


def endpoint_update(*flags: str) -> tuple[str, ...]:
    """The expected `az ml online-endpoint update` command."""
    return ("az", "ml", "online-endpoint", "update", "--name", EP, *flags, *SCOPE)


MIRROR_ON = endpoint_update("--mirror-traffic", "green=10")
MIRROR_OFF = endpoint_update("--mirror-traffic", "green=0")
CANARY = endpoint_update("--traffic", "blue=90 green=10")
PROMOTE = endpoint_update("--traffic", "blue=0 green=100")
ROLLBACK = [endpoint_update("--traffic", "blue=100 green=0"), MIRROR_OFF]
PROBES = 4
CONFIG = Config(EP, "7", "rg", "ws", request_file=REQUEST, probes=PROBES, max_error_rate=0.25)
CONFIG = replace(CONFIG, image_environment=IMAGE_ENV)
HAPPY = [SHOW, LIST, CREATE, INVOKE, MIRROR_ON, *[INVOKE] * PROBES, MIRROR_OFF, CANARY]
HAPPY += [*[INVOKE] * PROBES, PROMOTE]
ARGV = ["--endpoint-name", EP, "--model-version", "7", "--resource-group", "rg"]
ARGV += ["--workspace-name", "ws", "--request-file", str(REQUEST), "--probes", str(PROBES)]
ARGV += ["--image-environment", IMAGE_ENV]


class FakeAz:
    """Records every command; answers like az; fails the commands `fail` picks."""

    def __init__(
        self,
        traffic: dict[str, int] | None = None,
        deployments: Sequence[str] = ("blue",),
        predictions: list[object] | None = None,
        fail: Callable[[tuple[str, ...], FakeAz], bool] = lambda args, az: False,
    ) -> None:
        self.calls: list[tuple[str, ...]] = []
        self.traffic = {"blue": 100} if traffic is None else traffic
        self.deployments = list(deployments)
        self.predictions = [151.2, 80.5, 203.9] if predictions is None else predictions
        self.fail = fail

    def __call__(self, args: Sequence[str]) -> str:
        """Run one fake az command."""
        command = tuple(args)
        self.calls.append(command)
        if self.fail(command, self):
            raise AzError(f"simulated failure of {' '.join(command[:4])}")
        if command[2:4] == ("online-endpoint", "show"):
            return json.dumps(self.traffic)
        if command[2:4] == ("online-deployment", "list"):
            return json.dumps(self.deployments)
        if command[3] == "invoke":  # az prints the response body as a JSON string
            return json.dumps(json.dumps({"predictions": self.predictions}))
        return "{}"

    def seen(self, command: tuple[str, ...]) -> bool:
        """Whether `command` already ran (the current call included)."""
        return command in self.calls


class Recorder:
    """Records the lifecycle events a rollout emits, as (kind, data)."""

    def __init__(self) -> None:
        self.events: list[tuple[str, dict[str, Any]]] = []

    def emit(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        self.events.append((kind, data))
        return {"type": kind, "data": data}


def rollout(
    az: FakeAz, config: Config = CONFIG, events: Recorder | None = None
) -> tuple[int, list[str]]:
    """Run the rollout against the fake; return the exit code and the progress lines."""
    lines: list[str] = []
    return run_rollout(config, az, lines.append, events or Recorder()), lines


def invokes_after(command: tuple[str, ...]) -> Callable[[tuple[str, ...], FakeAz], bool]:
    """A failure rule: every invoke once `command` has run."""
    return lambda args, az: args == INVOKE and az.seen(command)


def test_happy_path_runs_the_exact_sequence() -> None:
    az = FakeAz()
    code, lines = rollout(az)
    assert code == EXIT_OK
    assert az.calls == HAPPY
    assert [line.split("]")[0] for line in lines[:8]] == [f"rollout [{n}/8" for n in range(1, 9)]
    assert "green serves model version 7 at 100 %" in lines[-1]


def test_plan_is_a_pure_function_of_the_config() -> None:
    steps = plan(CONFIG, candidate_exists=False)
    assert [step.args for step in steps] == [
        CREATE, INVOKE, MIRROR_ON, INVOKE, MIRROR_OFF, CANARY, INVOKE, PROMOTE,
    ]  # fmt: skip
    assert [step.gate for step in steps] == ["", "smoke", "", "probe", "", "", "probe", ""]
    assert plan(CONFIG, candidate_exists=False) == steps
    assert plan(CONFIG, candidate_exists=True)[0].args == UPDATE


def test_existing_candidate_is_updated_not_created() -> None:
    az = FakeAz(deployments=["blue", "green"])
    assert rollout(az)[0] == EXIT_OK
    assert az.calls == [SHOW, LIST, UPDATE, *HAPPY[3:]]


def test_shares_and_roles_come_from_the_config() -> None:
    config = replace(CONFIG, live="green", candidate="blue", mirror_percent=20, canary_percent=25)
    traffic = [step.args for step in plan(config, True) if "update" in step.args[3]]
    assert traffic[1][6:8] == ("--mirror-traffic", "blue=20")
    assert traffic[3][6:8] == ("--traffic", "green=75 blue=25")
    assert traffic[4][6:8] == ("--traffic", "green=0 blue=100")
    assert "pipelines/online/blue.yml" in plan(config, True)[0].args


def test_failed_smoke_test_rolls_back() -> None:
    az = FakeAz(fail=lambda args, az: args == INVOKE)
    code, lines = rollout(az)
    assert code == EXIT_ROLLED_BACK
    assert az.calls == [SHOW, LIST, CREATE, INVOKE, *ROLLBACK]
    assert any("FAILED at 'smoke-test green directly'" in line for line in lines)
    assert "rolled back: blue=100 green=0, mirroring off" in lines[-1]


@pytest.mark.parametrize(
    "predictions",
    [[1.0, 2.0], [1.0, 2.0, math.nan], [1.0, 2.0, math.inf], [1.0, 2.0, "3"], [1.0, 2.0, True]],
)
def test_smoke_test_wants_one_finite_prediction_per_row(predictions: list[object]) -> None:
    az = FakeAz(predictions=predictions)
    assert rollout(az)[0] == EXIT_ROLLED_BACK
    assert az.calls == [SHOW, LIST, CREATE, INVOKE, *ROLLBACK]


def test_check_predictions_accepts_plain_and_string_encoded_bodies() -> None:
    check_predictions('{"predictions": [1, 2.5]}', 2)
    check_predictions(json.dumps('{"predictions": [1, 2.5]}'), 2)
    for bad in ("not json", '{"error": "boom"}', '{"predictions": [1]}', "[1, 2]"):
        with pytest.raises(GateError):
            check_predictions(bad, 2)
    with pytest.raises(GateError, match=r"expected 2 predictions, got \[1, 2, 3\]"):
        check_predictions('{"predictions": [1, 2, 3]}', 2)


def test_high_error_rate_while_mirrored_rolls_back() -> None:
    az = FakeAz(fail=invokes_after(MIRROR_ON))
    code, lines = rollout(az)
    assert code == EXIT_ROLLED_BACK
    assert az.calls == [SHOW, LIST, CREATE, INVOKE, MIRROR_ON, *[INVOKE] * PROBES, *ROLLBACK]
    assert any("4/4 probes failed: error rate 100.0% is above 25.0%" in line for line in lines)


def test_high_error_rate_at_canary_rolls_back() -> None:
    az = FakeAz(fail=invokes_after(CANARY))
    assert rollout(az)[0] == EXIT_ROLLED_BACK
    assert az.calls == [*HAPPY[:-1 - PROBES], *[INVOKE] * PROBES, *ROLLBACK]  # fmt: skip
    assert PROMOTE not in az.calls


@pytest.mark.parametrize(("failures", "expected"), [(1, EXIT_OK), (2, EXIT_ROLLED_BACK)])
def test_error_rate_threshold_is_inclusive(failures: int, expected: int) -> None:
    def fail(args: tuple[str, ...], az: FakeAz) -> bool:
        if args != INVOKE or not az.seen(MIRROR_ON):
            return False
        return az.calls[az.calls.index(MIRROR_ON) :].count(INVOKE) <= failures

    assert rollout(FakeAz(fail=fail))[0] == expected  # 1/4 = 25 % is allowed, 2/4 is not


def test_rollback_runs_when_a_later_command_fails() -> None:
    az = FakeAz(fail=lambda args, az: args == PROMOTE)
    code, lines = rollout(az)
    assert code == EXIT_ROLLED_BACK
    assert az.calls == [*HAPPY, *ROLLBACK]
    assert any("FAILED at 'promote blue=0 green=100'" in line for line in lines)


def test_every_rollback_step_is_attempted_even_when_one_fails() -> None:
    az = FakeAz(fail=lambda args, az: args in (PROMOTE, ROLLBACK[0]))
    code, lines = rollout(az)
    assert code == EXIT_ROLLBACK_INCOMPLETE
    assert az.calls[-2:] == ROLLBACK
    assert "ROLLBACK INCOMPLETE" in lines[-1]
    assert "blue=100 green=0" in lines[-1]


@pytest.mark.parametrize("traffic", [{"blue": 90, "green": 10}, {"blue": 0, "green": 100}, {}])
def test_refuses_unless_live_serves_and_candidate_is_idle(traffic: dict[str, int]) -> None:
    az = FakeAz(traffic=traffic)
    code, lines = rollout(az)
    assert code == EXIT_REFUSED
    assert az.calls == [SHOW]
    assert "refused, nothing changed" in lines[-1]


def test_refuses_without_a_readable_request_file(tmp_path: Path) -> None:
    az = FakeAz()
    assert rollout(az, replace(CONFIG, request_file=tmp_path / "missing.json"))[0] == EXIT_REFUSED
    assert az.calls == []


def answers(contract: Contract) -> list[object]:
    """What a healthy deployment of the contract's model predicts for the sample request's rows."""
    classes = contract.target.classes
    return [classes[row % len(classes)] if classes else 100.0 + row for row in range(3)]


@pytest.fixture
def fake_az(monkeypatch: pytest.MonkeyPatch, project: Settings) -> FakeAz:
    """The `rollout` command, in a fresh project, with a FakeAz in place of the real az runner."""
    az = FakeAz(predictions=answers(project.contract))
    monkeypatch.setattr(driver, "az_runner", az)
    return az


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_the_command_smoke_tests_a_classifier_against_the_contracts_classes(
    fake_az: FakeAz, project: Settings, task: str
) -> None:
    contract = use_contract(project, CONTRACTS[task]).contract
    fake_az.predictions = answers(contract)  # e.g. ["no", "yes", "no"] or [1, 2, 3]
    assert invoke("rollout", *ARGV).exit_code == EXIT_OK
    fake_az.predictions = [*answers(contract)[:2], "not a class"]
    result = invoke("rollout", *ARGV)
    assert result.exit_code == EXIT_ROLLED_BACK
    labels = ", ".join(json.dumps(label) for label in contract.target.classes)
    assert f"predictions must be classes of the contract ({labels})" in result.stderr


def test_a_classifier_smoke_test_refuses_numbers_and_booleans() -> None:
    config = replace(CONFIG, classes=("churn", "stay"))
    assert rollout(FakeAz(predictions=["stay", "churn", "stay"]), config)[0] == EXIT_OK
    wrong: list[list[object]] = [
        [151.2, 80.5, 203.9],
        ["stay", "churn", True],
        ["stay", "churn", None],
    ]
    for predictions in wrong:
        assert rollout(FakeAz(predictions=predictions), config)[0] == EXIT_ROLLED_BACK


def test_the_command_runs_the_whole_plan_through_az(fake_az: FakeAz) -> None:
    result = invoke("rollout", *ARGV)
    assert result.exit_code == EXIT_OK
    assert fake_az.calls == [SHOW, *HAPPY]  # the first show chooses live and candidate
    assert result.stderr.count("rollout [") == 8
    assert result.stdout == ""


def test_the_command_exit_code_and_json_tell_the_outcome(fake_az: FakeAz) -> None:
    fake_az.fail = lambda args, az: args == PROMOTE
    result = invoke("rollout", *ARGV, "--json")
    assert result.exit_code == EXIT_ROLLED_BACK
    assert json.loads(result.stdout) == {
        "outcome": "rolled-back",
        "exit_code": EXIT_ROLLED_BACK,
        "endpoint": EP,
        "model_version": "7",
    }


def test_dry_run_prints_the_commands_and_runs_nothing(fake_az: FakeAz) -> None:
    result = invoke("rollout", *ARGV, "--dry-run")
    assert (result.exit_code, fake_az.calls) == (EXIT_OK, [])
    for command in ("--traffic 'blue=90 green=10'", "--traffic 'blue=0 green=100'", "create"):
        assert command in result.stdout
    assert result.stdout.count("--traffic 'blue=100 green=0'") == 1


def test_dry_run_json_lists_the_exact_commands(fake_az: FakeAz) -> None:
    document = json.loads(invoke("rollout", *ARGV, "--dry-run", "--json").stdout)
    assert [tuple(command) for command in document["preflight"]] == [SHOW, LIST]
    assert [tuple(step["command"]) for step in document["steps"]] == [
        CREATE, INVOKE, MIRROR_ON, INVOKE, MIRROR_OFF, CANARY, INVOKE, PROMOTE,
    ]  # fmt: skip
    assert [tuple(step["command"]) for step in document["rollback"]] == ROLLBACK
    assert fake_az.calls == []


@pytest.mark.parametrize(
    ("extra", "option"),
    [
        (["--mirror-percent", "60"], "--mirror-percent"),
        (["--canary-percent", "100"], "--canary-percent"),
        (["--probes", "0"], "--probes"),
        (["--max-error-rate", "1"], "--max-error-rate"),
        (["--live", "blue", "--candidate", "blue"], "--candidate"),
        (["--image-environment", "scoring:latest"], "--image-environment"),
        (["--image-environment", "azureml:name"], "--image-environment"),
    ],
)
def test_bad_arguments_exit_2_naming_the_option(
    extra: list[str], option: str, fake_az: FakeAz
) -> None:
    result = invoke("rollout", *ARGV, *extra)
    assert result.exit_code == 2
    assert f"Invalid value for '{option}'" in result.stderr
    assert fake_az.calls == []


def test_the_command_refuses_to_deploy_without_the_scanned_image_environment(
    fake_az: FakeAz,
) -> None:
    argv = ARGV[: ARGV.index("--image-environment")]
    result = invoke("rollout", *argv)
    assert result.exit_code == 2
    assert "Missing option '--image-environment'" in result.stderr
    assert fake_az.calls == []


def test_the_candidate_runs_the_environment_registered_from_the_scanned_image() -> None:
    deploy = plan(CONFIG, candidate_exists=False)[0].args
    assert deploy[deploy.index(f"environment={IMAGE_ENV}") - 1] == "--set"
    keeps_the_files = plan(replace(CONFIG, image_environment=None), False)[0].args
    assert not [arg for arg in keeps_the_files if arg.startswith("environment=")]


def test_help_explains_the_exit_codes() -> None:
    result = invoke("rollout", "--help")
    assert result.exit_code == 0
    assert "--dry-run" in result.stdout
    assert "3 rollback incomplete" in " ".join(result.stdout.split())


def fake_az_on_path(folder: Path, monkeypatch: pytest.MonkeyPatch, script: str) -> None:
    """Put an `az` shell script first on PATH."""
    az = folder / "az"
    az.write_text(f"#!/bin/sh\n{script}\n", encoding="utf-8")
    az.chmod(az.stat().st_mode | stat.S_IXUSR)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ.get('PATH', '')}")


def test_az_runner_passes_arguments_without_a_shell(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_az_on_path(tmp_path, monkeypatch, 'printf "%s\\n" "$@"')
    assert az_runner(["az", "--traffic", "blue=90 green=10", "$HOME;x"]) == (
        "--traffic\nblue=90 green=10\n$HOME;x\n"
    )


def test_az_runner_raises_with_the_last_error_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    fake_az_on_path(
        tmp_path, monkeypatch, 'echo "warning" >&2; echo "ERROR: no such endpoint" >&2; exit 3'
    )
    with pytest.raises(AzError, match=r"exited 3: ERROR: no such endpoint"):
        az_runner(["az", "ml", "online-endpoint", "show"])


def test_az_runner_explains_a_missing_az(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")
    with pytest.raises(AzError, match="not on PATH"):
        az_runner(["az", "version"])
