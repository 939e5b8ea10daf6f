"""The generated project's own `make setup` and `make test` pass (slow: real installs)."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest
from conftest import KIT_ROOT, bake

COMBINATIONS = {
    "default": {},
    "both-ci-custom-names": {
        "project_name": "Churn Risk",
        "organization": "Fabrikam",
        "azure_region": "swedencentral",
        "ci_provider": "both",
    },
}


def make(project: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """Run the project's Makefile with the kit's pinned uv first on PATH."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")}
    env["PATH"] = f"{KIT_ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        ["make", "--no-print-directory", *targets],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )


@pytest.mark.slow
@pytest.mark.parametrize("name", COMBINATIONS)
def test_generated_project_sets_up_and_passes_its_own_tests(tmp_path: Path, name: str) -> None:
    project = bake(tmp_path, COMBINATIONS[name])
    for target in ("setup", "test"):
        done = make(project, target)
        assert done.returncode == 0, f"make {target}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    assert "passed" in done.stdout
    assert " failed" not in done.stdout


@pytest.mark.slow
def test_generated_lifecycle_ends_with_a_champion(tmp_path: Path) -> None:
    project = bake(tmp_path)
    done = make(project, "setup", "all")
    assert done.returncode == 0, done.stderr[-3000:]
    assert "registered diabetes-progression version 1" in done.stdout
    assert "PROMOTED: first version becomes champion" in done.stdout
