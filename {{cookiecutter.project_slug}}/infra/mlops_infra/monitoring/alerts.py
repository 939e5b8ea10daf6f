"""``Alerts``: the stack's action group and every alert rule that notifies it.

* an action group (``ag-<prefix>``) with the stack's email and webhook receivers, common schema;
* metric alerts on the online endpoint (``rules.endpoint_rules``): per-deployment p95 latency,
  5xx responses, throttled (429) requests, request rate. The deployments themselves are created
  and deleted by the rollout, so no rule is scoped to one: the endpoint's ``deployment``
  dimension splits latency and errors per deployment, future ones included;
* with an AKS cluster, node CPU and memory of the Kubernetes serving (``rules.cluster_rules``);
* with ``stale_workspace_days``, a daily log search alert that fires when the ML workspace had
  no active compute cores in that many days (a training loop that stopped, a forgotten stack).
"""

from __future__ import annotations

from typing import Any

import pulumi
from pulumi_azure_native import monitor

from mlops_infra.monitoring.args import AlertsArgs
from mlops_infra.monitoring.rules import MetricRule, cluster_rules, endpoint_rules
from mlops_infra.monitoring.rules import stale_workspace_query as stale_query
from mlops_infra.naming import compact, type_token

TYPE_TOKEN = type_token("monitoring", "Alerts")
SHORT_NAME_LENGTH = 12  # Azure's limit on an action group's short name (used in SMS)


def short_name(prefix: str) -> str:
    """``<project>-<environment>`` in 12 letters or digits, the environment kept whole."""
    project, _, environment = prefix.rpartition("-")
    return compact(project)[: SHORT_NAME_LENGTH - len(environment)] + compact(environment)


class Alerts(pulumi.ComponentResource):
    """Action group, metric alerts and the stale-workspace log alert of one stack."""

    def __init__(
        self, name: str, args: AlertsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self._child = pulumi.ResourceOptions(parent=self)
        self.action_group = self._action_group()
        self.action_group_id: pulumi.Output[str] = self.action_group.id
        targets = args.targets
        rules = [(rule, targets.endpoint_id) for rule in endpoint_rules(args)]
        if targets.cluster_id is not None:
            rules += [(rule, targets.cluster_id) for rule in cluster_rules(args)]
        self.metric_alerts = {rule.key: self._metric_alert(rule, scope) for rule, scope in rules}
        self.stale_workspace = self._stale_workspace() if args.stale_workspace_days else None
        self.register_outputs(
            {"actionGroupId": self.action_group_id, "ruleNames": sorted(self.metric_alerts)}
        )

    def _action_group(self) -> monitor.ActionGroup:
        """Email and webhook receivers, each on the common alert schema."""
        args = self._args
        return monitor.ActionGroup(
            f"{self._name}-ag",
            action_group_name=f"ag-{args.prefix}",
            resource_group_name=args.targets.resource_group_name,
            location="Global",
            group_short_name=short_name(args.prefix),
            enabled=True,
            email_receivers=[
                monitor.MicrosoftCommonEmailReceiverArgs(
                    name=f"email-{index}", email_address=email, use_common_alert_schema=True
                )
                for index, email in enumerate(args.emails)
            ],
            webhook_receivers=[
                monitor.WebhookReceiverArgs(
                    name=f"webhook-{index}", service_uri=url, use_common_alert_schema=True
                )
                for index, url in enumerate(args.webhooks)
            ],
            tags=dict(args.tags),
            opts=self._child,
        )

    def _metric_alert(self, rule: MetricRule, scope: pulumi.Input[str]) -> monitor.MetricAlert:
        """One static-threshold rule on ``scope``, notifying the action group."""
        criterion = monitor.MetricCriteriaArgs(
            criterion_type="StaticThresholdCriterion",
            name=rule.key,
            metric_namespace=rule.namespace,
            metric_name=rule.metric,
            operator=rule.operator,
            threshold=rule.threshold,
            time_aggregation=rule.aggregation,
            dimensions=[
                monitor.MetricDimensionArgs(name=dimension, operator="Include", values=list(values))
                for dimension, values in rule.dimensions
            ],
        )
        return monitor.MetricAlert(
            f"{self._name}-{rule.key}",
            rule_name=f"{self._args.prefix}-{rule.key}",
            resource_group_name=self._args.targets.resource_group_name,
            location="global",
            description=rule.description,
            severity=rule.severity,
            enabled=True,
            scopes=[scope],
            evaluation_frequency=rule.frequency,
            window_size=rule.window,
            auto_mitigate=True,
            criteria=monitor.MetricAlertSingleResourceMultipleMetricCriteriaArgs(
                odata_type="Microsoft.Azure.Monitor.SingleResourceMultipleMetricCriteria",
                all_of=[criterion],
            ),
            actions=[monitor.MetricAlertActionArgs(action_group_id=self.action_group_id)],
            tags=dict(self._args.tags),
            opts=self._child,
        )

    def _stale_workspace(self) -> monitor.ScheduledQueryRule:
        """Daily: the workspace's most active cores over the window were 0."""
        args, days = self._args, self._args.stale_workspace_days
        condition: dict[str, Any] = {
            "query": pulumi.Output.from_input(args.targets.workspace_id).apply(stale_query),
            "time_aggregation": "Maximum",
            "metric_measure_column": "ActiveCores",
            "operator": "LessThanOrEqual",
            "threshold": 0,
            "failing_periods": monitor.ConditionFailingPeriodsArgs(
                number_of_evaluation_periods=1, min_failing_periods_to_alert=1
            ),
        }
        return monitor.ScheduledQueryRule(
            f"{self._name}-stale-workspace",
            rule_name=f"{args.prefix}-stale-workspace",
            resource_group_name=args.targets.resource_group_name,
            location=args.location,
            kind="LogAlert",
            description=f"No active compute cores in the ML workspace for {days} day(s).",
            severity=3,
            enabled=True,
            scopes=[args.targets.log_analytics_id],
            evaluation_frequency="P1D",
            window_size=f"P{days}D",
            auto_mitigate=False,  # stateful log alerts run at most every 12 hours
            criteria=monitor.ScheduledQueryRuleCriteriaArgs(
                all_of=[monitor.ConditionArgs(**condition)]
            ),
            actions=monitor.ActionsArgs(action_groups=[self.action_group_id]),
            tags=dict(args.tags),
            opts=self._child,
        )
