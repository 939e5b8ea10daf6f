"""A completed rollout records where the version serves: tagged on it, removed from the old one."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

import pytest

from {{ cookiecutter.package_name }}.deploy.registry_record import (
    model_of,
    record_commands,
)
from {{ cookiecutter.package_name }}.deploy.rollout import (
    EXIT_OK,
    EXIT_ROLLED_BACK,
)

from .test_rollout import CONFIG, EP, HAPPY, PROMOTE, SCOPE, FakeAz, rollout

MODEL = "{{ cookiecutter.project_slug }}-serving"
SHOW_LIVE: tuple[str, ...] = ("az", "ml", "online-deployment", "show", "--name", "blue")
SHOW_LIVE += ("--endpoint-name", EP, *SCOPE, "--query", "model", "--output", "tsv")
ARM = "azureml:/subscriptions/s/resourceGroups/rg/providers/Microsoft.MachineLearningServices"
ARM += f"/workspaces/ws/models/{MODEL}/versions/6"
TAG: tuple[str, ...] = ("az", "ml", "model", "update", "--name", MODEL)
TAG += ("--version", "7")
TAG += ("--set", f"tags.deployed_prod={EP}/green", *SCOPE)
UNTAG: tuple[str, ...] = ("az", "ml", "model", "update", "--name", MODEL)
UNTAG += ("--version", "6")
UNTAG += ("--remove", "tags.deployed_prod", *SCOPE)
PROD = replace(CONFIG, environment="prod")


class RegistryAz(FakeAz):
    """FakeAz that also answers which model the live deployment serves."""

    def __init__(self, served: str = ARM, **kwargs: object) -> None:
        super().__init__(**kwargs)  # type: ignore[arg-type]
        self.served = served

    def __call__(self, args: Sequence[str]) -> str:
        if tuple(args) == SHOW_LIVE:
            self.calls.append(tuple(args))
            return self.served
        return super().__call__(args)


@pytest.mark.parametrize(
    ("reference", "expected"),
    [
        (ARM, (MODEL, "6")),
        (f"azureml:{MODEL}:6", (MODEL, "6")),
        ('"azureml:m:12"\n', ("m", "12")),
        ("", None),
        ("None", None),
    ],
)
def test_a_deployments_model_reference_is_read(
    reference: str, expected: tuple[str, str] | None
) -> None:
    assert model_of(reference) == expected


def test_a_completed_rollout_tags_the_new_version_and_untags_the_old_one() -> None:
    az = RegistryAz()
    code, _ = rollout(az, PROD)
    assert code == EXIT_OK
    assert az.calls == [*HAPPY, SHOW_LIVE, TAG, UNTAG]


def test_redeploying_the_same_version_only_tags_it() -> None:
    assert record_commands(PROD, (MODEL, "7")) == [TAG]
    assert record_commands(PROD, None) == [TAG]


def test_without_an_environment_nothing_is_recorded() -> None:
    az = RegistryAz()
    assert rollout(az, CONFIG)[0] == EXIT_OK
    assert az.calls == HAPPY


def test_a_rolled_back_rollout_records_nothing() -> None:
    az = RegistryAz(fail=lambda args, az: args == PROMOTE)
    assert rollout(az, PROD)[0] == EXIT_ROLLED_BACK
    assert not any(call[2:4] == ("model", "update") for call in az.calls)


def test_a_failed_record_is_reported_and_the_rollout_still_stands() -> None:
    az = RegistryAz(fail=lambda args, az: args == UNTAG)
    code, lines = rollout(az, PROD)
    assert code == EXIT_OK
    assert az.calls[-1] == UNTAG
    assert any("tag it by hand" in line and "simulated failure" in line for line in lines)
