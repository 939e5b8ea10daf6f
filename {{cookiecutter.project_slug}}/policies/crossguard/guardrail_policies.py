"""The pack's run-time guardrail policies: Azure Policy assignments and exemptions, compute local
auth, delete locks, log retention, the managed network's outbound rules and the online endpoint.

The machine-learning guardrails are the built-in definitions the stacks assign
(``infra/mlops_infra/security/definitions.py``; a test checks both lists agree): staging and prod
must enforce each with Deny where the definition allows it, and every stack must assign them all.
An exemption is time-boxed and reasoned. prod keeps its data and logs locked and 90 days of logs.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from pack_support import (
    LOG_ANALYTICS,
    PRIVATE_LINK_TARGETS,
    PRODUCTION_STACKS,
    WORKSPACE,
    points_at,
    resource_policy,
    stack_environment,
)
from pulumi_policy import (
    EnforcementLevel,
    Policy,
    PolicyResource,
    ReportViolation,
    ResourceValidationArgs,
    StackValidationArgs,
    StackValidationPolicy,
)

ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
EXEMPTION = "azure-native:authorization:PolicyExemption"
LOCK = "azure-native:authorization:ManagementLockByScope"
COMPUTE = "azure-native:machinelearningservices:Compute"
ONLINE_ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
# Public package indexes: an outbound rule to one lets compute install around the quarantine feed.
PUBLIC_INDEXES = ("pypi.org", "pythonhosted.org", "anaconda.org", "anaconda.com", "conda-forge")
LOCKED_STACKS = frozenset({"prod"})
MIN_PROD_RETENTION_DAYS = 90
# Built-in "Machine Learning" definitions every stack assigns: GUID -> whether Deny is allowed.
ML_GUARDRAILS = {
    "438c38d2-3772-465a-a9cc-7a6666a275ce": True,  # workspaces disable public network access
    "45e05259-1eb5-4f70-9574-baf73e9d219b": False,  # workspaces use private link (Audit only)
    "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f": True,  # computes have local auth disabled
    "679ddf89-ab8f-48a5-9029-e76054077449": True,  # compute instances have idle shutdown
    "12e5dd16-d201-47ff-849b-8454061c293d": True,  # deployments use approved registry models
    "6ddb1705-c8cf-450e-aa4b-19ad6703c440": True,  # managed network isolation mode
}
# What must not be deleted in a locked stack: the private link targets and the audit trail.
LOCK_TARGETS = {
    **PRIVATE_LINK_TARGETS,
    LOG_ANALYTICS: ("Microsoft.OperationalInsights/workspaces", "workspaceName"),
}


def _definition_guid(props: Mapping[str, Any]) -> str:
    return str(props.get("policyDefinitionId") or "").rstrip("/").rsplit("/", 1)[-1].lower()


def _effect(props: Mapping[str, Any]) -> object:
    return ((props.get("parameters") or {}).get("effect") or {}).get("value")


def guardrails_enforced(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Staging and prod enforce each ML guardrail: mode Default, and Deny where allowed."""
    if args.resource_type != ASSIGNMENT or stack_environment() not in PRODUCTION_STACKS:
        return
    if args.props.get("enforcementMode") == "DoNotEnforce":
        report("enforcementMode is DoNotEnforce: set it to Default (guardrails.py)", None)
    if ML_GUARDRAILS.get(_definition_guid(args.props)) and _effect(args.props) != "Deny":
        report(
            f"effect is {_effect(args.props)!r}, not Deny: set guardrailEffect: Deny in "
            f"Pulumi.{stack_environment()}.yaml (or exempt one resource in policyExemptions)",
            None,
        )


def guardrails_assigned(args: StackValidationArgs, report: ReportViolation) -> None:
    """Every stack with an Azure ML workspace assigns every ML guardrail."""
    if not any(r.resource_type == WORKSPACE for r in args.resources):
        return
    assigned = {_definition_guid(r.props) for r in args.resources if r.resource_type == ASSIGNMENT}
    missing = sorted(set(ML_GUARDRAILS) - assigned)
    if missing:
        report(
            f"built-in ML guardrails not assigned: {', '.join(missing)}: assign every row of "
            "mlops_infra/security/definitions.py (exempt with policyExemptions instead)",
            None,
        )


