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
sys.path.append(str(KIT_ROOT))  # `hooks.kit_jinja`, the Jinja extension named in cookiecutter.json


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


def render_file(
    template_file: Path, out_dir: Path, extra_context: Mapping[str, str] | None = None
) -> Path:
    """Render one template file exactly as cookiecutter renders file contents (default options)."""
    from cookiecutter.environment import StrictEnvironment
    from cookiecutter.generate import generate_context
    from cookiecutter.prompt import prompt_for_config

    context = generate_context(str(KIT_ROOT / "cookiecutter.json"), extra_context=extra_context)
    context["cookiecutter"] = prompt_for_config(context, no_input=True)
    environment = StrictEnvironment(context=context, keep_trailing_newline=True)
    text = environment.from_string(template_file.read_text(encoding="utf-8"))
    target = out_dir / template_file.relative_to(KIT_ROOT)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(text.render(cookiecutter=context["cookiecutter"]), encoding="utf-8")
    return target
