"""The data contract: parsing with line numbers, its rules, drafting, checking, value rules."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.contract.check import check_frame
from {{ cookiecutter.package_name }}.contract.infer import draft_contract
from {{ cookiecutter.package_name }}.contract.inputs import (
    features_from_rows,
    features_from_table,
)
from {{ cookiecutter.package_name }}.contract.load import load_contract, parse_contract
from {{ cookiecutter.package_name }}.contract.render import render_contract
from {{ cookiecutter.package_name }}.contract.schema import Column, Contract
from {{ cookiecutter.package_name }}.contract.table import convert_column
from {{ cookiecutter.package_name }}.contract.values import cell_kind
from {{ cookiecutter.package_name }}.errors import InvalidInputError, LifecycleError

from .conftest import PROJECT_ROOT, invoke

MIXED = """\
task: multiclass
target: {column: churn, classes: [leave, pause, stay]}
columns:
  customer_id: {type: category, role: id}
  tenure: {type: integer, min: 0, max: 72}
  monthly: {type: number, nullable: true, min: 0}
  plan: {type: category, categories: [basic, plus, pro]}
  region: {type: category, nullable: true, categories: [north, south], sensitive: true}
  paperless: {type: boolean}
  note: {type: category, role: ignore}
"""


def mixed() -> Contract:
    return parse_contract(MIXED, "contract.yaml")


def error_of(text: str) -> str:
    with pytest.raises(LifecycleError) as caught:
        parse_contract(text, "data/contract.yaml")
    return str(caught.value)


def test_the_projects_own_contract_parses_and_describes_the_bundled_data() -> None:
    contract = load_contract(PROJECT_ROOT / "data" / "contract.yaml")
    assert contract.task in ("regression", "binary")
    assert contract.features
    assert contract.sha256 == parse_contract(render_contract(contract), "again").sha256


def test_a_rendered_contract_parses_back_to_the_same_contract() -> None:
    contract = mixed()
    assert parse_contract(render_contract(contract, ["a note"]), "x") == contract


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("task: multiclass", "task: clustering"), ":1: task 'clustering' is unknown"),
        (("{type: integer, min: 0, max: 72}", "{type: integer, min: 80, max: 72}"),
         ":5: column 'tenure': min 80 is above max 72; swap them"),
        (("{type: boolean}", "{type: bool}"), ":9: column 'paperless': type 'bool' is unknown"),
        (("categories: [basic, plus, pro]", "categories: [basic]"),
         ":7: column 'plan' has 1 category: a column with a single value"),
        (("classes: [leave, pause, stay]", "classes: [stay]"),
         ":2: target 'churn' has 1 class: classification needs two or more"),
        (("task: multiclass", "task: binary"), ":2: a binary target has two classes, not 3"),
        (("  paperless: {type: boolean}", "  paperless: {type: boolean, colour: red}"),
         ":9: unknown key 'colour'; allowed here: type, role"),
        (("role: ignore", "role: label"), ":10: column 'note': role 'label' is unknown"),
        (("{type: boolean}", "{type: boolean, sensitive: true, min: 1}"),
         ":9: column 'paperless': min/max apply to numbers only"),
        (("  tenure:", "  churn:"), ":5: column 'churn' is the target"),
        (("  tenure:", "  data:"), ":5: column 'data': the name is reserved"),
        (("  note:", "  prediction:"), ":10: column 'prediction': the name is reserved"),
        (("  note:", "  probability_stay:"),
         ":10: column 'probability_stay': names starting with 'probability_' are reserved"),
        (("[leave, pause, stay]", '[1, "1", stay]'),
         ":2: two classes in target.classes are written alike (1 and \"1\")"),
        (("{type: boolean}", "[oops"), ":10: not valid YAML (expected ',' or ']'"),
    ],
)  # fmt: skip
def test_a_broken_contract_names_the_file_line_and_fix(
    change: tuple[str, str], message: str
) -> None:
    broken = MIXED.replace(*change, 1)
    assert broken != MIXED
    assert error_of(broken).startswith("data/contract.yaml:")
    assert message in error_of(broken)


def test_a_binary_target_must_name_its_positive_class() -> None:
    text = MIXED.replace("task: multiclass", "task: binary").replace(", pause", "")
    assert "name the positive class (one of target.classes) as target.positive" in error_of(text)
    assert parse_contract(text.replace("stay]}", "stay], positive: leave}"), "x").task == "binary"


def churn_frame(rows: int = 60) -> pd.DataFrame:
    """A churn table with every kind of column, as a CSV reader gives it (text cells)."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(
        {
            "customer_id": [f"C{row:05d}" for row in range(rows)],
            "tenure": rng.integers(0, 72, rows).astype(str),
            "monthly": rng.normal(70, 20, rows).round(2).clip(1).astype(str),
            "plan": rng.choice(["basic", "plus", "pro"], rows),
            "region": rng.choice(["north", "south", ""], rows),
            "paperless": rng.choice(["true", "false"], rows),
            "note": [f"free text {row}" for row in range(rows)],
            "churn": rng.choice(["stay", "leave", "pause"], rows),
        }
    )
    frame.loc[3, "monthly"] = ""
    return frame


