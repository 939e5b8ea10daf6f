"""Prune the files of options that were not chosen from a generated project."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Mapping
from pathlib import Path

from kit_options import check_choice

# Option -> chosen value -> project-relative paths that are not wanted for that value.
UNCHOSEN_PATHS: dict[str, dict[str, tuple[str, ...]]] = {
    "ci_provider": {
        "github": (
            ".azure-pipelines",
            ".azuredevops",
            "tests/azure_pipelines.py",
            "tests/test_ci_azure_pipelines.py",
        ),
        # The GitHub workflows' checks and the actionlint wrapper go with the workflows.
        "azure-devops": (".github", "tests/test_ci_workflows.py", "tools/actionlint.cjs"),
        "both": (),
    },
}


def unchosen_paths(context: Mapping[str, object]) -> list[str]:
    """Return the project-relative paths that belong to options not chosen in ``context``."""
    paths: list[str] = []
    for field, by_value in UNCHOSEN_PATHS.items():
        value = context.get(field)
        check_choice(field, value, by_value)
        paths.extend(by_value[str(value)])
    return paths


def remove_paths(project_dir: Path, rel_paths: Iterable[str]) -> list[Path]:
    """Delete ``rel_paths`` under ``project_dir`` and any directory they leave empty."""
    root = project_dir.resolve()
    targets = [Path(os.path.normpath(root / rel)) for rel in rel_paths]
    for target in targets:
        if target == root or not target.parent.resolve().is_relative_to(root):
            raise ValueError(f"refusing to delete {target}: it is not inside {root}")
    removed: list[Path] = []
    for target in targets:
        if target.is_symlink() or target.is_file():
            target.unlink()
        elif target.is_dir():
            shutil.rmtree(target)
        else:
            continue
        removed.append(target)
        removed.extend(_remove_empty_parents(root, target.parent.resolve()))
    return removed


def _remove_empty_parents(root: Path, directory: Path) -> list[Path]:
    removed: list[Path] = []
    while directory != root and directory.is_relative_to(root) and not any(directory.iterdir()):
        directory.rmdir()
        removed.append(directory)
        directory = directory.parent
    return removed


def prune_unchosen(project_dir: Path, context: Mapping[str, object]) -> list[Path]:
    """Delete the files and folders of options not chosen; return every path removed."""
    return remove_paths(project_dir, unchosen_paths(context))
