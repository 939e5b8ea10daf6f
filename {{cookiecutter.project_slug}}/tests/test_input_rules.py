"""One set of input rules, the model's contract: the same values and messages for a JSON request,
a CSV file and a Parquet file, and column checks linear in the number of names."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.batch.reader import load_input
from {{ cookiecutter.package_name }}.contract.inputs import check_request_columns
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.serving.validation import request_features

from .conftest import ROW
from .contracts import FEATURES, contract_of

CONTRACT = contract_of("numbers")
BMI = FEATURES.index("bmi")


def table(cell: Any, rows: int = 3) -> pd.DataFrame:
    """Rows of valid features with `cell` as column bmi of row 1."""
    frame = pd.DataFrame([ROW] * rows, columns=list(FEATURES)).astype(object)
    frame.at[1, "bmi"] = cell
    return frame


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    buffer = io.BytesIO()
    frame.to_parquet(buffer, index=False)
    return buffer.getvalue()


def error_of(action) -> str:
    with pytest.raises(InvalidInputError) as caught:
        action()
    return caught.value.message


def rows_features(columns: list[Any], rows: Any):
    return request_features(CONTRACT, columns, rows)


def test_valid_rows_and_tables_give_the_same_float32_features() -> None:
    frame = table(ROW[BMI])
    rows = rows_features(list(FEATURES), [ROW] * 3).numbers
    from_csv = load_input(CONTRACT, "a.csv", csv_bytes(frame)).features.numbers
    parquet = frame.astype(float)
    from_parquet = load_input(CONTRACT, "a.parquet", parquet_bytes(parquet)).features.numbers
    assert rows.dtype == from_csv.dtype == from_parquet.dtype == np.float32
    np.testing.assert_array_equal(rows, from_csv)
    np.testing.assert_array_equal(rows, from_parquet)


@pytest.mark.parametrize(
    ("json_value", "table_value", "message"),
    [
        (None, None, "row 1, column 'bmi': missing value"),
        (None, float("nan"), "row 1, column 'bmi': missing value"),
        ("abc", "abc", "row 1, column 'bmi': \"abc\" is not a number"),
        (1e39, 1e39, "row 1, column 'bmi': "),  # CSV shows its text: "1e+39"
    ],
    ids=["null", "nan", "text", "beyond-float32"],
)
def test_a_bad_cell_gets_the_same_message_from_json_csv_and_parquet(
    json_value: object, table_value: object, message: str
) -> None:
    rows = [ROW, [*ROW[:BMI], json_value, *ROW[BMI + 1 :]], ROW]
    frame = table(table_value)
    parquet_frame = frame.astype({"bmi": str if isinstance(table_value, str) else float})
    messages = {
        "json": error_of(lambda: rows_features(list(FEATURES), rows)),
        "csv": error_of(lambda: load_input(CONTRACT, "a.csv", csv_bytes(frame))),
        "parquet": error_of(
            lambda: load_input(CONTRACT, "a.parquet", parquet_bytes(parquet_frame))
        ),
    }
    if json_value == 1e39:
        assert all("1e+39" in text and "out of float32 range" in text for text in messages.values())
    assert {path: text.startswith(message) for path, text in messages.items()} == {
        "json": True,
        "csv": True,
        "parquet": True,
    }, messages


def test_a_nan_in_a_float32_parquet_column_is_a_missing_value() -> None:
    frame = table(float("nan")).astype(np.float32)
    assert error_of(lambda: load_input(CONTRACT, "a.parquet", parquet_bytes(frame))).startswith(
        "row 1, column 'bmi': missing value"
    )


def test_infinity_in_a_table_is_refused_and_named() -> None:
    frame = table(float("inf"))
    parquet = parquet_bytes(frame.astype(float))
    assert error_of(lambda: load_input(CONTRACT, "a.parquet", parquet)) == (
        "row 1, column 'bmi': Infinity is not a finite number"
    )
    csv = csv_bytes(frame)
    assert "is not a finite number" in error_of(lambda: load_input(CONTRACT, "a.csv", csv))


def test_json_text_is_never_a_number_but_csv_text_is() -> None:
    rows = [[*ROW[:BMI], "0.5", *ROW[BMI + 1 :]]]
    assert error_of(lambda: rows_features(list(FEATURES), rows)) == (
        "row 0, column 'bmi': \"0.5\" is not a number"
    )
    batch = load_input(CONTRACT, "a.csv", csv_bytes(table("0.5")))
    assert batch.features.numbers[1, BMI] == np.float32(0.5)


def test_booleans_are_not_numbers_in_json_or_parquet() -> None:
    rows = [[True, *ROW[1:]]]
    assert error_of(lambda: rows_features(list(FEATURES), rows)).endswith(
        "column 'age': true is not a number"
    )
    frame = pd.DataFrame([ROW] * 2, columns=list(FEATURES)).assign(sex=[True, False])
    assert "column 'sex': true is not a number" in error_of(
        lambda: load_input(CONTRACT, "a.parquet", parquet_bytes(frame))
    )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ([*FEATURES[:-1]], "missing column 's6'; expected columns: age, sex"),
        ([*FEATURES, "extra"], "11 columns, more than the contract's 10; expected columns: age"),
        ([*FEATURES[:-1], "extra"], "unknown column 'extra'; expected columns: age, sex"),
        ([*FEATURES[:-1], "age"], "duplicate column 'age'"),
    ],
)
def test_json_columns_must_be_the_features_and_the_contracts_other_columns(
    columns: list[str], message: str
) -> None:
    rows = [[0.0] * len(columns)]
    assert message in error_of(lambda: rows_features(columns, rows))


class CountedName(str):
    """A column name that counts how often it is compared for equality."""

    __hash__ = str.__hash__
    comparisons = 0

    def __eq__(self, other: object) -> bool:
        CountedName.comparisons += 1
        return str.__eq__(self, other)


def test_column_checks_are_linear_in_the_number_of_names() -> None:
    contract = contract_of("binary")  # 9 columns: names are read one by one up to that width
    names = [CountedName(name) for name in ("plan", "tenure", "x", "monthly", "region", "note")]
    CountedName.comparisons = 0
    assert error_of(lambda: check_request_columns(contract, names)) == (
        "unknown column 'x'; expected columns: tenure, monthly, visits, plan, region, paperless, "
        "autopay"
    )
    assert CountedName.comparisons < 4 * len(names)
    duplicated = [*names[:2], CountedName("plan")]
    assert error_of(lambda: check_request_columns(contract, duplicated)) == (
        "duplicate column 'plan'"
    )


def test_a_request_with_more_columns_than_the_contract_is_refused_before_reading_them() -> None:
    names = [CountedName(f"c{number}") for number in range(40_000)]
    CountedName.comparisons = 0
    assert error_of(lambda: rows_features(names, [[0.0] * 40_000])).startswith(
        "40000 columns, more than the contract's 10; expected columns: age, sex"
    )
    assert CountedName.comparisons == 0


def test_tables_may_carry_extra_columns_but_not_lack_a_feature() -> None:
    frame = table(0.1).assign(patient="p")
    batch = load_input(CONTRACT, "a.csv", csv_bytes(frame))
    assert batch.features.numbers.shape == (3, len(FEATURES))
    assert "missing column 's6'" in error_of(
        lambda: load_input(CONTRACT, "a.csv", csv_bytes(frame.drop(columns="s6")))
    )


def test_an_input_without_rows_is_refused_everywhere() -> None:
    header_only = ",".join(FEATURES).encode() + b"\n"
    assert error_of(lambda: rows_features(list(FEATURES), [])).startswith("no rows to score")
    assert error_of(lambda: load_input(CONTRACT, "a.csv", header_only)).startswith(
        "no rows to score"
    )
