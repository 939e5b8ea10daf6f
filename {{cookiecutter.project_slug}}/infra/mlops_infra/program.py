"""The whole stack from typed settings: ML workspace, AKS, blue/green serving, persona access.

``build`` is what ``__main__.py`` runs under the Pulumi engine and what ``mlops_infra.plan`` runs
under mocks, so both share one wiring. It creates components only; ``export`` publishes the stack
outputs and only ``__main__.py`` calls it:

    export(build(load_settings()))
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from mlops_infra.aks.args import AksClusterArgs
from mlops_infra.aks.component import AksCluster
from mlops_infra.naming import SLUG
from mlops_infra.rbac.access import Access, build_access
from mlops_infra.rbac.args import PersonaAccessArgs
from mlops_infra.rbac.load import load_rbac
from mlops_infra.serving.args import KubernetesServingArgs
from mlops_infra.serving.component import KubernetesServing
from mlops_infra.settings import Settings
from mlops_infra.workspace.args import MlWorkspaceArgs
from mlops_infra.workspace.component import MlWorkspace


@dataclass(frozen=True)
class Program:
    """The stack's components, as ``build`` wired them."""

    settings: Settings
    workspace: MlWorkspace
    cluster: AksCluster | None
    serving: KubernetesServing
    access: Access


def build(settings: Settings) -> Program:
    """Create every component of the stack; all Args are validated before anything registers."""
    serving_args = KubernetesServingArgs.from_settings(settings).validate()
    workspace_args = MlWorkspaceArgs.from_settings(settings).validate()
    access_args = PersonaAccessArgs.from_settings(settings, load_rbac()).validate()
    if settings.aks_create:  # its Args take workspace outputs: check the settings' part first
        AksClusterArgs.from_settings(settings, settings.names.resource_group_name, None).validate()
    workspace = MlWorkspace(f"{SLUG}-ml", workspace_args)
    cluster = None
    opts = None
    if settings.aks_create:
        cluster = AksCluster(
            f"{SLUG}-aks",
            AksClusterArgs.from_settings(
                settings, workspace.resource_group_name, workspace.registry.id
            ),
        )
        opts = pulumi.ResourceOptions(provider=cluster.provider)
    # Without aksCreate, the default Kubernetes provider (ambient kubeconfig) is the target.
    serving = KubernetesServing(f"{SLUG}-serving", serving_args, opts=opts)
    access = build_access(access_args, workspace, serving.namespace_name, opts)
    return Program(settings, workspace, cluster, serving, access)


def export(program: Program) -> None:
    """Stack outputs (``pulumi stack output``); call from ``__main__.py`` only."""
    pulumi.export("resourceGroupName", program.workspace.resource_group_name)
    pulumi.export("workspaceName", program.workspace.workspace_name)
    pulumi.export("registryLoginServer", program.workspace.registry_login_server)
    pulumi.export("servingNamespace", program.serving.namespace_name)
    pulumi.export("blueService", program.serving.service_names["blue"])
    pulumi.export("greenService", program.serving.service_names["green"])
    pulumi.export("servingImage", program.serving.images["blue"])
    if program.cluster is not None:
        pulumi.export("aksClusterName", program.cluster.cluster_name)
        pulumi.export("kubeconfig", program.cluster.kubeconfig)
