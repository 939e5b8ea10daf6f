"""Pure drift statistics: quantile bins, the population stability index, the two-sample KS test.

A column drifts when its PSI over the baseline's bins exceeds the threshold AND the KS test
rejects "same distribution" at the p-value: PSI alone is noisy on small samples (many bins, few
rows), the KS test alone flags tiny but harmless shifts on large ones.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from {{ cookiecutter.package_name }}.monitoring.config import DriftSettings

# Share given to an empty bin so that the PSI stays finite (a bin empty on one side only).
EPSILON = 1e-4


def quantile_edges(values: np.ndarray, bins: int) -> list[float]:
    """The inner edges of `bins` quantile bins; ties merge bins (a two-valued column gets two)."""
    inner = np.quantile(np.asarray(values, dtype=np.float64), np.linspace(0, 1, bins + 1)[1:-1])
    return [float(edge) for edge in np.unique(inner)]


def bin_counts(values: np.ndarray, edges: list[float]) -> list[int]:
    """Counts per bin: bin i holds (edges[i-1], edges[i]]; the outer bins are open-ended."""
    index = np.searchsorted(np.asarray(edges, dtype=np.float64), values, side="left")
    return [int(count) for count in np.bincount(index, minlength=len(edges) + 1)]


def psi(reference_counts: list[int], current_counts: list[int]) -> float:
    """Population stability index of two histograms on the same bins (shares floored at EPSILON)."""
    if len(reference_counts) != len(current_counts):
        raise ValueError("the histograms must have the same bins")
    reference, current = _shares(reference_counts), _shares(current_counts)
    return float(np.sum((current - reference) * np.log(current / reference)))


def _shares(counts: list[int]) -> np.ndarray:
    total = sum(counts)
    if total == 0:
        raise ValueError("a histogram without values has no shares")
    return np.maximum(np.asarray(counts, dtype=np.float64) / total, EPSILON)


def ks_p_value(reference: np.ndarray, current: np.ndarray) -> float:
    """p-value of the two-sided two-sample Kolmogorov-Smirnov test."""
    from scipy.stats import ks_2samp

    return float(ks_2samp(reference, current).pvalue)


@dataclass(frozen=True)
class ColumnDrift:
    """One feature (or the predictions) compared with its baseline."""

    name: str
    psi: float
    p_value: float
    drifted: bool
    reference_mean: float
    current_mean: float
    edges: list[float]
    reference_counts: list[int]
    current_counts: list[int]

    def line(self) -> str:
        """`bmi (PSI 0.84, p=1e-09)`."""
        return f"{self.name} (PSI {self.psi:.2f}, p={self.p_value:.2g})"


def compare(name: str, profile: dict, current: np.ndarray, rule: DriftSettings) -> ColumnDrift:
    """Compare current values with a baseline column profile under the drift rule."""
    histogram = profile["histogram"]
    counts = bin_counts(current, histogram["edges"])
    index = psi(histogram["counts"], counts)
    p_value = ks_p_value(np.asarray(profile["sample"], dtype=np.float64), current)
    return ColumnDrift(
        name=name,
        psi=index,
        p_value=p_value,
        drifted=index > rule.psi_threshold and p_value < rule.p_value,
        reference_mean=float(profile["mean"]),
        current_mean=float(np.mean(current)),
        edges=list(histogram["edges"]),
        reference_counts=list(histogram["counts"]),
        current_counts=counts,
    )
