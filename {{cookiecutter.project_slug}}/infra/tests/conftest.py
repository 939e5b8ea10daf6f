"""Shared fixtures: a mocked Pulumi runtime loaded with a real stack's config."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pulumi
import pytest

from mlops_infra.mocks import PROJECT_NAME, Mocks, load_stack_config

INFRA_DIR = Path(__file__).resolve().parent.parent

STACKS = ("dev", "staging", "prod")


@dataclass
class MockedStack:
    name: str
    mocks: Mocks
    config: dict[str, str]

    def set_config(self, **overrides: str) -> None:
        """Override project keys (bare names) on top of the stack file, or drop them with ''."""
        config = dict(self.config)
        for key, value in overrides.items():
            full_key = f"{PROJECT_NAME}:{key}"
            if value == "":
                config.pop(full_key, None)
            else:
                config[full_key] = value
        pulumi.runtime.set_all_config(config)


def mock_stack(name: str) -> MockedStack:
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project=PROJECT_NAME, stack=name, preview=False)
    config = load_stack_config(name, INFRA_DIR)
    pulumi.runtime.set_all_config(config)
    return MockedStack(name, mocks, config)


@pytest.fixture(params=STACKS)
def stack(request: pytest.FixtureRequest) -> MockedStack:
    """The mocked runtime with ``Pulumi.<stack>.yaml`` loaded, for each stack in turn."""
    return mock_stack(request.param)


@pytest.fixture
def stack_factory() -> Callable[[str], MockedStack]:
    return mock_stack


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo):
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture
def ran(request: pytest.FixtureRequest):
    """Checks inside ``apply`` append here; a passing test fails if none of them ran."""
    calls: list[str] = []
    yield calls
    report = getattr(request.node, "report_call", None)
    if report is not None and report.passed:
        assert calls, "no assertion ran inside apply(): the test proved nothing"
