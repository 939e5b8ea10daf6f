"""``make policy``'s runner: every gate runs even after one fails, one summary, the exit code."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest
from policies import gate
from policies.sarif import Finding, write_sarif


def _gate(name: str, code: str, sarif: Path | None = None) -> gate.Gate:
    return gate.Gate(name, (sys.executable, "-c", code), sarif)


def test_keeps_going_after_a_failing_gate_and_fails_overall(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    marker = tmp_path / "last-ran"
    sarif = tmp_path / "two.sarif"
    write_sarif(sarif, "old", [Finding("OLD", "stale", "x")])
    os.utime(sarif, (0, 0))  # a previous run's file: not this gate's count
    gates = [
        _gate("first", "raise SystemExit(3)"),
        _gate("second", "print('ok')", sarif),
        _gate("third", f"open({str(marker)!r}, 'w').close()"),
    ]
    assert gate.main(gates) == 1
    assert marker.is_file()
    table = capsys.readouterr().out.split("\n\ngate")[-1].splitlines()
    assert [line.split()[:3] for line in table[1:4]] == [
        ["first", "FAILED", "?"],
        ["second", "passed", "?"],
        ["third", "passed", "?"],
    ]
    assert table[4] == "policy: 1 of 3 gates failed: first"


def test_counts_findings_from_the_sarif_the_gate_wrote(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    sarif = tmp_path / "b.sarif"
    code = (
        "from pathlib import Path; from policies.sarif import Finding, write_sarif; "
        f"write_sarif(Path({str(sarif)!r}), 'bandit', [Finding('B602', 'm', 'a.py')] * 2); "
        "raise SystemExit(1)"
    )
    assert gate.main([_gate("policy-bandit", code, sarif)]) == 1
    row = capsys.readouterr().out.splitlines()[-2].split()
    assert row == ["policy-bandit", "FAILED", "2", str(sarif)]


def test_all_passing_exits_zero_and_says_so(capsys: pytest.CaptureFixture[str]) -> None:
    assert gate.main([_gate("a", "pass"), _gate("b", "pass")]) == 0
    assert capsys.readouterr().out.endswith("policy: all 2 gates passed\n")


def test_a_gate_that_cannot_start_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = gate.Gate("ghost", (str(tmp_path / "no-such-tool"),))
    assert gate.main([missing]) == 1
    assert "ghost  FAILED" in capsys.readouterr().out


def test_make_policy_runs_every_gate_by_its_make_target() -> None:
    assert [g.name for g in gate.GATES] == [
        "rbac-check",
        "quarantine",
        "policy-checkov",
        "policy-crossguard",
        "policy-bandit",
    ]
    assert all(g.command == ("make", "--no-print-directory", g.name) for g in gate.GATES)
