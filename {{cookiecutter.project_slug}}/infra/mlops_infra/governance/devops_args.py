"""What the Azure DevOps side of the governance stack gates, from its settings.

Checks guard resources, never pipelines: a pipeline's YAML (a pull request's included) may name
any service connection or agent pool of the project, so the gates sit on the connections and the
pool themselves. The deploy connections of dev, staging and prod and the connections that read
staging and prod (their previews after merge, the drift check) are usable from ``main`` only;
staging's and prod's deploy connections also need an approval; so does nothing else.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from mlops_infra.governance.args import (
    MAX_MINUTES,
    GovernanceArgsError,
    _in_range,
    _set,
    _set_item,
)
from mlops_infra.governance.settings import GovernanceSettings

APPROVED = ("staging", "prod")  # the deploy connections that also need an approval


@dataclass(frozen=True)
class DevOpsGovernanceArgs:
    """The Azure DevOps project, its gated connections and pool, and who approves."""

    project: str
    prod_approvers: tuple[str, ...]  # group names in the project
    staging_approvers: tuple[str, ...]
    minimum_approvers: int
    approval_timeout: int
    deploy_connections: dict[str, str]  # environment -> service connection name
    main_only_connections: tuple[str, ...]  # read connections of staging and prod
    private_pool: str

    @classmethod
    def from_settings(cls, settings: GovernanceSettings) -> DevOpsGovernanceArgs:
        """The Azure DevOps side of ``settings``."""
        return cls(
            project=settings.azure_devops_project,
            prod_approvers=settings.azure_devops_prod_approvers,
            staging_approvers=settings.azure_devops_staging_approvers,
            minimum_approvers=settings.azure_devops_minimum_approvers,
            approval_timeout=settings.azure_devops_approval_timeout,
            deploy_connections={
                "dev": settings.azure_devops_dev_connection,
                "staging": settings.azure_devops_staging_connection,
                "prod": settings.azure_devops_prod_connection,
            },
            main_only_connections=settings.azure_devops_main_only_connections,
            private_pool=settings.azure_devops_private_pool,
        )

    def approvals(self) -> dict[str, tuple[str, ...]]:
        """The approver groups of each deploy connection that has an approval check."""
        return {"staging": self.staging_approvers, "prod": self.prod_approvers}

    def groups(self) -> tuple[str, ...]:
        """Every approver group name, once, in order."""
        return tuple(dict.fromkeys(self.prod_approvers + self.staging_approvers))

    def connections(self) -> tuple[str, ...]:
        """Every service connection usable from main only: deploy ones first."""
        return (*self.deploy_connections.values(), *self.main_only_connections)

    def validate(self) -> DevOpsGovernanceArgs:
        """Raise ``GovernanceArgsError`` on the first invalid input; return ``self`` otherwise."""
        keys = {"staging": "azureDevOpsStagingApprovers", "prod": "azureDevOpsProdApprovers"}
        for environment, groups in self.approvals().items():
            if not groups or not all(group.strip() for group in groups):
                raise GovernanceArgsError(
                    f"{keys[environment]} must name at least one Azure DevOps group, got "
                    f"{list(groups)!r}: " + _set_item(keys[environment], "Release Approvers")
                )
        fewest = min(len(groups) for groups in self.approvals().values())
        _in_range("azureDevOpsMinimumApprovers", self.minimum_approvers, 1, fewest, "1")
        _in_range("azureDevOpsApprovalTimeout", self.approval_timeout, 1, MAX_MINUTES, "1440")
        self._validate_names()
        return self

    def _validate_names(self) -> None:
        """Refuse an empty connection or pool name, and a connection named twice."""
        for environment, name in self.deploy_connections.items():
            key = f"azureDevOps{environment.capitalize()}Connection"
            if not name.strip():
                example = f"<project>-{environment}"
                raise GovernanceArgsError(
                    f"{key} must name a service connection: " + _set(key, example)
                )
        key = "azureDevOpsMainOnlyConnections"
        if not all(name.strip() for name in self.main_only_connections):
            raise GovernanceArgsError(
                f"{key} has an empty name, got {list(self.main_only_connections)!r}: "
                + _set_item(key, "<project>-prod-preview")
            )
        twice = sorted(name for name, count in Counter(self.connections()).items() if count > 1)
        if twice:
            raise GovernanceArgsError(
                f"service connection {twice[0]!r} is named twice (the deploy connections and "
                f"{key} must all differ): " + _set_item(key, "<project>-prod-preview")
            )
        if not self.private_pool.strip():
            raise GovernanceArgsError(
                "azureDevOpsPrivatePool must name the private agent pool: "
                + _set("azureDevOpsPrivatePool", "<project>-private")
            )
