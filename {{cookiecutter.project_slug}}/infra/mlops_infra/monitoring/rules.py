"""The alert rules as data: which metric, which threshold, how bad. Pure, no Pulumi resources.

Metric names and dimensions are those of Azure Monitor's supported-metrics reference for
``Microsoft.MachineLearningServices/workspaces/onlineEndpoints`` and
``Microsoft.ContainerService/managedClusters``; the stale-workspace query reads the workspace's
``Active Cores`` metric from the ``AzureMetrics`` table its diagnostic setting fills.
"""

from __future__ import annotations

from dataclasses import dataclass

from mlops_infra.monitoring.args import AlertsArgs

ENDPOINT_NAMESPACE = "Microsoft.MachineLearningServices/workspaces/onlineEndpoints"
CLUSTER_NAMESPACE = "Microsoft.ContainerService/managedClusters"
ALL_VALUES = ("*",)  # one time series per value, including deployments created later


@dataclass(frozen=True)
class MetricRule:
    """One static-threshold metric alert on one resource."""

    key: str  # the rule's name is <prefix>-<key>
    description: str
    namespace: str
    metric: str
    aggregation: str  # Average, Maximum, ...
    operator: str  # GreaterThan, ...
    threshold: float
    severity: int  # 0 (critical) .. 4 (verbose)
    dimensions: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (name, included values)
    window: str = "PT5M"
    frequency: str = "PT1M"


def endpoint_rules(args: AlertsArgs) -> tuple[MetricRule, ...]:
    """Latency, server errors, throttling and request rate of the online endpoint."""
    per_deployment = (("deployment", ALL_VALUES),)
    return (
        MetricRule(
            "endpoint-latency-p95",
            f"p95 latency of a deployment above {args.latency_p95_ms} ms for 5 minutes.",
            ENDPOINT_NAMESPACE,
            "RequestLatency_P95",
            "Average",
            "GreaterThan",
            args.latency_p95_ms,
            2,
            per_deployment,
        ),
        MetricRule(
            "endpoint-server-errors",
            f"More than {args.server_errors_per_minute} 5xx responses a minute for 5 minutes.",
            ENDPOINT_NAMESPACE,
            "RequestsPerMinute",
            "Average",
            "GreaterThan",
            args.server_errors_per_minute,
            1,
            (("statusCodeClass", ("5xx",)), *per_deployment),
        ),
        MetricRule(
            "endpoint-throttled",
            "Requests answered 429 (the endpoint throttles): raise its limits or capacity.",
            ENDPOINT_NAMESPACE,
            "RequestsPerMinute",
            "Average",
            "GreaterThan",
            0,
            2,
            (("statusCode", ("429",)),),
        ),
        MetricRule(
            "endpoint-request-rate",
            f"More than {args.requests_per_minute} requests a minute for 15 minutes: traffic "
            "outgrows the deployments' sizing.",
            ENDPOINT_NAMESPACE,
            "RequestsPerMinute",
            "Average",
            "GreaterThan",
            args.requests_per_minute,
            3,
            window="PT15M",
            frequency="PT5M",
        ),
    )


def cluster_rules(args: AlertsArgs) -> tuple[MetricRule, ...]:
    """CPU and memory of the AKS serving nodes."""
    percent = args.node_utilization_percent
    return tuple(
        MetricRule(
            f"aks-node-{kind}",
            f"AKS node {kind} above {percent} % for 15 minutes: the serving pods lack room.",
            CLUSTER_NAMESPACE,
            metric,
            "Average",
            "GreaterThan",
            percent,
            2,
            (("node", ALL_VALUES),),
            window="PT15M",
            frequency="PT5M",
        )
        for kind, metric in (
            ("cpu", "node_cpu_usage_percentage"),
            ("memory", "node_memory_working_set_percentage"),
        )
    )


def stale_workspace_query(workspace_id: str) -> str:
    """KQL: the most active cores of the workspace in the window (0 when it sent none)."""
    return (
        "AzureMetrics\n"
        f'| where ResourceId =~ "{workspace_id}" and MetricName == "Active Cores"\n'
        "| summarize ActiveCores = max(Maximum)\n"
        "| extend ActiveCores = coalesce(ActiveCores, 0.0)"
    )
