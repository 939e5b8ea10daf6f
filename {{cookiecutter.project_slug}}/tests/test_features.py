"""The one input contract: the same rules and the same messages for JSON rows and tables."""

from __future__ import annotations

import io
from typing import Any

import numpy as np
import pandas as pd
import pytest

from {{ cookiecutter.package_name }}.batch.reader import load_input
from {{ cookiecutter.package_name }}.features import (
    FEATURES,
    InvalidInputError,
    check_columns,
    matrix_from_columns,
    matrix_from_rows,
)

from .conftest import ROW

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


def test_valid_rows_and_tables_give_the_same_float32_matrix() -> None:
    frame = table(ROW[BMI])
    rows = matrix_from_rows(list(FEATURES), [ROW] * 3)
    columns = matrix_from_columns({name: frame[name] for name in FEATURES})
    from_csv = load_input("a.csv", csv_bytes(frame)).matrix
    assert rows.dtype == columns.dtype == from_csv.dtype == np.float32
    np.testing.assert_array_equal(rows, columns)
    np.testing.assert_array_equal(rows, from_csv)


@pytest.mark.parametrize(
    ("json_value", "table_value", "message"),
    [
        (None, None, "row 1, column 'bmi': missing value"),
        (None, float("nan"), "row 1, column 'bmi': missing value"),
        ("abc", "abc", "row 1, column 'bmi': \"abc\" is not a number"),
        (1e39, 1e39, "row 1, column 'bmi': 1e+39 is out of float32 range"),
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
        "json": error_of(lambda: matrix_from_rows(list(FEATURES), rows)),
        "csv": error_of(lambda: load_input("a.csv", csv_bytes(frame))),
        "parquet": error_of(lambda: load_input("a.parquet", parquet_bytes(parquet_frame))),
    }
    assert {path: text.startswith(message) for path, text in messages.items()} == {
        "json": True,
        "csv": True,
        "parquet": True,
    }, messages


def test_a_nan_in_a_float32_parquet_column_is_a_missing_value() -> None:
    frame = table(float("nan")).astype(np.float32)
    assert error_of(lambda: load_input("a.parquet", parquet_bytes(frame))).startswith(
        "row 1, column 'bmi': missing value"
    )


def test_infinity_in_a_table_is_refused_and_named() -> None:
    frame = table(float("inf"))
    assert error_of(lambda: load_input("a.parquet", parquet_bytes(frame.astype(float)))) == (
        "row 1, column 'bmi': Infinity is not a finite number"
    )
    assert "is not a finite number" in error_of(lambda: load_input("a.csv", csv_bytes(frame)))


def test_json_text_is_never_a_number_but_csv_text_is() -> None:
    rows = [[*ROW[:BMI], "0.5", *ROW[BMI + 1 :]]]
    assert error_of(lambda: matrix_from_rows(list(FEATURES), rows)) == (
        "row 0, column 'bmi': \"0.5\" is not a number"
    )
    assert load_input("a.csv", csv_bytes(table("0.5"))).matrix[1, BMI] == np.float32(0.5)


def test_booleans_are_not_numbers_in_json_or_parquet() -> None:
    rows = [[True, *ROW[1:]]]
    assert error_of(lambda: matrix_from_rows(list(FEATURES), rows)).endswith(
        "column 'age': true is not a number"
    )
    frame = pd.DataFrame([ROW] * 2, columns=list(FEATURES)).assign(sex=[True, False])
    assert "column 'sex': true is not a number" in error_of(
        lambda: load_input("a.parquet", parquet_bytes(frame))
    )


@pytest.mark.parametrize(
    ("columns", "message"),
    [
        ([*FEATURES[:-1]], "missing column 's6'; expected columns: age, sex"),
        ([*FEATURES, "extra"], "11 columns, expected 10: age, sex, bmi"),
        ([*FEATURES[:-1], "age"], "duplicate column 'age'"),
    ],
)
def test_json_columns_must_be_exactly_the_features(columns: list[str], message: str) -> None:
    rows = [[0.0] * len(columns)]
    assert message in error_of(lambda: matrix_from_rows(columns, rows))


class CountedName(str):
    """A column name that counts how often it is compared for equality."""

    __hash__ = str.__hash__
    comparisons = 0

    def __eq__(self, other: object) -> bool:
        CountedName.comparisons += 1
        return str.__eq__(self, other)


def test_column_checks_are_linear_in_the_number_of_names() -> None:
    names = [CountedName(f"c{number}") for number in range(2_000)]
    CountedName.comparisons = 0
    error = error_of(lambda: check_columns(names, allow_extra=True))
    assert error.startswith("missing column 'age'")
    assert CountedName.comparisons < 4 * len(names)  # a count per name: 4 million
    CountedName.comparisons = 0
    duplicated = [*names, CountedName("c0")]
    assert error_of(lambda: check_columns(duplicated, allow_extra=True)) == "duplicate column 'c0'"
    assert CountedName.comparisons < 4 * len(names)


def test_a_request_with_more_columns_than_features_is_refused_before_reading_them() -> None:
    names = [CountedName(f"c{number}") for number in range(40_000)]
    CountedName.comparisons = 0
    assert error_of(lambda: matrix_from_rows(names, [[0.0] * 40_000])).startswith(
        "40000 columns, expected 10: age, sex"
    )
    assert CountedName.comparisons == 0


def test_tables_may_carry_extra_columns_but_not_lack_a_feature() -> None:
    frame = table(0.1).assign(patient="p")
    assert load_input("a.csv", csv_bytes(frame)).matrix.shape == (3, len(FEATURES))
    assert "missing column 's6'" in error_of(
        lambda: load_input("a.csv", csv_bytes(frame.drop(columns="s6")))
    )


def test_an_input_without_rows_is_refused_everywhere() -> None:
    header_only = ",".join(FEATURES).encode() + b"\n"
    assert error_of(lambda: matrix_from_rows(list(FEATURES), [])).startswith("no rows to score")
    assert error_of(lambda: load_input("a.csv", header_only)).startswith("no rows to score")
