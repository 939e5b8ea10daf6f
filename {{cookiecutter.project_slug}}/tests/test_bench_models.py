"""The classification benchmark's model folders: what `package` writes, served by our loader,
and for breast cancer also an MLflow model that MLflow's own scoring answers alike."""

from __future__ import annotations

import sys
from pathlib import Path

import orjson
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.lifecycle.bundled import load_bundled
from {{ cookiecutter.package_name }}.model.folder import load_model_dir
from {{ cookiecutter.package_name }}.serving.scoring import score

sys.path.append(str(Path(__file__).resolve().parents[1] / "benchmarks"))
from mixed_data import (
    mixed_contract,
    mixed_table,
    numeric_row,
    numeric_table,
    numeric_twin,
)
from model_folders import BREAST_CANCER, breast_cancer, fit, write_folder

SMALL = {"n_estimators": 5, "max_depth": 3}
# Rows of the mixed contract as a client sends them: categories as text, a JSON boolean, and
# the nullable number missing or not.
ROW = [12, None, 840.0, 40, "pro", "east", "phone", True, 3, 0.1]
FILLED = [12, 70.0, 840.0, 40, "pro", "east", "phone", True, 3, 0.1]


def test_the_mixed_folder_and_its_twin_serve_their_contracts(tmp_path: Path) -> None:
    contract = mixed_contract()
    table = mixed_table(rows=400, seed=1)
    twin = numeric_twin(contract)
    assert not contract.numeric_only
    assert twin.numeric_only
    assert twin.feature_names == contract.feature_names
    answers = []
    for name, (served, rows) in {
        "categories": (contract, table),
        "numeric": (twin, numeric_table(contract, table)),
    }.items():
        pipeline, features = fit(served, rows, SMALL, seed=0)
        model = load_model_dir(write_folder(tmp_path / name, served, pipeline, features))
        assert model.card.runtime == "onnx"
        assert model.contract == served
        row = ROW if name == "categories" else numeric_row(contract, FILLED)
        payload = {"input_data": {"columns": list(served.feature_names), "data": [row]}}
        answers.append(score(orjson.loads(orjson.dumps(payload)), model))
    for answer in answers:
        assert answer["classes"] == ["churn", "stay"]
        assert answer["predictions"][0] in ("churn", "stay")


def test_the_twin_reads_a_row_as_its_table_encodes_it() -> None:
    contract = mixed_contract()
    table = pd.DataFrame([FILLED], columns=list(contract.feature_names))
    encoded = numeric_table(contract, table).iloc[0].tolist()
    assert numeric_row(contract, FILLED) == encoded
    assert encoded[4:8] == [2.0, 2.0, 2.0, 1.0]  # pro, east, phone: third listed; true: 1


def test_the_breast_cancer_folder_is_an_mlflow_model_that_answers_like_ours(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import mlflow.pyfunc
    from mlflow.pyfunc.scoring_server import invocations

    folder, _ = breast_cancer(tmp_path / "breast-cancer", SMALL, seed=0)
    ours = load_model_dir(folder)
    monkeypatch.setenv("MLFLOW_ALLOW_PICKLE_DESERIALIZATION", "true")  # our own file
    theirs = mlflow.pyfunc.load_model(str(folder))
    names = list(ours.contract.feature_names)
    split = {"columns": names, "data": [load_bundled(BREAST_CANCER)[names].iloc[0].tolist()]}
    body = orjson.dumps({"dataframe_split": split}).decode()
    answer = invocations(body, "application/json", theirs, theirs.metadata.get_input_schema())
    assert answer.status == 200, answer.response
    expected = score({"input_data": split}, ours)["predictions"]
    assert orjson.loads(answer.response)["predictions"] == expected
    assert expected[0] in ("benign", "malignant")
