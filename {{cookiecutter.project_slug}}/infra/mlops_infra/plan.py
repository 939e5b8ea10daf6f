"""Offline plan: what ``pulumi up`` would create for a stack, with no CLI, cloud or cluster.

    python -m mlops_infra.plan --stack dev [--out build/plan] [--infra-dir DIR]

Reads ``Pulumi.yaml`` + ``Pulumi.<stack>.yaml`` like the CLI does (``mlops_infra.config``), runs
the real program (``mlops_infra.program.build``; for the ``governance`` stack, whose files are in
``governance/``, ``mlops_infra.governance.program.build``) against the real provider SDKs under
Pulumi's mock engine, waits for every registration, then writes

* ``<out>/<stack>/resources.json``: every resource with its inputs, secrets masked;
* ``<out>/<stack>/manifests/``: the Kubernetes objects, laid out like pulumi-kubernetes'
  ``renderYamlToDirectory`` (``0-crd/``, ``1-manifest/``), ready for kubectl, kubeconform, checkov;

and prints a count of resources per type. Progress goes to stderr, the table to stdout. Problems
(an unknown stack, invalid config, an image without digest in staging/prod) end with one
``Error: ...`` line and exit code 1. ``secure:`` config values cannot be decrypted offline: they are
replaced by a placeholder and stay marked secret.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pulumi

from mlops_infra import render
from mlops_infra.aks.args import AksArgsError
from mlops_infra.config import (
    INFRA_DIR,
    MAIN_PROGRAM,
    ConfigFileError,
    StackConfig,
    load_stack_config,
)
from mlops_infra.governance import program as governance
from mlops_infra.governance.args import GovernanceArgsError
from mlops_infra.governance.settings import load_governance_settings
from mlops_infra.mocks import Mocks
from mlops_infra.monitoring.args import MonitoringArgsError
from mlops_infra.network.args import NetworkArgsError
from mlops_infra.program import build
from mlops_infra.rbac.args import AccessArgsError
from mlops_infra.rbac.load import RbacDataError
from mlops_infra.security.args import SecurityArgsError
from mlops_infra.serving.values import ServingArgsError
from mlops_infra.settings import ConfigError, load_settings
from mlops_infra.workspace.args import WorkspaceArgsError

ARGS_ERRORS = (
    AccessArgsError,
    AksArgsError,
    GovernanceArgsError,
    MonitoringArgsError,
    NetworkArgsError,
    RbacDataError,
    SecurityArgsError,
    ServingArgsError,
    WorkspaceArgsError,
)


class PlanError(Exception):
    """A problem the user can fix; printed as one ``Error:`` line."""


def start_mocks(config: StackConfig) -> Mocks:
    """Point the Pulumi runtime at a fresh mock engine holding ``config``; return the engine."""
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project=config.project, stack=config.stack, preview=False)
    pulumi.runtime.set_all_config(dict(config.values), list(config.secret_keys))
    return mocks


def _infra(stack: str) -> Callable[[], object]:
    """The main program of ``stack``, its settings read now."""
    settings = load_settings(stack=stack)
    return lambda: build(settings)


def _governance(stack: str) -> Callable[[], object]:
    """The governance program of ``stack``, its settings read now."""
    settings = load_governance_settings(stack=stack)
    return lambda: governance.build(settings)


# StackConfig.program -> the program's settings reader and wiring.
PROGRAMS: dict[str, Callable[[str], Callable[[], object]]] = {
    MAIN_PROGRAM: _infra,
    "governance": _governance,
}


def run_program(config: StackConfig) -> list[dict[str, Any]]:
    """Run the stack's program for ``config`` under mocks; the recorded resources, in order."""
    mocks = start_mocks(config)
    where = f"Pulumi.{config.stack}.yaml"
    try:
        deploy = PROGRAMS[config.program](config.stack)
    except ConfigError as exc:
        raise PlanError(f"{where}: {exc}") from None

    # pulumi.runtime.test runs the function in the mock engine and waits for every
    # registration and apply to finish, re-raising the first error.
    try:
        pulumi.runtime.test(deploy)()
    except ARGS_ERRORS as exc:
        raise PlanError(f"{where}: {exc}") from None
    return mocks.resources


def write_plan(resources: list[dict[str, Any]], out: Path) -> tuple[Path, list[Path]]:
    """Write ``resources.json`` and the manifests of one stack under ``out``."""
    resources_json = render.write_resources_json(resources, out / "resources.json")
    manifests = render.write_manifests(resources, out / "manifests")
    return resources_json, manifests


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line: --stack, --out, --infra-dir."""
    parser = argparse.ArgumentParser(
        prog="python -m mlops_infra.plan",
        description=(
            "Offline plan of a stack: run the Pulumi program under mocks (no CLI, cloud or "
            "cluster), write resources.json and the Kubernetes manifests, print counts per type."
        ),
    )
    parser.add_argument(
        "--stack",
        required=True,
        help="stack name: reads Pulumi.<stack>.yaml (governance: from governance/)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=Path("build/plan"),
        help="output root; files go to <out>/<stack>/ (default: build/plan)",
    )
    parser.add_argument(
        "--infra-dir",
        type=Path,
        default=INFRA_DIR,
        help="directory holding Pulumi.yaml (default: %(default)s)",
    )
    return parser.parse_args(argv)


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _plan(stack: str, infra_dir: Path, out: Path) -> list[dict[str, Any]]:
    """Load, run and write one stack's plan; return its resources."""
    _progress(f"plan: loading stack {stack} from {infra_dir}")
    try:
        config = load_stack_config(stack, infra_dir)
    except ConfigFileError as exc:
        raise PlanError(str(exc)) from None
    resources = run_program(config)
    _progress(f"plan: {len(resources)} resources registered; writing {out}")
    resources_json, manifests = write_plan(resources, out)
    _progress(f"plan: wrote {resources_json}")
    _progress(f"plan: wrote {len(manifests)} manifests under {out / 'manifests'}")
    return resources


def main(argv: Sequence[str] | None = None) -> int:
    """Plan one stack; 0 on success, 1 after one ``Error:`` line."""
    args = parse_args(argv)
    try:
        resources = _plan(args.stack, args.infra_dir, args.out / args.stack)
    except PlanError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # one line, no traceback: the message names the problem
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"Error: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1
    sys.stdout.write(render.summary_table(resources))
    return 0


if __name__ == "__main__":
    sys.exit(main())
