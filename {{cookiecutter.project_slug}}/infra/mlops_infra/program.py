"""The whole stack from typed settings: ML workspace, private network, AKS, blue/green serving,
persona access, and the online endpoint with its alerts, budget and diagnostics.

``build`` is what ``__main__.py`` runs under the Pulumi engine and what ``mlops_infra.plan`` runs
under mocks, so both share one wiring. It creates components only; ``export`` publishes the stack
outputs and only ``__main__.py`` calls it:

    export(build(load_settings()))

Order: the workspace (its resource group and stores), then, where ``privateNetwork`` is set, the
network in that group; the training cluster and AKS join its subnets, and one
``PrivateLinkEndpoint`` per row of ``network.zones.TARGETS`` connects to the workspace's resources.
Monitoring comes last (``_monitoring``): it watches the endpoint, the workspace and the cluster.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
from pulumi_azure_native import authorization

from mlops_infra.aks.args import AksClusterArgs
from mlops_infra.aks.component import AksCluster
from mlops_infra.monitoring.alerts import Alerts
from mlops_infra.monitoring.args import (
    AlertsArgs,
    AlertTargets,
    BudgetArgs,
    OnlineEndpointArgs,
)
from mlops_infra.monitoring.budget import CostBudget
from mlops_infra.monitoring.diagnostics import Diagnostics, DiagnosticsArgs
from mlops_infra.monitoring.endpoint import ServingEndpoint
from mlops_infra.naming import SLUG
from mlops_infra.network.args import PrivateLinkEndpointArgs, PrivateNetworkArgs
from mlops_infra.network.component import PrivateNetwork
from mlops_infra.network.endpoint import PrivateLinkEndpoint
from mlops_infra.network.zones import TARGETS
from mlops_infra.rbac.access import Access, build_access
from mlops_infra.rbac.args import PersonaAccessArgs
from mlops_infra.rbac.load import load_rbac
from mlops_infra.security.args import DefenderArgs, GuardrailsArgs, LockArgs
from mlops_infra.security.defender import DefenderPlans
from mlops_infra.security.guardrails import PolicyGuardrails
from mlops_infra.security.locks import DeleteLocks
from mlops_infra.serving.args import KubernetesServingArgs
from mlops_infra.serving.component import KubernetesServing
from mlops_infra.serving.values import parse_image
from mlops_infra.settings import Settings
from mlops_infra.workspace.args import MlWorkspaceArgs, TrainingComputeArgs
from mlops_infra.workspace.component import MlWorkspace
from mlops_infra.workspace.compute import TrainingCompute


@dataclass(frozen=True)
class Monitoring:
    """The online endpoint and what watches the stack, as ``_monitoring`` wired them."""

    endpoint: ServingEndpoint
    diagnostics: Diagnostics
    alerts: Alerts
    budget: CostBudget


@dataclass(frozen=True)
class Security:
    """The run-time guardrails, as ``_security`` wired them (locks, Defender: where configured)."""

    guardrails: PolicyGuardrails
    locks: DeleteLocks | None
    defender: DefenderPlans | None


@dataclass(frozen=True)
class Program:
    """The stack's components, as ``build`` wired them."""

    settings: Settings
    workspace: MlWorkspace
    compute: TrainingCompute
    network: PrivateNetwork | None
    endpoints: tuple[PrivateLinkEndpoint, ...]
    cluster: AksCluster | None
    serving: KubernetesServing
    access: Access
    monitoring: Monitoring
    security: Security


def _validate(settings: Settings) -> None:
    """Every Args the settings alone determine, checked before anything registers."""
    group = settings.names.resource_group_name
    KubernetesServingArgs.from_settings(settings).validate()
    MlWorkspaceArgs.from_settings(settings).validate()
    TrainingComputeArgs.from_settings(settings, (group, "", ""), None).validate()
    if settings.private_network:
        PrivateNetworkArgs.from_settings(settings, group).validate()
    if settings.aks_create:  # its Args take workspace outputs: check the settings' part first
        AksClusterArgs.from_settings(settings, group, None).validate()
    OnlineEndpointArgs.from_settings(settings, (group, "")).validate()
    AlertsArgs.from_settings(settings, AlertTargets(group)).validate()
    BudgetArgs.from_settings(settings, "", None).validate()
    GuardrailsArgs.from_settings(settings, "").validate()


def _endpoints(
    settings: Settings, workspace: MlWorkspace, network: PrivateNetwork
) -> tuple[PrivateLinkEndpoint, ...]:
    """One private endpoint per ``TARGETS`` row, in the endpoints subnet."""
    where = (workspace.resource_group_name, network.subnet_ids["endpoints"], network.zone_ids)
    return tuple(
        PrivateLinkEndpoint(
            f"{SLUG}-pe-{target.key}",
            PrivateLinkEndpointArgs.from_settings(
                settings, target, where, workspace.private_link_ids[target.resource]
            ),
        )
        for target in TARGETS
    )


