"""Shared helpers for the kit tests: where the kit lives and how to bake it."""

from __future__ import annotations

import sys
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT / "hooks"))


def bake(output_dir: Path, extra_context: Mapping[str, str] | None = None) -> Path:
    """Generate a project from the kit without prompting and return the project folder."""
    project = cookiecutter(
        str(KIT_ROOT),
        no_input=True,
        extra_context=dict(extra_context or {}),
        output_dir=str(output_dir),
    )
    return Path(project)


@pytest.fixture(autouse=True)
def isolated_cookiecutter(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """Keep cookiecutter's config, replays and leaked hook scripts out of the user's home."""
    home = tmp_path_factory.mktemp("cookiecutter-home")
    config = home / "config.yaml"
    config.write_text(
        f"cookiecutters_dir: {home / 'cookiecutters'}\nreplay_dir: {home / 'replay'}\n",
        encoding="utf-8",
    )
    monkeypatch.setenv("COOKIECUTTER_CONFIG", str(config))
    monkeypatch.setenv("TMPDIR", str(home))
    monkeypatch.setattr(tempfile, "tempdir", str(home))
    return home
