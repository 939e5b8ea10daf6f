"""Inputs of the monitoring components, their rules and how settings map onto them."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from urllib.parse import urlsplit

import pulumi

from mlops_infra.policy_facts import PRIVATE_ENDPOINT_IN
from mlops_infra.settings import Settings

AUTH_MODES = ("Key", "AMLToken", "AADToken")
MAX_STALE_DAYS = 2  # a log search alert reads at most two days (Azure Monitor's limit)
_EMAIL = re.compile(r"[^@\s]+@[^@\s.]+(\.[^@\s.]+)+")
_ENDPOINT_NAME = re.compile(r"[a-zA-Z][a-zA-Z0-9-]{1,30}[a-zA-Z0-9]")
_RECEIVER_FIX = "pulumi config set --path 'alertEmails[0]' ml-oncall@your-domain.com"


class MonitoringArgsError(ValueError):
    """Monitoring Args are invalid; the message names the config key and the fix."""


def month_start(today: date) -> str:
    """The first day of ``today``'s month as the budget API wants it (a budget starts there)."""
    return f"{today.year:04d}-{today.month:02d}-01T00:00:00Z"


@dataclass(frozen=True)
class OnlineEndpointArgs:
    """Inputs of ``ServingEndpoint``: the managed online endpoint the CD rolls models onto."""

    location: str
    resource_group_name: pulumi.Input[str]
    workspace_name: pulumi.Input[str]
    name: str  # per environment (AzureNames.online_endpoint_name); the CD reads the stack output
    # pipelines/online/endpoint.yml (staging, prod: private, Entra tokens) or endpoint.dev.yml
    auth_mode: str = "AADToken"
    public_network_access: str = "Disabled"
    tags: Mapping[str, str] = field(default_factory=dict)

    @property
    def description(self) -> str:
        """The endpoint's description in the portal."""
        return f"{self.name}: real-time scoring (blue/green deployments)."

    @classmethod
    def from_settings(
        cls, settings: Settings, workspace: tuple[pulumi.Input[str], pulumi.Input[str]]
    ) -> OnlineEndpointArgs:
        """The endpoint of ``workspace`` (resource group, name)."""
        group, name = workspace
        endpoint = settings.names.online_endpoint_name
        private = settings.environment in PRIVATE_ENDPOINT_IN
        access = {"auth_mode": "AADToken", "public_network_access": "Disabled"}
        if not private:  # dev: keys and a public scoring URL (pipelines/online/endpoint.dev.yml)
            access = {"auth_mode": "Key", "public_network_access": "Enabled"}
        return cls(settings.location, group, name, endpoint, **access, tags=settings.tags)

    def validate(self) -> OnlineEndpointArgs:
        """Raise ``MonitoringArgsError`` on the first invalid field; return ``self`` otherwise."""
        if not _ENDPOINT_NAME.fullmatch(self.name):
            raise MonitoringArgsError(
                f"online endpoint name {self.name!r} must be 3-32 letters, digits and hyphens, "
                "starting with a letter: shorten the project slug"
            )
        if self.auth_mode not in AUTH_MODES:
            raise MonitoringArgsError(
                f"auth_mode must be one of {', '.join(AUTH_MODES)}, got {self.auth_mode!r}"
            )
        if self.public_network_access not in ("Enabled", "Disabled"):
            raise MonitoringArgsError(
                "public_network_access must be Enabled or Disabled, "
                f"got {self.public_network_access!r}"
            )
        return self


@dataclass(frozen=True)
class AlertTargets:
    """What the alerts watch: resource group, endpoint, ML workspace, logs and AKS cluster."""

    resource_group_name: pulumi.Input[str]
    endpoint_id: pulumi.Input[str] = ""
    workspace_id: pulumi.Input[str] = ""
    log_analytics_id: pulumi.Input[str] = ""
    cluster_id: pulumi.Input[str] | None = None  # None: no AKS cluster in this stack


