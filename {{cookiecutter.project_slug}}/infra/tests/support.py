"""Test helpers: mock engines holding a stack's config, planned stacks, lookups in records."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, replace
from functools import cached_property
from pathlib import Path
from typing import Any, ParamSpec, TypeVar, cast

import pulumi
import yaml

from mlops_infra import plan, render
from mlops_infra.config import StackConfig, load_stack_config
from mlops_infra.mocks import Mocks
from mlops_infra.naming import SLUG
from mlops_infra.program import Program, build
from mlops_infra.settings import Settings, load_settings
from mlops_infra.workspace.component import MlWorkspace

STACKS = ("dev", "staging", "prod")
SERVING_OBJECTS = 16  # Kubernetes objects of the serving component
ROLE_BINDING = "kubernetes:rbac.authorization.k8s.io/v1:RoleBinding"
# Logical-name prefixes of the persona access components' resources (mlops_infra.rbac.access).
ACCESS_PREFIXES = tuple(
    f"{SLUG}-{part}" for part in ("personas", "azure-access", "k8s-access", "devops-access")
)
Record = dict[str, Any]
_P = ParamSpec("_P")
_M = TypeVar("_M", bound=Mocks)


def mocked(fn: Callable[_P, Any]) -> Callable[_P, None]:
    """``pulumi.runtime.test``, typed: run ``fn`` in the mock engine and await what it returns."""
    return cast(Callable[_P, None], pulumi.runtime.test(fn))


def of_type(resources: list[Record], type_token: str) -> list[Record]:
    """The recorded resources whose type token is ``type_token``."""
    return [record for record in resources if record["type"] == type_token]


def access_records(resources: list[Record]) -> list[Record]:
    """The recorded resources of the persona access components."""
    return [record for record in resources if record["name"].startswith(ACCESS_PREFIXES)]


def serving_objects(manifests: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The manifests of the serving component (persona RoleBindings left out)."""
    return [manifest for manifest in manifests if manifest["kind"] != "RoleBinding"]


def one(resources: list[Record], type_token: str) -> Record:
    """The single recorded resource of ``type_token`` (AssertionError unless exactly one)."""
    found = of_type(resources, type_token)
    assert len(found) == 1, f"expected one {type_token}, found {len(found)}"
    return found[0]


def manifests_of(resources: list[Record], kind: str | None = None) -> list[dict[str, Any]]:
    """The Kubernetes objects the recorded resources render to, of one ``kind`` if given."""
    return [m for m in render.manifests(resources) if kind is None or m["kind"] == kind]


def load_manifests(directory: Path) -> dict[str, dict[str, Any]]:
    """The manifests a plan wrote under ``<directory>/manifests``, by file name."""
    return {
        path.name: yaml.safe_load(path.read_text())
        for path in sorted((directory / "manifests").glob("*/*.yaml"))
    }


class RecordingMocks(Mocks):
    """The plan's engine that also records each resource's provider and can answer a kubelet."""

    def __init__(self, kubelet_object_id: str | None = None) -> None:
        super().__init__()
        self.kubelet_object_id = kubelet_object_id
        self.providers: dict[str, str | None] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        """Record the provider too; give a ManagedCluster a kubelet identity if one is set."""
        self.providers[args.name] = args.provider
        rid, outputs = super().new_resource(args)
        if args.typ == "azure-native:containerservice:ManagedCluster" and self.kubelet_object_id:
            outputs["identityProfile"] = {"kubeletidentity": {"objectId": self.kubelet_object_id}}
        return rid, outputs


def with_config(config: StackConfig, **overrides: str | None) -> StackConfig:
    """``config`` with project keys set like ``pulumi config set``, or removed with None."""
    values = dict(config.values)
    for key, value in overrides.items():
        if value is None:
            values.pop(f"{config.project}:{key}", None)
        else:
            values[f"{config.project}:{key}"] = value
    return replace(config, values=values)


def install(config: StackConfig, mocks: _M) -> _M:
    """Point the Pulumi runtime at ``mocks`` holding ``config`` (as ``plan.start_mocks`` does)."""
    pulumi.runtime.set_mocks(mocks, project=config.project, stack=config.stack, preview=False)
    pulumi.runtime.set_all_config(dict(config.values), list(config.secret_keys))
    return mocks


