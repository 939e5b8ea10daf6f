"""The classification reference project (`task=classification`): its own `make test` passes and
`make all` ends with a champion whose drift check finds no drift on its own test split.

Baked under a name of its own, longer than Azure's name limits allow in full, so that nothing
(code, tests, infra names) depends on the default project's name."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import bake, make, passed

PROJECT_NAME = "Breast Cancer Screening"  # slug breast-cancer-screening, cut to 20 in Azure names
TEST_SPLIT = """
import pandas as pd
pd.read_parquet("data/processed/test.parquet").to_csv("build/same.csv", index=False)
"""


def test_classification_project_passes_its_tests_and_its_champion_sees_no_drift(
    tmp_path: Path,
) -> None:
    project = bake(tmp_path, {"task": "classification", "project_name": PROJECT_NAME})
    out = passed(make(project, "setup", "test"), "make setup test")
    assert " passed" in out
    assert " failed" not in out
    out = passed(make(project, "all"), "make all")
    assert "PROMOTED: first version becomes champion" in out
    assert "decision threshold " in out
    (project / "build").mkdir(exist_ok=True)
    subprocess.run([".venv/bin/python", "-c", TEST_SPLIT], cwd=project, check=True)
    command = [".venv/bin/python", "-m", "breast_cancer_screening", "drift"]
    checked = subprocess.run(
        [*command, "--current", "build/same.csv"],
        cwd=project,
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr
