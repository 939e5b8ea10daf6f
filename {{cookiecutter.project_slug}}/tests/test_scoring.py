"""The scoring core: every request form of both routes, the model's contract, exact errors."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.model.folder import ModelCard, load_model_dir
from {{ cookiecutter.package_name }}.serving.csv_table import csv_table
from {{ cookiecutter.package_name }}.serving.scoring import (
    AZUREML,
    MLFLOW,
    MLFLOW_KEYS,
    extract_table,
    parse_json,
    predict_table,
    score,
)
from {{ cookiecutter.package_name }}.serving.server import APIS
from {{ cookiecutter.package_name }}.tasks.base import Prediction

from .conftest import ROW
from .contracts import FEATURES, RECORD, contract_of
from .serving_fixtures import CSV_TYPE, request_forms

OTHER_ROW = [-0.01, 0.05, -0.02, 0.03, 0.01, 0.02, -0.03, 0.03, -0.01, 0.04]
FORMS = request_forms([ROW, OTHER_ROW])
HEADER = ",".join(FEATURES)
CSV_ROW = ",".join(map(str, ROW))
WITHOUT_AGE = ",".join(map(str, ROW[1:]))
WIDE = {f"c{number}": 0 for number in range(40_000)}
RECORD_10 = dict(zip(FEATURES, ROW, strict=True))
NAMED = {name: [value] for name, value in RECORD_10.items()}
TOO_WIDE = "columns, more than the contract's 10; expected columns: age, sex, bmi"


class SumModel:
    """Predicts the weighted row sum, so tests can see which values reached the model in what
    order; with the mixed binary contract it records what it was given and says `stay`."""

    card = ModelCard("fake", "3")

    def __init__(self, name: str = "numbers") -> None:
        self.contract = contract_of(name)
        self.seen: list[Features] = []

    def predict(self, features: Features) -> Prediction:
        self.seen.append(features)
        if not self.contract.is_classification:
            weights = np.arange(1, features.numbers.shape[1] + 1)
            return Prediction(features.numbers.astype(np.float64) @ weights)
        probabilities = np.tile([0.25, 0.75], (len(features), 1))
        return Prediction(np.array(["stay"] * len(features)), probabilities)


def expected(row: list[float]) -> float:
    return float(np.asarray(row, dtype=np.float32).astype(np.float64) @ np.arange(1, 11))


def split(data, columns=FEATURES, **extra) -> dict:
    return {"input_data": {"columns": list(columns), "data": data, **extra}}


def test_split_orientation_scores_each_row_and_echoes_the_index() -> None:
    result = score(split([ROW, ROW], index=[10, 11]), SumModel())
    assert result["index"] == [10, 11]
    assert result["predictions"] == pytest.approx([expected(ROW)] * 2)


def test_columns_in_another_order_are_reordered_to_the_contract() -> None:
    model = SumModel()
    score(split([list(reversed(ROW))], columns=reversed(FEATURES)), model)
    assert model.seen[0].numbers[0].tolist() == pytest.approx(ROW, rel=1e-6)


def test_tensor_form_is_a_list_of_rows_in_contract_order() -> None:
    result = score({"input_data": [ROW]}, SumModel())
    assert result["predictions"] == pytest.approx([expected(ROW)])
    assert list(result) == ["predictions"]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_reaches_the_model_as_the_same_rows_in_contract_order(form: str) -> None:
    path, media, body = FORMS[form]
    model = SumModel()
    contract = model.contract
    table = (
        csv_table(contract, body)
        if media == CSV_TYPE
        else extract_table(parse_json(body), APIS[path], contract)
    )
    predict_table(table, model)
    assert model.seen[0].numbers.tolist() == np.asarray([ROW, OTHER_ROW], np.float32).tolist()


def test_invocations_wants_an_mlflow_key_not_the_azure_ml_envelope() -> None:
    with pytest.raises(InvalidInputError, match=r"exactly one of .* \(got none\)"):
        score({"input_data": [ROW]}, SumModel(), MLFLOW)


def test_mlflow_split_and_records_forms_agree() -> None:
    by_split = score(
        {"dataframe_split": {"columns": list(FEATURES), "data": [ROW]}}, SumModel(), MLFLOW
    )
    by_records = score({"dataframe_records": [RECORD_10]}, SumModel(), MLFLOW)
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
        (split([[*ROW, 1.0]], columns=[*FEATURES, "extra"]), 422, f"11 {TOO_WIDE}"),
        (split([ROW], columns=[*FEATURES[:-1], "extra"]), 422, "unknown column 'extra'; expected"),
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
        (split([ROW], columns=[f"c{n}" for n in range(40_000)]), 422, f"40000 {TOO_WIDE}"),
        ({"dataframe_records": [dict.fromkeys(map(str, range(11)), 0)]}, 422, f"11 {TOO_WIDE}"),
        ({"dataframe_records": [RECORD_10, {"sex": 2}]}, 422, "record 1 has keys 'sex', expected"),
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
        ({"instances": [RECORD_10, ROW]}, 400, "item 1 is a list"),
        ({"input_data": [ROW, RECORD_10]}, 422, "row 1 has dict values"),
        ({"input_data": {name: "not a list" for name in WIDE}}, 422, f"40000 {TOO_WIDE}"),
        ({"inputs": {name: [0] for name in WIDE}}, 422, f"40000 {TOO_WIDE}"),
        ({"instances": [WIDE]}, 422, f"40000 {TOO_WIDE}"),
        ({"instances": [RECORD_10, WIDE]}, 422, "'c8', 'c9' and 39990 more, expected"),
        ({"instances": [RECORD_10, {"x" * 100_000: 1}]}, 422, "record 1 has keys 'xxxxxxxx"),
        (split([ROW], **{"x" * 100_000: 1}), 400, "with the key 'xxxxxxxx"),
    ],
)
def test_bad_payloads_are_refused_with_status_and_reason(
    payload, status: int, message: str
) -> None:
    api = MLFLOW if any(key in payload for key in MLFLOW_KEYS) else AZUREML
    with pytest.raises(InvalidInputError) as caught:
        score(payload, SumModel(), api)
    assert (caught.value.status, message in caught.value.message) == (status, True), (
        caught.value.message[:300]
    )
    assert len(caught.value.message) < 400  # names are shortened, never echoed whole


def test_a_classifier_answers_labels_probabilities_and_classes_in_contract_order(
    binary_dir: Path, multiclass_dir: Path
) -> None:
    for folder in (binary_dir, multiclass_dir):
        model = load_model_dir(folder)
        result = score({"input_data": [RECORD, RECORD]}, model)
        classes = list(model.contract.target.classes)
        assert list(result) == ["predictions", "probabilities", "classes"]
        assert result["classes"] == classes
        assert all(label in classes for label in result["predictions"])
        assert np.asarray(result["probabilities"]).shape == (2, len(classes))
        assert np.allclose(np.sum(result["probabilities"], axis=1), 1.0, atol=1e-6)


def test_a_mixed_regression_answers_one_value_per_row_as_scikit_learn_does(
    regression_dir: Path,
) -> None:
    second = {**RECORD, "plan": "pro", "region": "south", "monthly": None, "autopay": None}
    body = {"input_data": [RECORD, second]}
    served = score(body, load_model_dir(regression_dir))
    sklearn = score(body, load_model_dir(regression_dir, prefer_onnx=False))
    assert list(served) == ["predictions"]
    assert [isinstance(value, float) for value in served["predictions"]] == [True, True]
    assert served["predictions"][0] != served["predictions"][1]
    assert np.allclose(served["predictions"], sklearn["predictions"], atol=1e-3)


def test_id_and_ignored_columns_are_accepted_and_never_reach_the_model() -> None:
    with_extras, without = SumModel("binary"), SumModel("binary")
    features = {
        name: value for name, value in RECORD.items() if name not in ("customer_id", "note")
    }
    score({"input_data": [RECORD]}, with_extras)
    score({"dataframe_records": [features]}, without, MLFLOW)
    given, plain = with_extras.seen[0], without.seen[0]
    assert sorted(given.categories) == ["plan", "region"]
    assert given.numbers.tolist() == plain.numbers.tolist() == [[12.0, 70.5, 3.0, 1.0, 0.0]]
    assert {name: list(values) for name, values in given.categories.items()} == {
        "plan": ["plus"],
        "region": [""],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"plan": "gold"}, 'row 0, column \'plan\': "gold" is not a category of \'plan\': "basic", '
         '"plus", "pro"'),
        ({"paperless": "true"}, "row 0, column 'paperless': \"true\" is not true or false"),
        ({"paperless": 1}, "row 0, column 'paperless': 1 is not true or false"),
        ({"tenure": 1.5}, "row 0, column 'tenure': 1.5 is not a whole number"),
        ({"tenure": "12"}, "row 0, column 'tenure': \"12\" is not a number"),
        ({"plan": None}, "row 0, column 'plan': missing value"),
        ({"region": "east"}, "is not a category of 'region': \"north\", \"south\""),
        ({"nickname": "x"}, "unknown column 'nickname'; expected columns: tenure, monthly, visits"),
    ],
)  # fmt: skip
def test_a_mixed_request_breaking_the_contract_is_a_422_naming_column_and_rule(
    change: dict, message: str
) -> None:
    record = {name: value for name, value in RECORD.items() if name != "note"}  # 8 of 9 columns
    with pytest.raises(InvalidInputError) as caught:
        score({"input_data": [{**record, **change}]}, SumModel("binary"))
    assert caught.value.status == 422
    assert message in caught.value.message, caught.value.message


def test_a_csv_body_reads_each_cell_as_its_column_type_says() -> None:
    header = "customer_id,tenure,monthly,visits,plan,region,paperless,autopay,note"
    body = f"{header}\n007,12,,4,plus,,1,,0.5\n008,3,9.5,,pro,south,FALSE,true,\n".encode()
    columns, rows, _ = csv_table(contract_of("binary"), body)
    assert columns == header.split(",")
    assert rows == [
        ["007", 12.0, None, 4.0, "plus", None, True, None, "0.5"],
        ["008", 3.0, 9.5, None, "pro", "south", False, True, None],
    ]
    model = SumModel("binary")
    predict_table((columns, rows, None), model)
    np.testing.assert_array_equal(
        model.seen[0].numbers, [[12.0, np.nan, 4.0, 1.0, np.nan], [3.0, 9.5, np.nan, 0.0, 1.0]]
    )
    assert model.seen[0].categories["region"].tolist() == ["", "south"]


def csv_error(body: bytes) -> InvalidInputError:
    model = SumModel()
    with pytest.raises(InvalidInputError) as caught:
        predict_table(csv_table(model.contract, body), model)
    return caught.value


def test_a_csv_index_column_is_echoed_as_written_and_rows_follow_the_header() -> None:
    reordered = ",".join(reversed(FEATURES))
    body = f"\ufeff,{reordered}\r\n\r\n007,{','.join(map(str, reversed(ROW)))}\r\n"
    model = SumModel()
    columns, rows, index = csv_table(model.contract, body.encode())
    assert (columns, index) == (list(reversed(FEATURES)), ["007"])
    predict_table((columns, rows, index), model)
    assert model.seen[0].numbers[0].tolist() == np.asarray(ROW, dtype=np.float32).tolist()


def test_csv_cells_of_number_columns_become_what_json_would_carry() -> None:
    line = '"0.5", 1e-3 ,,true,FALSE,abc,-.5,+2,inf,nan'
    _, rows, _ = csv_table(contract_of("numbers"), f"{HEADER}\n{line}\n".encode())
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
        (f"{HEADER},age\n{CSV_ROW},1\n".encode(), 422, f"11 {TOO_WIDE}"),
        (f"{HEADER[4:]}\n{WITHOUT_AGE}\n".encode(), 422, "missing column 'age'"),
        (f"{HEADER}\n,{WITHOUT_AGE}\n".encode(), 422, "row 0, column 'age': missing value"),
        (f"{HEADER}\nnan,{WITHOUT_AGE}\n".encode(), 422, "row 0, column 'age': \"nan\" is not a"),
        (f"{HEADER}\n1e999,{WITHOUT_AGE}\n".encode(), 422, "'age': \"1e999\" is not a number"),
        (f"{HEADER}\ntrue,{WITHOUT_AGE}\n".encode(), 422, "'age': true is not a number"),
        (",".join(["c", "", *WIDE]).encode() + b"\n", 422, f"40002 {TOO_WIDE}"),
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
