"""Typed stack settings: the ONLY place where environments differ.

``load_settings`` reads every key of ``pulumi.Config()`` once (keys ``<project>:<key>``) into a
frozen ``Settings``. ``Pulumi.yaml`` declares each key with its type and holds the only defaults
(the CLI applies them), so every key is read here as required. This module checks configuration
as such: each key present and of its type, the environment name, ``location`` against
``azure-native:location`` and the organization. What a value means for a component (digests, DNS
labels, weights, counts) is checked by that component's Args ``validate()``. Components never
branch on the environment name: they read fields and derived properties from here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

import pulumi

from mlops_infra.naming import SLUG, AzureNames, compact
from mlops_infra.policy_facts import DIGEST_REQUIRED_IN, ENVIRONMENTS

_T = TypeVar("_T")


class ConfigError(ValueError):
    """A stack configuration value is missing or invalid; the message names the key and the fix."""


def _fix(key: str, example: str) -> str:
    return f"set it with pulumi config set {key} {example}"


@dataclass(frozen=True)
class Settings:
    """Every config key of one stack, typed, plus the names and tags derived from them."""

    stack: str
    environment: str
    location: str
    organization: str
    private_network: bool
    managed_network_isolation: str
    vnet_address_space: str
    endpoints_subnet: str
    training_subnet: str
    aks_subnet: str
    compute_vm_size: str
    compute_max_nodes: int
    aks_create: bool
    aks_node_count: int
    aks_vm_size: str
    aks_private_cluster: bool
    aks_authorized_ip_ranges: tuple[str, ...]
    serving_image: str
    serving_image_digest: str | None
    serving_replicas: int
    green_weight: int
    namespace: str
    rbac_matrix: str
    persona_principals: tuple[str, ...]
    azure_devops_project: str
    cicd_devops_level: str
    alert_emails: tuple[str, ...]
    alert_webhooks: tuple[str, ...]
    alert_latency_p95_ms: int
    alert_server_errors_per_minute: int
    alert_requests_per_minute: int
    alert_node_utilization_percent: int
    budget_amount: int
    stale_workspace_days: int
    log_retention_days: int
    guardrail_effect: str
    policy_exemptions: tuple[str, ...]
    approved_outbound_fqdns: tuple[str, ...]
    delete_lock: bool
    defender_plans: bool
    customer_managed_key: str
    customer_managed_key_vault_id: str
    online_endpoint_auth_mode: str
    project: str = SLUG

    @property
    def names(self) -> AzureNames:
        """The Azure resource names of this stack's environment."""
        return AzureNames(self.organization, self.environment, self.project)

    @property
    def public_network_access_mode(self) -> str:
        """``Disabled`` in a private network (private endpoints only), else ``Enabled``."""
        return "Disabled" if self.private_network else "Enabled"

    @property
    def compute_in_training_subnet(self) -> bool:
        """The training cluster joins our subnet: private, and no Azure ML managed network."""
        return self.private_network and self.managed_network_isolation == "Disabled"

    @property
    def requires_digest(self) -> bool:
        """Only an immutable ``repo@sha256:...`` may run (staging and prod)."""
        return self.environment in DIGEST_REQUIRED_IN

    @property
    def tags(self) -> dict[str, str]:
        """The tags put on every Azure resource."""
        return {
            "environment": self.environment,
            "organization": self.organization,
            "project": self.project,
            "managed-by": "pulumi",
        }


@dataclass(frozen=True)
class ConfigKeys:
    """Required, typed reads of one config namespace; a problem is one ConfigError line."""

    config: pulumi.Config

    def _read(self, key: str, getter: Callable[[str], _T | None], kind: str, fix: str) -> _T:
        try:
            value = getter(key)
        except pulumi.ConfigTypeError:
            got = self.config.get(key)
            raise ConfigError(f"{key} must be {kind}, got {got!r}: {fix}") from None
        if value is None:
            raise ConfigError(f"{key} is required and has no value: {fix}")
        return value

    def text(self, key: str) -> str:
        """A string key; an empty string is a value."""
        return self._read(key, self.config.get, "a string", _fix(key, "<value>"))

    def integer(self, key: str) -> int:
        """An integer key."""
        return self._read(key, self.config.get_int, "an integer", _fix(key, "1"))

    def boolean(self, key: str) -> bool:
        """A boolean key."""
        return self._read(key, self.config.get_bool, "a boolean", _fix(key, "true"))

    def strings(self, key: str) -> tuple[str, ...]:
        """A list-of-strings key (a YAML array; the CLI passes it as JSON)."""
        fix = f"set it with pulumi config set --path '{key}[0]' <value>"
        value: object = self._read(key, self.config.get_object, "a list of strings", fix)
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise ConfigError(f"{key} must be a list of strings, got {value!r}: {fix}")
        return tuple(value)


