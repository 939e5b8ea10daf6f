"""The default project sets up from its lock files and passes its own `make test` (minutes).

test_generated_lifecycle.py runs its `make all`; test_generated_custom_project.py covers the
other option values. Separate modules, so that parallel workers run them side by side.
"""

from __future__ import annotations

from pathlib import Path

from conftest import bake, make, passed


def test_default_project_sets_up_and_passes_its_own_make_test(tmp_path: Path) -> None:
    project = bake(tmp_path)
    passed(make(project, "setup"), "make setup")
    out = passed(make(project, "test"), "make test")
    assert " passed" in out
    assert " failed" not in out
