"""``KubernetesAccess``: the matrix's Kubernetes column as RoleBindings in the serving namespace.

Each persona's code maps to a built-in ClusterRole (rbac/roles.yaml: R -> view, C -> edit,
O -> admin), bound in the namespace only. With AKS' Entra ID integration a group subject is the
group's object id; a workload identity is a ``User`` subject named by its object id.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_kubernetes as k8s

from mlops_infra.naming import type_token
from mlops_infra.rbac.args import PersonaAccessArgs

TYPE_TOKEN = type_token("rbac", "KubernetesAccess")
RBAC_API_GROUP = "rbac.authorization.k8s.io"


@dataclass(frozen=True)
class KubernetesAccessArgs:
    """The compiled access, the personas' object ids and the serving namespace."""

    access: PersonaAccessArgs
    object_ids: Mapping[str, pulumi.Input[str]]
    namespace: pulumi.Input[str]


class KubernetesAccess(pulumi.ComponentResource):
    """One RoleBinding per persona and ClusterRole; ``bindings`` by name."""

    def __init__(
        self, name: str, args: KubernetesAccessArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self.bindings: dict[str, k8s.rbac.v1.RoleBinding] = {}
        for binding in args.access.kubernetes:
            kind = "Group" if args.access.principal_type(binding.persona) == "Group" else "User"
            binding_name = f"persona-{binding.persona}-{binding.cluster_role}"
            self.bindings[binding_name] = k8s.rbac.v1.RoleBinding(
                f"{name}-{binding.persona}-{binding.cluster_role}",
                metadata=k8s.meta.v1.ObjectMetaArgs(
                    name=binding_name,
                    namespace=args.namespace,
                    labels={"app.kubernetes.io/managed-by": "pulumi", "persona": binding.persona},
                ),
                role_ref=k8s.rbac.v1.RoleRefArgs(
                    api_group=RBAC_API_GROUP, kind="ClusterRole", name=binding.cluster_role
                ),
                subjects=[
                    k8s.rbac.v1.SubjectArgs(
                        api_group=RBAC_API_GROUP,
                        kind=kind,
                        name=args.object_ids[binding.persona],
                    )
                ],
                opts=pulumi.ResourceOptions(parent=self),
            )
        self.register_outputs({"bindings": list(self.bindings)})
