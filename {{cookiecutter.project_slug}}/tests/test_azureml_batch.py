"""The Azure ML batch entry: `score-batch`'s reader and writer, the same outputs and failures."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes

from {{ cookiecutter.package_name }}.batch import azureml_batch
from {{ cookiecutter.package_name }}.batch.runner import score_batch
from {{ cookiecutter.package_name }}.model.folder import find_model_dir, load_model_dir

from .contracts import FEATURES
from .model_fixtures import write_model_dir


@pytest.fixture
def inputs(tmp_path: Path) -> Path:
    """A CSV with an id column and shuffled columns, and a Parquet file, in one folder."""
    frame = load_diabetes(as_frame=True).frame[list(FEATURES)].iloc[100:112]
    frame = frame.assign(id=[f"p-{n:03d}" for n in range(len(frame))])
    folder = tmp_path / "in"
    folder.mkdir()
    frame.iloc[:5, ::-1].to_csv(folder / "a.csv", index=False)
    frame.iloc[5:].to_parquet(folder / "b.parquet", index=False)
    return folder


@pytest.fixture
def job(id_model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """init() as Azure ML runs it: the model in a subfolder of AZUREML_MODEL_DIR, an output path."""
    root = tmp_path / "azureml-model"
    root.mkdir()
    (root / "model").symlink_to(id_model_dir, target_is_directory=True)
    output = tmp_path / "job-output"
    output.mkdir()
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(root))
    monkeypatch.setenv(azureml_batch.OUTPUT_ENV, str(output))
    monkeypatch.setattr(azureml_batch, "_worker", None)
    azureml_batch.init()
    return output


def outputs(folder: Path) -> dict[str, pd.DataFrame]:
    return {path.name: pd.read_parquet(path) for path in sorted(folder.glob("*.parquet"))}


def test_the_entry_writes_exactly_what_score_batch_writes(
    job: Path, inputs: Path, id_model_dir: Path, tmp_path: Path
) -> None:
    written = azureml_batch.run([str(inputs / "a.csv"), str(inputs / "b.parquet")])
    assert written == ["a.csv.predictions.parquet", "b.parquet.predictions.parquet"]
    score_batch(load_model_dir(id_model_dir), inputs, tmp_path / "cli", progress=False)
    ours, theirs = outputs(job), outputs(tmp_path / "cli")
    assert list(ours) == list(theirs) == written
    for name in written:
        pd.testing.assert_frame_equal(ours[name], theirs[name])
    assert list(ours["a.csv.predictions.parquet"].columns) == [
        "source_file", "row_number", "id", "prediction", "model_name", "model_version",
    ]  # fmt: skip


def test_a_nan_fails_its_file_with_score_batchs_reason_and_spares_the_others(
    job: Path, inputs: Path, id_model_dir: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = pd.read_parquet(inputs / "b.parquet")
    bad.loc[bad.index[2], "s5"] = np.nan
    bad.to_parquet(inputs / "nan.parquet", index=False)
    written = azureml_batch.run([str(inputs / "nan.parquet"), str(inputs / "a.csv")])
    report = score_batch(load_model_dir(id_model_dir), inputs, tmp_path / "cli", progress=False)
    assert written == ["a.csv.predictions.parquet"]
    assert not (job / "nan.parquet.predictions.parquet").exists()
    (failure,) = report.failed
    assert failure.reason.startswith("row 2, column 's5': missing value")
    assert capsys.readouterr().err.splitlines() == [failure.line()]


def test_files_score_batch_would_not_read_are_left_alone_not_failed(
    job: Path, inputs: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (inputs / "README.txt").write_text("not data")
    done = azureml_batch.run([str(inputs / "README.txt"), str(inputs / "a.csv")])
    assert done == [
        "README.txt: not scored (not a regular .csv or .parquet file)",
        "a.csv.predictions.parquet",
    ]  # one entry each: Azure ML counts neither as failed
    assert sorted(outputs(job)) == ["a.csv.predictions.parquet"]
    assert capsys.readouterr().err == ""


def test_a_skops_only_model_folder_is_used_as_is(
    inputs: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_model_dir(tmp_path / "m", with_onnx=False, name="numbers-id")
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(folder))
    monkeypatch.setenv(azureml_batch.OUTPUT_ENV, str(tmp_path))
    monkeypatch.setattr(azureml_batch, "_worker", None)
    azureml_batch.init()
    assert azureml_batch.run([str(inputs / "a.csv")]) == ["a.csv.predictions.parquet"]
    predictions = pd.read_parquet(tmp_path / "a.csv.predictions.parquet")
    assert set(predictions["model_version"]) == {"7"}
    assert np.isfinite(predictions["prediction"]).all()


def test_an_empty_mini_batch_writes_nothing(job: Path) -> None:
    assert azureml_batch.run([]) == []
    assert outputs(job) == {}


def test_run_before_init_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(azureml_batch, "_worker", None)
    with pytest.raises(RuntimeError, match="init"):
        azureml_batch.run([])


def test_a_model_root_without_one_card_is_refused(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with pytest.raises(FileNotFoundError, match=r"model_card\.json"):
        find_model_dir(tmp_path)
