"""What CI scripts may install or download: the one rule, for GitHub Actions and Azure Pipelines.

Python packages come from uv.lock (``make setup``, ``make setup-azureml``: hashes checked), the
only pip install being uv itself at a pinned version, before anything signs in. Release archives
(Pulumi, Trivy) come through ``tools/install_release.sh``, checked against the SHA-256 committed
in ``tools/release-pins.txt``; a script that downloads anything itself could fetch a checksums
file from the same release as the archive. Azure CLI extensions are added at a pinned version.
"""

from __future__ import annotations

import re

UV_BOOTSTRAP = re.compile(r"(python -m pip|pipx) install uv==\d+\.\d+\.\d+")
DOWNLOAD = re.compile(r"\b(curl|wget|Invoke-WebRequest)\b")
PIP_INSTALL = re.compile(r"\bpipx? +install\b|\bpip +install\b")
EXTENSION_ADD = re.compile(r"\baz +extension +add\b")


def unpinned_installs(script: str) -> list[str]:
    """The lines of ``script`` that install or download outside the lock and the pins."""
    problems = []
    for line in (raw.strip() for raw in script.splitlines()):
        if DOWNLOAD.search(line):
            problems.append(f"downloads outside tools/install_release.sh: {line}")
        elif PIP_INSTALL.search(line) and not UV_BOOTSTRAP.fullmatch(line):
            problems.append(f"installs outside uv.lock: {line}")
        elif EXTENSION_ADD.search(line) and "--version" not in line:
            problems.append(f"adds an Azure CLI extension at no pinned version: {line}")
    return problems
