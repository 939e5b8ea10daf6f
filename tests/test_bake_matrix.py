"""Every combination of the kit's choice options bakes to exactly the expected files."""

from __future__ import annotations

import itertools
import json
import re
import subprocess
from pathlib import Path

import kit_options
import pytest
from conftest import KIT_ROOT, Baker
from expected_files import expected_files

CHOICES = {
    key: value
    for key, value in json.loads((KIT_ROOT / "cookiecutter.json").read_text()).items()
    if isinstance(value, list) and not key.startswith("_")
}
MATRIX = [dict(zip(CHOICES, combo, strict=True)) for combo in itertools.product(*CHOICES.values())]
# `${{ ... }}` is GitHub Actions syntax, copied unrendered; any other `{{` is a Jinja leftover.
LEFTOVER = re.compile(r"(?<!\$)\{\{|\{%|cookiecutter\.")


def combo_id(combo: dict[str, str]) -> str:
    return "-".join(combo.values())


def files_of(project: Path) -> set[str]:
    return {path.relative_to(project).as_posix() for path in project.rglob("*") if path.is_file()}


def test_matrix_covers_every_choice_option() -> None:
    assert set(CHOICES) == {"ci_provider", "python_version", "task"}
    assert len(MATRIX) == 3 * 3 * 2


@pytest.mark.parametrize("combo", MATRIX, ids=combo_id)
def test_bake_gives_exactly_the_expected_files(baked: Baker, combo: dict[str, str]) -> None:
    project = baked(combo)
    context = {"package_name": "diabetes_progression", **combo}
    assert files_of(project) == expected_files(context)


@pytest.mark.parametrize("combo", MATRIX, ids=combo_id)
def test_bake_leaves_no_template_syntax_or_empty_files(baked: Baker, combo: dict[str, str]) -> None:
    project = baked(combo)
    for path in sorted(project.rglob("*")):
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            assert text.strip(), f"{path} is empty"
            leftover = LEFTOVER.search(text)
            assert leftover is None, f"{path}: {leftover and leftover.group(0)!r}"
    assert not [path for path in project.rglob("*") if path.is_dir() and not any(path.iterdir())]


@pytest.mark.parametrize("combo", MATRIX, ids=combo_id)
def test_python_version_choice_reaches_the_project(baked: Baker, combo: dict[str, str]) -> None:
    project = baked(combo)
    assert (project / ".python-version").read_text() == f"{combo['python_version']}\n"


@pytest.mark.parametrize("task", ["regression", "classification"])
def test_the_task_choice_picks_the_reference_contract_and_data(baked: Baker, task: str) -> None:
    project = baked({"task": task})
    contract = (project / "data" / "contract.yaml").read_text(encoding="utf-8")
    source = {"regression": "sklearn:diabetes", "classification": "sklearn:breast_cancer"}[task]
    assert f'source = "{source}"' in (project / "mlops.toml").read_text(encoding="utf-8")
    expected = {"regression": "task: regression\n", "classification": "task: binary\n"}[task]
    assert expected in contract
    assert ("positive: malignant" in contract) is (task == "classification")


def test_custom_names_flow_into_package_script_and_lock(baked: Baker) -> None:
    project = baked({"project_name": "Churn Risk", "organization": "Fabrikam"})
    assert project.name == "churn-risk"
    assert (project / "src" / "churn_risk" / "cli.py").is_file()
    pyproject = (project / "pyproject.toml").read_text()
    assert 'churn-risk = "churn_risk.cli:main"' in pyproject
    assert '\nname = "churn-risk"\n' in (project / "uv.lock").read_text()
    assert "Fabrikam" in (project / "README.md").read_text()


def test_a_project_under_another_name_never_names_the_default_project(baked: Baker) -> None:
    project = baked({"project_name": "Churn Risk", "organization": "Fabrikam"})
    default = ("diabetes-progression", "diabetes_progression", "Diabetes Progression")
    mentions = [
        f"{path.relative_to(project)}: {name}"
        for path in sorted(project.rglob("*"))
        if path.is_file() and ".git" not in path.parts
        for name in default
        if name in path.read_text(encoding="utf-8", errors="replace")
    ]
    assert mentions == []


def test_generated_code_is_ruff_clean_for_the_shortest_and_longest_names(baked: Baker) -> None:
    names = {"short": "ab", "long": "a" + "-bcdefghi" * 4 + "-yz"}
    assert len(names["long"]) == kit_options.MAX_NAME_LENGTH
    for label, slug in names.items():
        project = baked({"project_name": slug})
        for command in (["check", "--quiet"], ["format", "--check", "--quiet"]):
            done = subprocess.run(
                [str(KIT_ROOT / ".venv" / "bin" / "ruff"), *command, "."],
                cwd=project,
                capture_output=True,
                text=True,
                check=False,
            )
            assert done.returncode == 0, f"{label}: ruff {command[0]}\n{done.stdout}"