def _expires(value: object) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def exemption_time_boxed(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """A policy exemption has a reason and an expiry that has not passed."""
    if args.resource_type != EXEMPTION:
        return
    if not str(args.props.get("description") or "").strip():
        report("has no reason: give the policyExemptions entry a reason", None)
    expires = _expires(args.props.get("expiresOn"))
    if expires is None:
        report("has no expiry: give the policyExemptions entry a date YYYY-MM-DD", None)
    elif expires <= datetime.now(UTC):
        report(
            f"expired on {args.props.get('expiresOn')}: remove or renew the policyExemptions entry",
            None,
        )


def compute_no_local_auth(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Azure ML computes authenticate with Entra ID only (no SSH keys or local accounts)."""
    if args.resource_type != COMPUTE:
        return
    if (args.props.get("properties") or {}).get("disableLocalAuth") is not True:
        report("set properties.disableLocalAuth=True (workspace/compute.py)", None)


def prod_log_retention(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """prod's Log Analytics workspace keeps the audit trail at least 90 days."""
    if args.resource_type != LOG_ANALYTICS or stack_environment() not in LOCKED_STACKS:
        return
    days = args.props.get("retentionInDays")
    if not isinstance(days, (int, float)) or days < MIN_PROD_RETENTION_DAYS:
        report(
            f"retentionInDays is {days}: set logRetentionDays to at least "
            f"{MIN_PROD_RETENTION_DAYS} in Pulumi.prod.yaml",
            None,
        )


def _lock_scopes(lock: PolicyResource) -> set[str]:
    if lock.props.get("level") != "CanNotDelete":
        return set()
    return {str(lock.props.get("scope") or "").lower()}


def prod_delete_locks(args: StackValidationArgs, report: ReportViolation) -> None:
    """In prod the workspace, Key Vault, storage, registry and logs carry a CanNotDelete lock."""
    if stack_environment() not in LOCKED_STACKS:
        return
    locks = [r for r in args.resources if r.resource_type == LOCK]
    for resource in args.resources:
        if resource.resource_type in LOCK_TARGETS and not points_at(
            resource, locks, "scope", _lock_scopes, LOCK_TARGETS
        ):
            report(
                f"{resource.resource_type} {resource.name} has no CanNotDelete lock: "
                "set deleteLock: true in Pulumi.prod.yaml",
                resource.urn,
            )


def no_public_index_outbound(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Staging and prod workspaces have no outbound rule to a public package index."""
    if args.resource_type != WORKSPACE or stack_environment() not in PRODUCTION_STACKS:
        return
    rules = (args.props.get("managedNetwork") or {}).get("outboundRules") or {}
    for name, rule in rules.items():
        destination = str((rule or {}).get("destination") or "").lower()
        if any(index in destination for index in PUBLIC_INDEXES):
            report(
                f"outbound rule {name} reaches public index {destination}: packages come from "
                "the feed only; remove it from approvedOutboundFqdns",
                None,
            )


def endpoint_private_token_only(args: ResourceValidationArgs, report: ReportViolation) -> None:
    """Staging and prod online endpoints take Entra tokens only and no public traffic."""
    if args.resource_type != ONLINE_ENDPOINT or stack_environment() not in PRODUCTION_STACKS:
        return
    properties = args.props.get("properties") or {}
    if properties.get("authMode") != "AADToken":
        report(
            f"authMode is {properties.get('authMode')!r}: set onlineEndpointAuthMode: AADToken "
            f"in Pulumi.{stack_environment()}.yaml (keys never expire)",
            None,
        )
    if properties.get("publicNetworkAccess") != "Disabled":
        report(
            "publicNetworkAccess is not Disabled: set privateNetwork: true in "
            f"Pulumi.{stack_environment()}.yaml (score through the private endpoint)",
            None,
        )


def _stack_policy(name: str, description: str, validate: Any) -> StackValidationPolicy:
    return StackValidationPolicy(
        name=name,
        description=description,
        validate=validate,
        enforcement_level=EnforcementLevel.MANDATORY,
    )


GUARDRAIL_POLICIES: list[Policy] = [
    resource_policy(
        "mlops-no-public-index-outbound",
        "Ensure staging and prod workspaces have no outbound rule to a public package index.",
        no_public_index_outbound,
    ),
    resource_policy(
        "mlops-endpoint-private-token-only",
        "Ensure staging and prod online endpoints are private and accept Entra tokens only.",
        endpoint_private_token_only,
    ),
    resource_policy(
        "mlops-guardrails-enforced",
        "Ensure staging and prod enforce the ML policy guardrails with Deny where allowed.",
        guardrails_enforced,
    ),
    _stack_policy(
        "mlops-guardrails-assigned",
        "Ensure every stack with an Azure ML workspace assigns every built-in ML guardrail.",
        guardrails_assigned,
    ),
    resource_policy(
        "mlops-exemption-time-boxed",
        "Ensure every policy exemption has a reason and an expiry that has not passed.",
        exemption_time_boxed,
    ),
    resource_policy(
        "mlops-compute-no-local-auth",
        "Ensure Azure ML computes have local authentication disabled.",
        compute_no_local_auth,
    ),
    resource_policy(
        "mlops-prod-log-retention",
        "Ensure prod keeps its Log Analytics audit trail at least 90 days.",
        prod_log_retention,
    ),
    _stack_policy(
        "mlops-prod-delete-locks",
        "Ensure prod's workspace, Key Vault, storage, registry and logs carry a delete lock.",
        prod_delete_locks,
    ),
]
