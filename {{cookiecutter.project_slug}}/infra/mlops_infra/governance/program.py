"""The governance stack from typed settings: GitHub and/or Azure DevOps, each only when set.

``build`` is what ``infra/governance/__main__.py`` runs under the Pulumi engine and what
``mlops_infra.plan`` runs under mocks for the ``governance`` stack; ``export`` publishes the stack
outputs and only ``__main__.py`` calls it:

    export(build(load_governance_settings()))

An empty ``githubRepository`` or ``azureDevOpsProject`` skips that side: no resource, no lookup.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi

from mlops_infra.governance.args import GitHubGovernanceArgs
from mlops_infra.governance.devops import DevOpsGovernance
from mlops_infra.governance.devops_args import DevOpsGovernanceArgs
from mlops_infra.governance.github import GitHubGovernance
from mlops_infra.governance.settings import GovernanceSettings
from mlops_infra.naming import SLUG


@dataclass(frozen=True)
class GovernanceProgram:
    """The governance components, as ``build`` wired them."""

    settings: GovernanceSettings
    github: GitHubGovernance | None
    devops: DevOpsGovernance | None


def build(settings: GovernanceSettings) -> GovernanceProgram:
    """Create the chosen sides; both sides' Args are validated before anything registers."""
    github_args = devops_args = None
    if settings.github_repository:
        github_args = GitHubGovernanceArgs.from_settings(settings).validate()
    if settings.azure_devops_project:
        devops_args = DevOpsGovernanceArgs.from_settings(settings).validate()
    github = GitHubGovernance(f"{SLUG}-github", github_args) if github_args else None
    devops = DevOpsGovernance(f"{SLUG}-devops", devops_args) if devops_args else None
    return GovernanceProgram(settings, github, devops)


def export(program: GovernanceProgram) -> None:
    """Stack outputs (``pulumi stack output``); call from ``__main__.py`` only."""
    if program.github is not None:
        environments = program.github.environments
        pulumi.export("githubEnvironments", [env.environment for env in environments.values()])
        pulumi.export("githubMainProtectionId", program.github.main_protection.id)
    if program.devops is not None:
        environment_ids = {env: e.id for env, e in program.devops.environments.items()}
        pulumi.export("azureDevOpsEnvironmentIds", environment_ids)
