"""The training baseline: per-column statistics, quantile histograms and the reference sample.

`train` computes it on the training split, as the model sees it (float32, through the input
contract), for every feature and for the model's predictions, and logs it to the training run as
`baseline/baseline.json`; `package` copies it into the model folder. The KS test needs raw values,
so each column keeps its training values (at most MAX_SAMPLE of them, a seeded sample beyond).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.features import FEATURES
from {{ cookiecutter.package_name }}.monitoring.drift import bin_counts, quantile_edges

FORMAT = 1
BASELINE_FILE = "baseline.json"
ARTIFACT_DIR = "baseline"
ARTIFACT_PATH = f"{ARTIFACT_DIR}/{BASELINE_FILE}"
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
MAX_SAMPLE = 10_000
PROFILE_KEYS = ("count", "mean", "std", "min", "max", "quantiles", "histogram", "sample")


def profile(values: np.ndarray, bins: int, seed: int) -> dict[str, Any]:
    """One column's statistics, its quantile histogram and its reference sample."""
    numbers = np.asarray(values, dtype=np.float64)
    edges = quantile_edges(numbers, bins)
    return {
        "count": int(numbers.size),
        "mean": float(numbers.mean()),
        "std": float(numbers.std(ddof=1)) if numbers.size > 1 else 0.0,
        "min": float(numbers.min()),
        "max": float(numbers.max()),
        "quantiles": {f"{q:g}": float(np.quantile(numbers, q)) for q in QUANTILES},
        "histogram": {"edges": edges, "counts": bin_counts(numbers, edges)},
        "sample": _sample(numbers, seed),
    }


def _sample(numbers: np.ndarray, seed: int) -> list[float]:
    if numbers.size > MAX_SAMPLE:
        numbers = np.random.default_rng(seed).choice(numbers, MAX_SAMPLE, replace=False)
    return [float(value) for value in numbers]


def compute(
    matrix: np.ndarray, predictions: np.ndarray, bins: int, seed: int, data_hash: str
) -> dict[str, Any]:
    """The baseline of a float32 feature matrix (FEATURES order) and the model's predictions."""
    return {
        "format": FORMAT,
        "data_hash": data_hash,
        "rows": len(matrix),
        "bins": bins,
        "features": {name: profile(matrix[:, i], bins, seed) for i, name in enumerate(FEATURES)},
        "prediction": profile(predictions, bins, seed),
    }


def read(path: Path) -> dict[str, Any]:
    """Load and check a baseline file; say what is wrong and which file to use instead."""
    fix = "pass the baseline.json that `train` logs with the model (`package` copies it)"
    if not path.is_file():
        raise LifecycleError(f"{path}: no such baseline file; {fix}")
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
        problem = _problem(baseline)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        problem = f"not JSON: {exc}"
    if problem:
        raise LifecycleError(f"{path}: not a drift baseline ({problem}); {fix}")
    return baseline


def _problem(baseline: object) -> str:
    if not isinstance(baseline, dict) or baseline.get("format") != FORMAT:
        return f"expected a JSON object with format {FORMAT}"
    features = baseline.get("features")
    if not isinstance(features, dict) or sorted(features) != sorted(FEATURES):
        return f"expected profiles of the features {', '.join(FEATURES)}"
    for name, column in [*features.items(), ("prediction", baseline.get("prediction"))]:
        if not isinstance(column, dict) or any(key not in column for key in PROFILE_KEYS):
            return f"column {name!r} lacks one of {', '.join(PROFILE_KEYS)}"
        histogram = column["histogram"]
        if len(histogram["counts"]) != len(histogram["edges"]) + 1 or not column["sample"]:
            return f"column {name!r} has an inconsistent histogram or an empty sample"
    return ""
