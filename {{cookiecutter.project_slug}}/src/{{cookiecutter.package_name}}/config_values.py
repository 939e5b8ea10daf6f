"""The value rules of mlops.toml's settings: each reads one value and names its key when refused."""

from __future__ import annotations


def fraction(key: str, value: object) -> float:
    """A number in [0, 1)."""
    number = float(value)  # type: ignore[arg-type]
    if not 0 <= number < 1:
        raise ValueError(f"{key} must be a fraction in [0, 1), got {value!r}")
    return number


def share(key: str, value: object) -> float:
    """A number in [0, 1], both ends included."""
    number = float(value)  # type: ignore[arg-type]
    if not 0 <= number <= 1:
        raise ValueError(f"{key} must be between 0 and 1, got {value!r}")
    return number


def positive(key: str, value: object) -> float:
    """A number above 0."""
    number = float(value)  # type: ignore[arg-type]
    if not number > 0:
        raise ValueError(f"{key} must be a positive number, got {value!r}")
    return number


def at_least(key: str, value: object, low: int) -> int:
    """A whole number (TOML integer) of at least ``low``."""
    if not isinstance(value, int) or value < low:
        raise ValueError(f"{key} must be a whole number >= {low}, got {value!r}")
    return value
