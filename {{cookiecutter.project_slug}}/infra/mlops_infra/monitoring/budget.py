"""``CostBudget``: a monthly cost budget on the stack's resource group.

Notifications at each of ``actual_percents`` of the actual cost and ``forecast_percents`` of the
forecast, to the receivers' emails and the stack's action group. The budget starts on the first
of the month it is created in; Pulumi ignores later changes of that date (``timePeriod``) so a
``pulumi up`` next month does not move it.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import consumption

from mlops_infra.monitoring.args import BudgetArgs
from mlops_infra.naming import type_token

TYPE_TOKEN = type_token("monitoring", "CostBudget")


def notification_name(kind: str, percent: int) -> str:
    """The key of one notification, e.g. ``Actual_GreaterThan_80_Percent``."""
    return f"{kind}_GreaterThan_{percent}_Percent"


class CostBudget(pulumi.ComponentResource):
    """The monthly budget of one resource group."""

    def __init__(
        self, name: str, args: BudgetArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        groups = [args.action_group_id] if args.action_group_id is not None else []
        thresholds = [("Actual", p) for p in args.actual_percents] + [
            ("Forecasted", p) for p in args.forecast_percents
        ]
        self.budget = consumption.Budget(
            f"{name}-budget",
            budget_name=f"budget-{args.prefix}",
            scope=args.resource_group_id,
            amount=args.amount,
            category="Cost",
            time_grain="Monthly",
            time_period=consumption.BudgetTimePeriodArgs(start_date=args.start_date),
            notifications={
                notification_name(kind, percent): consumption.NotificationArgs(
                    enabled=True,
                    operator="GreaterThan",
                    threshold=percent,
                    threshold_type=kind,
                    contact_emails=list(args.emails),
                    contact_groups=groups,
                    locale="en-us",
                )
                for kind, percent in thresholds
            },
            opts=pulumi.ResourceOptions(parent=self, ignore_changes=["timePeriod"]),
        )
        self.register_outputs({"budgetId": self.budget.id})
