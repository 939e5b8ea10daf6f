"""The CrossGuard pack against the offline plans: what ``pulumi preview --policy-pack`` would say.

    infra/.venv/bin/python -m policies.crossguard_offline --stack dev --stack staging --stack prod

Reads ``build/plan/<stack>/resources.json`` (``make plan``), hands every recorded resource to the
pack's own policies through pulumi-policy's argument types, built the way its analyzer builds
them from the engine's requests (``ResourceValidationArgs`` per resource, ``StackValidationArgs``
with every ``PolicyResource``), with the runtime's stack set as the CLI sets it. Prints one line
per violation and a count, writes ``build/policy/crossguard.sarif``, exits 1 on any mandatory one.
"""

from __future__ import annotations

import argparse
import asyncio
import inspect
import json
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pulumi
import yaml
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyCustomTimeouts,
    PolicyResource,
    PolicyResourceOptions,
    ReportViolation,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
)
from pulumi_policy.deserialize import deserialize_properties
from pulumi_policy.proxy import unknown_checking_proxy

from policies.sarif import Finding, write_sarif

PACK_DIR = Path(__file__).resolve().parent / "crossguard"
sys.path.insert(0, str(PACK_DIR))  # as the CLI runs the pack: from its own directory
from mlops_policies import PACK_NAME, POLICIES  # noqa: E402

TOOL = "crossguard"


@dataclass(frozen=True)
class Violation:
    """One reported violation: the policy, its enforcement, the stack, the resource, the message."""

    policy: str
    mandatory: bool
    stack: str
    resource: str
    message: str

    def finding(self) -> Finding:
        """As a SARIF finding located at the stack's config file."""
        return Finding(
            self.policy, f"{self.stack}: {self.resource}: {self.message}", stack_file(self.stack)
        )


def stack_file(stack: str) -> str:
    """The repository path of the stack's config, where a finding of the stack points."""
    return f"infra/Pulumi.{stack}.yaml"


def project_name(infra_dir: Path) -> str:
    """The Pulumi project name from ``Pulumi.yaml``."""
    document = yaml.safe_load((infra_dir / "Pulumi.yaml").read_text(encoding="utf-8"))
    return str(document["name"])


def use_stack(project: str, stack: str) -> None:
    """Configure the runtime as pulumi-policy does from the CLI's PULUMI_PROJECT/PULUMI_STACK."""
    pulumi.runtime.configure(pulumi.runtime.Settings(project=project, stack=stack, dry_run=True))


def default_options() -> PolicyResourceOptions:
    """The options the analyzer builds for a resource registered with none."""
    return PolicyResourceOptions(False, [], None, [], PolicyCustomTimeouts(0, 0, 0), [], None)


def policy_resource(project: str, stack: str, record: dict[str, Any]) -> PolicyResource:
    """A recorded resource as the analyzer's ``PolicyResource`` (no provider, parent, deps)."""
    urn = f"urn:pulumi:{stack}::{project}::{record['type']}::{record['name']}"
    props = unknown_checking_proxy(deserialize_properties(record.get("inputs") or {}))
    return PolicyResource(
        record["type"], props, urn, record["name"], default_options(), None, None, [], {}
    )


def _settle(result: object) -> None:
    """Run an async validation to completion, as the analyzer does."""
    if inspect.isawaitable(result):
        asyncio.run(_await(result))


async def _await(result: Any) -> None:
    await result


def _mandatory(policy: Policy) -> bool:
    return policy.enforcement_level in (None, EnforcementLevel.MANDATORY)


def _reporter(
    found: list[Violation], policy: Policy, stack: str, urn: str | None = None
) -> ReportViolation:
    """A ``report_violation`` collecting into ``found``; a resource policy's ``urn`` always wins."""

    def report(message: str, reported_urn: str | None = None) -> None:
        target = urn or reported_urn
        name = target.rsplit("::", 1)[-1] if target else "stack"
        found.append(Violation(policy.name, _mandatory(policy), stack, name, message))

    return report


def evaluate(
    stack: str, resources: list[PolicyResource], policies: Sequence[Policy] = POLICIES
) -> list[Violation]:
    """Every violation of ``policies`` in one stack's resources (the runtime's stack set)."""
    found: list[Violation] = []
    for policy in policies:
        if isinstance(policy, ResourceValidationPolicy):
            for res in resources:
                args = ResourceValidationArgs(
                    res.resource_type, res.props, res.urn, res.name, res.opts, res.provider
                )
                _settle(policy.validate(args, _reporter(found, policy, stack, res.urn)))
        elif isinstance(policy, StackValidationPolicy):
            _settle(
                policy.validate(StackValidationArgs(resources), _reporter(found, policy, stack))
            )
    return found


def load_stack(plan_dir: Path, project: str, stack: str) -> list[PolicyResource]:
    """The recorded resources of ``stack`` from ``<plan_dir>/<stack>/resources.json``."""
    path = plan_dir / stack / "resources.json"
    if not path.is_file():
        raise FileNotFoundError(f"{path} is missing: run `make plan STACK={stack}` first")
    records = json.loads(path.read_text(encoding="utf-8"))
    return [policy_resource(project, stack, record) for record in records]


def check_stack(plan_dir: Path, project: str, stack: str) -> list[Violation]:
    """Load ``stack``'s plan, set the runtime's stack, evaluate the pack."""
    resources = load_stack(plan_dir, project, stack)
    use_stack(project, stack)
    return evaluate(stack, resources)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """--stack (repeatable), --plan-dir, --infra-dir, --sarif."""
    parser = argparse.ArgumentParser(prog="python -m policies.crossguard_offline")
    parser.add_argument("--stack", action="append", required=True, help="stack to check")
    parser.add_argument("--plan-dir", type=Path, default=Path("build/plan"))
    parser.add_argument("--infra-dir", type=Path, default=Path("infra"))
    parser.add_argument("--sarif", type=Path, default=Path("build/policy/crossguard.sarif"))
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Check every stack; 0 if no mandatory violation, else 1."""
    args = parse_args(argv)
    project = project_name(args.infra_dir)
    try:
        violations = [v for s in args.stack for v in check_stack(args.plan_dir, project, s)]
    except FileNotFoundError as exc:
        print(f"Error: {exc}", file=sys.stderr)
        return 1
    for violation in violations:
        print(violation.finding().line_text())
    write_sarif(args.sarif, TOOL, [v.finding() for v in violations])
    mandatory = sum(v.mandatory for v in violations)
    print(
        f"{TOOL}: {len(violations)} violation(s) ({mandatory} mandatory) of {len(POLICIES)} "
        f"policies of {PACK_NAME} in stacks {', '.join(args.stack)}; SARIF: {args.sarif}"
    )
    return 1 if mandatory else 0


if __name__ == "__main__":
    sys.exit(main())