def test_init_drafts_types_roles_nullability_categories_and_the_task() -> None:
    draft = draft_contract(churn_frame(), "churn", ids=["customer_id"])
    columns = {column.name: column for column in draft.contract.columns}
    assert draft.contract.task == "multiclass"
    assert draft.contract.target.classes == ("leave", "pause", "stay")
    assert {name: (c.type, c.role, c.nullable) for name, c in columns.items()} == {
        "customer_id": ("category", "id", False),
        "tenure": ("integer", "feature", False),
        "monthly": ("number", "feature", True),
        "plan": ("category", "feature", False),
        "region": ("category", "feature", True),
        "paperless": ("boolean", "feature", False),
        "note": ("category", "ignore", False),
    }
    assert columns["plan"].categories == ("basic", "plus", "pro")
    assert draft.notes[0] == "task multiclass (inferred: check it); 3 classes"


@pytest.mark.parametrize(
    ("target", "task", "classes", "positive"),
    [
        (["yes", "no"] * 20, "binary", ("no", "yes"), "yes"),
        (["0", "1", "1"] * 10, "binary", (0, 1), 1),
        (["cat", "dog", "dog"] * 10, "binary", ("cat", "dog"), "cat"),
        ([str(v / 7) for v in range(30)], "regression", (), None),
    ],
)
def test_init_infers_the_task_and_the_positive_class_from_the_target(
    target: list[str], task: str, classes: tuple, positive: object
) -> None:
    frame = pd.DataFrame({"x": [str(v) for v in range(len(target))], "y": target})
    drafted = draft_contract(frame, "y").contract
    assert (drafted.task, drafted.target.classes, drafted.target.positive) == (
        task,
        classes,
        positive,
    )


def test_init_refuses_a_target_with_one_class_or_missing_values() -> None:
    frame = pd.DataFrame({"x": ["1", "2", "3"], "y": ["a", "a", "a"]})
    with pytest.raises(LifecycleError, match="has one class: classification needs two"):
        draft_contract(frame, "y", task="binary")
    with pytest.raises(LifecycleError, match=r"missing in rows 1 \(counted from 0\)"):
        draft_contract(frame.assign(y=["a", "", "b"]), "y")


def write_csv(path: Path, frame: pd.DataFrame) -> Path:
    frame.to_csv(path, index=False)
    return path


def test_contract_init_never_overwrites_without_force(project, tmp_path: Path) -> None:
    data = write_csv(tmp_path / "churn.csv", churn_frame())
    target = project.contract_path
    before = target.read_text(encoding="utf-8")
    refused = invoke("contract", "init", str(data), "--target", "churn")
    assert refused.exit_code == 1
    assert f"{target} exists: pass --force to replace it" in refused.stderr
    assert target.read_text(encoding="utf-8") == before
    options = ("--target", "churn", "--id", "customer_id", "--force")
    done = invoke("contract", "init", str(data), *options)
    assert done.exit_code == 0, done.stderr
    assert load_contract(target).ids[0].name == "customer_id"


def test_contract_check_counts_every_violation_per_column_with_its_first_rows(
    tmp_path: Path,
) -> None:
    contract = tmp_path / "contract.yaml"
    contract.write_text(MIXED, encoding="utf-8")
    bad = churn_frame(8).assign(extra="1")
    bad.loc[[1, 2], "tenure"] = ["3.5", "x"]
    bad.loc[[0, 4, 6], "plan"] = ["gold", "gold", "silver"]
    bad.loc[5, "paperless"] = "maybe"
    bad.loc[7, "churn"] = "gone"
    bad.loc[2, "monthly"] = "-4"
    data = write_csv(tmp_path / "bad.csv", bad)
    result = invoke("contract", "check", str(data), "--contract", str(contract))
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        f"{data}: 8 rows break the contract (rows counted from 0, the first data row)",
        "column 'extra': not in the contract: add it (role: ignore keeps it out of the model) "
        "or remove it",
        "column 'tenure': 1 x not a whole number (rows 1): \"3.5\" is not a whole number",
        "column 'tenure': 1 x not a number (rows 2): \"x\" is not a number",
        "column 'monthly': 1 x below the minimum (rows 2): \"-4\" is below the minimum 0",
        "column 'plan': 3 x unknown category (rows 0, 4, 6): \"gold\" is not a category of "
        '\'plan\': "basic", "plus", "pro"',
        "column 'paperless': 1 x not a boolean (rows 5): \"maybe\" is not true or false",
        "column 'churn': 1 x unknown category (rows 7): \"gone\" is not a category of 'churn': "
        '"leave", "pause", "stay"',
    ]
    good = write_csv(tmp_path / "good.csv", churn_frame(8))
    ok = invoke("contract", "check", str(good), "--contract", str(contract), "--json")
    assert (ok.exit_code, json.loads(ok.stdout)["ok"]) == (0, True)
    missing = invoke("contract", "check", str(tmp_path / "nope.csv"), "--contract", str(contract))
    assert missing.exit_code == 2
    assert "nope.csv: no such file" in missing.stderr


