"""A project with every name, region and provider option changed: its stacks, its CLI and its
policy gates work.

The options reach the infrastructure (names, region and organization in every stack), the package
and command names, the CI files of both providers and the package lists. `make policy` plans
every stack with those names and runs every gate over them (checkov on the manifests and both
providers' CI definitions, CrossGuard on the plans, the quarantine, bandit, rbac-check), and the
renamed command runs; the default project runs the whole test suite, infra included.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from conftest import bake, make, passed

CUSTOM = {
    "project_name": "Churn Risk",
    "organization": "Fabrikam",
    "azure_region": "swedencentral",
    "ci_provider": "both",
}


def test_custom_project_passes_every_policy_gate_and_its_command_runs(tmp_path: Path) -> None:
    project = bake(tmp_path, CUSTOM)
    passed(make(project, "setup"), "make setup")
    command = project / ".venv" / "bin" / "churn-risk"
    listed = subprocess.run([command, "--help"], capture_output=True, text=True, check=True)
    assert "score-batch" in listed.stdout
    prep = subprocess.run(
        [command, "prep", "--json"], cwd=project, capture_output=True, text=True, check=False
    )
    assert prep.returncode == 0, prep.stderr[-3000:]
    assert sum(json.loads(prep.stdout)["rows"].values()) == 442
    gates = passed(make(project, "policy"), "make policy")
    assert "policy: all 5 gates passed" in gates
