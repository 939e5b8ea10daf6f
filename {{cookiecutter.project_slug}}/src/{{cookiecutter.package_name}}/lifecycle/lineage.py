"""Who, what and when: commit, branch, repository, CI run and actor for run and model-version tags.

In CI the provider's own variables say it (GitHub Actions, Azure Pipelines); in an Azure ML job,
which has no `.git` and runs as the container's user, CD hands the same facts over as `MLOPS_*`
environment variables (`ci_environment`, see `submit-training`); locally git answers.
"""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from collections.abc import Mapping
from datetime import UTC, datetime

AUTHOR_VARIABLES = (
    "MLOPS_AUTHOR",
    "GITHUB_TRIGGERING_ACTOR",
    "GITHUB_ACTOR",
    "BUILD_REQUESTEDFOREMAIL",
    "BUILD_REQUESTEDFOR",
)
# tag -> (the variable CD sets in Azure ML jobs, GitHub Actions' variable, Azure Pipelines')
PLAIN = {
    "git_commit": ("MLOPS_GIT_COMMIT", "GITHUB_SHA", "BUILD_SOURCEVERSION"),
    "git_branch": ("MLOPS_GIT_BRANCH", "GITHUB_REF_NAME", "BUILD_SOURCEBRANCHNAME"),
}
LINEAGE_TAGS = ("git_commit", "git_branch", "git_repository", "ci_run_url", "author")
Environ = Mapping[str, str]


def _git(*args: str) -> str:
    git = shutil.which("git")
    if git is None:
        return ""
    try:
        done = subprocess.run(  # noqa: S603 - fixed git arguments, no shell
            [git, *args],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def _first(env: Environ, names: tuple[str, ...]) -> str:
    return next((env[name] for name in names if env.get(name)), "")


def _env(environ: Environ | None) -> Environ:
    return os.environ if environ is None else environ


def git_commit(environ: Environ | None = None) -> str:
    """The commit CI built, else the checked-out one ('-dirty' with uncommitted changes)."""
    given = _first(_env(environ), PLAIN["git_commit"])
    if given:
        return given
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return "unknown"
    return f"{commit}-dirty" if _git("status", "--porcelain", "--untracked-files=no") else commit


def git_branch(environ: Environ | None = None) -> str:
    """The branch CI built, else the checked-out branch."""
    return (
        _first(_env(environ), PLAIN["git_branch"]) or _git("branch", "--show-current") or "unknown"
    )


def git_repository(environ: Environ | None = None) -> str:
    """The repository's URL: CI's, else git's `origin`."""
    env = _env(environ)
    if env.get("MLOPS_GIT_REPOSITORY"):
        return env["MLOPS_GIT_REPOSITORY"]
    if env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{env['GITHUB_REPOSITORY']}"
    return env.get("BUILD_REPOSITORY_URI") or _git("remote", "get-url", "origin") or "unknown"


def ci_run_url(environ: Environ | None = None) -> str:
    """The CI run's page (GitHub Actions run, Azure Pipelines build), or 'local'."""
    env = _env(environ)
    if env.get("MLOPS_CI_RUN_URL"):
        return env["MLOPS_CI_RUN_URL"]
    if env.get("GITHUB_RUN_ID") and env.get("GITHUB_REPOSITORY"):
        server = env.get("GITHUB_SERVER_URL", "https://github.com")
        return f"{server}/{env['GITHUB_REPOSITORY']}/actions/runs/{env['GITHUB_RUN_ID']}"
    if env.get("BUILD_BUILDID") and env.get("SYSTEM_COLLECTIONURI"):
        project = env.get("SYSTEM_TEAMPROJECT", "")
        collection = env["SYSTEM_COLLECTIONURI"].rstrip("/")
        return f"{collection}/{project}/_build/results?buildId={env['BUILD_BUILDID']}"
    return "local"


def author(environ: Environ | None = None) -> str:
    """Who is acting: CI's actor first, then git's user, then the OS user."""
    given = _first(_env(environ), AUTHOR_VARIABLES)
    return given or _git("config", "user.email") or _git("config", "user.name") or getpass.getuser()


def now() -> str:
    """Current UTC time in ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_tags(environ: Environ | None = None) -> dict[str, str]:
    """Lineage tags for an MLflow run or a model version (LINEAGE_TAGS)."""
    return {
        "git_commit": git_commit(environ),
        "git_branch": git_branch(environ),
        "git_repository": git_repository(environ),
        "ci_run_url": ci_run_url(environ),
        "author": author(environ),
    }


def ci_environment(environ: Environ | None = None) -> dict[str, str]:
    """The lineage as the `MLOPS_*` variables CD hands to the Azure ML jobs it starts."""
    tags = run_tags(environ)
    return {f"MLOPS_{tag.upper()}": value for tag, value in tags.items()}