def test_a_missing_column_is_a_violation_not_an_error() -> None:
    report = check_frame(mixed(), churn_frame(4).drop(columns="plan"), "f.csv")
    assert [violation.line() for violation in report.violations] == [
        "column 'plan': missing column: add the column"
    ]


CELLS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**6), 10**6),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(["", "1", "1.5", "true", "FALSE", "0", "abc", "north", "basic", "1e40", "nan"]),
)
RULES = st.sampled_from(
    [
        Column("n", "number", minimum=-5, maximum=5),
        Column("i", "integer", nullable=True),
        Column("b", "boolean"),
        Column("c", "category", categories=("basic", "north", 1)),
        Column("o", "category", role="id", nullable=True),
    ]
)


@settings(max_examples=400, deadline=None)
@given(column=RULES, cells=st.lists(CELLS, min_size=1, max_size=8), bounds=st.booleans())
def test_the_vectorized_table_rule_refuses_exactly_the_cells_the_cell_rule_refuses(
    column: Column, cells: list[Any], bounds: bool
) -> None:
    _, bad = convert_column(column, pd.Series(cells, dtype=object), bounds)
    kinds = [cell_kind(column, cell, json_value=False, bounds=bounds) for cell in cells]
    assert bad.tolist() == [kind is not None for kind in kinds]


def test_json_rows_and_a_csv_table_give_the_same_features() -> None:
    contract = mixed()
    table = churn_frame(6)
    from_table = features_from_table(contract, {name: table[name] for name in table.columns})
    records: list[dict[Any, Any]] = table.to_dict("records")
    typed = [
        [r["customer_id"], int(r["tenure"]), None if r["monthly"] == "" else float(r["monthly"]),
         r["plan"], r["region"] or None, r["paperless"] == "true", r["note"]]
        for r in records
    ]  # fmt: skip
    names = ["customer_id", "tenure", "monthly", "plan", "region", "paperless", "note"]
    from_rows = features_from_rows(contract, names, typed)
    assert np.array_equal(from_rows.numbers, from_table.numbers, equal_nan=True)
    assert {k: v.tolist() for k, v in from_rows.categories.items()} == {
        k: v.tolist() for k, v in from_table.categories.items()
    }
    in_model_order = ["tenure", "monthly", "paperless", "plan", "region"]  # numbers, categories
    assert list(from_rows.frame(contract).columns) == in_model_order


@pytest.mark.parametrize(
    ("row", "message"),
    [
        ([1, 70.0, "gold", "north", True], "row 0, column 'plan': \"gold\" is not a category of "
         "'plan': \"basic\", \"plus\", \"pro\""),
        ([1, 70.0, "pro", "north", "true"], "row 0, column 'paperless': \"true\" is not true or "
         "false"),
        (["1", 70.0, "pro", "north", True], "row 0, column 'tenure': \"1\" is not a number"),
        ([1.5, 70.0, "pro", "north", True], "row 0, column 'tenure': 1.5 is not a whole number"),
        ([None, 70.0, "pro", "north", True], "row 0, column 'tenure': missing value"),
    ],
)  # fmt: skip
def test_a_json_request_is_refused_naming_the_cell_and_the_rule(row: list, message: str) -> None:
    names = ["tenure", "monthly", "plan", "region", "paperless"]
    with pytest.raises(InvalidInputError) as caught:
        features_from_rows(mixed(), names, [row])
    assert caught.value.message.startswith(message)
    assert caught.value.status == 422


def test_nullable_columns_accept_null_and_unknown_columns_are_refused() -> None:
    names = ["tenure", "monthly", "plan", "region", "paperless"]
    features = features_from_rows(mixed(), names, [[1, None, "pro", None, False]])
    assert np.isnan(features.numbers[0, 1])
    assert features.categories["region"].tolist() == [""]
    with pytest.raises(InvalidInputError, match="unknown column 'colour'"):
        features_from_rows(mixed(), [*names, "colour"], [[1, 2.0, "pro", None, False, "red"]])
    with pytest.raises(InvalidInputError, match="9 columns, more than the contract's 7"):
        features_from_rows(mixed(), [f"c{n}" for n in range(9)], [[0] * 9])
