"""Unit tests for pruning the files of unchosen options (hooks/kit_paths.py)."""

from __future__ import annotations

from pathlib import Path

import kit_paths
import pytest
from kit_options import OptionError
from kit_paths import prune_unchosen, remove_paths, unchosen_paths
from test_kit_options import VALID


@pytest.mark.parametrize(
    ("provider", "expected"),
    [
        (
            "github",
            [
                ".azure-pipelines",
                ".azuredevops",
                "tests/azure_pipelines.py",
                "tests/test_ci_azure_pipelines.py",
            ],
        ),
        ("azure-devops", [".github", "tests/test_ci_workflows.py", "tools/actionlint.cjs"]),
        ("both", []),
    ],
)
def test_unchosen_paths_per_ci_provider(provider: str, expected: list[str]) -> None:
    assert unchosen_paths({**VALID, "ci_provider": provider}) == expected


def test_unchosen_paths_rejects_unknown_provider() -> None:
    with pytest.raises(OptionError, match=r"^ci_provider 'gitlab' must be one of"):
        unchosen_paths({**VALID, "ci_provider": "gitlab"})


def make_project(root: Path) -> Path:
    """Create a small project tree with both CI folders."""
    for rel in (".github/workflows/ci.yml", ".azure-pipelines/ci.yml", "src/pkg/__init__.py"):
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text("x\n", encoding="utf-8")
    return root


def test_prune_removes_unchosen_folder_and_keeps_the_rest(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    removed = prune_unchosen(project, {**VALID, "ci_provider": "github"})
    assert removed == [project.resolve() / ".azure-pipelines"]
    assert not (project / ".azure-pipelines").exists()
    assert (project / ".github/workflows/ci.yml").is_file()
    assert (project / "src/pkg/__init__.py").is_file()


def test_prune_with_both_providers_removes_nothing(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    assert prune_unchosen(project, {**VALID, "ci_provider": "both"}) == []
    assert (project / ".github").is_dir()
    assert (project / ".azure-pipelines").is_dir()


def test_prune_ignores_paths_that_are_already_absent(tmp_path: Path) -> None:
    project = tmp_path / "proj"
    (project / "src").mkdir(parents=True)
    assert prune_unchosen(project, {**VALID, "ci_provider": "azure-devops"}) == []


def test_prune_removes_files_and_the_directories_they_leave_empty(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    project = make_project(tmp_path / "proj").resolve()
    (project / ".github/CODEOWNERS").write_text("*\n", encoding="utf-8")
    paths = {"github": (".azure-pipelines/ci.yml", ".github/workflows/ci.yml")}
    monkeypatch.setitem(kit_paths.UNCHOSEN_PATHS, "ci_provider", paths)
    removed = prune_unchosen(project, {**VALID, "ci_provider": "github"})
    assert removed == [
        project / ".azure-pipelines/ci.yml",
        project / ".azure-pipelines",
        project / ".github/workflows/ci.yml",
        project / ".github/workflows",
    ]
    assert (project / ".github/CODEOWNERS").is_file()


@pytest.mark.parametrize("rel", ["../outside", "sub/../../outside", "/outside", ".", "link/x"])
def test_remove_paths_refuses_paths_outside_the_project(tmp_path: Path, rel: str) -> None:
    project = make_project(tmp_path / "proj")
    (tmp_path / "outside").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "elsewhere/x").write_text("keep\n", encoding="utf-8")
    (project / "link").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(ValueError, match="refusing to delete"):
        remove_paths(project, [".github", rel])
    assert (tmp_path / "outside").is_dir()
    assert (tmp_path / "elsewhere/x").is_file()
    assert (project / ".github").is_dir(), "nothing is deleted when any path is refused"


def test_remove_paths_deletes_a_symlink_not_its_target(tmp_path: Path) -> None:
    project = make_project(tmp_path / "proj")
    (tmp_path / "elsewhere").mkdir()
    (project / "link").symlink_to(tmp_path / "elsewhere")
    assert remove_paths(project, ["link"]) == [project.resolve() / "link"]
    assert (tmp_path / "elsewhere").is_dir()
