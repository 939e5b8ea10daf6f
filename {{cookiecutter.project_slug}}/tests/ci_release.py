"""The release steps of CD as both CI providers must run them: the project's CLI, no inline copy.

Registering the model, choosing the live and the candidate deployment, smoke-testing the endpoint
and pointing the drift monitor are commands of the CLI (src/<package>/deploy/); a CD script that
does one of them with `az ml` and jq itself is a second copy of the rule, free to drift.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

CLI_STEPS = ("register-model", "register-environment", "rollout", "smoke-test", "point-monitor")
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


# --- the deployed image is the scanned image ---------------------------------------------------

PULUMI_UP_SCRIPT = "tools/pulumi_up.sh"
INLINE_PULUMI_UP = re.compile(r"(?<![\w/])pulumi\s+up\b")
SHELL_VARIABLE = re.compile(r"^\$\{?(\w+)\}?$")


def invocations(scripts: Iterable[str], command: str) -> list[str]:
    """Each line running ``command`` (the CLI's, or a script), backslash continuations joined."""
    pattern = re.compile(r"(?:^|[\s\"/(])" + re.escape(command) + r"(?:\s|\"|$)")
    return [
        " ".join(line.split())
        for text in scripts
        for line in text.replace("\\\n", " ").splitlines()
        if pattern.search(line)
    ]


def option(line: str, name: str) -> str | None:
    """The value given to option ``name`` on a command line, without its quotes."""
    match = re.search(r"\s" + re.escape(name) + r"[ =](\"[^\"]*\"|\S+)", line)
    return match[1].strip('"') if match else None


def shell_variable(value: str | None) -> str | None:
    """The variable a shell word reads (``$X``, ``${X}``), None for anything else."""
    match = SHELL_VARIABLE.fullmatch(value or "")
    return match[1] if match else None


def captured(scripts: Iterable[str], command: str) -> str | None:
    """The variable that captures the stdout of ``command`` (``x=$(... command ...)``)."""
    pattern = re.compile(r"\b(\w+)=\"?\$\([^)]*" + re.escape(command) + r"\s")
    found = [m[1] for text in scripts for m in pattern.finditer(text.replace("\\\n", " "))]
    return found[0] if len(found) == 1 else None


def inline_pulumi_up(scripts: Iterable[str]) -> list[str]:
    """Script lines that run `pulumi up` themselves instead of tools/pulumi_up.sh."""
    return [
        line.strip()
        for text in scripts
        for line in text.splitlines()
        if INLINE_PULUMI_UP.search(line) and not line.lstrip().startswith("#")
    ]
