"""Lineage tags from the CI's own variables, handed to Azure ML jobs, falling back to git."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.training_job import (
    pipeline_steps,
    submit_command,
)
from {{ cookiecutter.package_name }}.lifecycle import lineage

from .conftest import invoke

ROOT = Path(__file__).resolve().parents[1]
PIPELINE = ROOT / "pipelines" / "training" / "pipeline.yml"
GITHUB = {
    "GITHUB_SHA": "a" * 40,
    "GITHUB_REF_NAME": "main",
    "GITHUB_REPOSITORY": "contoso/scoring",
    "GITHUB_SERVER_URL": "https://github.com",
    "GITHUB_RUN_ID": "42",
    "GITHUB_ACTOR": "pusher",
    "GITHUB_TRIGGERING_ACTOR": "approver",
}
AZURE = {
    "BUILD_SOURCEVERSION": "b" * 40,
    "BUILD_SOURCEBRANCHNAME": "main",
    "BUILD_REPOSITORY_URI": "https://dev.azure.com/contoso/ml/_git/scoring",
    "SYSTEM_COLLECTIONURI": "https://dev.azure.com/contoso/",
    "SYSTEM_TEAMPROJECT": "ml",
    "BUILD_BUILDID": "7",
    "BUILD_REQUESTEDFOR": "Jane Doe",
}


def test_github_actions_variables_become_the_lineage() -> None:
    assert lineage.run_tags(GITHUB) == {
        "git_commit": "a" * 40,
        "git_branch": "main",
        "git_repository": "https://github.com/contoso/scoring",
        "ci_run_url": "https://github.com/contoso/scoring/actions/runs/42",
        "author": "approver",
    }


def test_azure_pipelines_variables_become_the_lineage() -> None:
    assert lineage.run_tags(AZURE) == {
        "git_commit": "b" * 40,
        "git_branch": "main",
        "git_repository": "https://dev.azure.com/contoso/ml/_git/scoring",
        "ci_run_url": "https://dev.azure.com/contoso/ml/_build/results?buildId=7",
        "author": "Jane Doe",
    }


def test_an_azure_ml_job_reads_the_lineage_cd_handed_over() -> None:
    handed = lineage.ci_environment(GITHUB)
    assert set(handed) == {
        "MLOPS_GIT_COMMIT", "MLOPS_GIT_BRANCH", "MLOPS_GIT_REPOSITORY", "MLOPS_CI_RUN_URL",
        "MLOPS_AUTHOR",
    }  # fmt: skip
    assert lineage.run_tags(handed) == lineage.run_tags(GITHUB)


def test_without_ci_variables_git_answers(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    tags = lineage.run_tags({})
    assert tags["ci_run_url"] == "local"
    assert tags["git_commit"] != "a" * 40
    assert all(tags.values())


def test_submit_training_puts_the_lineage_on_the_job_and_every_step() -> None:
    tags = lineage.run_tags(GITHUB)
    steps = pipeline_steps(PIPELINE)
    assert steps == ["prep", "train", "evaluate", "register", "promote"]
    args = submit_command(PIPELINE, "job-1", "cd run", ("--resource-group", "rg"), tags, steps)
    sets = [args[i + 1] for i, arg in enumerate(args) if arg == "--set"]
    assert "inputs.reason=cd run" in sets
    assert f"tags.ci_run_url={tags['ci_run_url']}" in sets
    for step in steps:
        assert f"jobs.{step}.environment_variables.MLOPS_AUTHOR=approver" in sets


def test_the_pipeline_spec_takes_the_lineage_overrides() -> None:
    from azure.ai.ml import load_job

    args = submit_command(PIPELINE, "j", "r", (), lineage.run_tags(AZURE), pipeline_steps(PIPELINE))
    sets = [args[i + 1].split("=", 1) for i, arg in enumerate(args) if arg == "--set"]
    job = load_job(PIPELINE, params_override=[{key: value} for key, value in sets])
    assert job.tags["git_commit"] == "b" * 40
    assert job.jobs["register"].environment_variables["MLOPS_AUTHOR"] == "Jane Doe"


class Az:
    """A fake az: records commands, answers `job show` with ``status``."""

    def __init__(self, status: str) -> None:
        self.status = status
        self.calls: list[tuple[str, ...]] = []

    def __call__(self, args: Sequence[str]) -> str:
        self.calls.append(tuple(args))
        return self.status if args[3] == "show" else "{}"


@pytest.mark.parametrize(("status", "code"), [("Completed", 0), ("Failed", 1), ("", 1)])
def test_submit_training_fails_unless_the_pipeline_completed(
    monkeypatch: pytest.MonkeyPatch, status: str, code: int
) -> None:
    az = Az(status)
    monkeypatch.setattr(driver, "az_runner", az)
    for name, value in GITHUB.items():
        monkeypatch.setenv(name, value)
    argv = ["--job-name", "j-1", "--reason", "cd", "--file", str(PIPELINE)]
    argv += ["--resource-group", "rg", "--workspace-name", "ws", "--json"]
    result = invoke("submit-training", *argv)
    assert result.exit_code == code, result.stderr
    assert [call[3] for call in az.calls] == ["create", "show"]
    assert f"tags.git_commit={'a' * 40}" in az.calls[0]
    if code:
        assert "training pipeline j-1 ended" in result.stderr
    else:
        assert json.loads(result.stdout)["tags"]["author"] == "approver"