def mock_stack(name: str, **overrides: str | None) -> Mocks:
    """A fresh mock engine holding ``Pulumi.<name>.yaml``'s config, with ``overrides`` applied."""
    return plan.start_mocks(with_config(load_stack_config(name), **overrides))


def workspace_children(workspace: MlWorkspace) -> list[pulumi.CustomResource]:
    """Every Azure resource of the workspace component."""
    return [
        workspace.resource_group,
        workspace.log_analytics,
        workspace.app_insights,
        workspace.key_vault,
        workspace.storage_account,
        workspace.registry,
        workspace.workspace,
    ]


def resolved(program: Program) -> pulumi.Output[dict[str, Any]]:
    """The program's component outputs and child URNs, as one output of plain values."""
    ws, serving, cluster = program.workspace, program.serving, program.cluster
    outputs: dict[str, Any] = {
        "workspace_urns": pulumi.Output.all(*(r.urn for r in workspace_children(ws))),
        "workspace": pulumi.Output.all(
            registry_login_server=ws.registry_login_server,
            key_vault_uri=ws.key_vault_uri,
            storage_account_name=ws.storage_account_name,
            workspace_name=ws.workspace_name,
            resource_group_name=ws.resource_group_name,
            workspace_id=ws.workspace_id,
            log_analytics_workspace_id=ws.log_analytics_workspace_id,
            app_insights_id=ws.app_insights_id,
        ),
        "compute_urns": pulumi.Output.all(program.compute.compute.urn),
        "endpoint_urns": pulumi.Output.all(
            *(r.urn for pe in program.endpoints for r in (pe.endpoint, pe.zone_group))
        ),
        "serving_urns": pulumi.Output.all(*(r.urn for r in serving.resources.values())),
        "serving": pulumi.Output.all(
            namespace=serving.namespace_name,
            route=serving.route_name,
            **{f"{slot}_service": name for slot, name in serving.service_names.items()},
            **{f"{slot}_deployment": name for slot, name in serving.deployment_names.items()},
        ),
    }
    outputs["principals"] = pulumi.Output.all(**program.access.principals.object_ids)
    outputs["monitoring"] = pulumi.Output.all(
        action_group_id=program.monitoring.alerts.action_group_id,
        endpoint_id=program.monitoring.endpoint.endpoint_id,
    )
    if program.network is not None:
        net = program.network
        children_of_net = (net.vnet, *net.zones.values(), *net.links.values())
        outputs["network_urns"] = pulumi.Output.all(*(r.urn for r in children_of_net))
        outputs["subnet_ids"] = pulumi.Output.all(**net.subnet_ids)
    if cluster is not None:
        children = (cluster.cluster, cluster.provider, cluster.acr_pull)
        outputs["cluster_urns"] = pulumi.Output.all(*(r.urn for r in children if r is not None))
        outputs["kubeconfig"] = cluster.kubeconfig
        outputs["cluster_principal_id"] = cluster.principal_id
    return pulumi.Output.all(**outputs)


@dataclass(frozen=True)
class PlannedStack:
    """One stack's program run under mocks, with the files ``make plan`` writes for it."""

    name: str
    settings: Settings
    mocks: RecordingMocks
    outputs: Mapping[str, Any]  # ``resolved(program)``
    directory: Path  # resources.json and manifests/

    @property
    def resources(self) -> list[Record]:
        """Every registered resource, in registration order."""
        return self.mocks.resources

    @cached_property
    def _manifests(self) -> list[dict[str, Any]]:
        return list(load_manifests(self.directory).values())

    def manifests(self, kind: str | None = None) -> list[dict[str, Any]]:
        """The written manifests (shared: copy before changing one), of one ``kind`` if given."""
        return [m for m in self._manifests if kind is None or m["kind"] == kind]


def plan_stack(name: str, out: Path) -> PlannedStack:
    """Run the real program for stack ``name`` and write its plan under ``out/<name>``."""
    config = load_stack_config(name)
    mocks = install(config, RecordingMocks())
    settings = load_settings(stack=name)
    outputs: dict[str, Any] = {}

    @mocked
    def deploy() -> pulumi.Output[None]:
        return resolved(build(settings)).apply(outputs.update)

    deploy()
    plan.write_plan(mocks.resources, out / name)
    return PlannedStack(name, settings, mocks, outputs, out / name)
