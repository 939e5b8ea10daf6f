"""Pure drift statistics: quantile bins, category counts, PSI, the KS and chi-square tests.

A numeric column (a number, an integer, a regression's predictions, a binary classifier's
positive-class probability) is compared on the baseline's quantile bins with the population
stability index and the two-sample Kolmogorov-Smirnov test; a categorical one (a category, a
boolean, a classifier's predicted labels) on its category shares with the PSI and Pearson's
chi-square test of the current counts against the reference shares. Either way a column drifts
when its PSI exceeds the threshold AND the test rejects "same distribution" at the p-value: PSI
alone is noisy on small samples, a test alone flags tiny but harmless shifts on large ones.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

# Share given to an empty bin or category so that the PSI stays finite (empty on one side only).
EPSILON = 1e-4


def quantile_edges(values: np.ndarray, bins: int) -> list[float]:
    """The inner edges of `bins` quantile bins; ties merge bins (a two-valued column gets two)."""
    inner = np.quantile(np.asarray(values, dtype=np.float64), np.linspace(0, 1, bins + 1)[1:-1])
    return [float(edge) for edge in np.unique(inner)]


def bin_counts(values: np.ndarray, edges: list[float]) -> list[int]:
    """Counts per bin: bin i holds (edges[i-1], edges[i]]; the outer bins are open-ended."""
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="left")
    return [int(count) for count in np.bincount(index, minlength=len(edges) + 1)]


def category_counts(keys: np.ndarray, categories: Sequence[str]) -> list[int]:
    """Counts per category, in the order given; a value outside the categories is a ValueError."""
    counts = pd.Series(keys, dtype=object).value_counts(dropna=False)
    known = set(categories)
    unknown = [key for key in counts.index if key not in known]
    if unknown:
        raise ValueError(f"{unknown[0]!r} is not one of the categories {list(categories)}")
    return [int(counts.get(category, 0)) for category in categories]


def psi(reference_counts: Sequence[int], current_counts: Sequence[int]) -> float:
    """Population stability index of two histograms on the same bins (shares floored at EPSILON)."""
    if len(reference_counts) != len(current_counts):
        raise ValueError("the histograms must have the same bins")
    reference, current = _shares(reference_counts), _shares(current_counts)
    return float(np.sum((current - reference) * np.log(current / reference)))


def _shares(counts: Sequence[int] | np.ndarray) -> np.ndarray:
    numbers = np.asarray(counts, dtype=np.float64)
    total = numbers.sum()
    if total == 0:
        raise ValueError("a histogram without values has no shares")
    return np.maximum(numbers / total, EPSILON)


def ks_p_value(reference: np.ndarray, current: np.ndarray) -> float:
    """p-value of the two-sided two-sample Kolmogorov-Smirnov test."""
    from scipy.stats import ks_2samp

    return float(ks_2samp(reference, current).pvalue)


def chi_square_p_value(reference_counts: Sequence[int], current_counts: Sequence[int]) -> float:
    """p-value of Pearson's chi-square test of the current counts against the reference shares.

    The reference shares are floored at EPSILON as for the PSI (so a category the reference never
    held makes the statistic large, not infinite) and scaled to the current total; categories
    empty on both sides are left out. With one category left both sides agree: p = 1.
    """
    from scipy.stats import chisquare

    if len(reference_counts) != len(current_counts):
        raise ValueError("the counts must have the same categories")
    reference = np.asarray(reference_counts, dtype=np.float64)
    current = np.asarray(current_counts, dtype=np.float64)
    kept = (reference > 0) | (current > 0)
    if kept.sum() < 2:
        return 1.0
    shares = _shares(reference[kept])
    expected = shares / shares.sum() * current[kept].sum()
    return float(chisquare(current[kept], expected).pvalue)
