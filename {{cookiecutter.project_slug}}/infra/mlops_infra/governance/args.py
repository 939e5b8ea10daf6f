"""What the governance stack creates on each side, from its settings; ``validate()`` checks it.

``GitHubGovernanceArgs`` (here) and ``DevOpsGovernanceArgs`` (``devops_args``) hold plain values
only, so the whole stack is checked before anything registers. Every problem is one
``GovernanceArgsError`` line naming the config key and the command that fixes it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_infra.governance.settings import GovernanceSettings

MAIN_BRANCH = "main"
ENVIRONMENTS = ("dev", "staging", "prod")
# GitHub environments of the post-merge previews: each holds a read-only identity of its stack.
PREVIEWS = ("staging-preview", "prod-preview")
MAX_REVIEWERS = 6  # GitHub: up to 6 teams or users per environment
MAX_MINUTES = 43200  # 30 days: GitHub's wait timer and Azure DevOps' approval timeout limit
_REPOSITORY = re.compile(r"^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?/[A-Za-z0-9._-]+$")
_TEAM_SLUG = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


class GovernanceArgsError(ValueError):
    """Governance inputs are invalid; the message names the config key and the fix."""


def _set(key: str, example: str) -> str:
    return f"set it with pulumi config set {key} {example}"


def _set_item(key: str, example: str) -> str:
    return f"set it with pulumi config set --path '{key}[0]' '{example}'"


def _in_range(key: str, value: int, low: int, high: int, example: str) -> None:
    """Refuse ``value`` outside ``low..high``."""
    if not low <= value <= high:
        raise GovernanceArgsError(f"{key} must be {low}..{high}, got {value}: {_set(key, example)}")


@dataclass(frozen=True)
class EnvironmentGate:
    """One GitHub deployment environment's protection rules."""

    name: str
    reviewer_teams: tuple[str, ...]
    wait_timer: int
    protected_branches_only: bool


@dataclass(frozen=True)
class GitHubGovernanceArgs:
    """The repository, its environments' reviewers and main's protection."""

    repository: str  # owner/name
    prod_reviewer_teams: tuple[str, ...]
    staging_reviewer_teams: tuple[str, ...]
    prod_wait_timer: int
    review_count: int
    code_owner_reviews: bool
    required_checks: tuple[str, ...]

    @classmethod
    def from_settings(cls, settings: GovernanceSettings) -> GitHubGovernanceArgs:
        """The GitHub side of ``settings``."""
        return cls(
            repository=settings.github_repository,
            prod_reviewer_teams=settings.github_prod_reviewer_teams,
            staging_reviewer_teams=settings.github_staging_reviewer_teams,
            prod_wait_timer=settings.github_prod_wait_timer,
            review_count=settings.github_main_review_count,
            code_owner_reviews=settings.github_require_code_owner_reviews,
            required_checks=settings.github_required_checks,
        )

    @property
    def owner(self) -> str:
        """The organization or user that owns the repository."""
        return self.repository.partition("/")[0]

    @property
    def name(self) -> str:
        """The repository's name within its owner."""
        return self.repository.partition("/")[2]

    def environments(self) -> tuple[EnvironmentGate, ...]:
        """Every environment holds a federated identity, so each admits protected branches only
        (a pull request's workflow cannot enter it); staging may and prod must be reviewed. The
        unreviewed ones: dev, monitoring (the drift check) and the read-only previews of staging
        and prod that run after a merge (``PREVIEWS``)."""
        unreviewed = ("dev", "monitoring", *PREVIEWS)
        return (
            *(EnvironmentGate(name, (), 0, protected_branches_only=True) for name in unreviewed),
            EnvironmentGate(
                "staging", self.staging_reviewer_teams, wait_timer=0, protected_branches_only=True
            ),
            EnvironmentGate(
                "prod",
                self.prod_reviewer_teams,
                wait_timer=self.prod_wait_timer,
                protected_branches_only=True,
            ),
        )

    def teams(self) -> tuple[str, ...]:
        """Every reviewer team slug, once, in order."""
        return tuple(dict.fromkeys(self.prod_reviewer_teams + self.staging_reviewer_teams))

    def validate(self) -> GitHubGovernanceArgs:
        """Raise ``GovernanceArgsError`` on the first invalid input; return ``self`` otherwise."""
        if not _REPOSITORY.match(self.repository):
            raise GovernanceArgsError(
                f"githubRepository must be owner/name, got {self.repository!r}: "
                + _set("githubRepository", "<owner>/<repository>")
                + " (empty skips GitHub)"
            )
        _teams("githubProdReviewerTeams", self.prod_reviewer_teams, minimum=1)
        _teams("githubStagingReviewerTeams", self.staging_reviewer_teams, minimum=0)
        _in_range("githubProdWaitTimer", self.prod_wait_timer, 0, MAX_MINUTES, "10")
        _in_range("githubMainReviewCount", self.review_count, 1, MAX_REVIEWERS, "1")
        if not self.required_checks or not all(check.strip() for check in self.required_checks):
            raise GovernanceArgsError(
                f"githubRequiredChecks must list the CI job names main needs, got "
                f"{list(self.required_checks)!r}: " + _set_item("githubRequiredChecks", "test")
            )
        return self


def _teams(key: str, slugs: tuple[str, ...], minimum: int) -> None:
    """Refuse too few or too many team slugs, or one that is not a slug."""
    if not minimum <= len(slugs) <= MAX_REVIEWERS:
        raise GovernanceArgsError(
            f"{key} must list {minimum} to {MAX_REVIEWERS} team slugs, got {len(slugs)}: "
            + _set_item(key, "release-approvers")
        )
    for slug in slugs:
        if not _TEAM_SLUG.match(slug):
            raise GovernanceArgsError(
                f"{key}: {slug!r} is not a team slug (lowercase letters, digits, - and _): "
                + _set_item(key, "release-approvers")
            )
