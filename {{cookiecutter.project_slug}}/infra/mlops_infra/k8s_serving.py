"""Blue/green model serving on Kubernetes: one namespace, two slots, one weighted HTTPRoute.

``KubernetesServing`` lays out everything the scoring server needs in one hardened namespace:

* the Namespace itself, labelled for Pod Security Admission ``restricted`` (enforce, audit, warn);
* a ServiceAccount that mounts no API token (the server never talks to the Kubernetes API);
* NetworkPolicies: deny all ingress and egress, then allow only DNS out and port 8080 in from the
  gateway's namespace (and, if set, the monitoring namespace that scrapes ``/metrics``);
* a ResourceQuota sized from the slots' limits and a LimitRange with the same defaults;
* Deployments and ClusterIP Services ``blue`` and ``green``, an autoscaling/v2 HPA (CPU) and a
  policy/v1 PodDisruptionBudget per slot: ``minAvailable: 1``, except for a single-replica slot
  (dev), where ``minAvailable: 1`` would block every node drain and AKS upgrade forever, so that
  budget is ``maxUnavailable: 1`` instead;
* a Gateway API ``HTTPRoute`` sending ``100 - green_weight`` % of requests to blue and
  ``green_weight`` % to green, attached to a shared Gateway in another namespace.

The scoring API key is NOT created here: the pods read it from the Secret
``api_key_secret_name`` (key ``api_key_secret_key``), which CI creates out of band from Key Vault,
so the value never enters Pulumi state, the plan's files or a command line:

    az keyvault secret show --vault-name <kv> --name scoring-api-key --query value -o tsv \
      | kubectl create secret generic scoring-api-key -n <namespace> \
          --from-file=api-key=/dev/stdin --dry-run=client -o yaml | kubectl apply -f -

Pods stay Pending (CreateContainerConfigError) until it exists. The shared Gateway is not created
here either: its listener must admit routes from this namespace (``allowedRoutes.namespaces``).
"""

from __future__ import annotations

import functools
from typing import TypeVar

import pulumi
import pulumi_kubernetes as k8s

from mlops_infra import serving_network, serving_specs
from mlops_infra.serving_args import (
    APP_NAME,
    COMPONENT_TYPE,
    GATEWAY_API_VERSION,
    PORT,
    ROUTED_PATHS,
    RUN_AS_USER,
    SLOTS,
    KubernetesServingArgs,
    ServingArgsError,
    cpu_millis,
    memory_bytes,
    parse_image,
)

__all__ = [
    "APP_NAME",
    "COMPONENT_TYPE",
    "GATEWAY_API_VERSION",
    "PORT",
    "ROUTED_PATHS",
    "RUN_AS_USER",
    "SLOTS",
    "KubernetesServing",
    "KubernetesServingArgs",
    "ServingArgsError",
    "cpu_millis",
    "memory_bytes",
    "parse_image",
]

_R = TypeVar("_R", bound=pulumi.CustomResource)


def _name_of(resource: pulumi.CustomResource) -> pulumi.Output[str]:
    """The ``metadata.name`` of a typed Kubernetes resource, as an output."""
    return resource.metadata.apply(lambda meta: meta.name)


