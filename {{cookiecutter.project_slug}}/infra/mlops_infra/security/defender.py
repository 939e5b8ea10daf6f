"""``DefenderPlans``: Microsoft Defender for Cloud plans for Containers, Key Vault and Storage.

Subscription-wide (``Microsoft.Security/pricings``), tier Standard: Defender for Containers
(registry image vulnerability assessment, AKS runtime protection), for Key Vault (per vault) and
for Storage (the current plan, ``DefenderForStorageV2``). Azure refuses DELETE on a subscription
plan (it only takes a PUT to another tier), so the plans are ``retain_on_delete``: turning
``defenderPlans`` off or destroying the stack stops managing them and leaves them as they are.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import security

from mlops_infra.naming import type_token
from mlops_infra.security.args import DefenderArgs

TYPE_TOKEN = type_token("security", "DefenderPlans")
# Plan name -> sub-plan (None: the plan has a single one).
PLANS: dict[str, str | None] = {
    "Containers": None,
    "KeyVaults": "PerKeyVault",
    "StorageAccounts": "DefenderForStorageV2",
}


class DefenderPlans(pulumi.ComponentResource):
    """The Defender plans of one subscription."""

    def __init__(
        self, name: str, args: DefenderArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        super().__init__(TYPE_TOKEN, name, None, opts)
        scope = pulumi.Output.from_input(args.subscription_id).apply(
            lambda s: f"/subscriptions/{s}"
        )
        self.plans = {
            plan: security.Pricing(
                f"{name}-{plan.lower()}",
                pricing_name=plan,
                scope_id=scope,
                pricing_tier=security.PricingTier.STANDARD,
                sub_plan=sub_plan,
                opts=pulumi.ResourceOptions(parent=self, retain_on_delete=True),
            )
            for plan, sub_plan in PLANS.items()
        }
        self.register_outputs({f"{plan}PlanId": p.id for plan, p in self.plans.items()})
