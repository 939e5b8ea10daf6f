"""``KubernetesServing``: one hardened namespace, two slots, one weighted HTTPRoute.

The component creates the Namespace (Pod Security Admission ``restricted``: enforce, audit, warn),
a ServiceAccount that mounts no API token, NetworkPolicies (deny all, then DNS out and port 8080 in
from the gateway's namespace and, if set, the monitoring namespace), a ResourceQuota and LimitRange
sized from the slots' limits, and per slot (``blue``, ``green``) a Deployment, a ClusterIP Service,
an autoscaling/v2 HPA on CPU and a policy/v1 PodDisruptionBudget (``minAvailable: 1``, or
``maxUnavailable: 1`` for a single replica, which ``minAvailable: 1`` would make unevictable). The
Gateway API ``HTTPRoute`` sends ``100 - green_weight`` % of requests to blue, the rest to green.

Neither the scoring API key nor the shared Gateway is created here. The pods read env
``SCORING_API_KEY`` through a ``secretKeyRef`` to the Secret ``api_key_secret_name`` (key
``api_key_secret_key``), which CI creates out of band from Key Vault (the README's "First
deployment" has the command), so the value never enters Pulumi state or the plan's files; pods stay
Pending until it exists. The Gateway's listener must admit routes from this namespace.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from typing import Any, Protocol, TypeVar, cast

import pulumi
import pulumi_kubernetes as k8s

from mlops_infra.naming import SLUG
from mlops_infra.serving import network, specs
from mlops_infra.serving.args import COMPONENT_TYPE, GATEWAY_API_VERSION, SLOTS
from mlops_infra.serving.args import KubernetesServingArgs as Args

_R = TypeVar("_R", bound=pulumi.CustomResource)


class _KubernetesObject(Protocol):
    """A Kubernetes resource: ``metadata`` is an ObjectMeta output, or a dict for a CR."""

    @property
    def metadata(self) -> pulumi.Output[Any]:
        """The object's metadata."""
        ...


def _metadata_name(meta: Any) -> str:
    """``metadata.name`` of a typed ObjectMeta or of a CustomResource's metadata dict."""
    name = meta.get("name") if isinstance(meta, Mapping) else meta.name
    if not isinstance(name, str):
        raise TypeError(f"serving objects are named explicitly, got metadata {meta!r}")
    return name


def _name_of(resource: _KubernetesObject) -> pulumi.Output[str]:
    """The ``metadata.name`` of a Kubernetes resource, as an output."""
    return resource.metadata.apply(_metadata_name)


