"""The generated Azure Pipelines pass the generated project's own checks, run from the kit.

The checks live once, in the project (`tests/test_ci_azure_pipelines.py` and its helper module):
schema validation of every pipeline as written and expanded, and the policy rules with their
mutants. Here they run against fresh bakes with the kit's check-jsonschema standing in for the
project's `.tools/ci` copy, and the kit proves that a bad pipeline or a missing tool fails them.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KIT_ROOT, bake

PROVIDERS = ["azure-devops", "both"]
PROJECT_TESTS = "tests/test_ci_azure_pipelines.py"
PYTEST = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--noconftest"]
KIT_CHECK_JSONSCHEMA = KIT_ROOT / ".venv" / "bin" / "check-jsonschema"
# Fewer would mean the project's module lost tests (or collected none).
MIN_PASSED = 60


def baked_with_tools(tmp_path: Path, provider: str) -> Path:
    """A fresh bake whose `.tools/ci/bin/check-jsonschema` is the kit's."""
    assert KIT_CHECK_JSONSCHEMA.is_file(), f"{KIT_CHECK_JSONSCHEMA} is missing: run `make setup`"
    project = bake(tmp_path, {"ci_provider": provider})
    tools = project / ".tools" / "ci" / "bin"
    tools.mkdir(parents=True)
    (tools / "check-jsonschema").symlink_to(KIT_CHECK_JSONSCHEMA)
    return project


def run_project_tests(project: Path) -> subprocess.CompletedProcess[str]:
    """The project's pipeline tests under the kit's pytest (the project conftest needs its venv)."""
    return subprocess.run(
        [*PYTEST, PROJECT_TESTS],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )


def passed_count(output: str) -> int:
    """N from pytest's `N passed` summary (0 when absent)."""
    found = re.search(r"(\d+) passed", output)
    return int(found.group(1)) if found else 0


@pytest.mark.parametrize("provider", PROVIDERS)
def test_generated_pipelines_pass_the_project_checks(tmp_path: Path, provider: str) -> None:
    done = run_project_tests(baked_with_tools(tmp_path, provider))
    summary = done.stdout.strip().splitlines()[-1] if done.stdout.strip() else ""

    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert passed_count(summary) >= MIN_PASSED, summary
    assert not re.search(r"skipped|xfail|deselected", summary), summary


def test_a_prod_deployment_on_the_staging_environment_fails_the_project_checks(
    tmp_path: Path,
) -> None:
    project = baked_with_tools(tmp_path, "azure-devops")
    cd = project / ".azure-pipelines" / "cd.yml"
    text = cd.read_text(encoding="utf-8")
    assert text.count("      environment: prod\n") == 1
    cd.write_text(text.replace("      environment: prod\n", "      environment: staging\n"))

    done = run_project_tests(project)

    assert done.returncode == 1, done.stdout[-4000:]
    failed = set(re.findall(r"^FAILED \S+::(\w+)", done.stdout, re.MULTILINE))
    assert failed == {
        "test_every_deployment_job_touching_prod_targets_the_prod_environment",
        "test_deploy_stages_target_their_own_environment",
    }, done.stdout[-4000:]


def test_a_missing_check_jsonschema_fails_the_project_checks(tmp_path: Path) -> None:
    project = baked_with_tools(tmp_path, "azure-devops")
    (project / ".tools" / "ci" / "bin" / "check-jsonschema").unlink()

    done = run_project_tests(project)

    assert done.returncode == 1, done.stdout[-4000:]
    assert "test_check_jsonschema_is_installed" in done.stdout
    assert "skipped" not in done.stdout.strip().splitlines()[-1]


def test_github_projects_get_no_azure_pipelines_or_their_tests(tmp_path: Path) -> None:
    project = bake(tmp_path, {"ci_provider": "github"})
    assert not (project / ".azure-pipelines").exists()
    assert not list((project / "tests").glob("*azure_pipelines*"))
