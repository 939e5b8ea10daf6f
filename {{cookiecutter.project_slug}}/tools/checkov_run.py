"""checkov as ``make policy-checkov`` runs it: every CI definition is read, none silently skipped.

Run by checkov's own interpreter (``.tools/checkov/bin/python tools/checkov_run.py ARGS``), with
checkov's arguments. Two of checkov 3.3.30's file filters would drop our pipelines unread:
- azure_pipelines reads only files named ``*azure-pipelines.yml`` and, like every runner, skips
  hidden folders; ours live in ``.azure-pipelines/`` (pipelines and templates), so that folder
  is walked and any YAML in it is read;
- github_actions drops a workflow its bundled, outdated schema rejects (e.g. an expression in
  ``concurrency.cancel-in-progress``) without a word; workflows are validated against the
  current GitHub schema by the CI-definition tests, so here any mapping with ``jobs`` is read.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from checkov.azure_pipelines import runner as azure_runner
from checkov.github_actions import runner as github_runner
from checkov.main import Checkov

AZURE_FOLDER = ".azure-pipelines"


def is_azure_pipeline(file_path: str) -> bool:
    """A YAML file in a ``.azure-pipelines`` folder, or one named ``*azure-pipelines.y(a)ml``."""
    path = Path(file_path)
    yaml = path.suffix in (".yml", ".yaml")
    return yaml and (AZURE_FOLDER in path.parts or path.stem.endswith("azure-pipelines"))


def is_workflow(config: Any) -> bool:
    """A GitHub workflow document (or documents): a mapping with ``jobs``."""
    documents = config if isinstance(config, list) else [config]
    return all(isinstance(d, dict) and "jobs" in d for d in documents)


def main() -> int:
    """Run checkov's CLI with the two filters widened."""
    azure_runner.Runner.is_workflow_file = staticmethod(is_azure_pipeline)
    azure_runner.Runner.included_paths = lambda _self: [AZURE_FOLDER]
    github_runner.is_schema_valid = is_workflow
    return int(Checkov().run() or 0)


if __name__ == "__main__":
    sys.exit(main())
