"""Shared helpers for the kit tests: where the kit lives and how to bake it."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from cookiecutter.main import cookiecutter

KIT_ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(KIT_ROOT / "hooks"))
sys.path.append(str(KIT_ROOT))  # `hooks.kit_jinja`, the Jinja extension named in cookiecutter.json


Baker = Callable[..., Path]
# The generated projects' own checks take minutes each. With `--dist worksteal` each worker
# starts with half of the collection: the longest test opens the first half and the two other
# long ones close the second, so the workers begin with one long test each and share the rest.
FIRST = ("test_generated_project.py",)
LAST = (
    "test_generated_lifecycle.py",
    "test_generated_classification.py",
    "test_generated_own_data.py",
    "test_generated_custom_project.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Order the collection for the parallel workers (a stable sort: the rest keep their order)."""

    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return 0 if name in FIRST else 2 + LAST.index(name) if name in LAST else 1

    items.sort(key=rank)


def bake(output_dir: Path, extra_context: Mapping[str, str] | None = None) -> Path:
    """Generate a project from the kit without prompting and return the project folder."""
    project = cookiecutter(
        str(KIT_ROOT),
        no_input=True,
        extra_context=dict(extra_context or {}),
        output_dir=str(output_dir),
    )
    return Path(project)


@pytest.fixture(scope="session")
def baked(tmp_path_factory: pytest.TempPathFactory) -> Baker:
    """Each option combination baked once per session; tests must only read these projects."""
    projects: dict[tuple[tuple[str, str], ...], Path] = {}

    def project(extra_context: Mapping[str, str] | None = None) -> Path:
        key = tuple(sorted((extra_context or {}).items()))
        if key not in projects:
            projects[key] = bake(tmp_path_factory.mktemp("baked"), extra_context)
        return projects[key]

    return project


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


def make(project: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """Run the project's Makefile with the kit's pinned uv first on PATH."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("MLFLOW_")}
    env["PATH"] = f"{KIT_ROOT / '.venv' / 'bin'}{os.pathsep}{env['PATH']}"
    env.pop("VIRTUAL_ENV", None)
    return subprocess.run(
        ["make", "--no-print-directory", *targets],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=1800,
    )


def passed(done: subprocess.CompletedProcess[str], what: str) -> str:
    """The output of a make run that must have succeeded; its tail when it did not."""
    assert done.returncode == 0, f"{what}\n{done.stdout[-3000:]}\n{done.stderr[-3000:]}"
    return done.stdout
