"""``make policy-checkov``: checkov with our checks over manifests, CI definitions and secrets.

Runs, with checkov's own interpreter (``tools/checkov_run.py``), one checkov per part: the
rendered manifests of every planned stack (``build/plan/<stack>/manifests``), every CI
definition in the repository (GitHub workflows and Azure Pipelines), the Azure ML specs of
``pipelines/`` (checkov's yaml framework) and a secrets scan of every file. Writes checkov's
SARIF per part to ``build/policy/checkov-<part>.sarif``, prints one line per failed check and
exits non-zero on any.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from policies.checkov.policy_facts import GENERATED_ANYWHERE, GENERATED_AT_ROOT

CHECKOV_PYTHON = Path(".tools/checkov/bin/python")
RUNNER = Path("tools/checkov_run.py")
CHECKS = Path("policies/checkov")
SKIPS = Path("policies/checkov-skips.yaml")
PLANS = Path("build/plan")
OUT = Path("build/policy")
# Generated or vendored, never ours to scan (policy_facts); the fixtures are known-bad CI
# definitions on purpose.
EXCLUDED = GENERATED_AT_ROOT
CACHES = GENERATED_ANYWHERE
FIXTURES = "tests/fixtures/policy"
AZUREML_SPECS = "pipelines"  # the Azure ML YAML specs (endpoints, deployments, environments)
SARIF = "checkov.sarif"
SETUP_HINT = "run `make checkov-setup`"


@dataclass(frozen=True)
class Part:
    """One checkov run: a name (the SARIF file's suffix), its arguments and its skips."""

    name: str
    args: tuple[str, ...]
    skips: tuple[str, ...] = field(default=())


@dataclass(frozen=True)
class Failure:
    """One failed check, as the summary prints it."""

    check_id: str
    name: str
    path: str
    line: int
    resource: str

    def line_text(self) -> str:
        """``path:line: [id] name (resource)``."""
        return f"{self.path}:{self.line}: [{self.check_id}] {self.name} ({self.resource})"


def skipped(part: str, stack: str | None = None) -> tuple[str, ...]:
    """The built-in checks ``skips.yaml`` skips in ``part`` (and ``stack``)."""
    entries: dict[str, dict[str, Any]] = yaml.safe_load(SKIPS.read_text())
    return tuple(
        check
        for check, entry in entries.items()
        if entry["part"] == part and (stack is None or stack in entry.get("stacks", []))
    )


def exclusions(*extra: str) -> tuple[str, ...]:
    """``--skip-path`` arguments for the excluded folders, as anchored regular expressions.

    checkov also drops any path that merely contains a ``--skip-path`` value (``.git`` would
    drop ``.github``), so each one is a regex that no other path contains.
    """
    top = [rf"^(\./)?{re.escape(path)}$" for path in (*EXCLUDED, *extra)]
    anywhere = [rf"(^|/){re.escape(path)}$" for path in CACHES]
    return tuple(arg for path in (*top, *anywhere) for arg in ("--skip-path", path))


def parts() -> list[Part]:
    """Every planned stack's manifests, the CI definitions, the secrets of every file."""
    stacks = sorted(p.parent.name for p in PLANS.glob("*/manifests"))
    if not stacks:
        raise SystemExit(f"no {PLANS}/<stack>/manifests: run `make plan STACK=<stack>` first")
    found = [
        Part(
            f"kubernetes-{stack}",
            ("-d", str(PLANS / stack / "manifests"), "--framework", "kubernetes"),
            skipped("kubernetes", stack),
        )
        for stack in stacks
    ]
    ci = ("-d", ".", "--framework", "github_actions", "azure_pipelines", *exclusions(FIXTURES))
    return [*found, Part("ci", ci, skipped("ci")), azureml_part(), secrets_part()]


def azureml_part(root: str = AZUREML_SPECS) -> Part:
    """The Azure ML specs under ``root`` (endpoints, deployments, environments), yaml framework."""
    return Part("azureml", ("-d", root, "--framework", "yaml"))


def secrets_part(root: str = ".") -> Part:
    """The secrets scan of every file under ``root`` (any name), generated folders excluded."""
    args = ("-d", root, "--framework", "secrets", "--enable-secret-scan-all-files")
    return Part("secrets", (*args, *exclusions()))


def command(args: Iterable[str], skips: Iterable[str] = (), out: Path | None = None) -> list[str]:
    """The checkov command line: our checks, no download, JSON (and SARIF into ``out``)."""
    base = [str(CHECKOV_PYTHON), str(RUNNER), *args, "--external-checks-dir", str(CHECKS)]
    base += ["--skip-download", "--compact", "-o", "json"]
    base += [arg for check in skips for arg in ("--skip-check", check)]
    if out is not None:
        base += ["-o", "sarif", "--output-file-path", f"console,{out / SARIF}"]
    return base


def reports(stdout: str) -> list[dict[str, Any]]:
    """checkov's JSON output as a list of per-framework reports (empty when nothing ran)."""
    loaded = json.loads(stdout) if stdout.strip() else []
    if isinstance(loaded, dict) and "results" not in loaded:
        return []  # {"passed": 0, ...}: no file of this framework
    return loaded if isinstance(loaded, list) else [loaded]


def run(part: Part) -> list[dict[str, Any]]:
    """One checkov run; its reports, with its SARIF moved to build/policy/checkov-<part>.sarif."""
    with tempfile.TemporaryDirectory() as work:
        done = subprocess.run(  # noqa: S603 (our own fixed command line)
            command(part.args, part.skips, Path(work)), capture_output=True, text=True, check=False
        )
        if done.returncode not in (0, 1):
            raise SystemExit(f"checkov failed on {part.name}: {done.stderr[-800:]}\n{SETUP_HINT}")
        shutil.move(Path(work) / SARIF, OUT / f"checkov-{part.name}.sarif")
    return reports(done.stdout)


def failures(found: Iterable[dict[str, Any]]) -> list[Failure]:
    """Every failed check of the reports."""
    return [
        Failure(
            c["check_id"],
            c["check_name"],
            c["repo_file_path"].lstrip("/"),
            (c.get("file_line_range") or [1])[0],
            c["resource"],
        )
        for report in found
        for c in report["results"]["failed_checks"]
    ]


def unread(found: Iterable[dict[str, Any]]) -> list[str]:
    """GitHub workflows and Azure pipelines with jobs or stages that checkov did not read."""
    read = {
        c["repo_file_path"].lstrip("/")
        for report in found
        for outcome in ("passed_checks", "failed_checks", "skipped_checks")
        for c in report["results"][outcome]
    }
    candidates = [
        *Path(".github/workflows").glob("*.y*ml"),
        *Path(".azure-pipelines").rglob("*.y*ml"),
    ]
    return sorted(
        str(path)
        for path in candidates
        if str(path) not in read
        and {"jobs", "stages"} & set(yaml.safe_load(path.read_text()) or {})
    )


def main() -> int:
    """Run every part (two at a time), print the summary, exit 1 on any failure."""
    if not CHECKOV_PYTHON.is_file():
        raise SystemExit(f"checkov is not installed at {CHECKOV_PYTHON}: {SETUP_HINT}")
    OUT.mkdir(parents=True, exist_ok=True)
    todo = parts()
    with ThreadPoolExecutor(max_workers=2) as pool:
        results = dict(zip([p.name for p in todo], pool.map(run, todo), strict=True))
    failed = [f for found in results.values() for f in failures(found)]
    for failure in failed:
        print(failure.line_text())
    missing = unread(results["ci"])
    for path in missing:
        print(f"{path}:1: checkov did not read this CI definition: fix its YAML")
    print(f"checkov: {len(failed)} failed check(s) over {', '.join(results)}")
    return 1 if failed or missing else 0


if __name__ == "__main__":
    sys.exit(main())
