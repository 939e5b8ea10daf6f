"""The default project: `make all` ends with a champion whose drift check tells shift apart."""

from __future__ import annotations

import subprocess
from pathlib import Path

from conftest import bake, make, passed

# The test split as it is, and with bmi and s5 moved by 1.5 training standard deviations.
SAMPLES = """
import pandas as pd
train = pd.read_parquet("data/processed/train.parquet")
test = pd.read_parquet("data/processed/test.parquet")
test.to_csv("build/same.csv", index=False)
for name in ("bmi", "s5"):
    test[name] = test[name] + 1.5 * train[name].std()
test.to_csv("build/shifted.csv", index=False)
"""


def drift(project: Path, sample: str) -> subprocess.CompletedProcess[str]:
    """`python -m <package> drift` on one sample, as the issue's acceptance names it."""
    command = [".venv/bin/python", "-m", "diabetes_progression", "drift", "--current", sample]
    return subprocess.run(command, cwd=project, capture_output=True, text=True, check=False)


def test_default_lifecycle_ends_with_a_champion_whose_drift_check_tells_shift_apart(
    tmp_path: Path,
) -> None:
    project = bake(tmp_path)
    out = passed(make(project, "setup", "all"), "make setup all")
    assert "registered diabetes-progression version 1" in out
    assert "PROMOTED: first version becomes champion" in out
    (project / "build").mkdir(exist_ok=True)
    subprocess.run([".venv/bin/python", "-c", SAMPLES], cwd=project, check=True)
    same, shifted = drift(project, "build/same.csv"), drift(project, "build/shifted.csv")
    assert same.returncode == 0, same.stdout + same.stderr
    assert shifted.returncode == 1, shifted.stdout + shifted.stderr
    assert shifted.stdout.startswith("drift: bmi (PSI ")
    named = {part.split(" (")[0] for part in shifted.stdout.splitlines()[0][7:].split("), ")}
    assert named == {"bmi", "s5", "prediction"}
    assert (project / "build" / "drift" / "drift.html").is_file()
