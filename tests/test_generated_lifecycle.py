"""The default project's `make all` runs the whole lifecycle and ends with a champion."""

from __future__ import annotations

from pathlib import Path

from conftest import bake, make, passed


def test_default_lifecycle_ends_with_a_champion(tmp_path: Path) -> None:
    project = bake(tmp_path)
    out = passed(make(project, "setup", "all"), "make setup all")
    assert "registered diabetes-progression version 1" in out
    assert "PROMOTED: first version becomes champion" in out
