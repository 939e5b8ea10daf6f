"""`prep`: schema checks, the seeded split, and no partial output on bad input."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest
from sklearn.datasets import load_diabetes

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.features import COLUMNS
from {{ cookiecutter.package_name }}.lifecycle.data import SPLITS, prepare, read_manifest
from {{ cookiecutter.package_name }}.settings import Settings

from .conftest import invoke


def write_csv(folder: Path, frame: pd.DataFrame, name: str = "input.csv") -> Path:
    path = folder / name
    frame.to_csv(path, index=False)
    return path


def diabetes() -> pd.DataFrame:
    return load_diabetes(as_frame=True).frame


def test_default_source_is_split_into_three_disjoint_parquet_files(project: Settings) -> None:
    prepared = prepare(project)

    frames = {name: pd.read_parquet(project.processed_dir / f"{name}.parquet") for name in SPLITS}
    assert sum(len(frame) for frame in frames.values()) == 442
    assert {name: len(frame) for name, frame in frames.items()} == prepared.rows
    indexes = [set(frame.index) for frame in frames.values()]
    assert indexes[0].isdisjoint(indexes[1])
    assert indexes[1].isdisjoint(indexes[2])
    assert list(frames["train"].columns) == list(COLUMNS)


def test_same_seed_gives_the_same_split_and_hash(project: Settings) -> None:
    first = prepare(project).data_hash
    assert prepare(project).data_hash == first
    assert read_manifest(project)["data_hash"] == first


def test_csv_input_with_extra_columns_is_accepted(project: Settings, tmp_path: Path) -> None:
    frame = diabetes().assign(patient_id=range(442))
    prepared = prepare(project, write_csv(tmp_path, frame))
    assert sum(prepared.rows.values()) == 442


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [
        (lambda f: f.drop(columns="bp"), "missing column 'bp'"),
        (
            lambda f: f.astype({"bmi": object}).assign(bmi=["x", *[0.1] * 441]),
            "row 0, column 'bmi': \"x\" is not a number",
        ),
        (
            lambda f: f.assign(s3=[*[0.1] * 4, None, *[0.1] * 437]),
            "row 4, column 's3': missing value",
        ),
        (
            lambda f: f.assign(age=[float("inf"), *[0.1] * 441]),
            "row 0, column 'age': Infinity is not a finite number",
        ),
        (lambda f: f.head(5), "5 data rows; at least 20 are needed"),
        (lambda f: f.drop(columns="target"), "missing column 'target'"),
    ],
    ids=["missing-column", "non-numeric", "empty-value", "infinite", "too-few-rows", "no-target"],
)
def test_bad_input_names_file_and_column(
    project: Settings, tmp_path: Path, mutate, expected
) -> None:
    path = write_csv(tmp_path, mutate(diabetes()))
    with pytest.raises(LifecycleError, match=r"input\.csv") as caught:
        prepare(project, path)
    assert expected in str(caught.value)


def test_empty_file_is_rejected_clearly(project: Settings, tmp_path: Path) -> None:
    path = tmp_path / "empty.csv"
    path.write_text("")
    with pytest.raises(LifecycleError, match=r"empty.csv: the file is empty"):
        prepare(project, path)


def test_bad_input_leaves_previous_output_untouched(project: Settings, tmp_path: Path) -> None:
    prepare(project)
    before = {p.name: p.read_bytes() for p in project.processed_dir.iterdir()}
    with pytest.raises(LifecycleError):
        prepare(project, write_csv(tmp_path, diabetes().drop(columns="s6")))
    after = {p.name: p.read_bytes() for p in project.processed_dir.iterdir()}
    assert after == before
    assert sorted(p.name for p in project.processed_dir.parent.iterdir()) == [
        "contract.yaml",
        "processed",
    ]  # no staging folder left behind


def test_bad_input_on_a_fresh_project_writes_nothing(project: Settings, tmp_path: Path) -> None:
    with pytest.raises(LifecycleError):
        prepare(project, write_csv(tmp_path, diabetes().drop(columns="age")))
    assert not project.processed_dir.exists()
    assert not any(project.root.joinpath("data").glob(".processed-*"))


def test_cli_reports_bad_input_in_one_line_and_exits_non_zero(project: Settings) -> None:
    result = invoke("prep", "--input", "does-not-exist.csv")
    assert result.exit_code == 1
    assert result.stderr.strip().splitlines()[-1] == (
        "Error: does-not-exist.csv: no such file; pass an existing CSV with --input"
    )
