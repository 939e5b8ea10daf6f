"""The training baseline: a profile of every feature and of the model's outputs on training rows.

`train` computes it on the training split, as the model sees it (through the contract's
Features), and logs it to the training run as `baseline/baseline.json`; `package` copies it into
the model folder beside `contract.yaml`. A numeric column keeps its statistics, a quantile
histogram and its values (the KS test needs raw values: at most MAX_SAMPLE, a seeded sample
beyond); a categorical one its count per category (model/columns.py says which is which).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np

from {{ cookiecutter.package_name }}.contract.inputs import Features
from {{ cookiecutter.package_name }}.contract.schema import Contract
from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.model.baseline_checks import (
    FORMAT,
    baseline_problem,
)
from {{ cookiecutter.package_name }}.model.columns import (
    CATEGORICAL,
    NUMERIC,
    Layout,
    feature_layouts,
    feature_values,
    output_layouts,
    output_values,
)
from {{ cookiecutter.package_name }}.model.stats import (
    bin_counts,
    category_counts,
    quantile_edges,
)
from {{ cookiecutter.package_name }}.tasks.base import Prediction

BASELINE_FILE = "baseline.json"
ARTIFACT_DIR = "baseline"
ARTIFACT_PATH = f"{ARTIFACT_DIR}/{BASELINE_FILE}"
QUANTILES = (0.01, 0.05, 0.25, 0.5, 0.75, 0.95, 0.99)
MAX_SAMPLE = 10_000


def profile(values: np.ndarray, bins: int, seed: int) -> dict[str, Any]:
    """A numeric column's statistics, quantile histogram and sample (NaN counts as missing)."""
    numbers = np.asarray(values, dtype=np.float64)
    present = numbers[~np.isnan(numbers)]
    edges = quantile_edges(present, bins)
    return {
        "kind": NUMERIC,
        "count": int(present.size),
        "missing": int(numbers.size - present.size),
        "mean": float(present.mean()),
        "std": float(present.std(ddof=1)) if present.size > 1 else 0.0,
        "min": float(present.min()),
        "max": float(present.max()),
        "quantiles": {f"{q:g}": float(np.quantile(present, q)) for q in QUANTILES},
        "histogram": {"edges": edges, "counts": bin_counts(present, edges)},
        "sample": _sample(present, seed),
    }


def _sample(numbers: np.ndarray, seed: int) -> list[float]:
    if numbers.size > MAX_SAMPLE:
        numbers = np.random.default_rng(seed).choice(numbers, MAX_SAMPLE, replace=False)
    return [float(value) for value in numbers]


def category_profile(keys: np.ndarray, categories: tuple[str, ...]) -> dict[str, Any]:
    """A categorical column's count per category (in the order given)."""
    counts = category_counts(keys, categories)
    return {
        "kind": CATEGORICAL,
        "count": sum(counts),
        "categories": list(categories),
        "counts": counts,
    }


def compute(
    contract: Contract,
    features: Features,
    prediction: Prediction,
    bins: int,
    seed: int,
    data_hash: str,
) -> dict[str, Any]:
    """The baseline of the training features and the model's prediction on them."""
    return {
        "format": FORMAT,
        "task": contract.task,
        "data_hash": data_hash,
        "rows": len(features),
        "bins": bins,
        "features": _profiles(
            feature_layouts(contract), feature_values(contract, features), bins, seed
        ),
        "outputs": _profiles(
            output_layouts(contract), output_values(contract, prediction), bins, seed
        ),
    }


def _profiles(
    layouts: dict[str, Layout], values: dict[str, np.ndarray], bins: int, seed: int
) -> dict[str, dict[str, Any]]:
    profiles = {}
    for name, layout in layouts.items():
        if layout.kind == CATEGORICAL:
            profiles[name] = category_profile(values[name], layout.categories)
        elif np.isnan(values[name]).all():
            raise LifecycleError(
                f"column {name!r} has no value in the training data (every one is missing): "
                "fill it, or set its role to ignore in the contract"
            )
        else:
            profiles[name] = profile(values[name], bins, seed)
    return profiles


def read(path: Path, contract: Contract) -> dict[str, Any]:
    """Load a baseline file and check it profiles exactly the contract's features and outputs."""
    fix = (
        "use the baseline.json `train` logs with the model (`package` puts it beside contract.yaml)"
    )
    if not path.is_file():
        raise LifecycleError(f"{path}: no such baseline file; {fix}")
    try:
        baseline = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LifecycleError(f"{path}: not a drift baseline (not JSON: {exc}); {fix}") from None
    if isinstance(baseline, dict) and baseline.get("format") == 1:
        raise LifecycleError(
            f"{path}: a format-1 drift baseline, taken before the data contract; retrain "
            "(`make all`) and package the model again to get one of this contract"
        )
    problem = baseline_problem(baseline, contract)
    if problem:
        raise LifecycleError(f"{path}: not a drift baseline of this model ({problem}); {fix}")
    return baseline
