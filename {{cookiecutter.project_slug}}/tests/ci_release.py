"""The release steps of CD as both CI providers must run them: the project's CLI, no inline copy.

Registering the model, choosing the live and the candidate deployment, smoke-testing the endpoint
and pointing the drift monitor are commands of the CLI (src/<package>/deploy/); a CD script that
does one of them with `az ml` and jq itself is a second copy of the rule, free to drift.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CLI_STEPS = ("register-model", "rollout", "smoke-test", "point-monitor")
CLI_STEP = re.compile(r"(?:^|[\s\"/])(" + "|".join(CLI_STEPS) + r")\s")
INLINE = re.compile(
    r"\baz\s+ml\s+(model\s+create|schedule\s+create|online-endpoint\s+(invoke|show))\b"
    r"|--query\s+traffic|\bmax_by\b|\bjq\b.*\btraffic\b"
)
UV_PIN = re.compile(r"\buv==")


def cli_steps(scripts: Iterable[str]) -> list[str]:
    """The CLI release commands the scripts run, in order."""
    return [match[1] for text in scripts for match in CLI_STEP.finditer(text)]


def inline_release_logic(scripts: Iterable[str]) -> list[str]:
    """Script lines that register, choose deployments, smoke-test or point the monitor inline."""
    return [line.strip() for text in scripts for line in text.splitlines() if INLINE.search(line)]


def uv_pinned_inline(scripts: Iterable[str]) -> list[str]:
    """Script lines that pin uv themselves instead of reading tools/release-pins.txt."""
    return [line.strip() for text in scripts for line in text.splitlines() if UV_PIN.search(line)]
