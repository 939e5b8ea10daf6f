"""Drift statistics on their own: quantile bins, PSI, the KS test and the rule that joins them."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.monitoring.baseline import profile
from {{ cookiecutter.package_name }}.monitoring.config import DriftSettings
from {{ cookiecutter.package_name }}.monitoring.drift import (
    EPSILON,
    bin_counts,
    compare,
    ks_p_value,
    psi,
    quantile_edges,
)

RULE = DriftSettings(psi_threshold=0.2, p_value=0.01, bins=10)


def normal(mean: float, rows: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(mean, 1.0, rows)


def test_quantile_edges_of_one_to_ten_in_five_bins_are_the_interpolated_quantiles() -> None:
    assert quantile_edges(np.arange(1, 11), 5) == pytest.approx([2.8, 4.6, 6.4, 8.2])


def test_each_quantile_bin_of_the_reference_holds_the_same_share() -> None:
    values = np.arange(1, 11)
    assert bin_counts(values, quantile_edges(values, 5)) == [2, 2, 2, 2, 2]


def test_a_value_on_an_edge_falls_in_the_bin_closed_on_the_right() -> None:
    assert bin_counts(np.array([1.0, 2.0, 3.0]), [2.0]) == [2, 1]


def test_outer_bins_are_open_so_values_beyond_the_training_range_still_count() -> None:
    assert bin_counts(np.array([-100.0, 0.5, 100.0]), [0.0, 1.0]) == [1, 1, 1]


def test_a_two_valued_column_keeps_its_two_levels_in_separate_bins() -> None:
    values = np.array([0.0] * 6 + [1.0] * 4)
    edges = quantile_edges(values, 10)
    assert len(edges) < 9  # tied quantiles merge
    counts = bin_counts(values, edges)
    assert counts[0] == 6
    assert sum(counts[1:]) == 4
    assert bin_counts(np.array([1.0] * 4), edges)[0] == 0


def test_psi_of_identical_histograms_is_zero() -> None:
    assert psi([10, 20, 30, 40], [1, 2, 3, 4]) == 0.0


def test_psi_matches_the_value_computed_by_hand() -> None:
    # shares 0.5/0.5 -> 0.25/0.75: (0.25 - 0.5) ln(0.5) + (0.75 - 0.5) ln(1.5)
    assert psi([50, 50], [25, 75]) == pytest.approx(0.25 * math.log(2) + 0.25 * math.log(1.5))


def test_an_empty_bin_counts_as_epsilon_so_psi_stays_finite() -> None:
    expected = (0.5 - 1.0) * math.log(0.5 / 1.0) + (0.5 - EPSILON) * math.log(0.5 / EPSILON)
    assert psi([100, 0], [50, 50]) == pytest.approx(expected)


def test_psi_refuses_histograms_on_different_bins() -> None:
    with pytest.raises(ValueError, match="same bins"):
        psi([1, 2], [1, 2, 3])


def test_two_large_samples_of_one_law_have_psi_near_zero_and_no_ks_rejection() -> None:
    reference, current = normal(0.0, 5000, seed=1), normal(0.0, 5000, seed=2)
    edges = quantile_edges(reference, 10)
    assert psi(bin_counts(reference, edges), bin_counts(current, edges)) < 0.01
    assert ks_p_value(reference, current) > 0.05


def test_a_sample_shifted_by_one_standard_deviation_is_far_over_both_thresholds() -> None:
    reference, current = normal(0.0, 5000, seed=1), normal(1.0, 5000, seed=2)
    edges = quantile_edges(reference, 10)
    assert psi(bin_counts(reference, edges), bin_counts(current, edges)) > 0.5
    assert ks_p_value(reference, current) < 1e-12


def test_identical_samples_have_ks_p_value_one() -> None:
    values = normal(0.0, 200, seed=3)
    assert ks_p_value(values, values) == 1.0


def test_a_shifted_sample_drifts() -> None:
    reference = profile(normal(0.0, 2000, seed=1), bins=10, seed=0)
    column = compare("x", reference, normal(1.0, 500, seed=2), RULE)
    assert column.drifted
    assert column.line().startswith("x (PSI ")


def test_a_large_psi_without_ks_rejection_is_not_drift() -> None:
    # Three rows in three bins of ten: PSI is huge, but three rows prove little.
    reference = profile(np.linspace(0.0, 1.0, 1001), bins=10, seed=0)
    column = compare("x", reference, np.array([0.55, 0.85, 0.95]), RULE)
    assert column.psi > 5
    assert column.p_value > RULE.p_value
    assert not column.drifted


def test_a_ks_rejection_without_a_large_psi_is_not_drift() -> None:
    # 20,000 rows shifted by 0.05 standard deviations: significant, but harmless.
    reference = profile(normal(0.0, 10_000, seed=1), bins=10, seed=0)
    column = compare("x", reference, normal(0.06, 20_000, seed=2), RULE)
    assert column.p_value < RULE.p_value
    assert column.psi < RULE.psi_threshold
    assert not column.drifted
