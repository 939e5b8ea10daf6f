"""The value rules of the contract: what a cell of each type may hold, and why one is refused.

`cell_problem` is the rule for one cell, with the message every entry point shows. The table
functions apply the same rule to a whole column at once (vectorized, for files of any size) and
explain only the cells they refuse with `cell_problem`; a property test holds the two together.
In JSON, text is never a number and only true/false are booleans; in a CSV file every value is
text, so `0.5` is a number there and `true`, `false`, `1`, `0` are booleans.
"""

from __future__ import annotations

import json
import math
from functools import cache
from typing import Any

import numpy as np
import pandas as pd

from {{ cookiecutter.package_name }}.contract.schema import Column

FLOAT32_MAX = float(np.finfo(np.float32).max)
MISSING = "missing value (null, empty or NaN); missing values are refused, not imputed"
TRUE_TEXT, FALSE_TEXT = frozenset({"true", "1"}), frozenset({"false", "0"})
SHOWN_CATEGORIES = 8
# Each rule a cell can break, and how a message completes "<value> ...".
KINDS = {
    "missing": "is missing",
    "not a number": "is not a number",
    "not finite": "is not a finite number",
    "out of float32 range": "is out of float32 range",
    "not a whole number": "is not a whole number",
    "below the minimum": "is below the minimum",
    "above the maximum": "is above the maximum",
    "not a boolean": "is not true or false",
    "unknown category": "is not one of the categories",
}


def cell_problem(column: Column, value: object, *, json_value: bool, bounds: bool) -> str | None:
    """Why `value` breaks `column`'s rules, or None when it is valid (missing and nullable too)."""
    kind = cell_kind(column, value, json_value=json_value, bounds=bounds)
    return None if kind is None else describe(kind, column, value)


def cell_kind(column: Column, value: object, *, json_value: bool, bounds: bool) -> str | None:
    """Which rule `value` breaks (one of KINDS), or None when it is valid."""
    if is_missing(value):
        return None if column.nullable else "missing"
    if column.type == "boolean":
        return None if as_boolean(value, json_value) is not None else "not a boolean"
    if column.type == "category":
        key = category_key(value)
        known = key is not None and (not column.categories or key in allowed_keys(column))
        return None if known else "unknown category"
    number = as_number(value, text_is_number=not json_value)
    if number is None:
        return "not a number"
    if not math.isfinite(number):
        return "not finite"
    if abs(number) > FLOAT32_MAX:
        return "out of float32 range"
    if column.type == "integer" and not number.is_integer():
        return "not a whole number"
    if bounds and column.minimum is not None and number < column.minimum:
        return "below the minimum"
    if bounds and column.maximum is not None and number > column.maximum:
        return "above the maximum"
    return None


def describe(kind: str, column: Column, value: object) -> str:
    """The message for a cell that breaks rule `kind`."""
    if kind == "missing":
        return MISSING
    if kind == "unknown category":
        return f"{shown(value)} is not a category of {column.name!r}: {listed(column)}"
    if kind == "below the minimum":
        return f"{shown(value)} is below the minimum {column.minimum:g}"
    if kind == "above the maximum":
        return f"{shown(value)} is above the maximum {column.maximum:g}"
    return f"{shown(value)} {KINDS[kind]}"


def is_missing(value: object) -> bool:
    """Null, an empty text or NaN (of any float type, pandas' NA and NaT)."""
    if value is None or (isinstance(value, str) and value == ""):
        return True
    scalar: Any = value
    try:
        return bool(pd.isna(scalar))
    except (TypeError, ValueError):  # lists and other containers
        return False


def as_number(value: object, text_is_number: bool) -> float | None:
    """The value as a float, or None when it is no number (booleans never are)."""
    if isinstance(value, bool | np.bool_) or (isinstance(value, str) and not text_is_number):
        return None
    if isinstance(value, int | float | np.number | str):
        try:
            return float(value)
        except (ValueError, OverflowError):
            return None
    return None


def as_boolean(value: object, json_value: bool) -> bool | None:
    """The value as a boolean, or None; text and 0/1 count only outside JSON."""
    if isinstance(value, bool | np.bool_):
        return bool(value)
    if json_value:
        return None
    if isinstance(value, str):
        text = value.strip().lower()
        return True if text in TRUE_TEXT else False if text in FALSE_TEXT else None
    if isinstance(value, int | float | np.number) and value in (0, 1):  # 0/1, also 0.0/1.0
        return bool(value)
    return None


def category_key(value: object) -> str | None:
    """How a category value is compared and fed to the model: its text (1, 1.0 and "1" agree;
    a boolean is "true" or "false"); None for anything else (1.5, a list)."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool | np.bool_):
        return "true" if value else "false"
    if isinstance(value, int | np.integer):
        return str(int(value))
    if isinstance(value, float | np.floating) and float(value).is_integer():
        return str(int(value))
    return None


@cache
def allowed_keys(column: Column) -> frozenset[str]:
    """The category keys a category column accepts."""
    return frozenset(str(category) for category in column.categories)


def listed(column: Column) -> str:
    """The allowed categories, as the error message shows them."""
    names = [json.dumps(category) for category in column.categories[:SHOWN_CATEGORIES]]
    more = len(column.categories) - SHOWN_CATEGORIES
    return ", ".join(names) + (f" and {more} more" if more > 0 else "")


def shown(value: object) -> str:
    """A value as JSON, cut to 40 characters, for messages."""
    if isinstance(value, np.generic):
        value = value.item()
    try:
        text = json.dumps(value)
    except (TypeError, ValueError):
        text = repr(value)
    except RecursionError:  # JSON may nest 1,024 levels; json.dumps stops at about 1,000
        text = f"a {type(value).__name__} nested too deeply to show"
    return text if len(text) <= 40 else text[:37] + "..."
