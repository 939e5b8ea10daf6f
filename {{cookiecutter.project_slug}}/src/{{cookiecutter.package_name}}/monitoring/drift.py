"""One column compared with its baseline profile under the drift rule (PSI AND a test).

Numeric: PSI on the baseline's quantile bins and the two-sample KS test on the present values.
When either side has missing values (a nullable column), "missing" is one more bin of the PSI and
the test is the stronger of KS and a chi-square test of the missing share, Bonferroni-corrected
(p = min(1, 2 min(p_KS, p_chi2))). Categorical: PSI over the category shares and the chi-square
test of the current counts against the reference shares (model/stats.py).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from {{ cookiecutter.package_name }}.model.columns import (
    CATEGORICAL,
    MISSING,
    NUMERIC,
)
from {{ cookiecutter.package_name }}.model.stats import (
    bin_counts,
    category_counts,
    chi_square_p_value,
    ks_p_value,
    psi,
)
from {{ cookiecutter.package_name }}.monitoring.config import DriftSettings

MISSING_LABEL = "(missing)"


@dataclass(frozen=True)
class ColumnDrift:
    """One feature (or model output) compared with its baseline; `labels` name the counts."""

    name: str
    kind: str  # NUMERIC or CATEGORICAL
    test: str  # "KS", "KS+chi-square" (numeric with missing values) or "chi-square"
    psi: float
    p_value: float
    drifted: bool
    labels: list[str]
    reference_counts: list[int]
    current_counts: list[int]
    reference_mean: float | None = None
    current_mean: float | None = None
    edges: list[float] = field(default_factory=list)

    def line(self) -> str:
        """`bmi (PSI 0.84, p=1e-09)`."""
        return f"{self.name} (PSI {self.psi:.2f}, p={self.p_value:.2g})"

    def shift(self) -> str:
        """What moved: the means, or the category whose share moved most."""
        if self.kind != CATEGORICAL:
            current = (
                "none (all missing)" if self.current_mean is None else f"{self.current_mean:.4g}"
            )
            return f"mean {self.reference_mean:.4g} -> {current}"
        reference = np.asarray(self.reference_counts) / max(sum(self.reference_counts), 1)
        current_shares = np.asarray(self.current_counts) / max(sum(self.current_counts), 1)
        most = int(np.argmax(np.abs(current_shares - reference)))
        return f"{self.labels[most]}: {reference[most]:.1%} -> {current_shares[most]:.1%}"


def compare(
    name: str, profile: dict[str, Any], values: np.ndarray, rule: DriftSettings
) -> ColumnDrift:
    """Compare current values (numbers, or category keys) with a baseline column profile."""
    if profile.get("kind") == CATEGORICAL:
        return compare_categories(name, profile, values, rule)
    return compare_numbers(name, profile, values, rule)


def compare_numbers(
    name: str, profile: dict[str, Any], values: np.ndarray, rule: DriftSettings
) -> ColumnDrift:
    """A numeric column: PSI on the baseline's bins (and missing values), KS (and chi-square)."""
    numbers = np.asarray(values, dtype=np.float64)
    present = numbers[~np.isnan(numbers)]
    edges = list(profile["histogram"]["edges"])
    labels, reference = bin_labels(edges), list(profile["histogram"]["counts"])
    current = bin_counts(present, edges)
    sample = np.asarray(profile["sample"], dtype=np.float64)
    p_values = [ks_p_value(sample, present)] if present.size else []
    missing = (int(profile["missing"]), int(numbers.size - present.size))
    if any(missing):  # missing values are one more bin, and their share one more test
        p_values.append(
            chi_square_p_value([sum(reference), missing[0]], [present.size, missing[1]])
        )
        labels, reference, current = (
            [*labels, MISSING_LABEL],
            [*reference, missing[0]],
            [*current, missing[1]],
        )
    p_value = min(1.0, len(p_values) * min(p_values))  # Bonferroni over the tests run
    index = psi(reference, current)
    return ColumnDrift(
        name=name,
        kind=NUMERIC,
        test="KS+chi-square" if any(missing) else "KS",
        psi=index,
        p_value=p_value,
        drifted=is_drift(index, p_value, rule),
        labels=labels,
        reference_counts=reference,
        current_counts=current,
        reference_mean=float(profile["mean"]),
        current_mean=float(present.mean()) if present.size else None,
        edges=edges,
    )


def compare_categories(
    name: str, profile: dict[str, Any], keys: np.ndarray, rule: DriftSettings
) -> ColumnDrift:
    """A categorical column: PSI over the category shares and the chi-square test."""
    categories = list(profile["categories"])
    reference, current = list(profile["counts"]), category_counts(keys, categories)
    index, p_value = psi(reference, current), chi_square_p_value(reference, current)
    return ColumnDrift(
        name=name,
        kind=CATEGORICAL,
        test="chi-square",
        psi=index,
        p_value=p_value,
        drifted=is_drift(index, p_value, rule),
        labels=[MISSING_LABEL if category == MISSING else category for category in categories],
        reference_counts=reference,
        current_counts=current,
    )


def is_drift(index: float, p_value: float, rule: DriftSettings) -> bool:
    """The rule: PSI above the threshold AND the test rejecting at the p-value."""
    return index > rule.psi_threshold and p_value < rule.p_value


def bin_labels(edges: list[float]) -> list[str]:
    """`(low, high]` per quantile bin, the outer ones open-ended."""
    bounds = ["-inf", *(f"{edge:.3g}" for edge in edges), "inf"]
    return [f"({low}, {high}]" for low, high in itertools.pairwise(bounds)]
