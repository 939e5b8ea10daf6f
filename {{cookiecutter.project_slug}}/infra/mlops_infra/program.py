"""The whole stack from typed settings: ML workspace, AKS cluster and blue/green serving.

``build`` is what ``__main__.py`` runs under the Pulumi engine and what ``mlops_infra.plan`` runs
under mocks; it creates components only (no ``pulumi.export``), so both share one wiring:

    from mlops_infra.program import build, export
    from mlops_infra.settings import load_settings
    export(build(load_settings()))
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pulumi

from mlops_infra.aks_cluster import AksCluster, AksClusterArgs
from mlops_infra.k8s_serving import KubernetesServing, KubernetesServingArgs
from mlops_infra.ml_workspace import MlWorkspace, MlWorkspaceArgs
from mlops_infra.settings import Settings

PROJECT = "{{ cookiecutter.project_slug }}"


@dataclass
class Program:
    settings: Settings
    workspace: MlWorkspace
    cluster: AksCluster | None
    serving: KubernetesServing


def serving_args(settings: Settings) -> KubernetesServingArgs:
    """Serving inputs from settings; staging and prod refuse an image without a digest."""
    return KubernetesServingArgs(
        namespace=settings.namespace,
        environment=settings.environment,
        image=settings.serving_image_ref,
        replicas=settings.serving_replicas,
        max_replicas=max(3, 3 * settings.serving_replicas),
        green_weight=settings.green_weight,
        labels={"app.kubernetes.io/instance": f"{PROJECT}-{settings.environment}"},
        require_digest=settings.requires_digest,
    )


def build(settings_or_dict: Settings | Mapping[str, Any]) -> Program:
    """Create every component of the stack; a mapping is taken as ``Settings`` fields."""
    settings = (
        settings_or_dict
        if isinstance(settings_or_dict, Settings)
        else Settings(**dict(settings_or_dict))
    )
    # Validate before anything is registered: a bad image fails the plan with one message.
    args = serving_args(settings).validate()
    workspace = MlWorkspace(f"{PROJECT}-ml", MlWorkspaceArgs.from_settings(settings))
    cluster = None
    opts = None
    if settings.aks_create:
        cluster = AksCluster(
            f"{PROJECT}-aks",
            AksClusterArgs(
                prefix=settings.resource_prefix,
                resource_group_name=workspace.resource_group_name,
                location=settings.location,
                node_count=settings.aks_node_count,
                vm_size=settings.aks_vm_size,
                tags=dict(settings.tags),
                acr_id=workspace.registry.id,
            ),
        )
        opts = pulumi.ResourceOptions(provider=cluster.provider)
    # Without aksCreate, the default Kubernetes provider (ambient kubeconfig) is the target.
    serving = KubernetesServing(f"{PROJECT}-serving", args, opts=opts)
    return Program(settings=settings, workspace=workspace, cluster=cluster, serving=serving)


def export(program: Program) -> None:
    """Stack outputs (``pulumi stack output``); call from ``__main__.py`` only."""
    pulumi.export("resourceGroupName", program.workspace.resource_group_name)
    pulumi.export("workspaceName", program.workspace.workspace_name)
    pulumi.export("registryLoginServer", program.workspace.registry_login_server)
    pulumi.export("servingNamespace", program.serving.namespace_name)
    pulumi.export("blueService", program.serving.service_names["blue"])
    pulumi.export("greenService", program.serving.service_names["green"])
    pulumi.export("servingImage", program.settings.serving_image_ref)
    if program.cluster is not None:
        pulumi.export("aksClusterName", program.cluster.cluster_name)
        pulumi.export("kubeconfig", program.cluster.kubeconfig)
