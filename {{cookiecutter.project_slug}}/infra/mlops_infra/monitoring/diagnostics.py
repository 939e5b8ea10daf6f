"""``Diagnostics``: logs, metrics and the audit trail of the stack, to its Log Analytics workspace.

One diagnostic setting per resource, into the Log Analytics workspace that Application Insights
already writes to (``MlWorkspace.log_analytics``), in resource-specific tables (``Dedicated``):
the ML workspace (operations and audit events), the online endpoint (requests and containers),
the Key Vault (``AuditEvent``: every secret, key and certificate access, and who made it), and
the subscription's Activity Log (who changed which resource, policy and security events). The
workspace's metrics land in ``AzureMetrics``, which the stale-workspace alert queries.
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
WORKSPACE_OPERATION_LOGS = (
    "AmlComputeClusterEvent",
    "AmlComputeJobEvent",
    "AmlComputeCpuGpuUtilization",
    "AmlRunStatusChangedEvent",
)
# Who read, created or deleted what in the workspace (each event names the caller): models,
# their packaging and downloads (exfiltration), environments (what code runs), datastores and
# datasets (data access), experiments, and compute instance access. Left out: the v1-only
# ACI/AKS deployment and inferencing categories, designer pipelines, labelling, and the
# high-volume environment and run reads.
WORKSPACE_AUDIT_LOGS = (
    "ModelsChangeEvent",
    "ModelsReadEvent",
    "ModelsActionEvent",
    "EnvironmentChangeEvent",
    "DataStoreChangeEvent",
    "DataStoreReadEvent",
    "DataSetChangeEvent",
    "RunEvent",
    "ComputeInstanceEvent",
)
WORKSPACE_LOGS = WORKSPACE_OPERATION_LOGS + WORKSPACE_AUDIT_LOGS
# Every request, the scoring containers' output and their lifecycle events.
ENDPOINT_LOGS = (
    "AmlOnlineEndpointTrafficLog",
    "AmlOnlineEndpointConsoleLog",
    "AmlOnlineEndpointEventLog",
)
KEY_VAULT_LOGS = ("AuditEvent",)
# Activity Log: control-plane writes and deletes, Defender alerts, Azure Policy audits and
# denials (the guardrails), and fired alerts.
ACTIVITY_LOGS = ("Administrative", "Security", "Policy", "Alert")


@dataclass(frozen=True)
class DiagnosticsArgs:
    """Where the logs go and which resources send them."""

    log_analytics_id: pulumi.Input[str]
    workspace_id: pulumi.Input[str]
    endpoint_id: pulumi.Input[str]
    key_vault_id: pulumi.Input[str]
    prefix: str  # <slug>-<environment>: the subscription setting's name, unique per stack


class Diagnostics(pulumi.ComponentResource):
    """Diagnostic settings of the workspace, endpoint, Key Vault and subscription."""

    def __init__(
        self, name: str, args: DiagnosticsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._args = args
        self.workspace = self._setting(f"{name}-workspace", args.workspace_id, WORKSPACE_LOGS)
        self.endpoint = self._setting(f"{name}-endpoint", args.endpoint_id, ENDPOINT_LOGS)
        self.key_vault = self._setting(f"{name}-key-vault", args.key_vault_id, KEY_VAULT_LOGS)
        self.activity_log = monitor.SubscriptionDiagnosticSetting(
            f"{name}-activity-log",
            name=f"{args.prefix}-activity-log",
            workspace_id=args.log_analytics_id,
            logs=[
                monitor.SubscriptionLogSettingsArgs(category=category, enabled=True)
                for category in ACTIVITY_LOGS
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs(
            {
                "workspaceSettingId": self.workspace.id,
                "endpointSettingId": self.endpoint.id,
                "keyVaultSettingId": self.key_vault.id,
                "activityLogSettingId": self.activity_log.id,
            }
        )

    def _setting(
        self, name: str, resource_id: pulumi.Input[str], categories: Sequence[str]
    ) -> monitor.DiagnosticSetting:
        """All ``categories`` (and every metric) of ``resource_id`` to Log Analytics."""
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
