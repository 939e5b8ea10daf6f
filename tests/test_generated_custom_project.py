"""A project with every name, region and provider option changed: its stacks and its CLI work.

The options reach the infrastructure (names, region and organization in every stack), the package
and command names, and the CI files (checked by test_ci_definitions.py). So this project runs
`make infra-test` and its CLI tests; the default project runs the whole suite.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import bake, make, passed

CUSTOM = {
    "project_name": "Churn Risk",
    "organization": "Fabrikam",
    "azure_region": "swedencentral",
    "ci_provider": "both",
}


def test_custom_project_stacks_and_command_line_pass_their_tests(tmp_path: Path) -> None:
    project = bake(tmp_path, CUSTOM)
    out = passed(make(project, "setup", "infra-test"), "make setup infra-test")
    assert " passed" in out
    cli = subprocess.run(
        [".venv/bin/pytest", "-q", "tests/test_cli.py"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert cli.returncode == 0, cli.stdout[-3000:]
    assert " passed" in cli.stdout
