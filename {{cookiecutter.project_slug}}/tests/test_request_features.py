"""The shortcuts of request validation (numeric contracts; small mixed requests) give exactly
what the contract's rules give: the same Features, or the same refusal."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from {{ cookiecutter.package_name }}.contract.inputs import features_from_rows
from {{ cookiecutter.package_name }}.contract.load import parse_contract
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import InvalidInputError
from {{ cookiecutter.package_name }}.serving.validation import request_features

from .contracts import RECORD, contract_of, records

NUMBERS = parse_contract(
    "task: regression\ntarget: {column: y}\ncolumns:\n  a: {type: number}\n"
    "  b: {type: integer}\n  c: {type: number}\n  d: {type: number, role: id}\n",
    "numbers",
)
VALUES = st.one_of(
    st.floats(allow_nan=False, allow_infinity=False),
    st.integers(min_value=-(2**63), max_value=2**64 - 1),
    st.sampled_from([0.5, 2.0, 3, 1e39, -1e39, 3.4e38]),
    st.booleans(),
    st.none(),
    st.text(max_size=2),
)
COLUMNS = st.one_of(
    st.permutations(["a", "b", "c"]),
    st.lists(st.sampled_from(["a", "b", "c", "d", "x"]), max_size=5),
)


MIXED = contract_of("binary")
MIXED_VALUES = st.one_of(
    VALUES,
    st.sampled_from(["plus", "basic", "north", "south", "gold", "", "007"]),
    st.sampled_from([1.5, 12, 12.0, -3, float("inf")]),
)
MIXED_COLUMNS = st.one_of(
    st.just(list(MIXED.feature_names)),  # the features in contract order: read without a check
    st.permutations(list(RECORD)),
    st.permutations(list(MIXED.feature_names)),
    st.lists(st.sampled_from([*RECORD, "x"]), max_size=10),
)


def outcome(function: Any, columns: list[str], rows: Any, contract: Contract = NUMBERS) -> Any:
    """The Features' numbers and categories, or the refusal's status and message."""
    try:
        features = function(contract, columns, rows)
    except InvalidInputError as exc:
        return ("refused", exc.status, exc.message)
    numbers = [[repr(value) for value in row] for row in features.numbers.tolist()]  # NaN too
    categories = {
        name: (values.dtype, values.tolist()) for name, values in features.categories.items()
    }
    return (features.numbers.dtype, features.numbers.shape, numbers, categories)


@settings(max_examples=600, deadline=None)
@given(
    columns=COLUMNS,
    rows=st.one_of(
        st.lists(st.lists(VALUES, min_size=3, max_size=3), max_size=3),
        st.lists(st.lists(VALUES, max_size=5), max_size=3),
        st.just("not rows"),
    ),
)
def test_the_numeric_shortcut_answers_as_the_contracts_rules(columns: list[str], rows: Any) -> None:
    assert outcome(request_features, columns, rows) == outcome(features_from_rows, columns, rows)


@settings(max_examples=800, deadline=None)
@given(
    columns=MIXED_COLUMNS,
    rows=st.one_of(
        st.lists(st.lists(MIXED_VALUES, min_size=9, max_size=9), max_size=3),
        st.lists(st.lists(MIXED_VALUES, min_size=7, max_size=7), max_size=3),
        st.lists(st.lists(MIXED_VALUES, max_size=10), max_size=2),
    ),
)
def test_the_mixed_shortcut_answers_as_the_contracts_rules(columns: list[str], rows: Any) -> None:
    ours = outcome(request_features, columns, rows, MIXED)
    assert ours == outcome(features_from_rows, columns, rows, MIXED)


@settings(max_examples=800, deadline=None)
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(list(RECORD)), MIXED_VALUES), min_size=1, max_size=2
    ),
    copies=st.integers(min_value=1, max_value=3),
)
def test_a_valid_record_with_any_cell_changed_gets_the_rules_answer(
    changes: list[tuple[str, Any]], copies: int
) -> None:
    columns = list(RECORD)
    changed = [RECORD[name] for name in columns]
    for name, value in changes:
        changed[columns.index(name)] = value
    rows = [[RECORD[name] for name in columns]] * (copies - 1) + [changed]
    ours = outcome(request_features, columns, rows, MIXED)
    assert ours == outcome(features_from_rows, columns, rows, MIXED)


@pytest.mark.parametrize(
    "columns", [list(RECORD), list(MIXED.feature_names)], ids=["every column", "the features"]
)
def test_the_mixed_shortcut_reads_valid_records_as_the_rules_do(columns: list[str]) -> None:
    drawn = [RECORD, *records(MIXED, 20, seed=3)]
    rows = [[record[name] for name in columns] for record in drawn]
    ours = outcome(request_features, columns, rows, MIXED)
    assert ours[0] != "refused"
    assert ours == outcome(features_from_rows, columns, rows, MIXED)


@pytest.mark.parametrize("columns", [["x", "y", "flag"], ["y", "x", "flag"], ["flag", "y", "x"]])
def test_the_mixed_shortcut_reads_each_feature_from_its_own_column(columns: list[str]) -> None:
    contract = parse_contract(
        "task: regression\ntarget: {column: t}\ncolumns:\n  x: {type: number}\n"
        "  y: {type: number}\n  flag: {type: boolean}\n",
        "two numbers and a boolean",
    )
    record = {"x": 1.5, "y": 2.5, "flag": True}
    features = request_features(contract, columns, [[record[name] for name in columns]] * 2)
    assert features.numbers.tolist() == [[1.5, 2.5, 1.0]] * 2


@pytest.mark.parametrize(
    ("rows", "message"),
    [
        ([[1.0, 2.5, 3.0]], "row 0, column 'b': 2.5 is not a whole number"),
        ([[1e39, 2, 3.0]], "row 0, column 'a': 1e+39 is out of float32 range"),
        ([[1.0, True, 3.0]], "row 0, column 'b': true is not a number"),
    ],
)
def test_the_shortcut_hands_a_broken_row_to_the_rules(rows: list, message: str) -> None:
    with pytest.raises(InvalidInputError, match=re.escape(message)):
        request_features(NUMBERS, ["a", "b", "c"], rows)


def test_plain_rows_naming_the_features_in_any_order_are_read_in_contract_order() -> None:
    features = request_features(NUMBERS, ["c", "a", "b"], [[3.0, 1.0, 2], [6.5, 4, 5]])
    assert features.numbers.dtype == np.float32
    assert features.numbers.tolist() == [[1.0, 2.0, 3.0], [4.0, 5.0, 6.5]]
