"""The Azure ML batch entry script: init() from AZUREML_MODEL_DIR, run() over CSV and Parquet."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import load_diabetes

from {{ cookiecutter.package_name }} import azureml_batch
from {{ cookiecutter.package_name }}.schema import FEATURES
from {{ cookiecutter.package_name }}.serving_model import find_model_dir, load_model_dir

from .serving_fixtures import write_model_dir


@pytest.fixture
def frame() -> pd.DataFrame:
    """Twelve rows of the diabetes features with a non-default index."""
    data = load_diabetes(as_frame=True).frame[list(FEATURES)].iloc[100:112]
    return data.set_axis(range(500, 512))


@pytest.fixture
def loaded(model_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """init() run with AZUREML_MODEL_DIR holding the packaged model in a subfolder."""
    root = tmp_path / "azureml-model"
    root.mkdir()
    (root / "model").symlink_to(model_dir, target_is_directory=True)
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(root))
    monkeypatch.setattr(azureml_batch, "_model", None)
    azureml_batch.init()
    return model_dir


def test_run_scores_csv_and_parquet_files(
    loaded: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    shuffled = frame.iloc[:5, ::-1].assign(patient="x")  # column order and extras do not matter
    shuffled.to_csv(tmp_path / "a.csv", index=False)
    frame.iloc[5:].to_parquet(tmp_path / "b.parquet")
    result = azureml_batch.run([str(tmp_path / "a.csv"), str(tmp_path / "b.parquet")])
    assert list(result.columns) == ["file", "row", "prediction"]
    assert result["file"].tolist() == ["a.csv"] * 5 + ["b.parquet"] * 7
    assert result["row"].tolist() == [0, 1, 2, 3, 4, *range(505, 512)]
    expected = load_model_dir(loaded).predict(frame.to_numpy(dtype=np.float32))
    np.testing.assert_allclose(result["prediction"], expected, rtol=1e-6)


def test_skops_only_model_folder_is_used_as_is(
    tmp_path: Path, frame: pd.DataFrame, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = write_model_dir(tmp_path / "model", with_onnx=False)
    monkeypatch.setenv("AZUREML_MODEL_DIR", str(folder))
    monkeypatch.setattr(azureml_batch, "_model", None)
    azureml_batch.init()
    frame.to_csv(tmp_path / "rows.csv")  # an extra index column is ignored
    result = azureml_batch.run([str(tmp_path / "rows.csv")])
    assert len(result) == len(frame)
    assert np.isfinite(result["prediction"]).all()


def test_missing_column_names_the_file_and_column(
    loaded: Path, frame: pd.DataFrame, tmp_path: Path
) -> None:
    frame.drop(columns=["bmi"]).to_csv(tmp_path / "bad.csv", index=False)
    with pytest.raises(ValueError, match=r"bad\.csv: missing column\(s\) bmi"):
        azureml_batch.run([str(tmp_path / "bad.csv")])


def test_empty_mini_batch_gives_an_empty_frame(loaded: Path) -> None:
    assert list(azureml_batch.run([]).columns) == ["file", "row", "prediction"]


def test_run_before_init_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(azureml_batch, "_model", None)
    with pytest.raises(RuntimeError, match="init"):
        azureml_batch.run([])


def test_model_dir_without_a_card_is_refused(tmp_path: Path) -> None:
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    with pytest.raises(FileNotFoundError, match=r"model_card\.json"):
        find_model_dir(tmp_path)
