"""The project's shared policy facts (``policies/checkov/policy_facts.py``) for the Pulumi program.

The program runs from ``infra/`` with its own environment, outside the project's package path, so
the one file every gate imports is loaded here by its path in the repository: infra states no
copy of its own. Only the standard library is needed to load it.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from types import ModuleType

SOURCE = Path(__file__).resolve().parents[2] / "policies" / "checkov" / "policy_facts.py"


def _load(path: Path = SOURCE) -> ModuleType:
    """Import the facts module from ``path``; a missing file is a clear error."""
    spec = importlib.util.spec_from_file_location("mlops_policy_facts", path)
    if spec is None or spec.loader is None or not path.is_file():
        raise ImportError(
            f"{path} is missing: infra/ needs the project's policies/ folder beside it"
        )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


_FACTS = _load()
ENVIRONMENTS: tuple[str, ...] = tuple(_FACTS.ENVIRONMENTS)
DIGEST_REQUIRED_IN: tuple[str, ...] = tuple(_FACTS.DIGEST_REQUIRED_IN)
PRIVATE_ENDPOINT_IN: tuple[str, ...] = tuple(_FACTS.PRIVATE_ENDPOINT_IN)
