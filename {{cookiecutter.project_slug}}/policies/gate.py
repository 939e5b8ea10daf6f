"""``make policy``: run every policy gate, keep going after a failure, print one summary table.

    .venv/bin/python -m policies.gate

Each gate is a make target; a gate with a SARIF file reports its findings count from it. Exit 1
if any gate failed (a missing target fails too), else 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Gate:
    """A gate: its name, the command that runs it, the SARIF it writes (if any)."""

    name: str
    command: tuple[str, ...]
    sarif: Path | None = None


@dataclass(frozen=True)
class Outcome:
    """How a gate ended: passed or not, its findings count when its SARIF says."""

    gate: Gate
    passed: bool
    findings: int | None


def _make(target: str, sarif: str | None = None) -> Gate:
    command = ("make", "--no-print-directory", target)
    return Gate(target, command, Path(sarif) if sarif else None)


GATES = (
    _make("rbac-check"),
    _make("quarantine", "build/policy/quarantine.sarif"),
    _make("policy-checkov", "build/policy/checkov-*.sarif"),
    _make("policy-crossguard", "build/policy/crossguard.sarif"),
    _make("policy-bandit", "build/policy/bandit.sarif"),
)


def sarif_findings(path: Path | None, since: float) -> int | None:
    """Results in the SARIF file(s) ``path`` names (a glob for gates writing several) that this
    run wrote (not older than ``since``), else None."""
    files = [] if path is None else sorted(path.parent.glob(path.name))
    fresh = [file for file in files if file.stat().st_mtime >= since]
    if not fresh:
        return None
    try:
        logs = [json.loads(file.read_text(encoding="utf-8")) for file in fresh]
        return sum(len(run.get("results", [])) for log in logs for run in log.get("runs", []))
    except (ValueError, AttributeError, TypeError):
        return None


def run_gate(gate: Gate) -> Outcome:
    """Run one gate, its output streaming through; never raises on its failure."""
    print(f"==> {gate.name}: {' '.join(gate.command)}", flush=True)
    started = time.time() - 1  # file systems with coarse timestamps
    try:
        code = subprocess.run(gate.command, check=False).returncode  # noqa: S603
    except OSError as exc:
        print(f"{gate.name}: cannot run: {exc}", file=sys.stderr)
        code = 127
    return Outcome(gate, code == 0, sarif_findings(gate.sarif, started))


def summary(outcomes: Sequence[Outcome]) -> str:
    """The table: gate, passed/failed, findings, SARIF file; then the verdict line."""
    rows = [("gate", "result", "findings", "sarif")]
    for outcome in outcomes:
        findings = "?" if outcome.findings is None else str(outcome.findings)
        sarif = str(outcome.gate.sarif) if outcome.gate.sarif else "-"
        result = "passed" if outcome.passed else "FAILED"
        rows.append((outcome.gate.name, result, findings, sarif))
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)) for row in rows]
    failed = [o.gate.name for o in outcomes if not o.passed]
    verdict = f"policy: {len(failed)} of {len(outcomes)} gates failed: {', '.join(failed)}"
    lines.append(verdict if failed else f"policy: all {len(outcomes)} gates passed")
    return "\n".join(line.rstrip() for line in lines) + "\n"


def main(gates: Sequence[Gate] = GATES) -> int:
    """Run every gate in order, print the summary; 1 if any failed."""
    outcomes = [run_gate(gate) for gate in gates]
    sys.stdout.write("\n" + summary(outcomes))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
