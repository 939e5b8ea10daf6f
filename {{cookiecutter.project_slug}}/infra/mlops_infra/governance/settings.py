"""Typed settings of the governance stack, read once from ``infra/governance/Pulumi.yaml``'s keys.

Like ``mlops_infra.settings``: every key is required and typed here (``Pulumi.yaml`` holds the
only defaults); what a value means (counts, ranges, names) is checked by the Args ``validate()``.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from mlops_infra.settings import ConfigKeys


@dataclass(frozen=True)
class GovernanceSettings:
    """Every config key of the governance stack, typed."""

    stack: str
    github_repository: str
    github_prod_reviewer_teams: tuple[str, ...]
    github_staging_reviewer_teams: tuple[str, ...]
    github_prod_wait_timer: int
    github_main_review_count: int
    github_require_code_owner_reviews: bool
    github_required_checks: tuple[str, ...]
    azure_devops_project: str
    azure_devops_prod_approvers: tuple[str, ...]
    azure_devops_staging_approvers: tuple[str, ...]
    azure_devops_minimum_approvers: int
    azure_devops_approval_timeout: int
    azure_devops_dev_connection: str
    azure_devops_staging_connection: str
    azure_devops_prod_connection: str
    azure_devops_main_only_connections: tuple[str, ...]
    azure_devops_private_pool: str


def load_governance_settings(
    config: pulumi.Config | None = None, stack: str | None = None
) -> GovernanceSettings:
    """Read every key once from ``config`` (default: this project's) into ``GovernanceSettings``."""
    keys = ConfigKeys(config or pulumi.Config())
    return GovernanceSettings(
        stack=stack or pulumi.get_stack(),
        github_repository=keys.text("githubRepository"),
        github_prod_reviewer_teams=keys.strings("githubProdReviewerTeams"),
        github_staging_reviewer_teams=keys.strings("githubStagingReviewerTeams"),
        github_prod_wait_timer=keys.integer("githubProdWaitTimer"),
        github_main_review_count=keys.integer("githubMainReviewCount"),
        github_require_code_owner_reviews=keys.boolean("githubRequireCodeOwnerReviews"),
        github_required_checks=keys.strings("githubRequiredChecks"),
        azure_devops_project=keys.text("azureDevOpsProject"),
        azure_devops_prod_approvers=keys.strings("azureDevOpsProdApprovers"),
        azure_devops_staging_approvers=keys.strings("azureDevOpsStagingApprovers"),
        azure_devops_minimum_approvers=keys.integer("azureDevOpsMinimumApprovers"),
        azure_devops_approval_timeout=keys.integer("azureDevOpsApprovalTimeout"),
        azure_devops_dev_connection=keys.text("azureDevOpsDevConnection"),
        azure_devops_staging_connection=keys.text("azureDevOpsStagingConnection"),
        azure_devops_prod_connection=keys.text("azureDevOpsProdConnection"),
        azure_devops_main_only_connections=keys.strings("azureDevOpsMainOnlyConnections"),
        azure_devops_private_pool=keys.text("azureDevOpsPrivatePool"),
    )