@dataclass(frozen=True)
class AlertsArgs:
    """Inputs of ``Alerts``; ``validate()`` runs in the component's constructor."""

    prefix: str  # <slug>-<environment>: alert and action group names
    location: str
    targets: AlertTargets
    emails: Sequence[str]
    webhooks: Sequence[str]
    latency_p95_ms: int
    server_errors_per_minute: int
    requests_per_minute: int
    node_utilization_percent: int
    stale_workspace_days: int
    tags: Mapping[str, str] = field(default_factory=dict)

    @classmethod
    def from_settings(cls, settings: Settings, targets: AlertTargets) -> AlertsArgs:
        """The stack's receivers and thresholds, watching ``targets``."""
        return cls(
            prefix=settings.names.resource_prefix,
            location=settings.location,
            targets=targets,
            emails=settings.alert_emails,
            webhooks=settings.alert_webhooks,
            latency_p95_ms=settings.alert_latency_p95_ms,
            server_errors_per_minute=settings.alert_server_errors_per_minute,
            requests_per_minute=settings.alert_requests_per_minute,
            node_utilization_percent=settings.alert_node_utilization_percent,
            stale_workspace_days=settings.stale_workspace_days,
            tags=settings.tags,
        )

    def _receivers(self) -> None:
        if not self.emails and not self.webhooks:
            raise MonitoringArgsError(
                f"alertEmails and alertWebhooks are both empty, so alerts would notify no one: "
                f"{_RECEIVER_FIX}"
            )
        for index, email in enumerate(self.emails):
            if not _EMAIL.fullmatch(email):
                raise MonitoringArgsError(
                    f"alertEmails[{index}] must be an email address, got {email!r}: "
                    + _RECEIVER_FIX.replace("[0]", f"[{index}]")
                )
        for index, url in enumerate(self.webhooks):
            parts = urlsplit(url)
            if parts.scheme != "https" or not parts.hostname:
                raise MonitoringArgsError(
                    f"alertWebhooks[{index}] must be an https:// URL, got {url!r}: set it with "
                    f"pulumi config set --path 'alertWebhooks[{index}]' https://<host>/<path>"
                )

    def _thresholds(self) -> None:
        ranges = (
            ("alertLatencyP95Ms", self.latency_p95_ms, 1, None),
            ("alertServerErrorsPerMinute", self.server_errors_per_minute, 0, None),
            ("alertRequestsPerMinute", self.requests_per_minute, 1, None),
            ("alertNodeUtilizationPercent", self.node_utilization_percent, 1, 100),
            ("staleWorkspaceDays", self.stale_workspace_days, 0, MAX_STALE_DAYS),
        )
        for key, value, low, high in ranges:
            if value < low or (high is not None and value > high):
                within = f"between {low} and {high}" if high is not None else f"at least {low}"
                raise MonitoringArgsError(
                    f"{key} must be {within}, got {value}: set it with pulumi config set {key} "
                    f"<{within}>"
                )

    def validate(self) -> AlertsArgs:
        """Raise ``MonitoringArgsError`` on the first invalid field; return ``self`` otherwise."""
        self._receivers()
        self._thresholds()
        return self


@dataclass(frozen=True)
class BudgetArgs:
    """Inputs of ``CostBudget``: a monthly budget on the stack's resource group."""

    prefix: str
    resource_group_id: pulumi.Input[str]
    amount: int
    start_date: str  # the first of a month, ISO 8601 (month_start)
    emails: Sequence[str]
    action_group_id: pulumi.Input[str] | None = None
    actual_percents: tuple[int, ...] = (50, 80, 100)
    forecast_percents: tuple[int, ...] = (100,)

    @classmethod
    def from_settings(
        cls,
        settings: Settings,
        resource_group_id: pulumi.Input[str],
        action_group_id: pulumi.Input[str] | None,
        today: date | None = None,
    ) -> BudgetArgs:
        """The stack's budget from this month on, notifying its receivers and action group."""
        start = month_start(today or datetime.now(UTC).date())
        return cls(
            prefix=settings.names.resource_prefix,
            resource_group_id=resource_group_id,
            amount=settings.budget_amount,
            start_date=start,
            emails=settings.alert_emails,
            action_group_id=action_group_id,
        )

    def validate(self) -> BudgetArgs:
        """Raise ``MonitoringArgsError`` on the first invalid field; return ``self`` otherwise."""
        if self.amount <= 0:
            raise MonitoringArgsError(
                f"budgetAmount must be a positive amount, got {self.amount}: set it with "
                "pulumi config set budgetAmount 500"
            )
        if not re.fullmatch(r"\d{4}-(0[1-9]|1[0-2])-01T00:00:00Z", self.start_date):
            raise MonitoringArgsError(
                f"a budget starts on the first of a month, got start_date {self.start_date!r}"
            )
        percents = (*self.actual_percents, *self.forecast_percents)
        if not percents or not all(0 < p <= 1000 for p in percents):
            raise MonitoringArgsError(f"budget thresholds must be 1-1000 %, got {percents}")
        return self
