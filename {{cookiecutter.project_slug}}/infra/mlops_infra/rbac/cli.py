"""``python -m mlops_infra.rbac show|check|docs``: read, check and document the RBAC data.

    show [--json] [--env production|pre-production]   the matrices (JSON: matrix.yaml's shape)
    check                                             data and separation-of-duties rules
    docs [--check]                                    write rbac/RBAC.md (or fail if stale)

Exit codes: 0 fine, 1 invalid data, a rule violation or a stale RBAC.md, 2 bad usage.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from mlops_infra.rbac import tables
from mlops_infra.rbac.load import RBAC_DIR, RbacDataError, load_rbac
from mlops_infra.rbac.model import ENVIRONMENTS, Rbac
from mlops_infra.rbac.rules import RULES, violations

DOCS_FILE = "RBAC.md"


def _show(rbac: Rbac, args: argparse.Namespace) -> int:
    environments = (args.env,) if args.env else ENVIRONMENTS
    if args.json:
        print(json.dumps(rbac.as_json(args.env), indent=2))
    else:
        print(tables.show(rbac, environments), end="")
    return 0


def _check(rbac: Rbac, args: argparse.Namespace) -> int:
    found = violations(rbac)
    for violation in found:
        print(f"Error: {violation.line()}", file=sys.stderr)
    grants = sum(1 for env in ENVIRONMENTS for _ in rbac.cells(env))
    print(
        f"rbac-check: {len(rbac.personas)} personas, {len(rbac.resources)} resources, "
        f"{grants} grants; {len(RULES)} separation-of-duties rules, {len(found)} violations"
    )
    return 1 if found else 0


def _docs(rbac: Rbac, args: argparse.Namespace) -> int:
    target: Path = args.rbac_dir / DOCS_FILE
    text = tables.markdown(rbac)
    if args.check:
        current = target.read_text(encoding="utf-8") if target.is_file() else ""
        if current != text:
            print(f"Error: {target} is out of date; run make rbac-docs", file=sys.stderr)
            return 1
        print(f"{target} is up to date")
        return 0
    target.write_text(text, encoding="utf-8")
    print(f"wrote {target}")
    return 0


def parser() -> argparse.ArgumentParser:
    """The command line: a subcommand each for show, check and docs."""
    main = argparse.ArgumentParser(
        prog="python -m mlops_infra.rbac", description="Persona RBAC: show, check, document."
    )
    main.add_argument("--rbac-dir", type=Path, default=RBAC_DIR, help="default: %(default)s")
    commands = main.add_subparsers(dest="command", required=True)
    show = commands.add_parser("show", help="the matrices as tables, or JSON with --json")
    show.add_argument("--json", action="store_true", help="JSON in matrix.yaml's shape")
    show.add_argument("--env", choices=ENVIRONMENTS, help="one environment (default: both)")
    show.set_defaults(run=_show)
    check = commands.add_parser("check", help="validate the data and separation of duties")
    check.set_defaults(run=_check)
    docs = commands.add_parser("docs", help=f"write {DOCS_FILE} from the data")
    docs.add_argument("--check", action="store_true", help=f"fail if {DOCS_FILE} is stale")
    docs.set_defaults(run=_docs)
    return main


def main(argv: Sequence[str] | None = None) -> int:
    """Run one subcommand; invalid data is reported line by line, never as a traceback."""
    args = parser().parse_args(argv)
    try:
        rbac = load_rbac(args.rbac_dir)
    except RbacDataError as exc:
        for problem in exc.problems:
            print(f"Error: {problem}", file=sys.stderr)
        return 1
    code: int = args.run(rbac, args)
    return code
