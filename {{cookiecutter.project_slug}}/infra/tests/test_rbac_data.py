"""The RBAC data in rbac/: complete, readable as tables and JSON, and checked.

Every check is proven by a mutant: a copy of the shipped data with one known-bad change must be
refused with exactly the expected lines, and the shipped data must pass.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from mlops_infra.rbac import tables
from mlops_infra.rbac.cli import main
from mlops_infra.rbac.load import RBAC_DIR, load_rbac

PERSONAS = (
    "data-scientist", "data-analyst", "model-tester", "business-stakeholders", "project-lead",
    "project-owner", "platform-support", "model-end-user", "cicd", "ml-workspace", "monitoring",
    "data-governance",
)  # fmt: skip
RESOURCES = (
    "ml-workspace", "key-vault", "container-registry", "storage-account", "devops", "artifacts",
    "log-analytics", "monitor",
)  # fmt: skip
Data = dict[str, Any]


def raw(name: str, directory: Path = RBAC_DIR) -> Data:
    """One file of rbac/ as plain YAML, without the code under test."""
    loaded: Data = yaml.safe_load((directory / name).read_text(encoding="utf-8"))
    return loaded


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """The rbac command line in-process: exit code, stdout, stderr."""
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_the_matrices_have_every_persona_and_resource_cell() -> None:
    environments = raw("matrix.yaml")["environments"]
    assert list(environments) == ["production", "pre-production"]
    cells = [
        (env, persona, resource)
        for env, rows in environments.items()
        for persona, row in rows.items()
        for resource in row
    ]
    assert len(cells) == len(set(cells)) == 2 * 12 * 8 == 192
    for rows in environments.values():
        assert tuple(rows) == PERSONAS
        assert all(tuple(row) == RESOURCES for row in rows.values())
    assert tuple(raw("personas.yaml")["personas"]) == PERSONAS
    assert tuple(raw("roles.yaml")["resources"]) == RESOURCES


def test_show_json_is_exactly_matrix_yaml(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "show", "--json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {"environments": raw("matrix.yaml")["environments"]}
    code, out, _ = run(capsys, "show", "--json", "--env", "pre-production")
    assert json.loads(out) == {
        "environments": {"pre-production": raw("matrix.yaml")["environments"]["pre-production"]}
    }


def test_show_prints_one_aligned_table_per_environment(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = run(capsys, "show", "--env", "production")
    assert code == 0
    lines = out.splitlines()
    assert lines[0].startswith("production")
    header = next(line for line in lines if line.startswith("persona"))
    assert header.split() == ["persona", *RESOURCES]
    row = next(line for line in lines if line.startswith("platform-support "))
    assert row.split() == ["platform-support", "O", "O,", "KVA", "DOPCA", "O", "O", "O"]
    assert "pre-production" not in out


def test_the_shipped_data_passes_every_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = run(capsys, "check")
    assert (code, err) == (0, "")
    assert out.strip() == (
        "rbac-check: 12 personas, 8 resources, 108 grants; "
        "3 separation-of-duties rules, 0 violations"
    )


Change = Callable[[Path], None]


def _edit(name: str, edit: Callable[[Data], None]) -> Change:
    """A change that rewrites one file of a copied rbac/ folder through ``edit``."""

    def change(directory: Path) -> None:
        data = raw(name, directory)
        edit(data)
        (directory / name).write_text(yaml.safe_dump(data), encoding="utf-8")

    return change


def _cell(env: str, persona: str, resource: str, codes: list[str]) -> Change:
    def edit(data: Data) -> None:
        data["environments"][env][persona][resource] = codes

    return _edit("matrix.yaml", edit)


def _persona_field(persona: str, field: str, value: str) -> Change:
    def edit(data: Data) -> None:
        data["personas"][persona][field] = value

    return _edit("personas.yaml", edit)


def _drop(env: str, persona: str, resource: str | None = None) -> Change:
    def edit(data: Data) -> None:
        rows = data["environments"][env]
        if resource is None:
            del rows[persona]
        else:
            del rows[persona][resource]

    return _edit("matrix.yaml", edit)


def _renamed(env: str, old: str, new: str) -> Change:
    def edit(data: Data) -> None:
        rows = data["environments"][env]
        data["environments"][env] = {new if key == old else key: row for key, row in rows.items()}

    return _edit("matrix.yaml", edit)


def mutated(tmp_path: Path, *changes: Change) -> Path:
    """A copy of the shipped rbac/ folder with ``changes`` applied."""
    directory = shutil.copytree(RBAC_DIR, tmp_path / "rbac")
    for change in changes:
        change(directory)
    return directory


RULE_MUTANTS = {
    "a data scientist with standing Owner in production": (
        _cell("production", "data-scientist", "ml-workspace", ["O"]),
        "production / data-scientist / ml-workspace: O: Owner is a write role held standing by "
        "a person in production; grant a read role, or make the persona just-in-time in "
        "rbac/personas.yaml [no-standing-human-write-in-production]",
    ),
    "a project lead with Key Vault Administrator in production": (
        _cell("production", "project-lead", "key-vault", ["R", "KVA"]),
        "production / project-lead / key-vault: KVA: Key Vault Administrator is a write role "
        "held standing by a person in production; grant a read role, or make the persona "
        "just-in-time in rbac/personas.yaml [no-standing-human-write-in-production]",
    ),
    "a model tester in the DevOps contributors in production": (
        _cell("production", "model-tester", "devops", ["C"]),
        "production / model-tester / devops: C: Contributors is a write role held standing by a "
        "person in production; grant a read role, or make the persona just-in-time in "
        "rbac/personas.yaml [no-standing-human-write-in-production]",
    ),
    "a model end user with a reader role in dev": (
        _cell("pre-production", "model-end-user", "storage-account", ["R"]),
        "pre-production / model-end-user / storage-account: R: the model end user holds no "
        "role; give access to the scoring endpoint instead [model-end-user-holds-nothing]",
    ),
    "monitoring as DevOps collection administrator": (
        _cell("production", "monitoring", "devops", ["DOPCA"]),
        "production / monitoring / devops: DOPCA: Project Collection Administrators administers "
        "Azure DevOps, which only the CI/CD process may; grant R (Readers) instead "
        "[only-cicd-administers-devops]",
    ),
}


@pytest.mark.parametrize("mutant", RULE_MUTANTS, ids=list(RULE_MUTANTS))
def test_each_separation_of_duties_rule_names_the_cell(
    mutant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, line = RULE_MUTANTS[mutant]
    code, out, err = run(capsys, "--rbac-dir", str(mutated(tmp_path, change)), "check")
    assert code == 1
    assert err.splitlines() == [f"Error: {line}"]
    assert out.strip().endswith("1 violations")


def test_write_roles_just_in_time_are_allowed_in_production(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = mutated(
        tmp_path,
        _cell("production", "data-scientist", "ml-workspace", ["O"]),
        _persona_field("data-scientist", "access", "just-in-time"),
    )
    assert run(capsys, "--rbac-dir", str(directory), "check")[0] == 0


DATA_MUTANTS: dict[str, tuple[Change, *tuple[str, ...]]] = {
    "an unknown code": (
        _cell("production", "data-analyst", "key-vault", ["KVX"]),
        "matrix.yaml: production / data-analyst / key-vault: unknown code 'KVX'; codes of azure "
        "columns: R, C, O, ADS, ACO, ACRPush, LAR, LAC, MR, MC, KVA, KVR (see rbac/roles.yaml)",
    ),
    "a DevOps group in an Azure column": (
        _cell("pre-production", "cicd", "ml-workspace", ["DOPA"]),
        "matrix.yaml: pre-production / cicd / ml-workspace: DOPA is a code of devops columns, "
        "not of azure columns like this one (see rbac/roles.yaml)",
    ),
    "an Azure role in the DevOps column": (
        _cell("pre-production", "cicd", "devops", ["KVA"]),
        "matrix.yaml: pre-production / cicd / devops: KVA is a code of azure columns, not of "
        "devops columns like this one (see rbac/roles.yaml)",
    ),
    "an unknown persona": (
        _renamed("production", "data-analyst", "data-analyzer"),
        "matrix.yaml: production / data-analyzer: unknown persona; add it to rbac/personas.yaml",
        "matrix.yaml: production: persona data-analyst has no row; add one ([] for no access)",
    ),
    "a missing cell": (
        _drop("production", "cicd", "monitor"),
        "matrix.yaml: production / cicd / monitor: missing cell; write [] for no access",
    ),
    "a missing row": (
        _drop("pre-production", "monitoring"),
        "matrix.yaml: pre-production: persona monitoring has no row; add one ([] for no access)",
    ),
    "an unknown access mode": (
        _persona_field("cicd", "access", "sometimes"),
        "personas.yaml: cicd: access must be one of standing, just-in-time, got 'sometimes'",
    ),
    "a code listed twice": (
        _cell("production", "project-lead", "key-vault", ["R", "R"]),
        "matrix.yaml: production / project-lead / key-vault: a code is listed twice in ['R', 'R']",
    ),
}


@pytest.mark.parametrize("mutant", DATA_MUTANTS, ids=list(DATA_MUTANTS))
def test_invalid_data_is_refused_with_every_problem_named(
    mutant: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    change, *lines = DATA_MUTANTS[mutant]
    code, out, err = run(capsys, "--rbac-dir", str(mutated(tmp_path, change)), "check")
    assert (code, out) == (1, "")
    assert set(err.splitlines()) == {f"Error: {line}" for line in lines}


def test_a_broken_file_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = mutated(tmp_path)
    (directory / "roles.yaml").write_text("codes: [unclosed\n", encoding="utf-8")
    code, _, err = run(capsys, "--rbac-dir", str(directory), "show")
    assert code == 1
    (line,) = err.splitlines()
    assert line.startswith(f"Error: {directory / 'roles.yaml'}: not valid YAML")


def test_rbac_md_is_generated_from_the_data() -> None:
    committed = (RBAC_DIR / "RBAC.md").read_text(encoding="utf-8")
    assert committed == tables.markdown(load_rbac()), "run make rbac-docs"
    assert "| Platform Technical Support | O | O, KVA |  |  | DOPCA | O | O | O |" in committed


def test_docs_check_fails_on_a_stale_file_and_docs_repairs_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    directory = mutated(tmp_path, _cell("production", "data-analyst", "monitor", ["MR"]))
    code, _, err = run(capsys, "--rbac-dir", str(directory), "docs", "--check")
    assert code == 1
    assert "RBAC.md is out of date; run make rbac-docs" in err
    assert run(capsys, "--rbac-dir", str(directory), "docs")[0] == 0
    assert run(capsys, "--rbac-dir", str(directory), "docs", "--check")[0] == 0
    assert "| Data Analyst |  |  |  |  |  |  |  | MR |" in (directory / "RBAC.md").read_text()


def test_every_subcommand_has_help(capsys: pytest.CaptureFixture[str]) -> None:
    for command in ("show", "check", "docs"):
        with pytest.raises(SystemExit) as exited:
            main([command, "--help"])
        assert exited.value.code == 0
        assert f"usage: python -m mlops_infra.rbac {command}" in capsys.readouterr().out
