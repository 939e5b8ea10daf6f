"""Bake through the real cookiecutter CLI and check how the kit's hooks accept or reject options."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import KIT_ROOT

# cookiecutter logs this to STDOUT (followed by a traceback of its own) after a hook fails; the
# hook's own message goes to STDERR, so stderr is the hook's part of the output.
COOKIECUTTER_STOP = "Stopping generation because pre_gen_project hook script"


def run_cli(
    output_dir: Path, *options: str, kit: str = str(KIT_ROOT), cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """Run ``cookiecutter --no-input`` on the kit with ``key=value`` options."""
    command = [sys.executable, "-m", "cookiecutter", "--no-input", "-o", str(output_dir), kit]
    return subprocess.run(
        [*command, *options], capture_output=True, text=True, check=False, cwd=cwd
    )


def hook_output(result: subprocess.CompletedProcess[str]) -> str:
    """Check that pre_gen_project stopped the bake and return what the hook printed."""
    assert result.returncode != 0
    assert COOKIECUTTER_STOP in result.stdout, result.stdout
    assert "Traceback" not in result.stderr, result.stderr
    return result.stderr


def leftover_files(directory: Path) -> list[Path]:
    """Return every file (not directory) under ``directory``."""
    return [path for path in directory.rglob("*") if not path.is_dir()]


REJECTIONS = [
    ("project_slug=a..b", "project_slug 'a..b' must not contain '..': use 'a-b'"),
    ("project_slug=my proj", "project_slug 'my proj' must not contain spaces: use 'my-proj'"),
    ("project_slug=MyProj", "project_slug 'MyProj' must be lowercase: use 'myproj'"),
    (
        "package_name=class",
        "package_name 'class' is a Python keyword: set package_name=class_app",
    ),
    (
        "package_name=1abc",
        "package_name '1abc' is not a valid import name (lowercase letters, digits, "
        "underscores; no leading digit): set package_name=abc_app",
    ),
    (
        "package_name=json",
        "package_name 'json' shadows a standard-library module: set package_name=json_app",
    ),
    (
        "azure_region=mars-north",
        "azure_region 'mars-north' is not a public Azure region name: did you mean 'uaenorth', "
        "'germanynorth', 'italynorth'? (list them with `az account list-locations -o table`)",
    ),
    (
        'description=a "quoted" word',
        "description 'a \"quoted\" word' must not contain '\"' or '\\': use \"a 'quoted' word\"",
    ),
]


@pytest.mark.parametrize(("option", "message"), REJECTIONS)
def test_invalid_option_is_rejected_with_one_line_and_no_project(
    tmp_path: Path, option: str, message: str
) -> None:
    assert hook_output(run_cli(tmp_path, option)) == f"ERROR: {message}\n"
    assert list(tmp_path.iterdir()) == []


def test_slug_escaping_the_output_dir_is_rejected_and_removed(tmp_path: Path) -> None:
    output_dir = tmp_path / "out"
    result = run_cli(output_dir, "project_slug=../escaped")
    expected = "ERROR: project_slug '../escaped' must not contain path separators: use 'escaped'\n"
    assert hook_output(result) == expected
    assert not (tmp_path / "escaped").exists()
    assert leftover_files(output_dir) == []


def test_slug_with_slash_is_rejected_but_leaves_an_empty_parent_dir(tmp_path: Path) -> None:
    # cookiecutter creates the project folder (with parents) BEFORE pre_gen_project runs and,
    # on failure, removes only the project folder itself: 'a/' stays behind, empty.
    result = run_cli(tmp_path, "project_slug=a/b")
    expected = "ERROR: project_slug 'a/b' must not contain path separators: use 'a-b'\n"
    assert hook_output(result) == expected
    assert [path.name for path in tmp_path.iterdir()] == ["a"]
    assert leftover_files(tmp_path) == []


def test_invalid_choice_is_rejected_by_cookiecutter_before_the_hooks(tmp_path: Path) -> None:
    result = run_cli(tmp_path, "ci_provider=gitlab")
    assert result.returncode != 0
    assert "gitlab provided for choice variable ci_provider" in result.stderr
    assert list(tmp_path.iterdir()) == []


def test_default_options_bake_successfully(tmp_path: Path) -> None:
    result = run_cli(tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "diabetes-progression").is_dir()


def test_hooks_are_found_when_the_kit_path_is_relative(tmp_path: Path) -> None:
    # cookiecutter puts the template path into _repo_dir as typed ('.') and runs hooks from
    # inside the new project, so the hooks must not resolve _repo_dir against their own cwd.
    result = run_cli(tmp_path, "ci_provider=azure-devops", kit=".", cwd=KIT_ROOT)
    assert result.returncode == 0, result.stderr
    assert not (tmp_path / "diabetes-progression" / ".github").exists()
