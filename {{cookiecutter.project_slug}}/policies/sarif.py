"""Findings of any gate as SARIF 2.1.0, the format GitHub code scanning and Azure DevOps read.

Every gate whose tool does not write SARIF itself (checkov does) reports ``Finding``s through
``write_sarif``; CI uploads ``build/policy/*.sarif``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

SARIF_SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"


@dataclass(frozen=True)
class Finding:
    """One refused thing: which rule, what and how to fix it, where (a repository path)."""

    rule_id: str
    message: str
    path: str
    line: int = 1

    def line_text(self) -> str:
        """``path:line: [rule] message``, how the gates print a finding."""
        return f"{self.path}:{self.line}: [{self.rule_id}] {self.message}"


def sarif_document(tool: str, findings: Iterable[Finding]) -> dict[str, object]:
    """A SARIF log with one run of ``tool``: its rules and one error result per finding."""
    found = list(findings)
    rules = sorted({finding.rule_id for finding in found})
    results = [
        {
            "ruleId": finding.rule_id,
            "level": "error",
            "message": {"text": finding.message},
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": finding.path},
                        "region": {"startLine": max(finding.line, 1)},
                    }
                }
            ],
        }
        for finding in found
    ]
    return {
        "$schema": SARIF_SCHEMA,
        "version": "2.1.0",
        "runs": [
            {
                "tool": {"driver": {"name": tool, "rules": [{"id": rule} for rule in rules]}},
                "results": results,
            }
        ],
    }


def write_sarif(path: Path, tool: str, findings: Iterable[Finding]) -> Path:
    """Write ``findings`` of ``tool`` to ``path`` (parents created) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(sarif_document(tool, findings), indent=2) + "\n", encoding="utf-8")
    return path
