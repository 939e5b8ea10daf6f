"""`prep`: data held to the contract, the seeded (stratified) split, no partial output on bad
input. Built from the project's own contract and bundled data, and from test contracts of every
task, so it holds whatever the reference data set."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.bundled import load_bundled
from {{ cookiecutter.package_name }}.lifecycle.data import (
    SPLITS,
    prepare,
    read_manifest,
    read_split,
)
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

from .conftest import invoke
from .monitoring_fixtures import CONTRACTS, contract_of, table


def write_csv(folder: Path, frame: pd.DataFrame, name: str = "input.csv") -> Path:
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def bundled(project: Settings) -> pd.DataFrame:
    """The project's reference data, as `prep` reads it without --input."""
    return load_bundled(project.data_source)


def splits(project: Settings) -> dict[str, pd.DataFrame]:
    return {name: pd.read_parquet(project.processed_dir / f"{name}.parquet") for name in SPLITS}


def test_the_reference_data_is_split_into_three_disjoint_parts(project: Settings) -> None:
    prepared = prepare(project)
    frames = splits(project)
    assert sum(len(frame) for frame in frames.values()) == len(bundled(project))
    assert {name: len(frame) for name, frame in frames.items()} == prepared.rows
    indexes = [set(frame.index) for frame in frames.values()]
    assert indexes[0].isdisjoint(indexes[1])
    assert indexes[1].isdisjoint(indexes[2])
    contract = project.contract
    assert list(frames["train"].columns) == [*contract.feature_names, contract.target.column]
    assert read_manifest(project)["contract_sha256"] == contract.sha256


def test_same_seed_gives_the_same_split_and_hash(project: Settings) -> None:
    first = prepare(project).data_hash
    assert prepare(project).data_hash == first
    assert read_manifest(project)["data_hash"] == first


def use_contract(project: Settings, text: str) -> Settings:
    project.contract_path.write_text(text, encoding="utf-8")
    return load_settings(project.root)


def labelled(task: str, rows: int = 120) -> pd.DataFrame:
    """A table of the test contract of `task` with a target column."""
    contract = contract_of(task)
    frame = table(contract, rows, seed=5)
    classes = contract.target.classes
    target = (
        np.random.default_rng(1).normal(size=rows)
        if not classes
        else [classes[row % len(classes)] for row in range(rows)]
    )
    return frame.assign(**{contract.target.column: target})


@pytest.mark.parametrize("task", ["binary", "multiclass"])
def test_classes_are_split_in_their_proportions_into_every_part(
    project: Settings, tmp_path: Path, task: str
) -> None:
    settings = use_contract(project, CONTRACTS[task])
    frame = labelled(task)
    prepare(settings, write_csv(tmp_path, frame))
    column = settings.contract.target.column
    shares = {
        name: part[column].value_counts(normalize=True) for name, part in splits(settings).items()
    }
    for part in shares.values():  # stratified: every class in every part, in about its share
        assert sorted(part.index) == sorted(settings.contract.target.classes)
        assert (part - shares["train"]).abs().max() < 0.1


def test_id_and_sensitive_columns_are_kept_and_ignored_ones_dropped(
    project: Settings, tmp_path: Path
) -> None:
    settings = use_contract(project, CONTRACTS["multiclass"])
    frame = labelled("multiclass")
    prepare(settings, write_csv(tmp_path, frame))
    columns = list(splits(settings)["test"].columns)
    assert "note" not in columns  # role: ignore
    assert columns[-1] == "species"


@pytest.mark.parametrize(("task", "name"), [("binary", "smoker"), ("multiclass", "indoor")])
def test_booleans_are_stored_as_true_false_as_serving_collects_them_and_read_as_0_1(
    project: Settings, tmp_path: Path, task: str, name: str
) -> None:
    settings = use_contract(project, CONTRACTS[task])
    prepare(settings, write_csv(tmp_path, labelled(task)))
    stored = splits(settings)["train"][name]
    assert stored.dtype == (bool if name == "smoker" else pd.BooleanDtype())
    assert set(stored.dropna()) == {True, False}
    assert stored.isna().any() == (name == "indoor")  # nullable: missing stays missing
    features, _ = read_split(settings, "train")
    expected = np.where(stored.isna(), np.nan, stored.fillna(False).astype(float))
    np.testing.assert_array_equal(features[name].to_numpy(), expected)
    assert features[name].dtype == np.float64


def test_a_column_the_contract_does_not_declare_is_refused(
    project: Settings, tmp_path: Path
) -> None:
    frame = bundled(project).assign(patient_id=range(len(bundled(project))))
    with pytest.raises(LifecycleError) as caught:
        prepare(project, write_csv(tmp_path, frame))
    assert "column 'patient_id': not in the contract: add it (role: ignore keeps it out" in str(
        caught.value
    )


def first_feature(project: Settings) -> str:
    return project.contract.feature_names[0]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda f, c: f.drop(columns=c), "column 'C': missing column: add the column"),
        (
            lambda f, c: f.astype({c: object}).assign(**{c: ["x", *f[c].iloc[1:]]}),
            "column 'C': 1 x not a number (rows 0): \"x\" is not a number",
        ),
        (
            lambda f, c: f.assign(**{c: [*f[c].iloc[:4], None, *f[c].iloc[5:]]}),
            "column 'C': 1 x missing (rows 4): missing value",
        ),
        (
            lambda f, c: f.assign(**{c: [float("inf"), *f[c].iloc[1:]]}),
            "column 'C': 1 x not finite (rows 0): \"inf\" is not a finite number",
        ),
        (lambda f, c: f.head(5), "5 data rows; at least 20 are needed"),
        (lambda f, c: f.drop(columns=f.columns[-1]), "missing column: add the column"),
    ],
    ids=["missing-column", "non-numeric", "empty-value", "infinite", "too-few-rows", "no-target"],
)
def test_bad_input_names_file_column_and_rows(
    project: Settings, tmp_path: Path, mutate, expected
) -> None:
    column = first_feature(project)
    path = write_csv(tmp_path, mutate(bundled(project), column))
    with pytest.raises(LifecycleError, match=r"input\.csv") as caught:
        prepare(project, path)
    assert expected.replace("'C'", repr(column)) in str(caught.value)


def test_empty_file_is_rejected_clearly(project: Settings, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(LifecycleError, match=r"empty.csv: the file is empty"):
        prepare(project, path)


def test_bad_input_leaves_previous_output_untouched(project: Settings, tmp_path: Path) -> None:
    prepare(project)
    before = {p.name: p.read_bytes() for p in project.processed_dir.iterdir()}
    with pytest.raises(LifecycleError):
        prepare(project, write_csv(tmp_path, bundled(project).drop(columns=first_feature(project))))
    after = {p.name: p.read_bytes() for p in project.processed_dir.iterdir()}
    assert after == before
    assert sorted(p.name for p in project.processed_dir.parent.iterdir()) == [
        "contract.yaml",
        "processed",
    ]  # no staging folder left behind


def test_bad_input_on_a_fresh_project_writes_nothing(project: Settings, tmp_path: Path) -> None:
    with pytest.raises(LifecycleError):
        prepare(project, write_csv(tmp_path, bundled(project).drop(columns=first_feature(project))))
    assert not project.processed_dir.exists()
    assert not any(project.root.joinpath("data").glob(".processed-*"))


def test_cli_reports_bad_input_in_one_line_and_exits_non_zero(project: Settings) -> None:
    result = invoke("prep", "--input", "does-not-exist.csv")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: does-not-exist.csv: no such file; pass an existing .csv or .parquet file"
    )
