"""The SARIF every policy gate reports through: valid shape, one result per finding."""

from __future__ import annotations

import json
from pathlib import Path

from policies.sarif import Finding, write_sarif


def test_each_finding_becomes_one_error_result_with_its_rule_and_place(tmp_path: Path) -> None:
    findings = [
        Finding("PKG001", "leftpad 1.0 is not allowlisted", "uv.lock", 120),
        Finding("PKG001", "evil 6.6 is not allowlisted", "pipelines/conda.yml", 9),
        Finding(
            "PKG002", "exception for foo expired on 2026-01-01", "policies/packages/exceptions.yaml"
        ),
    ]
    log = json.loads(write_sarif(tmp_path / "out" / "q.sarif", "quarantine", findings).read_text())
    (run,) = log["runs"]
    assert log["version"] == "2.1.0"
    assert run["tool"]["driver"]["name"] == "quarantine"
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == ["PKG001", "PKG002"]
    places = [
        (
            result["ruleId"],
            result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            result["locations"][0]["physicalLocation"]["region"]["startLine"],
        )
        for result in run["results"]
    ]
    assert places == [
        ("PKG001", "uv.lock", 120),
        ("PKG001", "pipelines/conda.yml", 9),
        ("PKG002", "policies/packages/exceptions.yaml", 1),
    ]
    assert {result["level"] for result in run["results"]} == {"error"}


def test_no_findings_is_a_valid_empty_run(tmp_path: Path) -> None:
    log = json.loads(write_sarif(tmp_path / "empty.sarif", "crossguard", []).read_text())
    assert log["runs"][0]["results"] == []
    assert log["runs"][0]["tool"]["driver"]["rules"] == []


def test_a_finding_prints_as_one_line() -> None:
    finding = Finding("B602", "subprocess call with shell=True", "src/pkg/x.py", 12)
    assert finding.line_text() == "src/pkg/x.py:12: [B602] subprocess call with shell=True"
