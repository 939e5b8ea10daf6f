"""Alerts, budget, diagnostics and the online endpoint, per stack, on the real program."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from typing import Any

import pytest
import yaml

from mlops_infra.config import INFRA_DIR
from mlops_infra.monitoring.alerts import Alerts, short_name
from mlops_infra.monitoring.args import (
    AlertsArgs,
    AlertTargets,
    BudgetArgs,
    MonitoringArgsError,
    OnlineEndpointArgs,
    month_start,
)
from mlops_infra.monitoring.budget import CostBudget
from mlops_infra.monitoring.endpoint import ROLLOUT_OWNED
from mlops_infra.naming import SLUG, AzureNames
from mlops_infra.plan import ARGS_ERRORS
from mlops_infra.program import build
from mlops_infra.settings import load_settings
from support import PlannedStack, Record, mock_stack, mocked, of_type, one

AG = "azure-native:monitor:ActionGroup"
METRIC_ALERT = "azure-native:monitor:MetricAlert"
QUERY_RULE = "azure-native:monitor:ScheduledQueryRule"
DIAGNOSTIC = "azure-native:monitor:DiagnosticSetting"
ACTIVITY_LOG = "azure-native:monitor:SubscriptionDiagnosticSetting"
BUDGET = "azure-native:consumption:Budget"
ENDPOINT = "azure-native:machinelearningservices:OnlineEndpoint"
ENDPOINT_SPEC = INFRA_DIR.parent / "pipelines" / "online" / "endpoint.yml"
# stack -> (p95 ms, 5xx per minute, requests per minute, budget)
EXPECTED = {
    "dev": (2000, 5, 600, 150),
    "staging": (1000, 1, 600, 500),
    "prod": (500, 0, 1200, 2000),
}


def _alerts(stack: PlannedStack) -> dict[str, dict[str, Any]]:
    """Metric alert inputs by rule name without the stack prefix."""
    prefix = f"{stack.settings.names.resource_prefix}-"
    return {
        r["inputs"]["ruleName"].removeprefix(prefix): r["inputs"]
        for r in of_type(stack.resources, METRIC_ALERT)
    }


def _criterion(alert: dict[str, Any]) -> tuple[Any, ...]:
    (only,) = alert["criteria"]["allOf"]
    dims = {d["name"]: (d["operator"], tuple(d["values"])) for d in only.get("dimensions", [])}
    return only["metricName"], only["timeAggregation"], only["operator"], only["threshold"], dims


def _by_resource(resources: list[Record]) -> dict[str, dict[str, Any]]:
    return {r["inputs"]["resourceUri"].rsplit("/", 2)[-2]: r["inputs"] for r in resources}


def test_action_group_has_the_configured_receivers_on_the_common_schema(
    stack: PlannedStack,
) -> None:
    group = one(stack.resources, AG)["inputs"]
    names = stack.settings.names
    assert group["actionGroupName"] == f"ag-{names.resource_prefix}"
    assert group["emailReceivers"] == [
        {
            "name": "email-0",
            "emailAddress": f"{SLUG}-alerts@example.com",
            "useCommonAlertSchema": True,
        }
    ]
    assert group["webhookReceivers"] == []
    assert (group["location"], group["enabled"]) == ("Global", True)
    assert len(group["groupShortName"]) <= 12
    assert group["groupShortName"].endswith(stack.name)
    assert group["tags"] == stack.settings.tags


def test_endpoint_and_cluster_alerts_watch_the_right_metrics_with_stack_thresholds(
    stack: PlannedStack,
) -> None:
    latency, errors, requests, _ = EXPECTED[stack.name]
    every = ("Include", ("*",))
    assert {name: _criterion(alert) for name, alert in _alerts(stack).items()} == {
        "endpoint-latency-p95": (
            "RequestLatency_P95",
            "Average",
            "GreaterThan",
            latency,
            {"deployment": every},
        ),
        "endpoint-server-errors": (
            "RequestsPerMinute",
            "Average",
            "GreaterThan",
            errors,
            {"statusCodeClass": ("Include", ("5xx",)), "deployment": every},
        ),
        "endpoint-throttled": (
            "RequestsPerMinute",
            "Average",
            "GreaterThan",
            0,
            {"statusCode": ("Include", ("429",))},
        ),
        "endpoint-request-rate": ("RequestsPerMinute", "Average", "GreaterThan", requests, {}),
        "aks-node-cpu": (
            "node_cpu_usage_percentage",
            "Average",
            "GreaterThan",
            85,
            {"node": every},
        ),
        "aks-node-memory": (
            "node_memory_working_set_percentage",
            "Average",
            "GreaterThan",
            85,
            {"node": every},
        ),
    }


def test_every_metric_alert_is_scoped_to_its_resource_and_notifies_the_action_group(
    stack: PlannedStack,
) -> None:
    group_id = stack.outputs["monitoring"]["action_group_id"]
    endpoint_id = stack.outputs["monitoring"]["endpoint_id"]
    cluster = one(stack.resources, "azure-native:containerservice:ManagedCluster")["inputs"]
    for name, alert in _alerts(stack).items():
        expected_scope = endpoint_id if name.startswith("endpoint-") else cluster["resourceName"]
        (scope,) = alert["scopes"]
        assert scope.endswith(expected_scope), name
        assert alert["actions"] == [{"actionGroupId": group_id}], name
        assert alert["criteria"]["odataType"].endswith("SingleResourceMultipleMetricCriteria")
        assert (alert["location"], alert["enabled"], alert["autoMitigate"]) == (
            "global",
            True,
            True,
        )
        assert 0 <= alert["severity"] <= 4
    assert endpoint_id.endswith(f"/onlineEndpoints/{stack.settings.names.online_endpoint_name}")


def test_stale_workspace_rule_queries_active_cores_of_the_workspace_daily(
    stack: PlannedStack,
) -> None:
    rule = one(stack.resources, QUERY_RULE)["inputs"]
    workspace_id = stack.outputs["workspace"]["workspace_id"]
    assert rule["scopes"] == [stack.outputs["workspace"]["log_analytics_workspace_id"]]
    assert (rule["kind"], rule["evaluationFrequency"], rule["windowSize"]) == (
        "LogAlert",
        "P1D",
        "P2D",
    )
    (condition,) = rule["criteria"]["allOf"]
    assert f'ResourceId =~ "{workspace_id}"' in condition["query"]
    assert 'MetricName == "Active Cores"' in condition["query"]
    assert "coalesce(ActiveCores, 0.0)" in condition["query"]  # no data counts as idle
    assert (condition["metricMeasureColumn"], condition["operator"], condition["threshold"]) == (
        "ActiveCores",
        "LessThanOrEqual",
        0,
    )
    assert rule["actions"] == {"actionGroups": [stack.outputs["monitoring"]["action_group_id"]]}


def test_budget_has_exactly_the_expected_thresholds_on_the_resource_group(
    stack: PlannedStack,
) -> None:
    budget = one(stack.resources, BUDGET)["inputs"]
    group_id = stack.outputs["monitoring"]["action_group_id"]
    assert budget["amount"] == EXPECTED[stack.name][3]
    assert budget["scope"].endswith(f"/resourceGroups/{stack.settings.names.resource_group_name}")
    assert (budget["category"], budget["timeGrain"]) == ("Cost", "Monthly")
    assert budget["timePeriod"]["startDate"][8:] == "01T00:00:00Z"
    thresholds = {
        key: (n["thresholdType"], n["threshold"], n["operator"], n["contactGroups"])
        for key, n in budget["notifications"].items()
    }
    assert thresholds == {
        "Actual_GreaterThan_50_Percent": ("Actual", 50, "GreaterThan", [group_id]),
        "Actual_GreaterThan_80_Percent": ("Actual", 80, "GreaterThan", [group_id]),
        "Actual_GreaterThan_100_Percent": ("Actual", 100, "GreaterThan", [group_id]),
        "Forecasted_GreaterThan_100_Percent": ("Forecasted", 100, "GreaterThan", [group_id]),
    }
    assert all(
        n["contactEmails"] == [f"{SLUG}-alerts@example.com"]
        for n in budget["notifications"].values()
    )


def test_diagnostic_settings_send_operations_and_audit_logs_to_the_stack_log_analytics(
    stack: PlannedStack,
) -> None:
    settings = _by_resource(of_type(stack.resources, DIAGNOSTIC))
    names = stack.settings.names
    assert set(settings) == {"workspaces", "onlineEndpoints", "vaults"}
    categories = {k: [log["category"] for log in v["logs"]] for k, v in settings.items()}
    assert categories == {
        "workspaces": [
            "AmlComputeClusterEvent",
            "AmlComputeJobEvent",
            "AmlComputeCpuGpuUtilization",
            "AmlRunStatusChangedEvent",
            "ModelsChangeEvent",
            "ModelsReadEvent",
            "ModelsActionEvent",
            "EnvironmentChangeEvent",
            "DataStoreChangeEvent",
            "DataStoreReadEvent",
            "DataSetChangeEvent",
            "RunEvent",
            "ComputeInstanceEvent",
        ],
        "onlineEndpoints": [
            "AmlOnlineEndpointTrafficLog",
            "AmlOnlineEndpointConsoleLog",
            "AmlOnlineEndpointEventLog",
        ],
        "vaults": ["AuditEvent"],
    }
    for setting in settings.values():
        assert setting["workspaceId"] == stack.outputs["workspace"]["log_analytics_workspace_id"]
        assert setting["metrics"] == [{"category": "AllMetrics", "enabled": True}]
        assert setting["logAnalyticsDestinationType"] == "Dedicated"
        assert all(log["enabled"] for log in setting["logs"])
    assert settings["workspaces"]["resourceUri"].endswith(f"/workspaces/{names.workspace_name}")
    assert settings["vaults"]["resourceUri"].endswith(f"/vaults/{names.key_vault_name}")


def test_every_stack_exports_the_subscription_activity_log_to_its_own_log_analytics(
    stack: PlannedStack,
) -> None:
    activity = one(stack.resources, ACTIVITY_LOG)["inputs"]
    assert activity["name"] == f"{stack.settings.names.resource_prefix}-activity-log"
    assert activity["workspaceId"] == stack.outputs["workspace"]["log_analytics_workspace_id"]
    assert activity["logs"] == [
        {"category": category, "enabled": True}
        for category in ("Administrative", "Security", "Policy", "Alert")
    ]


@pytest.mark.parametrize(("name", "days"), [("dev", 30), ("staging", 90), ("prod", 90)])
def test_log_analytics_keeps_the_audit_trail_90_days_outside_dev(
    planned: dict[str, PlannedStack], name: str, days: int
) -> None:
    logs = one(planned[name].resources, "azure-native:operationalinsights:Workspace")
    assert logs["inputs"]["retentionInDays"] == days


def test_endpoint_matches_the_cd_spec_and_leaves_traffic_to_the_rollout(
    stack: PlannedStack,
) -> None:
    dev_spec = ENDPOINT_SPEC.with_name("endpoint.dev.yml")
    spec_file = dev_spec if stack.settings.environment == "dev" else ENDPOINT_SPEC
    spec = yaml.safe_load(spec_file.read_text(encoding="utf-8"))
    endpoint = one(stack.resources, ENDPOINT)["inputs"]
    assert endpoint["endpointName"] == stack.settings.names.online_endpoint_name
    assert spec["name"] == f"{SLUG}-online"  # the spec's placeholder; the CD passes the real name
    auth = {"key": "Key", "aad_token": "AADToken"}[spec["auth_mode"]]
    assert endpoint["properties"]["authMode"] == auth
    access = endpoint["properties"]["publicNetworkAccess"]
    assert access.lower() == spec["public_network_access"]
    private = stack.settings.environment in ("staging", "prod")
    assert (auth, access) == (("AADToken", "Disabled") if private else ("Key", "Enabled"))
    assert "traffic" not in endpoint["properties"]
    assert "mirrorTraffic" not in endpoint["properties"]
    assert endpoint["workspaceName"] == stack.settings.names.workspace_name
    assert endpoint["tags"] == stack.settings.tags
    assert ROLLOUT_OWNED == ("properties.traffic", "properties.mirrorTraffic")


@pytest.mark.parametrize(
    ("name", "auth", "access"),
    [
        ("dev", "Key", "Enabled"),
        ("staging", "AADToken", "Disabled"),
        ("prod", "AADToken", "Disabled"),
    ],
)
def test_staging_and_prod_endpoints_are_private_and_token_only(
    planned: dict[str, PlannedStack], name: str, auth: str, access: str
) -> None:
    properties = one(planned[name].resources, ENDPOINT)["inputs"]["properties"]
    assert (properties["authMode"], properties["publicNetworkAccess"]) == (auth, access)


def test_short_name_keeps_the_environment_and_month_start_is_the_first() -> None:
    assert short_name("fraud-scoring-staging") == "fraudstaging"
    assert short_name("a-dev") == "adev"
    assert month_start(date(2031, 2, 28)) == "2031-02-01T00:00:00Z"
    assert month_start(date(2030, 12, 1)) == "2030-12-01T00:00:00Z"


def test_without_aks_no_cluster_alerts_and_stale_rule_off_at_zero_days() -> None:
    mocks = mock_stack("staging", aksCreate="false", staleWorkspaceDays="0")
    settings = load_settings()

    @mocked
    def run() -> None:
        build(settings)

    run()
    prefix = f"{settings.names.resource_prefix}-"
    rules = {
        r["inputs"]["ruleName"].removeprefix(prefix) for r in of_type(mocks.resources, METRIC_ALERT)
    }
    assert rules == {
        "endpoint-latency-p95",
        "endpoint-server-errors",
        "endpoint-throttled",
        "endpoint-request-rate",
    }
    assert of_type(mocks.resources, QUERY_RULE) == []


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        (
            {"alertEmails": '["oncall(at)contoso.com"]'},
            "alertEmails[0] must be an email address, got 'oncall(at)contoso.com': "
            "pulumi config set --path 'alertEmails[0]' ml-oncall@your-domain.com",
        ),
        (
            {"alertEmails": "[]", "alertWebhooks": "[]"},
            "alertEmails and alertWebhooks are both empty, so alerts would notify no one: "
            "pulumi config set --path 'alertEmails[0]' ml-oncall@your-domain.com",
        ),
        (
            {"alertWebhooks": '["http://hooks.example.com/x"]'},
            "alertWebhooks[0] must be an https:// URL, got 'http://hooks.example.com/x': set it "
            "with pulumi config set --path 'alertWebhooks[0]' https://<host>/<path>",
        ),
        (
            {"budgetAmount": "-5"},
            "budgetAmount must be a positive amount, got -5: set it with "
            "pulumi config set budgetAmount 500",
        ),
        (
            {"staleWorkspaceDays": "7"},
            "staleWorkspaceDays must be between 0 and 2, got 7: set it with "
            "pulumi config set staleWorkspaceDays <between 0 and 2>",
        ),
        (
            {"alertNodeUtilizationPercent": "101"},
            "alertNodeUtilizationPercent must be between 1 and 100, got 101: set it with "
            "pulumi config set alertNodeUtilizationPercent <between 1 and 100>",
        ),
        (
            {"alertLatencyP95Ms": "0"},
            "alertLatencyP95Ms must be at least 1, got 0: set it with "
            "pulumi config set alertLatencyP95Ms <at least 1>",
        ),
        (
            {"alertServerErrorsPerMinute": "-1"},
            "alertServerErrorsPerMinute must be at least 0, got -1: set it with "
            "pulumi config set alertServerErrorsPerMinute <at least 0>",
        ),
    ],
)
def test_bad_monitoring_config_is_refused_before_anything_registers(
    overrides: dict[str, str], message: str
) -> None:
    mocks = mock_stack("prod", **overrides)
    settings = load_settings()

    @mocked
    def run() -> None:
        build(settings)

    with pytest.raises(MonitoringArgsError) as caught:
        run()
    assert str(caught.value) == message
    assert mocks.resources == []
    assert MonitoringArgsError in ARGS_ERRORS  # the offline plan prints it as one Error: line


def test_components_validate_their_own_args(dev_mocks: Any) -> None:
    settings = load_settings()
    alerts = AlertsArgs.from_settings(settings, AlertTargets("rg", "ep", "ws", "law"))
    with pytest.raises(MonitoringArgsError, match="alertEmails\\[1\\] must be an email"):
        Alerts("alerts", replace(alerts, emails=("a@b.co", "no-at-sign")))
    budget = BudgetArgs.from_settings(settings, "/rg", None, today=date(2030, 5, 17))
    assert budget.start_date == "2030-05-01T00:00:00Z"
    with pytest.raises(MonitoringArgsError, match="first of a month"):
        CostBudget("budget", replace(budget, start_date="2030-05-17T00:00:00Z"))
    with pytest.raises(MonitoringArgsError, match="thresholds must be 1-1000 %"):
        replace(budget, forecast_percents=(0,)).validate()
    endpoint = OnlineEndpointArgs.from_settings(settings, ("rg", "mlw"))
    with pytest.raises(MonitoringArgsError, match="3-32 letters"):
        replace(endpoint, name="x" * 33).validate()
    with pytest.raises(MonitoringArgsError, match="onlineEndpointAuthMode must be one of Key"):
        replace(endpoint, auth_mode="key").validate()
    with pytest.raises(MonitoringArgsError, match="public_network_access must be Enabled"):
        replace(endpoint, public_network_access="Off").validate()
    assert dev_mocks.resources == []


def test_each_stack_has_its_own_endpoint_name_within_azures_limit(
    planned: dict[str, PlannedStack],
) -> None:
    names = {one(stack.resources, ENDPOINT)["inputs"]["endpointName"] for stack in planned.values()}
    assert len(names) == len(planned)  # scoring URIs are unique per region across Azure
    assert all(re.fullmatch(r"[a-z][a-z0-9-]{1,30}[a-z0-9]", name) for name in names), names
    long = AzureNames("contoso", "staging", "a-very-long-project-name-for-tests")
    assert long.online_endpoint_name.endswith("-staging")
    assert len(long.online_endpoint_name) == 32