def _environment(keys: ConfigKeys) -> str:
    environment = keys.text("environment")
    if environment not in ENVIRONMENTS:
        raise ConfigError(
            f"environment must be one of {', '.join(ENVIRONMENTS)}, got {environment!r}: "
            + _fix("environment", "dev")
        )
    return environment


def _location(keys: ConfigKeys) -> str:
    location = keys.text("location")
    provider_location = pulumi.Config("azure-native").get("location")
    if provider_location and provider_location != location:
        raise ConfigError(
            f"location is {location!r} but azure-native:location is {provider_location!r}: "
            + _fix("location", provider_location)
        )
    return location


def _organization(keys: ConfigKeys) -> str:
    organization = keys.text("organization")
    if not compact(organization):
        raise ConfigError(
            f"organization must contain letters or digits, got {organization!r}: "
            + _fix("organization", "<organization>")
        )
    return organization


def load_settings(config: pulumi.Config | None = None, stack: str | None = None) -> Settings:
    """Read every key once from ``config`` (default: this project's) into ``Settings``."""
    keys = ConfigKeys(config or pulumi.Config())
    return Settings(
        stack=stack or pulumi.get_stack(),
        environment=_environment(keys),
        location=_location(keys),
        organization=_organization(keys),
        private_network=keys.boolean("privateNetwork"),
        managed_network_isolation=keys.text("managedNetworkIsolation"),
        vnet_address_space=keys.text("vnetAddressSpace"),
        endpoints_subnet=keys.text("endpointsSubnet"),
        training_subnet=keys.text("trainingSubnet"),
        aks_subnet=keys.text("aksSubnet"),
        compute_vm_size=keys.text("computeVmSize"),
        compute_max_nodes=keys.integer("computeMaxNodes"),
        aks_create=keys.boolean("aksCreate"),
        aks_node_count=keys.integer("aksNodeCount"),
        aks_vm_size=keys.text("aksVmSize"),
        aks_private_cluster=keys.boolean("aksPrivateCluster"),
        aks_authorized_ip_ranges=keys.strings("aksAuthorizedIpRanges"),
        serving_image=keys.text("servingImage"),
        serving_image_digest=keys.text("servingImageDigest") or None,
        serving_replicas=keys.integer("servingReplicas"),
        green_weight=keys.integer("greenWeight"),
        namespace=keys.text("namespace"),
        rbac_matrix=keys.text("rbacMatrix"),
        persona_principals=keys.strings("personaPrincipals"),
        azure_devops_project=keys.text("azureDevOpsProject"),
        cicd_devops_level=keys.text("cicdDevOpsLevel"),
        alert_emails=keys.strings("alertEmails"),
        alert_webhooks=keys.strings("alertWebhooks"),
        alert_latency_p95_ms=keys.integer("alertLatencyP95Ms"),
        alert_server_errors_per_minute=keys.integer("alertServerErrorsPerMinute"),
        alert_requests_per_minute=keys.integer("alertRequestsPerMinute"),
        alert_node_utilization_percent=keys.integer("alertNodeUtilizationPercent"),
        budget_amount=keys.integer("budgetAmount"),
        stale_workspace_days=keys.integer("staleWorkspaceDays"),
        log_retention_days=keys.integer("logRetentionDays"),
        guardrail_effect=keys.text("guardrailEffect"),
        policy_exemptions=keys.strings("policyExemptions"),
        approved_outbound_fqdns=keys.strings("approvedOutboundFqdns"),
        delete_lock=keys.boolean("deleteLock"),
        defender_plans=keys.boolean("defenderPlans"),
        customer_managed_key=keys.text("customerManagedKey"),
        customer_managed_key_vault_id=keys.text("customerManagedKeyVaultId"),
        online_endpoint_auth_mode=keys.text("onlineEndpointAuthMode"),
    )
