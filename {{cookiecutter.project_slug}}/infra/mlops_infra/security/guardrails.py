"""``PolicyGuardrails``: the machine-learning guardrails assigned to the stack's resource group.

One Azure Policy assignment per row of ``definitions.GUARDRAILS`` (built-in definitions), with the
stack's effect (``guardrailEffect``: Audit in dev, Deny elsewhere; Audit where a definition has no
Deny), enforcement mode Default, and a non-compliance message naming the fix. Each
``policyExemptions`` entry becomes a Waiver exemption of one assignment that Azure ends on its
expiry date; exemptions are checked (reason, expiry, guardrail, scope) before anything registers.
"""

from __future__ import annotations

import pulumi
from pulumi_azure_native import authorization

from mlops_infra.naming import type_token
from mlops_infra.security.args import Exemption, GuardrailsArgs
from mlops_infra.security.definitions import GUARDRAILS, Guardrail

TYPE_TOKEN = type_token("security", "PolicyGuardrails")


class PolicyGuardrails(pulumi.ComponentResource):
    """Azure Policy assignments and exemptions of one stack."""

    def __init__(
        self, name: str, args: GuardrailsArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.assignments = {g.key: self._assign(g) for g in GUARDRAILS}
        self.exemptions = [
            self._exempt(index, exemption)
            for index, exemption in enumerate(args.parsed_exemptions())
        ]
        self.register_outputs({f"{key}AssignmentId": a.id for key, a in self.assignments.items()})

    def _assign(self, guardrail: Guardrail) -> authorization.PolicyAssignment:
        """The assignment of one built-in definition to the resource group."""
        args = self._args
        effect = guardrail.effect(args.effect)
        values = {"effect": effect, **guardrail.parameters(args.settings)}
        return authorization.PolicyAssignment(
            f"{self._name}-{guardrail.key}",
            policy_assignment_name=f"{args.prefix}-{guardrail.key}",
            scope=args.resource_group_id,
            policy_definition_id=guardrail.definition_id,
            display_name=f"{args.prefix}: {guardrail.display_name}",
            description=f"ML guardrail ({effect}) assigned by Pulumi; see policyExemptions.",
            enforcement_mode=authorization.EnforcementMode.DEFAULT,
            parameters={
                key: authorization.ParameterValuesValueArgs(value=value)
                for key, value in values.items()
            },
            non_compliance_messages=[
                authorization.NonComplianceMessageArgs(
                    message=f"{guardrail.display_name}. Fix the resource, or add a reasoned, "
                    "time-boxed entry to policyExemptions in the stack config."
                )
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _exempt(self, index: int, exemption: Exemption) -> authorization.PolicyExemption:
        """A Waiver of one assignment on the resource group (or one resource in it)."""
        args = self._args
        assignment = self.assignments[exemption.guardrail]
        return authorization.PolicyExemption(
            f"{self._name}-exemption-{index}",
            policy_exemption_name=f"{args.prefix}-{exemption.guardrail}-{index}",
            scope=exemption.resource_id or args.resource_group_id,
            policy_assignment_id=assignment.id,
            exemption_category=authorization.ExemptionCategory.WAIVER,
            expires_on=f"{exemption.expires.isoformat()}T00:00:00Z",
            display_name=f"{args.prefix}: {exemption.guardrail} until {exemption.expires}",
            description=exemption.reason,
            opts=pulumi.ResourceOptions(parent=self),
        )