class KubernetesServing(pulumi.ComponentResource):
    """The serving namespace and both blue/green slots; pass a Kubernetes ``provider`` in opts."""

    def __init__(self, name: str, args: Args, opts: pulumi.ResourceOptions | None = None) -> None:
        args.validate()
        super().__init__(COMPONENT_TYPE, name, None, opts)
        self._args, self._name = args, name
        self._child = pulumi.ResourceOptions(parent=self)
        self._common = specs.common_labels(args)
        self.resources: dict[str, pulumi.CustomResource] = {}  # children by logical name
        self.images: dict[str, str] = args.images
        namespace = self._keep(
            k8s.core.v1.Namespace(
                f"{name}-namespace",
                metadata=specs.namespace_meta(self._common, args.namespace),
                opts=self._child,
            )
        )
        # Every namespaced object takes the namespace from this output: it depends on it.
        self.namespace_name: pulumi.Output[str] = _name_of(namespace)
        account = self._service_account(self.namespace_name)
        self._network_policies(self.namespace_name)
        self._quota(self.namespace_name)
        self.deployment_names: dict[str, pulumi.Output[str]] = {}
        self.service_names: dict[str, pulumi.Output[str]] = {}
        for slot in SLOTS:
            self._slot(slot, self.namespace_name, account)
        self.route_name = self._route(self.namespace_name)
        self.register_outputs(self._outputs(account))

    def _outputs(self, account: pulumi.Output[str]) -> dict[str, pulumi.Input[object]]:
        """The component's outputs: namespace, account, per-slot names, route and weights."""
        return {
            "namespace": self.namespace_name,
            "serviceAccount": account,
            "blueService": self.service_names["blue"],
            "greenService": self.service_names["green"],
            "blueDeployment": self.deployment_names["blue"],
            "greenDeployment": self.deployment_names["green"],
            "route": self.route_name,
            "weights": self._args.weights,
        }

    def _keep(self, resource: _R) -> _R:
        """Remember a child by its logical name (``resources``)."""
        self.resources[resource.pulumi_resource_name] = resource
        return resource

    def _meta(
        self, object_name: str, ns: pulumi.Input[str], slot: str | None = None
    ) -> k8s.meta.v1.ObjectMetaArgs:
        """Metadata of a namespaced child, with the common labels."""
        return specs.object_meta(self._common, object_name, ns, slot)

    def _service_account(self, ns: pulumi.Output[str]) -> pulumi.Output[str]:
        """The pods' ServiceAccount, which mounts no API token; returns its name."""
        account = k8s.core.v1.ServiceAccount(
            f"{self._name}-serviceaccount",
            metadata=self._meta(f"{SLUG}-scoring", ns),
            automount_service_account_token=False,
            opts=self._child,
        )
        return _name_of(self._keep(account))

    def _network_policies(self, ns: pulumi.Output[str]) -> None:
        """Deny everything, then allow ingress from the gateway and DNS egress."""
        for suffix, object_name, spec in (
            ("default-deny", "default-deny-all", network.default_deny_spec()),
            ("allow-gateway", "allow-gateway-ingress", network.allow_gateway_spec(self._args)),
            ("allow-dns", "allow-dns-egress", network.allow_dns_spec()),
        ):
            self._keep(
                k8s.networking.v1.NetworkPolicy(
                    f"{self._name}-netpol-{suffix}",
                    metadata=self._meta(object_name, ns),
                    spec=spec,
                    opts=self._child,
                )
            )

    def _quota(self, ns: pulumi.Output[str]) -> None:
        """The namespace's ResourceQuota and LimitRange."""
        self._keep(
            k8s.core.v1.ResourceQuota(
                f"{self._name}-quota",
                metadata=self._meta("serving-quota", ns),
                spec=specs.quota_spec(self._args),
                opts=self._child,
            )
        )
        self._keep(
            k8s.core.v1.LimitRange(
                f"{self._name}-limitrange",
                metadata=self._meta("serving-limits", ns),
                spec=specs.limit_range_spec(self._args),
                opts=self._child,
            )
        )

    def _slot(self, slot: str, ns: pulumi.Output[str], account: pulumi.Output[str]) -> None:
        """One slot's Deployment and Service, then its autoscaler and disruption budget."""
        args, name, child, common = self._args, self._name, self._child, self._common
        deployment = self._keep(
            k8s.apps.v1.Deployment(
                f"{name}-deployment-{slot}",
                metadata=specs.slot_meta(common, ns, slot),
                spec=specs.deployment_spec(args, common, slot, account),
                opts=child,
            )
        )
        service = self._keep(
            k8s.core.v1.Service(
                f"{name}-service-{slot}",
                metadata=specs.slot_meta(common, ns, slot),
                spec=specs.service_spec(slot),
                opts=child,
            )
        )
        self.deployment_names[slot] = _name_of(deployment)
        self.service_names[slot] = _name_of(service)
        self._scaling(slot, ns)

    def _scaling(self, slot: str, ns: pulumi.Output[str]) -> None:
        """A slot's HorizontalPodAutoscaler (on its Deployment) and PodDisruptionBudget."""
        args, name, child, common = self._args, self._name, self._child, self._common
        self._keep(
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa-{slot}",
                metadata=specs.slot_meta(common, ns, slot),
                spec=specs.hpa_spec(args, self.deployment_names[slot]),
                opts=child,
            )
        )
        self._keep(
            k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb-{slot}",
                metadata=specs.slot_meta(common, ns, slot),
                spec=specs.pdb_spec(args, slot),
                opts=child,
            )
        )

    def _route(self, ns: pulumi.Output[str]) -> pulumi.Output[str]:
        """The weighted HTTPRoute over both slots' Services; returns its name."""
        route = k8s.apiextensions.CustomResource(
            f"{self._name}-httproute",
            api_version=GATEWAY_API_VERSION,
            kind="HTTPRoute",
            metadata=self._meta(SLUG, ns),
            spec=pulumi.Output.all(**self.service_names).apply(
                functools.partial(network.route_spec, self._args)
            ),
            opts=self._child,
        )
        self._keep(route)
        return _name_of(cast(_KubernetesObject, route))  # CustomResource sets metadata at runtime
