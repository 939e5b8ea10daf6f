"""Pure builders of the serving objects' specs: metadata, quota, deployment, service, HPA, PDB."""

from __future__ import annotations

import pulumi
import pulumi_kubernetes as k8s

from mlops_infra.naming import SLUG
from mlops_infra.serving.args import PORT, SLOTS, KubernetesServingArgs
from mlops_infra.serving.pod import pod_spec, selector
from mlops_infra.serving.values import cpu_millis, mebibytes, memory_bytes


def common_labels(args: KubernetesServingArgs) -> dict[str, str]:
    """The labels put on every object of the component."""
    return {
        "app.kubernetes.io/name": SLUG,
        "app.kubernetes.io/part-of": SLUG,
        "app.kubernetes.io/managed-by": "pulumi",
        "environment": args.environment,
        **args.labels,
    }


def object_meta(
    common: dict[str, str], object_name: str, ns: pulumi.Input[str], slot: str | None = None
) -> k8s.meta.v1.ObjectMetaArgs:
    """Metadata of a namespaced object, with the slot's selector labels when ``slot`` is set."""
    labels = dict(common)
    if slot:
        labels.update(selector(slot))
    return k8s.meta.v1.ObjectMetaArgs(name=object_name, namespace=ns, labels=labels)


def slot_meta(
    common: dict[str, str], ns: pulumi.Input[str], slot: str
) -> k8s.meta.v1.ObjectMetaArgs:
    """Metadata of a per-slot object, named ``<slug>-<slot>``."""
    return object_meta(common, f"{SLUG}-{slot}", ns, slot)


def namespace_meta(common: dict[str, str], namespace: str) -> k8s.meta.v1.ObjectMetaArgs:
    """Metadata of the Namespace, labelled for Pod Security Admission ``restricted``."""
    return k8s.meta.v1.ObjectMetaArgs(
        name=namespace,
        labels={
            **common,
            "pod-security.kubernetes.io/enforce": "restricted",
            "pod-security.kubernetes.io/enforce-version": "latest",
            "pod-security.kubernetes.io/audit": "restricted",
            "pod-security.kubernetes.io/warn": "restricted",
        },
    )


def quota_spec(args: KubernetesServingArgs) -> k8s.core.v1.ResourceQuotaSpecArgs:
    """Both slots at max_replicas, plus one surge pod each during a rolling update."""
    pods = len(SLOTS) * (args.max_replicas + 1)
    return k8s.core.v1.ResourceQuotaSpecArgs(
        hard={
            "pods": str(pods),
            "requests.cpu": f"{pods * cpu_millis(args.cpu_request)}m",
            "limits.cpu": f"{pods * cpu_millis(args.cpu_limit)}m",
            "requests.memory": mebibytes(pods * memory_bytes(args.memory_request)),
            "limits.memory": mebibytes(pods * memory_bytes(args.memory_limit)),
            "requests.ephemeral-storage": mebibytes(pods * memory_bytes(args.tmp_size_limit)),
            "services": "4",
            "services.loadbalancers": "0",
            "services.nodeports": "0",
            "persistentvolumeclaims": "0",
        }
    )


def limit_range_spec(args: KubernetesServingArgs) -> k8s.core.v1.LimitRangeSpecArgs:
    """Container defaults and maxima equal to the slots' own requests and limits."""
    return k8s.core.v1.LimitRangeSpecArgs(
        limits=[
            k8s.core.v1.LimitRangeItemArgs(
                type="Container",
                default={"cpu": args.cpu_limit, "memory": args.memory_limit},
                default_request={"cpu": args.cpu_request, "memory": args.memory_request},
                max={"cpu": args.cpu_limit, "memory": args.memory_limit},
            )
        ]
    )


def deployment_spec(
    args: KubernetesServingArgs,
    common: dict[str, str],
    slot: str,
    service_account_name: pulumi.Input[str],
) -> k8s.apps.v1.DeploymentSpecArgs:
    """A slot's rolling Deployment; no spec.replicas: the HorizontalPodAutoscaler owns it."""
    match_labels = selector(slot)
    return k8s.apps.v1.DeploymentSpecArgs(
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=match_labels),
        revision_history_limit=5,
        strategy=k8s.apps.v1.DeploymentStrategyArgs(
            type="RollingUpdate",
            rolling_update=k8s.apps.v1.RollingUpdateDeploymentArgs(max_surge=1, max_unavailable=0),
        ),
        template=k8s.core.v1.PodTemplateSpecArgs(
            metadata=k8s.meta.v1.ObjectMetaArgs(labels={**common, **match_labels}),
            spec=pod_spec(args, slot, service_account_name),
        ),
    )


def service_spec(slot: str) -> k8s.core.v1.ServiceSpecArgs:
    """A ClusterIP Service in front of one slot's pods."""
    return k8s.core.v1.ServiceSpecArgs(
        type="ClusterIP",
        selector=selector(slot),
        ports=[
            k8s.core.v1.ServicePortArgs(name="http", port=PORT, target_port="http", protocol="TCP")
        ],
    )


def hpa_spec(
    args: KubernetesServingArgs, deployment_name: pulumi.Input[str]
) -> k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs:
    """Scale a slot's Deployment between replicas and max_replicas on CPU utilisation."""
    target = k8s.autoscaling.v2.MetricTargetArgs(
        type="Utilization", average_utilization=args.target_cpu_utilization
    )
    return k8s.autoscaling.v2.HorizontalPodAutoscalerSpecArgs(
        scale_target_ref=k8s.autoscaling.v2.CrossVersionObjectReferenceArgs(
            api_version="apps/v1", kind="Deployment", name=deployment_name
        ),
        min_replicas=args.replicas,
        max_replicas=args.max_replicas,
        metrics=[
            k8s.autoscaling.v2.MetricSpecArgs(
                type="Resource",
                resource=k8s.autoscaling.v2.ResourceMetricSourceArgs(name="cpu", target=target),
            )
        ],
    )


def pdb_spec(args: KubernetesServingArgs, slot: str) -> k8s.policy.v1.PodDisruptionBudgetSpecArgs:
    """minAvailable 1, or maxUnavailable 1 for one replica (else the only pod is unevictable)."""
    return k8s.policy.v1.PodDisruptionBudgetSpecArgs(
        min_available=1 if args.replicas > 1 else None,
        max_unavailable=1 if args.replicas == 1 else None,
        selector=k8s.meta.v1.LabelSelectorArgs(match_labels=selector(slot)),
        unhealthy_pod_eviction_policy="AlwaysAllow",
    )
