"""Errors as the CI provider that runs the command shows them (an annotation on the run)."""

from __future__ import annotations

import os
from collections.abc import Mapping


def annotation(message: str, environ: Mapping[str, str] | None = None) -> str:
    """``message`` as a GitHub Actions or Azure Pipelines error annotation, else as it is."""
    env = os.environ if environ is None else environ
    if env.get("GITHUB_ACTIONS") == "true":
        return f"::error::{message}"
    if env.get("TF_BUILD", "").lower() == "true":
        return f"##vso[task.logissue type=error]{message}"
    return f"error: {message}"
