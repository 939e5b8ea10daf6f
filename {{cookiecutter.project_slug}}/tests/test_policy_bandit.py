"""``make policy-bandit``: unsafe Python anywhere is caught with its bandit id; the repo passes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from policies import bandit_gate

from .conftest import PROJECT_ROOT

BANDIT = PROJECT_ROOT / ".tools" / "bandit" / "bin" / "bandit"


@pytest.fixture(scope="module")
def bandit() -> Path:
    """The pinned bandit of ``make bandit-setup``: missing fails, never skips."""
    assert BANDIT.is_file(), f"{BANDIT} is missing: run `make bandit-setup`"
    return BANDIT


def _scan(bandit: Path, root: Path) -> tuple[int, list[tuple[str, str]], dict[str, object]]:
    sarif = root / "out.sarif"
    code = bandit_gate.main(["--root", str(root), "--bandit", str(bandit), "--sarif", str(sarif)])
    log = json.loads(sarif.read_text())
    results = log["runs"][0]["results"]
    found = [
        (r["ruleId"], r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"])
        for r in results
    ]
    return code, sorted(found), log


UNSAFE = {
    "B602": "import subprocess\n\n\ndef run(command: str) -> None:\n"
    "    subprocess.run(command, shell=True, check=True)\n",
    "B301": "import pickle\n\n\ndef load(blob: bytes) -> object:\n    return pickle.loads(blob)\n",
}


@pytest.mark.parametrize("rule", sorted(UNSAFE))
def test_unsafe_python_in_a_new_module_at_an_odd_path_is_caught(
    bandit: Path, tmp_path: Path, rule: str
) -> None:
    module = tmp_path / "ops" / "odd place" / "deep" / "helper_x.py"
    module.parent.mkdir(parents=True)
    module.write_text(UNSAFE[rule])
    code, found, _ = _scan(bandit, tmp_path)
    assert code == 1
    assert {r for r, _ in found} >= {rule}
    assert {path for _, path in found} == {"ops/odd place/deep/helper_x.py"}


def test_a_literal_shell_command_is_caught_too(bandit: Path, tmp_path: Path) -> None:
    (tmp_path / "tool.py").write_text('import subprocess\n\nsubprocess.run("ls", shell=True)\n')
    code, found, _ = _scan(bandit, tmp_path)
    assert (code, found) == (1, [("B602", "tool.py"), ("B607", "tool.py")])


def test_tests_get_the_test_profile_and_unsafe_calls_still_fail_there(
    bandit: Path, tmp_path: Path
) -> None:
    tests = tmp_path / "infra" / "tests"
    tests.mkdir(parents=True)
    (tests / "test_x.py").write_text("def test_x() -> None:\n    assert 1 + 1 == 2\n")
    (tmp_path / "lib.py").write_text("def f(x: int) -> None:\n    assert x\n")
    (tests / "test_y.py").write_text(UNSAFE["B301"])
    code, found, _ = _scan(bandit, tmp_path)
    assert (code, found) == (
        1,
        [("B101", "lib.py"), ("B301", "infra/tests/test_y.py"), ("B403", "infra/tests/test_y.py")],
    )


def test_generated_folders_are_not_scanned(bandit: Path, tmp_path: Path) -> None:
    for folder in (".venv/lib", "build", ".tools/x", "policies/crossguard/venv"):
        (tmp_path / folder).mkdir(parents=True)
        (tmp_path / folder / "m.py").write_text(UNSAFE["B301"])
    code, found, _ = _scan(bandit, tmp_path)
    assert (code, found) == (0, [])


def test_the_shipped_repository_passes(bandit: Path, tmp_path: Path) -> None:
    sarif = tmp_path / "bandit.sarif"
    argv = ["--root", str(PROJECT_ROOT), "--bandit", str(bandit), "--sarif", str(sarif)]
    assert bandit_gate.main(argv) == 0
    assert json.loads(sarif.read_text())["runs"][0]["results"] == []
