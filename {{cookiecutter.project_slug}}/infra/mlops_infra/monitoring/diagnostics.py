"""``Diagnostics``: the workspace's and the online endpoint's logs and metrics to Log Analytics.

One diagnostic setting per resource, into the Log Analytics workspace that Application Insights
already writes to (``MlWorkspace.log_analytics``), in resource-specific tables (``Dedicated``).
The workspace's metrics land in ``AzureMetrics``, which the stale-workspace alert queries.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pulumi
from pulumi_azure_native import monitor

from mlops_infra.naming import type_token

TYPE_TOKEN = type_token("monitoring", "Diagnostics")
SETTING_NAME = "to-log-analytics"
# Training cluster, job and run events: what the workspace did and when.
WORKSPACE_LOGS = (
    "AmlComputeClusterEvent",
    "AmlComputeJobEvent",
    "AmlComputeCpuGpuUtilization",
    "AmlRunStatusChangedEvent",
)
# Every request, the scoring containers' output and their lifecycle events.
ENDPOINT_LOGS = (
    "AmlOnlineEndpointTrafficLog",
    "AmlOnlineEndpointConsoleLog",
    "AmlOnlineEndpointEventLog",
)


@dataclass(frozen=True)
class DiagnosticsArgs:
    """Where the logs go and which resources send them."""

    log_analytics_id: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    endpoint_id: pulumi.Input[str]


class Diagnostics(pulumi.ComponentResource):
    """Diagnostic settings of the ML workspace and the online endpoint."""

    def __init__(
        self, name: str, args: DiagnosticsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args
        self.workspace = self._setting(f"{name}-workspace", args.workspace_id, WORKSPACE_LOGS)
        self.endpoint = self._setting(f"{name}-endpoint", args.endpoint_id, ENDPOINT_LOGS)
        self.register_outputs(
            {"workspaceSettingId": self.workspace.id, "endpointSettingId": self.endpoint.id}
        )

    def _setting(
        self, name: str, resource_id: pulumi.Input[str], categories: Sequence[str]
    ) -> monitor.DiagnosticSetting:
        """All ``categories`` and every metric of ``resource_id`` to Log Analytics."""
        return monitor.DiagnosticSetting(
            name,
            name=SETTING_NAME,
            resource_uri=resource_id,
            workspace_id=self._args.log_analytics_id,
            log_analytics_destination_type="Dedicated",
            logs=[
                monitor.DiagnosticsLogSettingsArgs(category=category, enabled=True)
                for category in categories
            ],
            metrics=[monitor.DiagnosticsMetricSettingsArgs(category="AllMetrics", enabled=True)],
            opts=pulumi.ResourceOptions(parent=self),
        )