def _monitoring(
    settings: Settings, workspace: MlWorkspace, cluster: AksCluster | None
) -> Monitoring:
    """The online endpoint, diagnostics to Log Analytics, alerts and the budget."""
    group = workspace.resource_group_name
    endpoint = ServingEndpoint(
        f"{SLUG}-online",
        OnlineEndpointArgs.from_settings(settings, (group, workspace.workspace_name)),
    )
    logs = workspace.log_analytics_workspace_id
    diagnostics = Diagnostics(
        f"{SLUG}-diagnostics",
        DiagnosticsArgs(
            logs,
            workspace.workspace_id,
            endpoint.endpoint_id,
            workspace.key_vault.id,
            settings.names.resource_prefix,
        ),
    )
    targets = AlertTargets(
        group,
        endpoint.endpoint_id,
        workspace.workspace_id,
        logs,
        cluster.cluster.id if cluster is not None else None,
    )
    alerts = Alerts(f"{SLUG}-alerts", AlertsArgs.from_settings(settings, targets))
    budget = CostBudget(
        f"{SLUG}-budget",
        BudgetArgs.from_settings(settings, workspace.resource_group.id, alerts.action_group_id),
    )
    return Monitoring(endpoint, diagnostics, alerts, budget)


def _security(settings: Settings, workspace: MlWorkspace) -> Security:
    """Policy guardrails on the resource group; delete locks and Defender where configured."""
    guardrails = PolicyGuardrails(
        f"{SLUG}-guardrails", GuardrailsArgs.from_settings(settings, workspace.resource_group.id)
    )
    locks = None
    if settings.delete_lock:
        # The private link targets hold the stack's data; the logs hold its audit trail.
        targets = {**workspace.private_link_ids, "logs": workspace.log_analytics_workspace_id}
        lock_args = LockArgs(settings.names.resource_prefix, targets)
        locks = DeleteLocks(f"{SLUG}-locks", lock_args)
    defender = None
    if settings.defender_plans:
        subscription = authorization.get_client_config_output().subscription_id
        defender = DefenderPlans(f"{SLUG}-defender", DefenderArgs(subscription))
    return Security(guardrails, locks, defender)


def build(settings: Settings) -> Program:
    """Create every component of the stack; all Args are validated before anything registers."""
    access_args = PersonaAccessArgs.from_settings(settings, load_rbac()).validate()
    _validate(settings)
    workspace = MlWorkspace(f"{SLUG}-ml", MlWorkspaceArgs.from_settings(settings))
    group = workspace.resource_group_name
    network: PrivateNetwork | None = None
    endpoints: tuple[PrivateLinkEndpoint, ...] = ()
    if settings.private_network:
        network_args = PrivateNetworkArgs.from_settings(settings, group)
        network = PrivateNetwork(f"{SLUG}-net", network_args)
        endpoints = _endpoints(settings, workspace, network)
    subnets = network.subnet_ids if network else {}
    compute = TrainingCompute(
        f"{SLUG}-training",
        TrainingComputeArgs.from_settings(
            settings,
            (group, workspace.workspace_name, workspace.storage_account.id),
            subnets.get("training"),
        ),
    )
    cluster, opts = None, None
    if settings.aks_create:
        cluster_args = AksClusterArgs.from_settings(
            settings, group, workspace.registry.id, subnets.get("aks")
        )
        cluster = AksCluster(f"{SLUG}-aks", cluster_args)
        opts = pulumi.ResourceOptions(provider=cluster.provider)
    # Without aksCreate, the default Kubernetes provider (ambient kubeconfig) is the target.
    serving = KubernetesServing(
        f"{SLUG}-serving", KubernetesServingArgs.from_settings(settings), opts=opts
    )
    access = build_access(access_args, workspace, serving.namespace_name, opts)
    monitoring = _monitoring(settings, workspace, cluster)
    security = _security(settings, workspace)
    return Program(
        settings,
        workspace,
        compute,
        network,
        endpoints,
        cluster,
        serving,
        access,
        monitoring,
        security,
    )


def export(program: Program) -> None:
    """Stack outputs (``pulumi stack output``); call from ``__main__.py`` only."""
    pulumi.export("resourceGroupName", program.workspace.resource_group_name)
    pulumi.export("workspaceName", program.workspace.workspace_name)
    pulumi.export("registryLoginServer", program.workspace.registry_login_server)
    pulumi.export("computeName", program.compute.compute_name)
    pulumi.export("servingNamespace", program.serving.namespace_name)
    pulumi.export("blueService", program.serving.service_names["blue"])
    pulumi.export("greenService", program.serving.service_names["green"])
    pulumi.export("servingImage", program.serving.images["blue"])
    # The digest AKS serves ("" for a dev tag): tools/pulumi_up.sh keeps it when given none.
    pulumi.export("servingImageDigest", parse_image(program.serving.images["blue"])["digest"] or "")
    pulumi.export("onlineEndpointName", program.monitoring.endpoint.endpoint_name)
    pulumi.export("actionGroupId", program.monitoring.alerts.action_group_id)
    if program.network is not None:
        pulumi.export("virtualNetworkId", program.network.vnet_id)
    if program.cluster is not None:
        pulumi.export("aksClusterName", program.cluster.cluster_name)
        pulumi.export("kubeconfig", program.cluster.kubeconfig)
