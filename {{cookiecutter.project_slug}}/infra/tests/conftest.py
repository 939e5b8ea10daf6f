"""Shared fixtures: every stack planned once per session, fresh mock engines, checkov in the
background, and the ``ran`` guard for checks that run inside ``apply``."""

from __future__ import annotations

from collections.abc import Generator, Iterator
from typing import Any

import pytest

from checkov_scan import CheckovJob, finish, start, stop, write_inputs
from mlops_infra.mocks import Mocks
from support import STACKS, PlannedStack, mock_stack, plan_stack


@pytest.fixture(scope="session")
def planned(tmp_path_factory: pytest.TempPathFactory) -> dict[str, PlannedStack]:
    """The real program run once per stack, with the files ``make plan`` writes for it."""
    out = tmp_path_factory.mktemp("plan")
    return {name: plan_stack(name, out) for name in STACKS}


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest, planned: dict[str, PlannedStack]) -> PlannedStack:
    """Each planned stack in turn."""
    planned_stack: PlannedStack = planned[request.param]
    return planned_stack


@pytest.fixture
def dev_mocks() -> Mocks:
    """A fresh mock engine holding the dev stack's config."""
    return mock_stack("dev")


@pytest.fixture(scope="session")
def checkov_job(
    planned: dict[str, PlannedStack], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[CheckovJob]:
    """checkov started over every stack's manifests and the mutants; stopped if never awaited."""
    work = tmp_path_factory.mktemp("checkov")
    deployment = next((planned["staging"].directory / "manifests").glob("*/apps_v1-deploy*"))
    root = write_inputs(
        work / "in", {name: stack.directory for name, stack in planned.items()}, deployment
    )
    job = start(root, work)
    yield job
    stop(job)


@pytest.fixture(scope="session")
def checkov_report(checkov_job: CheckovJob) -> dict[str, Any]:
    """checkov's JSON report (waits for the background run)."""
    return finish(checkov_job)


@pytest.fixture(scope="session", autouse=True)
def _checkov_in_background(request: pytest.FixtureRequest) -> None:
    """Start checkov with the session when a selected test needs it; it runs on another core."""
    items = request.session.items
    if any("checkov_report" in getattr(item, "fixturenames", ()) for item in items):
        request.getfixturevalue("checkov_job")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Run the checkov tests last, so the background run overlaps every other test."""
    items.sort(key=lambda item: "checkov_report" in getattr(item, "fixturenames", ()))


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Generator[None, pytest.TestReport, pytest.TestReport]:
    """Keep each phase's report on the item, for ``ran``."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def ran(request: pytest.FixtureRequest) -> Iterator[list[str]]:
    """Checks inside ``apply`` append here; a passing test fails if none of them ran."""
    calls: list[str] = []
    yield calls
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed:
        assert calls, "no assertion ran inside apply(): the test proved nothing"
