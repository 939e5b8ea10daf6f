"""bandit over every Python file of the repository, tests with their own profile.

    .venv/bin/python -m policies.bandit_gate [--root .] [--bandit .tools/bandit/bin/bandit]

Discovers, not lists: every ``*.py`` under ``--root`` except generated and vendored folders is
scanned; directories named ``tests`` get the test profile (``policies/bandit-tests.yaml``), the
rest the code profile (``policies/bandit.yaml``). Any finding, whatever its severity, fails: bandit
rates ``shell=True`` with a literal command as low, and the profiles already skip what is noise.
Prints one line per finding and a count, writes ``build/policy/bandit.sarif``, exits 1 on any.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from policies.checkov.policy_facts import GENERATED_ANYWHERE, GENERATED_AT_ROOT
from policies.sarif import Finding, write_sarif

TOOL = "bandit"
POLICY_DIR = Path(__file__).resolve().parent
CODE_PROFILE = POLICY_DIR / "bandit.yaml"
TEST_PROFILE = POLICY_DIR / "bandit-tests.yaml"
# Generated or vendored, never scanned (policies/checkov/policy_facts.py): these folder names
# anywhere (venv/ is the CrossGuard pack's CLI-made environment), and these at the root only.
EXCLUDED_DIRS = frozenset(GENERATED_ANYWHERE)
EXCLUDED_ROOT_DIRS = frozenset(GENERATED_AT_ROOT)
TEST_DIR_NAME = "tests"


def _excluded(parent: Path, root: Path, name: str) -> bool:
    return name in EXCLUDED_DIRS or (parent == root and name in EXCLUDED_ROOT_DIRS)


def find_test_dirs(root: Path) -> list[Path]:
    """Every ``tests`` directory under ``root`` (relative), outside the excluded folders."""
    found: list[Path] = []
    for current, dirs, _files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if not _excluded(Path(current), root, d))
        if Path(current).name == TEST_DIR_NAME:
            found.append(Path(current).relative_to(root))
            dirs[:] = []
    return found


def excluded_globs(tests: Iterable[Path] = ()) -> str:
    """bandit's ``-x`` (run from the root): the excluded folders and ``tests``' directories."""
    globs = [f"*/{name}/*" for name in sorted(EXCLUDED_DIRS)]
    globs += [f"./{name}/*" for name in sorted(EXCLUDED_ROOT_DIRS)]
    globs += [f"./{path.as_posix()}/*" for path in tests]
    return ",".join(globs)


def run_bandit(bandit: Path, root: Path, config: Path, args: Sequence[str]) -> dict[str, Any]:
    """One bandit run in ``root`` with ``config``: its JSON report."""
    command = [str(bandit), "-f", "json", "-q", "-c", str(config), *args]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode not in (0, 1) or not done.stdout.strip():
        raise RuntimeError(f"bandit failed ({done.returncode}): {done.stderr.strip()[:500]}")
    report: dict[str, Any] = json.loads(done.stdout)
    return report


def findings(report: dict[str, Any]) -> list[Finding]:
    """bandit's results (and files it could not parse) as findings with the fix."""
    out = [
        Finding(
            result["test_id"],
            f"{result['test_name']}: {result['issue_text']} (severity {result['issue_severity']}"
            f", confidence {result['issue_confidence']}): fix it, or on a false positive add "
            f"`# nosec {result['test_id']} - <why>` to the line",
            result["filename"].removeprefix("./"),
            int(result["line_number"]),
        )
        for result in report.get("results", [])
    ]
    out += [
        Finding("bandit-error", f"bandit could not scan it: {error['reason']}", error["filename"])
        for error in report.get("errors", [])
    ]
    return out


def scan(bandit: Path, root: Path) -> list[Finding]:
    """Both profiles over ``root``: the code outside test directories, then the tests."""
    tests = find_test_dirs(root)
    code = run_bandit(bandit, root, CODE_PROFILE, ["-r", ".", "-x", excluded_globs(tests)])
    found = findings(code)
    if tests:
        targets = [f"./{path.as_posix()}" for path in tests]
        args = ["-r", *targets, "-x", excluded_globs()]
        found += findings(run_bandit(bandit, root, TEST_PROFILE, args))
    return sorted(found, key=lambda f: (f.path, f.line, f.rule_id))


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """--root, --bandit, --sarif."""
    parser = argparse.ArgumentParser(prog="python -m policies.bandit_gate")
    parser.add_argument("--root", type=Path, default=Path("."), help="repository to scan")
    parser.add_argument("--bandit", type=Path, default=Path(".tools/bandit/bin/bandit"))
    parser.add_argument("--sarif", type=Path, default=Path("build/policy/bandit.sarif"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Scan, print, write SARIF; 1 on any finding."""
    args = parse_args(argv)
    if not args.bandit.is_file():
        print(f"Error: {args.bandit} is missing: run `make bandit-setup`", file=sys.stderr)
        return 1
    found = scan(args.bandit.resolve(), args.root.resolve())
    for finding in found:
        print(finding.line_text())
    write_sarif(args.sarif, TOOL, found)
    print(f"{TOOL}: {len(found)} finding(s) in {args.root}; SARIF: {args.sarif}")
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
