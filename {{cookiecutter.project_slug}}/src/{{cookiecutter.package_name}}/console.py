"""Terminal output: progress on stderr, results on stdout as text or one JSON document."""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, is_dataclass
from pathlib import Path


@contextmanager
def step(label: str) -> Iterator[None]:
    """Announce a long step on stderr and report how long it took."""
    print(f"==> {label} ...", file=sys.stderr, flush=True)
    started = time.perf_counter()
    yield
    print(f"    {label}: done in {time.perf_counter() - started:.1f}s", file=sys.stderr, flush=True)


def to_data(value: object) -> object:
    """Turn results (dataclasses, paths, tuples) into JSON-ready data."""
    if is_dataclass(value) and not isinstance(value, type):
        return to_data(asdict(value))
    if isinstance(value, dict):
        return {str(key): to_data(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_data(item) for item in value]
    if isinstance(value, Path):
        return str(value)
    return value


def emit(result: object, lines: list[str], as_json: bool) -> None:
    """Print the result: one JSON document with --json, else the human-readable lines."""
    if as_json:
        print(json.dumps(to_data(result), indent=2, sort_keys=True))
    else:
        print("\n".join(lines))


def format_metrics(metrics: dict[str, float]) -> str:
    """rmse=1.2345 mae=... in a stable order."""
    return " ".join(f"{name}={value:.4f}" for name, value in metrics.items())
