"""The scoring core: both request contracts, signature enforcement, exact error messages."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.features import FEATURES, InvalidInputError
from {{ cookiecutter.package_name }}.serving.model import ModelCard
from {{ cookiecutter.package_name }}.serving.scoring import MLFLOW, parse_json, score

from .conftest import ROW


class SumModel:
    """Predicts the row sum, so tests can check which values reached the model and in what order."""

    card = ModelCard("fake", "3")

    def __init__(self) -> None:
        self.seen: list[np.ndarray] = []

    def predict(self, matrix: np.ndarray) -> np.ndarray:
        self.seen.append(matrix)
        return matrix.astype(np.float64) @ np.arange(1, matrix.shape[1] + 1)


def expected(row: list[float]) -> float:
    return float(np.asarray(row, dtype=np.float32).astype(np.float64) @ np.arange(1, 11))


def split(data, columns=FEATURES, **extra) -> dict:
    return {"input_data": {"columns": list(columns), "data": data, **extra}}


def test_split_orientation_scores_each_row_and_echoes_the_index() -> None:
    result = score(split([ROW, ROW], index=[10, 11]), SumModel())
    assert result["index"] == [10, 11]
    assert result["predictions"] == pytest.approx([expected(ROW)] * 2)


def test_columns_in_another_order_are_reordered_to_the_signature() -> None:
    model = SumModel()
    score(split([list(reversed(ROW))], columns=reversed(FEATURES)), model)
    assert model.seen[0][0].tolist() == pytest.approx(ROW, rel=1e-6)


def test_tensor_form_is_a_list_of_rows_in_signature_order() -> None:
    result = score({"input_data": [ROW]}, SumModel())
    assert result["predictions"] == pytest.approx([expected(ROW)])
    assert "index" not in result


def test_mlflow_split_and_records_contracts() -> None:
    records = [dict(zip(FEATURES, ROW, strict=True))]
    by_split = score(
        {"dataframe_split": {"columns": list(FEATURES), "data": [ROW]}}, SumModel(), MLFLOW
    )
    by_records = score({"dataframe_records": records}, SumModel(), MLFLOW)
    assert by_split["predictions"] == pytest.approx(by_records["predictions"])


def test_integers_are_accepted_as_numbers() -> None:
    assert score({"input_data": [[1] * 10]}, SumModel())["predictions"] == pytest.approx([55.0])


@pytest.mark.parametrize(
    ("payload", "status", "message"),
    [
        ([1, 2], 400, "the body must be a JSON object"),
        ({"data": []}, 400, 'missing "input_data"'),
        ({"input_data": "x"}, 400, '"input_data" must be an object with "columns" and "data"'),
        (split([ROW], columns=FEATURES[:-1]), 422, "missing column 's6'"),
        (split([[*ROW, 1.0]], columns=[*FEATURES, "extra"]), 422, "11 columns, expected 10"),
        (split([ROW], columns=[*FEATURES[:-1], "age"]), 422, "duplicate column 'age'"),
        (split([ROW[:9]]), 422, "row 0 has 9 values, expected 10"),
        (split([ROW, "row"]), 422, "row 1 has str values, expected 10"),
        (split([]), 422, "no rows to score"),
        (split([[*ROW[:9], None]]), 422, "row 0, column 's6': missing value"),
        (split([[*ROW[:2], "1.5", *ROW[3:]]]), 422, "row 0, column 'bmi': \"1.5\" is not a number"),
        (split([[True, *ROW[1:]]]), 422, "row 0, column 'age': true is not a number"),
        (split([[1e39, *ROW[1:]]]), 422, "row 0, column 'age': 1e+39 is out of float32 range"),
        (
            split([ROW], index=[1, 2]),
            400,
            '"input_data.index" must be a flat list of strings or numbers, one per row',
        ),
        (split([ROW], index=[[1]]), 400, '"input_data.index" must be a flat list'),
        (split([ROW], index=[{"a": 1}]), 400, '"input_data.index" must be a flat list'),
        (split([ROW], columns=[f"c{n}" for n in range(40_000)]), 422, "40000 columns"),
        ({"dataframe_records": [dict.fromkeys(map(str, range(11)), 0)]}, 422, "11 columns"),
        ({"dataframe_records": [{"age": 1}, {"sex": 2}]}, 422, "record 1 has keys"),
    ],
)
def test_bad_payloads_are_refused_with_status_and_reason(
    payload, status: int, message: str
) -> None:
    contract = MLFLOW if "dataframe_records" in payload else "azureml"
    with pytest.raises(InvalidInputError) as caught:
        score(payload, SumModel(), contract)
    assert (caught.value.status, message in caught.value.message) == (status, True), (
        caught.value.message
    )


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"{", b'{"input_data": [[NaN]]}', b"[1e999]", b"\xff"]
)
def test_malformed_json_is_a_400(body: bytes) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_json(body)
    assert caught.value.status == 400
