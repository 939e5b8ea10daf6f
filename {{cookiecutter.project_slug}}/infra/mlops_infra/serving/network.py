"""Pure builders of the serving network: NetworkPolicy specs and the weighted HTTPRoute spec."""

from __future__ import annotations

import pulumi_kubernetes as k8s

from mlops_infra.naming import SLUG
from mlops_infra.serving.args import PORT, ROUTED_PATHS, SLOTS, KubernetesServingArgs

_NAMESPACE_NAME_LABEL = "kubernetes.io/metadata.name"


def _namespace_selector(namespace: str) -> k8s.meta.v1.LabelSelectorArgs:
    """Select a namespace by its immutable name label."""
    return k8s.meta.v1.LabelSelectorArgs(match_labels={_NAMESPACE_NAME_LABEL: namespace})


def default_deny_spec() -> k8s.networking.v1.NetworkPolicySpecArgs:
    """Deny all ingress and egress of every pod in the namespace."""
    return k8s.networking.v1.NetworkPolicySpecArgs(
        pod_selector=k8s.meta.v1.LabelSelectorArgs(),
        policy_types=["Ingress", "Egress"],
    )


def ingress_sources(args: KubernetesServingArgs) -> list[str]:
    """The gateway's namespace, then the monitoring namespace if it is set and different."""
    sources = [args.gateway_namespace]
    if args.monitoring_namespace and args.monitoring_namespace != args.gateway_namespace:
        sources.append(args.monitoring_namespace)
    return sources


def allow_gateway_spec(args: KubernetesServingArgs) -> k8s.networking.v1.NetworkPolicySpecArgs:
    """Allow TCP 8080 into the scoring pods from the ingress source namespaces only."""
    rule = k8s.networking.v1.NetworkPolicyIngressRuleArgs(
        from_=[
            k8s.networking.v1.NetworkPolicyPeerArgs(namespace_selector=_namespace_selector(source))
            for source in ingress_sources(args)
        ],
        ports=[k8s.networking.v1.NetworkPolicyPortArgs(protocol="TCP", port=PORT)],
    )
    return k8s.networking.v1.NetworkPolicySpecArgs(
        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"app": SLUG}),
        policy_types=["Ingress"],
        ingress=[rule],
    )


def allow_dns_spec() -> k8s.networking.v1.NetworkPolicySpecArgs:
    """Allow DNS (UDP and TCP 53) out to kube-dns in kube-system only."""
    kube_dns = k8s.networking.v1.NetworkPolicyPeerArgs(
        namespace_selector=_namespace_selector("kube-system"),
        pod_selector=k8s.meta.v1.LabelSelectorArgs(match_labels={"k8s-app": "kube-dns"}),
    )
    rule = k8s.networking.v1.NetworkPolicyEgressRuleArgs(
        to=[kube_dns],
        ports=[
            k8s.networking.v1.NetworkPolicyPortArgs(protocol=protocol, port=53)
            for protocol in ("UDP", "TCP")
        ],
    )
    return k8s.networking.v1.NetworkPolicySpecArgs(
        pod_selector=k8s.meta.v1.LabelSelectorArgs(),
        policy_types=["Egress"],
        egress=[rule],
    )


def _gateway_parent(args: KubernetesServingArgs) -> dict[str, object]:
    """The parentRef of the shared Gateway, narrowed to one listener if a section is set."""
    parent: dict[str, object] = {
        "group": "gateway.networking.k8s.io",
        "kind": "Gateway",
        "name": args.gateway_name,
        "namespace": args.gateway_namespace,
    }
    if args.gateway_section_name:
        parent["sectionName"] = args.gateway_section_name
    return parent


def route_spec(args: KubernetesServingArgs, services: dict[str, str]) -> dict[str, object]:
    """The HTTPRoute spec (camelCase: CustomResource specs are passed through verbatim)."""
    spec: dict[str, object] = {
        "parentRefs": [_gateway_parent(args)],
        "rules": [
            {
                "matches": [{"path": {"type": "Exact", "value": path}} for path in ROUTED_PATHS],
                "backendRefs": [
                    {
                        "group": "",
                        "kind": "Service",
                        "name": services[slot],
                        "port": PORT,
                        "weight": args.weights[slot],
                    }
                    for slot in SLOTS
                ],
            }
        ],
    }
    if args.hostnames:
        spec["hostnames"] = list(args.hostnames)
    return spec
