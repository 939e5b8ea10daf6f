"""The scoring core: every request form of both routes, signature enforcement, exact errors."""

from __future__ import annotations

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.features import FEATURES, InvalidInputError
from {{ cookiecutter.package_name }}.serving.csv_table import csv_table
from {{ cookiecutter.package_name }}.serving.model import ModelCard
from {{ cookiecutter.package_name }}.serving.scoring import (
    AZUREML,
    MLFLOW,
    MLFLOW_KEYS,
    extract_table,
    parse_json,
    predict_table,
    score,
)
from {{ cookiecutter.package_name }}.serving.server import CONTRACTS

from .conftest import ROW
from .serving_fixtures import CSV_TYPE, request_forms

OTHER_ROW = [-0.01, 0.05, -0.02, 0.03, 0.01, 0.02, -0.03, 0.03, -0.01, 0.04]
FORMS = request_forms([ROW, OTHER_ROW])
HEADER = ",".join(FEATURES)
CSV_ROW = ",".join(map(str, ROW))
WITHOUT_AGE = ",".join(map(str, ROW[1:]))
WIDE = {f"c{number}": 0 for number in range(40_000)}
RECORD = dict(zip(FEATURES, ROW, strict=True))
NAMED = {name: [value] for name, value in RECORD.items()}


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


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_reaches_the_model_as_the_same_rows_in_signature_order(form: str) -> None:
    path, media, body = FORMS[form]
    table = (
        csv_table(body) if media == CSV_TYPE else extract_table(parse_json(body), CONTRACTS[path])
    )
    model = SumModel()
    predict_table(table, model)
    assert model.seen[0].tolist() == np.asarray([ROW, OTHER_ROW], dtype=np.float32).tolist()


def test_invocations_wants_an_mlflow_key_not_the_azure_ml_envelope() -> None:
    with pytest.raises(InvalidInputError, match=r"exactly one of .* \(got none\)"):
        score({"input_data": [ROW]}, SumModel(), MLFLOW)


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
        ({"input_data": "x"}, 400, '"input_data" must be an object (split orientation or named'),
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
        ({"dataframe_records": [RECORD, {"sex": 2}]}, 422, "record 1 has keys 'sex', expected"),
        ({"dataframe_records": [{"age": 1}, "x"]}, 400, "item 1 is a str"),
        ({"dataframe_records": [{"age": 1}, {"sex": 2}]}, 422, "missing column 'sex'"),
        (
            {"input_data": {**NAMED, "sex": [1, 2]}},
            422,
            "column 'sex' has 2 values but column 'age'",
        ),
        ({"input_data": {"age": [1, 2], "sex": [1]}}, 422, "missing column 'bmi'"),
        ({"inputs": {**NAMED, "sex": 2}}, 400, "column 'sex' must be a list of values"),
        ({"inputs": {"age": "x"}}, 422, "missing column 'sex'"),
        (
            {"input_data": {"columns": [], "data": [], "age": [1]}},
            400,
            "mixes the split orientation",
        ),
        ({"input_data": {"age": [1], "data": [[1]]}}, 400, 'must be an object with "columns" and'),
        ({"instances": [ROW], "inputs": [ROW]}, 400, "exactly one of"),
        ({"dataframe_split": {}, "inputs": [ROW]}, 400, "(got dataframe_split, inputs)"),
        ({"inputs": 5}, 400, '"inputs" must be a list of rows or of records'),
        ({"instances": [dict(zip(FEATURES, ROW, strict=True)), ROW]}, 400, "item 1 is a list"),
        (
            {"input_data": [ROW, dict(zip(FEATURES, ROW, strict=True))]},
            422,
            "row 1 has dict values",
        ),
        ({"input_data": {name: "not a list" for name in WIDE}}, 422, "40000 columns, expected 10"),
        ({"inputs": {name: [0] for name in WIDE}}, 422, "40000 columns, expected 10"),
        ({"instances": [WIDE]}, 422, "40000 columns, expected 10"),
        ({"instances": [RECORD, WIDE]}, 422, "'c8', 'c9' and 39990 more, expected"),
        ({"instances": [RECORD, {"x" * 100_000: 1}]}, 422, "record 1 has keys 'xxxxxxxx"),
        (split([ROW], **{"x" * 100_000: 1}), 400, "with the key 'xxxxxxxx"),
    ],
)
def test_bad_payloads_are_refused_with_status_and_reason(
    payload, status: int, message: str
) -> None:
    contract = MLFLOW if any(key in payload for key in MLFLOW_KEYS) else AZUREML
    with pytest.raises(InvalidInputError) as caught:
        score(payload, SumModel(), contract)
    assert (caught.value.status, message in caught.value.message) == (status, True), (
        caught.value.message[:300]
    )
    assert len(caught.value.message) < 400  # names are shortened, never echoed whole


