"""Jinja extension telling the hooks where the kit's importable option logic lives."""

from __future__ import annotations

from pathlib import Path

from jinja2 import Environment
from jinja2.ext import Extension

# Resolved when cookiecutter loads the extension, so it is absolute whatever path the kit was
# given as; `_repo_dir` may be relative, and hooks run inside the new project folder.
HOOKS_DIR = str(Path(__file__).resolve().parent)


class KitHooksExtension(Extension):
    """Expose `kit_hooks_dir`, the absolute path of the kit's hooks folder, to templates."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        environment.globals["kit_hooks_dir"] = HOOKS_DIR
