"""Inputs of the guardrail components, their rules and how settings map onto them."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

import pulumi

from mlops_infra.security.definitions import EFFECTS, GUARDRAIL_KEYS
from mlops_infra.settings import Settings

EXEMPTION_FIX = (
    "pulumi config set --path 'policyExemptions[<n>]' "
    "'<guardrail> | <expires YYYY-MM-DD> | <reason> [| <resource id>]'"
)


class SecurityArgsError(ValueError):
    """Guardrail Args are invalid; the message names the config key and the fix."""


@dataclass(frozen=True)
class Exemption:
    """One exemption from a guardrail: why, until when, and where (None: the resource group)."""

    guardrail: str
    expires: date
    reason: str
    resource_id: str | None = None

    @classmethod
    def parse(cls, index: int, text: str) -> Exemption:
        """``policyExemptions[index]``: ``guardrail | expires | reason [| resource id]``."""
        where = f"policyExemptions[{index}]"
        parts = [part.strip() for part in text.split("|")]
        if len(parts) not in (3, 4):
            raise SecurityArgsError(
                f"{where} must be 'guardrail | expires | reason [| resource id]', "
                f"got {text!r}: {EXEMPTION_FIX}"
            )
        try:
            expires = date.fromisoformat(parts[1])
        except ValueError:
            raise SecurityArgsError(
                f"{where} expires must be a date YYYY-MM-DD, got {parts[1]!r}: {EXEMPTION_FIX}"
            ) from None
        resource = parts[3] if len(parts) == 4 and parts[3] else None
        return cls(parts[0], expires, parts[2], resource)

    def problem(self, today: date, resource_group_name: str) -> str | None:
        """What makes this exemption unacceptable today; None if nothing."""
        if self.guardrail not in GUARDRAIL_KEYS:
            return f"names no guardrail {self.guardrail!r} (one of {', '.join(GUARDRAIL_KEYS)})"
        if not self.reason:
            return "has no reason: say why the guardrail cannot hold and who accepted it"
        if self.expires <= today:
            return f"expired on {self.expires.isoformat()}: remove it or renew it with a reason"
        group = f"/resourcegroups/{resource_group_name.lower()}/"
        if self.resource_id is not None and group not in self.resource_id.lower() + "/":
            return f"resource {self.resource_id!r} is outside resource group {resource_group_name}"
        return None


@dataclass(frozen=True)
class GuardrailsArgs:
    """Inputs of ``PolicyGuardrails``; ``validate()`` runs in the component's constructor."""

    prefix: str  # <slug>-<environment>: assignment names
    resource_group_id: pulumi.Input[str]  # the scope of every assignment
    resource_group_name: str
    effect: str  # requested effect, one of EFFECTS
    settings: Settings  # what a guardrail's parameters read (managed network mode, ...)
    exemptions: tuple[str, ...] = ()
    today: date = field(default_factory=lambda: datetime.now(UTC).date())

    @classmethod
    def from_settings(
        cls, settings: Settings, resource_group_id: pulumi.Input[str]
    ) -> GuardrailsArgs:
        """The stack's guardrails on ``resource_group_id``, with its exemptions."""
        names = settings.names
        return cls(
            prefix=names.resource_prefix,
            resource_group_id=resource_group_id,
            resource_group_name=names.resource_group_name,
            effect=settings.guardrail_effect,
            settings=settings,
            exemptions=settings.policy_exemptions,
        )

    def parsed_exemptions(self) -> tuple[Exemption, ...]:
        """Every exemption, parsed and checked (``SecurityArgsError`` on the first bad one)."""
        parsed = []
        for index, text in enumerate(self.exemptions):
            exemption = Exemption.parse(index, text)
            problem = exemption.problem(self.today, self.resource_group_name)
            if problem:
                raise SecurityArgsError(f"policyExemptions[{index}] {problem}: {EXEMPTION_FIX}")
            parsed.append(exemption)
        return tuple(parsed)

    def validate(self) -> GuardrailsArgs:
        """Raise ``SecurityArgsError`` on the first invalid field; return ``self`` otherwise."""
        if self.effect not in EFFECTS:
            raise SecurityArgsError(
                f"guardrailEffect must be one of {', '.join(EFFECTS)}, got {self.effect!r}: "
                "set it with pulumi config set guardrailEffect Deny"
            )
        self.parsed_exemptions()
        return self


@dataclass(frozen=True)
class LockArgs:
    """Inputs of ``DeleteLocks``: the resources that must not be deleted, by logical name."""

    prefix: str
    targets: Mapping[str, pulumi.Input[str]]  # short name -> ARM id


@dataclass(frozen=True)
class DefenderArgs:
    """Inputs of ``DefenderPlans``: the subscription whose plans are set."""

    subscription_id: pulumi.Input[str]