def csv_error(body: bytes) -> InvalidInputError:
    with pytest.raises(InvalidInputError) as caught:
        predict_table(csv_table(body), SumModel())
    return caught.value


def test_a_csv_index_column_is_echoed_as_written_and_rows_follow_the_header() -> None:
    reordered = ",".join(reversed(FEATURES))
    body = f"\ufeff,{reordered}\r\n\r\n007,{','.join(map(str, reversed(ROW)))}\r\n"
    columns, rows, index = csv_table(body.encode())
    assert (columns, index) == (list(reversed(FEATURES)), ["007"])
    model = SumModel()
    predict_table((columns, rows, index), model)
    assert model.seen[0][0].tolist() == np.asarray(ROW, dtype=np.float32).tolist()


def test_csv_cells_become_what_json_would_carry() -> None:
    line = '"0.5", 1e-3 ,,true,FALSE,abc,-.5,+2,inf,nan'
    _, rows, _ = csv_table(f"{HEADER}\n{line}\n".encode())
    assert rows == [[0.5, 0.001, None, True, False, "abc", -0.5, 2.0, "inf", "nan"]]


def test_a_csv_header_is_checked_before_any_row_is_read() -> None:
    error = csv_error(f'{HEADER[4:]}\n"unterminated\n'.encode())
    assert (error.status, error.message) == (
        422,
        f"missing column 'age'; expected columns: {', '.join(FEATURES)}",
    )


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        (b"", 400, "empty body: send a header line"),
        (b"\n \n", 400, "empty body: send a header line"),
        (b"\xffage", 400, "the CSV body is not UTF-8"),
        (f"{CSV_ROW}\n{CSV_ROW}\n".encode(), 400, "first line holds numbers, not column names"),
        (b"age,,sex\n1,2,3\n", 400, "CSV header: column 1 has no name"),
        (b'age,"sex\n1,2\n', 400, "unreadable CSV at line 2: unexpected end of data"),
        (f"{HEADER}\n".encode(), 422, "no rows to score"),
        (f"{HEADER}\n{CSV_ROW}\n1,2\n".encode(), 422, "CSV row 1 has 2 fields, the header has 10"),
        (f"{HEADER},age\n{CSV_ROW},1\n".encode(), 422, "11 columns, expected 10"),
        (f"{HEADER[4:]}\n{WITHOUT_AGE}\n".encode(), 422, "missing column 'age'"),
        (f"{HEADER}\n,{WITHOUT_AGE}\n".encode(), 422, "row 0, column 'age': missing value"),
        (f"{HEADER}\nnan,{WITHOUT_AGE}\n".encode(), 422, "row 0, column 'age': \"nan\" is not a"),
        (f"{HEADER}\n1e999,{WITHOUT_AGE}\n".encode(), 422, "'age': \"1e999\" is not a number"),
        (f"{HEADER}\ntrue,{WITHOUT_AGE}\n".encode(), 422, "'age': true is not a number"),
        (",".join(["c", "", *WIDE]).encode() + b"\n", 422, "40002 columns, expected 10"),
        (f'{HEADER}\n"{"1" * 200_000}"\n'.encode(), 400, "field larger than field limit"),
    ],
)
def test_bad_csv_bodies_are_refused_with_status_and_reason(
    body: bytes, status: int, message: str
) -> None:
    error = csv_error(body)
    assert (error.status, message in error.message) == (status, True), error.message[:300]


@pytest.mark.parametrize(
    "body", [b"", b"   ", b"{", b'{"input_data": [[NaN]]}', b"[1e999]", b"\xff"]
)
def test_malformed_json_is_a_400(body: bytes) -> None:
    with pytest.raises(InvalidInputError) as caught:
        parse_json(body)
    assert caught.value.status == 400
