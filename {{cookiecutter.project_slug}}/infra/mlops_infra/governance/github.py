"""``GitHubGovernance``: the repository's deployment environments and the protection of main.

An explicit provider acts in the repository's owner (credentials from ``GITHUB_TOKEN`` or a
GitHub App's ``GITHUB_APP_*`` variables). Reviewer team slugs are looked up once each
(``github.get_team``, summary only) for the numeric ids environments take.
"""

from __future__ import annotations

import pulumi
import pulumi_github as github

from mlops_infra.governance.args import MAIN_BRANCH, EnvironmentGate, GitHubGovernanceArgs
from mlops_infra.naming import type_token

TYPE_TOKEN = type_token("governance", "GitHubGovernance")


class GitHubGovernance(pulumi.ComponentResource):
    """``environments`` by name and ``main_protection``, through ``provider``."""

    def __init__(
        self, name: str, args: GitHubGovernanceArgs, opts: pulumi.ResourceOptions | None = None
    ) -> None:
        args.validate()
        super().__init__(TYPE_TOKEN, name, None, opts)
        self._name, self._args = name, args
        self.provider = github.Provider(
            f"{name}-provider", owner=args.owner, opts=pulumi.ResourceOptions(parent=self)
        )
        self._child = pulumi.ResourceOptions(parent=self, provider=self.provider)
        invoke = pulumi.InvokeOutputOptions(parent=self, provider=self.provider)
        self.team_ids: dict[str, pulumi.Output[int]] = {
            slug: github.get_team_output(slug=slug, summary_only=True, opts=invoke).id.apply(int)
            for slug in args.teams()
        }
        self.environments = {gate.name: self._environment(gate) for gate in args.environments()}
        self.main_protection = self._main_protection()
        self.register_outputs(
            {
                "environments": {key: env.environment for key, env in self.environments.items()},
                "main_protection_id": self.main_protection.id,
            }
        )

    def _environment(self, gate: EnvironmentGate) -> github.RepositoryEnvironment:
        reviewers: list[github.RepositoryEnvironmentReviewerArgsDict] = []
        if gate.reviewer_teams:
            reviewers.append({"teams": [self.team_ids[slug] for slug in gate.reviewer_teams]})
        policy: github.RepositoryEnvironmentDeploymentBranchPolicyArgsDict | None = None
        if gate.protected_branches_only:
            policy = {"protected_branches": True, "custom_branch_policies": False}
        return github.RepositoryEnvironment(
            f"{self._name}-{gate.name}",
            repository=self._args.name,
            environment=gate.name,
            reviewers=reviewers or None,
            prevent_self_review=bool(gate.reviewer_teams),
            can_admins_bypass=False,
            wait_timer=gate.wait_timer,
            deployment_branch_policy=policy,
            opts=self._child,
        )

    def _main_protection(self) -> github.BranchProtection:
        args = self._args
        return github.BranchProtection(
            f"{self._name}-{MAIN_BRANCH}",
            repository_id=args.name,
            pattern=MAIN_BRANCH,
            enforce_admins=True,
            allows_force_pushes=False,
            allows_deletions=False,
            required_pull_request_reviews=[
                {
                    "required_approving_review_count": args.review_count,
                    "dismiss_stale_reviews": True,
                    "require_code_owner_reviews": args.code_owner_reviews,
                }
            ],
            required_status_checks=[{"strict": True, "contexts": list(args.required_checks)}],
            opts=self._child,
        )
