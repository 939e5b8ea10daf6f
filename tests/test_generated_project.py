"""The default project sets up from its lock files and passes its own `make test` (minutes),
and its persona RBAC equals the MLOps v2 reference cell by cell.

test_generated_lifecycle.py runs its `make all`; test_generated_custom_project.py covers the
other option values. Separate modules, so that parallel workers run them side by side.
"""

from __future__ import annotations

import json
from pathlib import Path

from conftest import bake, make, passed
from rbac_reference import reference_matrices


def test_default_project_sets_up_and_passes_its_own_make_test(tmp_path: Path) -> None:
    project = bake(tmp_path)
    passed(make(project, "setup"), "make setup")
    out = passed(make(project, "test"), "make test")
    assert " passed" in out
    assert " failed" not in out
    check_rbac(project)


def check_rbac(project: Path) -> None:
    """rbac-show's JSON is the reference; rbac-check passes, and names an Owner grant to a
    data scientist in production."""
    shown = json.loads(passed(make(project, "-s", "rbac-show", "ARGS=--json"), "rbac-show"))
    reference = reference_matrices()
    cells = [
        (env, persona, resource)
        for env, rows in reference["environments"].items()
        for persona, row in rows.items()
        for resource in row
    ]
    assert len(cells) == 192
    assert shown == reference
    passed(make(project, "rbac-check"), "rbac-check")
    matrix = project / "rbac" / "matrix.yaml"
    text = matrix.read_text(encoding="utf-8")
    granted = text.replace(
        "data-scientist:        {ml-workspace: [],", "data-scientist:        {ml-workspace: [O],", 1
    )
    assert granted != text
    matrix.write_text(granted, encoding="utf-8")
    refused = make(project, "rbac-check")
    assert refused.returncode != 0
    assert "Error: production / data-scientist / ml-workspace: O: Owner is a write role" in (
        refused.stderr
    )
