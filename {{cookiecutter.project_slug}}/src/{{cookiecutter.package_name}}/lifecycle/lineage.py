"""Who, what and when: git commit and author for run and model-version tags."""

from __future__ import annotations

import getpass
import os
import shutil
import subprocess
from datetime import UTC, datetime

AUTHOR_VARIABLES = ("MLOPS_AUTHOR", "GITHUB_ACTOR", "BUILD_REQUESTEDFOREMAIL", "BUILD_REQUESTEDFOR")


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


def git_commit() -> str:
    """The checked-out commit, with '-dirty' when there are uncommitted changes."""
    commit = _git("rev-parse", "HEAD")
    if not commit:
        return "unknown"
    return f"{commit}-dirty" if _git("status", "--porcelain", "--untracked-files=no") else commit


def author() -> str:
    """Who is acting: CI identity first, then git's user, then the OS user."""
    for variable in AUTHOR_VARIABLES:
        if os.environ.get(variable):
            return os.environ[variable]
    return _git("config", "user.email") or _git("config", "user.name") or getpass.getuser()


def now() -> str:
    """Current UTC time in ISO 8601."""
    return datetime.now(UTC).isoformat(timespec="seconds")


def run_tags() -> dict[str, str]:
    """Lineage tags for an MLflow run."""
    return {"git_commit": git_commit(), "author": author()}