class KubernetesServing(pulumi.ComponentResource):
    """The serving namespace and both blue/green slots; pass a Kubernetes ``provider`` in opts."""

    namespace_name: pulumi.Output[str]
    service_names: dict[str, pulumi.Output[str]]
    deployment_names: dict[str, pulumi.Output[str]]
    route_name: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        args: KubernetesServingArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> None:
        args.validate()
        super().__init__(COMPONENT_TYPE, name, None, opts)
        self._args = args
        self._name = name
        self._child = pulumi.ResourceOptions(parent=self)
        self._common = serving_specs.common_labels(args)
        self.resources: dict[str, pulumi.CustomResource] = {}

        namespace = self._keep(
            k8s.core.v1.Namespace(
                f"{name}-namespace",
                metadata=serving_specs.namespace_meta(self._common, args.namespace),
                opts=self._child,
            )
        )
        # Every namespaced object takes the namespace from this output: it depends on it.
        self.namespace_name = ns = _name_of(namespace)
        account = self._keep(
            k8s.core.v1.ServiceAccount(
                f"{name}-serviceaccount",
                metadata=self._meta(f"{APP_NAME}-scoring", ns),
                automount_service_account_token=False,
                opts=self._child,
            )
        )
        self._network_policies(ns)
        self._quota(ns)
        self.deployment_names, self.service_names = {}, {}
        for slot in SLOTS:
            self._slot(slot, ns, _name_of(account))
        self.route_name = self._route(ns)
        self.register_outputs(
            {
                "namespace": self.namespace_name,
                "serviceAccount": _name_of(account),
                "blueService": self.service_names["blue"],
                "greenService": self.service_names["green"],
                "blueDeployment": self.deployment_names["blue"],
                "greenDeployment": self.deployment_names["green"],
                "route": self.route_name,
                "weights": args.weights,
            }
        )

    # -- helpers ---------------------------------------------------------------------------

    def _keep(self, resource: _R) -> _R:
        """Remember a child by logical name (``resources``: for dependsOn and for tests)."""
        self.resources[resource.pulumi_resource_name] = resource
        return resource

    def _meta(
        self, object_name: str, ns: pulumi.Input[str], slot: str | None = None
    ) -> k8s.meta.v1.ObjectMetaArgs:
        """Metadata of a namespaced child, with the common labels."""
        return serving_specs.object_meta(self._common, object_name, ns, slot)

    def _network_policies(self, ns: pulumi.Output[str]) -> None:
        """Deny everything, then allow ingress from the gateway and DNS egress."""
        for suffix, object_name, spec in (
            ("default-deny", "default-deny-all", serving_network.default_deny_spec()),
            (
                "allow-gateway",
                "allow-gateway-ingress",
                serving_network.allow_gateway_spec(self._args),
            ),
            ("allow-dns", "allow-dns-egress", serving_network.allow_dns_spec()),
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
                spec=serving_specs.quota_spec(self._args),
                opts=self._child,
            )
        )
        self._keep(
            k8s.core.v1.LimitRange(
                f"{self._name}-limitrange",
                metadata=self._meta("serving-limits", ns),
                spec=serving_specs.limit_range_spec(self._args),
                opts=self._child,
            )
        )

    def _slot(self, slot: str, ns: pulumi.Output[str], account: pulumi.Output[str]) -> None:
        """One slot's Deployment, Service, HorizontalPodAutoscaler and PodDisruptionBudget."""
        args, name, meta = self._args, self._name, serving_specs.slot_meta
        deployment = self._keep(
            k8s.apps.v1.Deployment(
                f"{name}-deployment-{slot}",
                metadata=meta(self._common, ns, slot),
                spec=serving_specs.deployment_spec(args, self._common, slot, account),
                opts=self._child,
            )
        )
        service = self._keep(
            k8s.core.v1.Service(
                f"{name}-service-{slot}",
                metadata=meta(self._common, ns, slot),
                spec=serving_specs.service_spec(slot),
                opts=self._child,
            )
        )
        self._keep(
            k8s.autoscaling.v2.HorizontalPodAutoscaler(
                f"{name}-hpa-{slot}",
                metadata=meta(self._common, ns, slot),
                spec=serving_specs.hpa_spec(args, _name_of(deployment)),
                opts=self._child,
            )
        )
        self._keep(
            k8s.policy.v1.PodDisruptionBudget(
                f"{name}-pdb-{slot}",
                metadata=meta(self._common, ns, slot),
                spec=serving_specs.pdb_spec(args, slot),
                opts=self._child,
            )
        )
        self.deployment_names[slot] = _name_of(deployment)
        self.service_names[slot] = _name_of(service)

    def _route(self, ns: pulumi.Output[str]) -> pulumi.Output[str]:
        """The weighted HTTPRoute over both slots' Services; returns its name."""
        route = self._keep(
            k8s.apiextensions.CustomResource(
                f"{self._name}-httproute",
                api_version=GATEWAY_API_VERSION,
                kind="HTTPRoute",
                metadata=self._meta(APP_NAME, ns),
                spec=pulumi.Output.all(**self.service_names).apply(
                    functools.partial(serving_network.route_spec, self._args)
                ),
                opts=self._child,
            )
        )
        return route.metadata.apply(lambda meta: meta["name"])
