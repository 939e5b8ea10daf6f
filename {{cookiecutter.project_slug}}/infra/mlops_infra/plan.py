"""Offline plan: what ``pulumi up`` would create for a stack, with no CLI, cloud or cluster.

    python -m mlops_infra.plan --stack dev [--out build/plan]

Loads ``Pulumi.yaml`` + ``Pulumi.<stack>.yaml`` like the CLI does, validates them through
``mlops_infra.settings``, runs the real program (``mlops_infra.program.build``) against the real
provider SDKs under Pulumi's mock engine, waits for every registration, then writes

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
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pulumi
import yaml

from mlops_infra import render
from mlops_infra.aks_cluster import AksArgsError
from mlops_infra.k8s_serving import ServingArgsError
from mlops_infra.mocks import INFRA_DIR, Mocks, load_stack_config

SECURE_PLACEHOLDER = "offline-plan-placeholder"


class PlanError(Exception):
    """A problem the user can fix; printed as one ``Error:`` line."""


def available_stacks(infra_dir: Path) -> list[str]:
    return sorted(
        path.name.removeprefix("Pulumi.").removesuffix(".yaml")
        for path in infra_dir.glob("Pulumi.*.yaml")
    )


def stack_config(stack: str, infra_dir: Path) -> tuple[str, dict[str, str], list[str]]:
    """(project name, namespaced config, secret keys) for ``stack``, or a PlanError."""
    stack_file = infra_dir / f"Pulumi.{stack}.yaml"
    if not (infra_dir / "Pulumi.yaml").is_file():
        raise PlanError(f"{infra_dir / 'Pulumi.yaml'} not found: run from the infra/ directory")
    if not stack_file.is_file():
        stacks = ", ".join(available_stacks(infra_dir)) or "none"
        raise PlanError(f"{stack_file} not found; available stacks: {stacks}")
    try:
        project = yaml.safe_load((infra_dir / "Pulumi.yaml").read_text(encoding="utf-8"))
        raw = yaml.safe_load(stack_file.read_text(encoding="utf-8")) or {}
        config = load_stack_config(stack, infra_dir)
    except yaml.YAMLError as exc:
        raise PlanError(f"invalid YAML: {str(exc).splitlines()[0]}") from None
    name = project["name"]
    secret_keys = []
    for key, value in (raw.get("config") or {}).items():
        if isinstance(value, dict) and "secure" in value:
            full_key = key if ":" in key else f"{name}:{key}"
            config[full_key] = SECURE_PLACEHOLDER
            secret_keys.append(full_key)
    return name, config, secret_keys


def run_program(stack: str, infra_dir: Path) -> list[dict[str, Any]]:
    """Run ``program.build`` for ``stack`` under mocks; the recorded resources, in order."""
    from mlops_infra import program, settings

    project, config, secret_keys = stack_config(stack, infra_dir)
    mocks = Mocks()
    pulumi.runtime.set_mocks(mocks, project=project, stack=stack, preview=False)
    pulumi.runtime.set_all_config(config, secret_keys)
    try:
        loaded = settings.load_settings(stack=stack)
    except settings.ConfigError as exc:
        raise PlanError(f"Pulumi.{stack}.yaml: {exc}") from None

    def deploy() -> None:
        program.build(loaded)

    # pulumi.runtime.test runs the function in the mock engine and waits for every
    # registration and apply to finish, re-raising the first error.
    try:
        pulumi.runtime.test(deploy)()
    except (ServingArgsError, AksArgsError) as exc:
        raise PlanError(f"Pulumi.{stack}.yaml: {exc}") from None
    return mocks.resources


def write_plan(resources: list[dict[str, Any]], out: Path) -> tuple[Path, list[Path]]:
    resources_json = render.write_resources_json(resources, out / "resources.json")
    manifests = render.write_manifests(resources, out / "manifests")
    return resources_json, manifests


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m mlops_infra.plan",
        description=(
            "Offline plan of a stack: run the Pulumi program under mocks (no CLI, cloud or "
            "cluster), write resources.json and the Kubernetes manifests, print counts per type."
        ),
    )
    parser.add_argument("--stack", required=True, help="stack name: reads Pulumi.<stack>.yaml")
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


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    out = args.out / args.stack
    try:
        _progress(f"plan: loading stack {args.stack} from {args.infra_dir}")
        resources = run_program(args.stack, args.infra_dir)
        _progress(f"plan: {len(resources)} resources registered; writing {out}")
        resources_json, manifests = write_plan(resources, out)
    except PlanError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    except Exception as exc:  # one line, no traceback: the message names the problem
        message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        print(f"Error: {type(exc).__name__}: {message}", file=sys.stderr)
        return 1
    _progress(f"plan: wrote {resources_json}")
    _progress(f"plan: wrote {len(manifests)} manifests under {out / 'manifests'}")
    sys.stdout.write(render.summary_table(resources))
    return 0


if __name__ == "__main__":
    sys.exit(main())
