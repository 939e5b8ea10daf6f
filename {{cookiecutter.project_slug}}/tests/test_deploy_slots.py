"""One rule picks the live and the candidate deployment, for every CI provider and command."""

from __future__ import annotations

import json

import pytest

from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.ci import annotation
from {{ cookiecutter.package_name }}.deploy.slots import (
    choose_slots,
    other,
    slots_from_json,
)
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke
from .test_rollout import ARGV, EP, LIST, SHOW, FakeAz, answers


@pytest.mark.parametrize(
    ("traffic", "expected"),
    [
        ({"blue": 100}, ("blue", "green")),
        ({"blue": 0, "green": 100}, ("green", "blue")),
        ({"green": 100}, ("green", "blue")),
        # The case the two providers' inline shell disagreed on: Azure Pipelines made green live
        # whenever blue had less than exactly 100 %.
        ({"blue": 90, "green": 10}, ("blue", "green")),
        ({"blue": 10, "green": 90}, ("green", "blue")),
        # Ties: a new endpoint (no traffic at all) and an even split leave blue live.
        ({}, ("blue", "green")),
        (None, ("blue", "green")),
        ({"blue": 0, "green": 0}, ("blue", "green")),
        ({"blue": 50, "green": 50}, ("blue", "green")),
    ],
)
def test_the_deployment_with_the_most_traffic_is_live(
    traffic: dict[str, int] | None, expected: tuple[str, str]
) -> None:
    assert choose_slots(traffic) == expected
    assert slots_from_json(json.dumps(traffic)) == expected


@pytest.mark.parametrize(
    ("traffic", "message"),
    [
        ({"blue": 90, "red": 10}, "traffic on red"),
        ({"blue": "100"}, "whole percents"),
        ({"blue": True}, "whole percents"),
        (["blue"], "not a mapping"),
    ],
)
def test_unknown_deployments_and_odd_shares_are_refused(traffic: object, message: str) -> None:
    with pytest.raises(LifecycleError, match=message):
        choose_slots(traffic)


def test_traffic_that_is_not_json_is_refused_naming_it() -> None:
    with pytest.raises(LifecycleError, match="not JSON"):
        slots_from_json("ERROR: not found")


def test_other_names_the_second_deployment_and_refuses_a_third() -> None:
    assert (other("blue"), other("green")) == ("green", "blue")
    with pytest.raises(LifecycleError, match="unknown deployment 'red'"):
        other("red")


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({"GITHUB_ACTIONS": "true"}, "::error::boom"),
        ({"TF_BUILD": "True"}, "##vso[task.logissue type=error]boom"),
        ({}, "error: boom"),
    ],
)
def test_errors_are_annotated_for_the_provider_that_runs_the_command(
    environ: dict[str, str], expected: str
) -> None:
    assert annotation("boom", environ) == expected


def test_the_rollout_without_slots_keeps_the_busiest_deployment_live(
    monkeypatch: pytest.MonkeyPatch, project: Settings
) -> None:
    az = FakeAz(traffic={"blue": 0, "green": 100}, deployments=("blue", "green"))
    az.predictions = answers(project.contract)  # a healthy model of the project's own task
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke("rollout", *ARGV)
    assert result.exit_code == driver.EXIT_OK, result.stderr
    assert az.calls[:3] == [SHOW, SHOW, LIST]
    assert "green serves the most traffic" in result.stderr
    promote = ("az", "ml", "online-endpoint", "update", "--name", EP, "--traffic")
    assert az.calls[-1][: len(promote) + 1] == (*promote, "green=0 blue=100")


def test_a_refused_rollout_says_so_as_a_ci_annotation(
    monkeypatch: pytest.MonkeyPatch, project: object
) -> None:
    az = FakeAz(traffic={"blue": 50, "red": 50})
    monkeypatch.setattr(driver, "az_runner", az)
    monkeypatch.setenv("GITHUB_ACTIONS", "true")
    result = invoke("rollout", *ARGV)
    assert result.exit_code == driver.EXIT_REFUSED
    assert "traffic on red" in result.stderr
    assert "::error::rollout refused, nothing changed" in result.stderr
    assert az.calls == [SHOW]


@pytest.mark.parametrize(
    ("given", "chosen"),
    [(["--live", "green"], "green blue"), (["--candidate", "green"], "blue green")],
)
def test_one_slot_option_names_both(
    monkeypatch: pytest.MonkeyPatch, project: object, given: list[str], chosen: str
) -> None:
    result = invoke("rollout", *ARGV, *given, "--dry-run", "--json")
    live, candidate = chosen.split()
    steps = json.loads(result.stdout)["rollback"]
    assert steps[0]["command"][-5] == f"{live}=100 {candidate}=0"


@pytest.mark.parametrize("given", [["--live", "red"], ["--live", "blue", "--candidate", "red"]])
def test_slot_options_outside_blue_and_green_exit_2(given: list[str]) -> None:
    result = invoke("rollout", *ARGV, *given)
    assert result.exit_code == 2
    assert "Invalid value" in result.stderr
