"""Drift statistics on their own: bins, category counts, PSI, KS and chi-square, and the rule."""

from __future__ import annotations

import math

import numpy as np
import pytest

from {{ cookiecutter.package_name }}.model.baseline import category_profile, profile
from {{ cookiecutter.package_name }}.model.stats import (
    EPSILON,
    bin_counts,
    category_counts,
    chi_square_p_value,
    ks_p_value,
    psi,
    quantile_edges,
)
from {{ cookiecutter.package_name }}.monitoring.config import DriftSettings
from {{ cookiecutter.package_name }}.monitoring.drift import compare

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


PLAN = ("basic", "plus", "pro")


def categories(
    shares: list[float], rows: int, seed: int, names: tuple[str, ...] = PLAN
) -> np.ndarray:
    return np.random.default_rng(seed).choice(np.asarray(names, dtype=object), rows, p=shares)


def test_category_counts_follow_the_given_order_and_count_absent_categories_as_zero() -> None:
    keys = np.asarray(["pro", "basic", "pro", ""], dtype=object)
    assert category_counts(keys, ("basic", "plus", "pro", "")) == [1, 0, 2, 1]


def test_a_value_outside_the_categories_is_refused_not_dropped() -> None:
    with pytest.raises(ValueError, match="'gold' is not one of the categories"):
        category_counts(np.asarray(["basic", "gold"], dtype=object), PLAN)


def exact(counts: list[int], names: tuple[str, ...] = PLAN) -> np.ndarray:
    return np.asarray([name for name, n in zip(names, counts, strict=True) for _ in range(n)])


def test_categorical_psi_and_chi_square_match_the_values_computed_by_hand() -> None:
    # shares 0.5/0.3/0.2 -> 0.3/0.3/0.4. PSI: (-0.2) ln(0.6) + 0 + 0.2 ln(2) = 0.2 ln(10/3).
    # Chi-square: expected 50/30/20, observed 30/30/40: 20²/50 + 0 + 20²/20 = 28 on two
    # degrees of freedom, whose survival function is exp(-x/2).
    reference = category_profile(exact([500, 300, 200]), PLAN)
    column = compare("plan", reference, exact([30, 30, 40]), RULE)
    assert column.psi == pytest.approx(0.2 * math.log(10 / 3))
    assert column.p_value == pytest.approx(math.exp(-14))
    assert (column.reference_counts, column.current_counts) == ([500, 300, 200], [30, 30, 40])


def test_chi_square_scales_the_reference_shares_to_the_current_rows() -> None:
    assert chi_square_p_value([5, 3, 2], [30, 30, 40]) == pytest.approx(math.exp(-14))


def test_a_category_empty_on_both_sides_is_left_out_of_the_chi_square_test() -> None:
    # expected 50/50, observed 40/60: 10²/50 + 10²/50 = 4 on one degree of freedom,
    # survival function erfc(sqrt(x/2)); with the empty category it would be two degrees
    assert chi_square_p_value([0, 50, 50], [0, 40, 60]) == pytest.approx(math.erfc(math.sqrt(2)))


def test_a_category_absent_from_the_reference_gets_the_epsilon_share_and_a_finite_test() -> None:
    # reference shares 1 and EPSILON, scaled to 100 rows; observed 99 and 1
    expected = [100 / (1 + EPSILON), 100 * EPSILON / (1 + EPSILON)]
    statistic = sum((o - e) ** 2 / e for o, e in zip([99, 1], expected, strict=True))
    p_value = chi_square_p_value([100, 0], [99, 1])
    assert p_value == pytest.approx(math.erfc(math.sqrt(statistic / 2)))
    assert 0 < p_value < 1e-20
    assert math.isfinite(psi([100, 0], [99, 1]))


def test_one_category_on_both_sides_is_no_evidence_of_change() -> None:
    assert chi_square_p_value([10, 0], [7, 0]) == 1.0


def test_a_shifted_category_share_drifts_with_its_labels_and_counts() -> None:
    reference = category_profile(categories([0.5, 0.3, 0.2], 2000, seed=1), PLAN)
    column = compare("plan", reference, categories([0.4, 0.1, 0.5], 500, seed=2), RULE)
    assert (column.drifted, column.kind, column.test) == (True, "categorical", "chi-square")
    assert column.psi > 0.4
    assert column.p_value < 1e-12
    assert column.labels == list(PLAN)
    assert sum(column.current_counts) == 500
    assert column.shift().startswith("pro: 20.3% -> ")  # the category whose share moved most


def test_the_same_category_shares_drawn_again_do_not_drift() -> None:
    reference = category_profile(categories([0.5, 0.3, 0.2], 2000, seed=1), PLAN)
    column = compare("plan", reference, categories([0.5, 0.3, 0.2], 500, seed=2), RULE)
    assert column.psi < 0.05
    assert column.p_value > RULE.p_value
    assert not column.drifted


def test_a_small_share_change_on_many_rows_is_significant_but_not_drift() -> None:
    reference = category_profile(categories([0.5, 0.3, 0.2], 20_000, seed=1), PLAN)
    column = compare("plan", reference, categories([0.46, 0.32, 0.22], 20_000, seed=2), RULE)
    assert column.p_value < RULE.p_value
    assert column.psi < RULE.psi_threshold
    assert not column.drifted


def test_a_boolean_column_flipping_drifts() -> None:
    flags = ("false", "true")
    reference = category_profile(categories([0.7, 0.3], 1000, seed=1, names=flags), flags)
    column = compare("smoker", reference, categories([0.3, 0.7], 300, seed=2, names=flags), RULE)
    assert column.drifted
    assert column.line().startswith("smoker (PSI ")


def test_a_missing_value_shows_as_its_own_category_in_the_labels() -> None:
    keys = ("north", "south", "")
    reference = category_profile(categories([0.45, 0.45, 0.1], 1000, seed=1, names=keys), keys)
    column = compare(
        "region", reference, categories([0.2, 0.2, 0.6], 300, seed=2, names=keys), RULE
    )
    assert column.labels == ["north", "south", "(missing)"]
    assert column.drifted


def with_missing(values: np.ndarray, share: float, seed: int) -> np.ndarray:
    holes = np.random.default_rng(seed).random(values.size) < share
    return np.where(holes, np.nan, values)


def test_a_nullable_number_whose_missing_share_jumps_drifts_though_its_values_do_not() -> None:
    training = with_missing(normal(0.0, 2000, seed=1), 0.1, seed=3)
    reference = profile(training, bins=10, seed=0)
    missing = int(np.isnan(training).sum())
    assert (reference["count"], reference["missing"]) == (2000 - missing, missing)
    assert len(reference["sample"]) == 2000 - missing  # the KS test reads present values only
    column = compare("visits", reference, with_missing(normal(0.0, 500, seed=2), 0.6, seed=4), RULE)
    assert column.test == "KS+chi-square"
    assert column.labels[-1] == "(missing)"
    assert column.drifted


def test_a_nullable_number_drawn_again_does_not_drift() -> None:
    reference = profile(with_missing(normal(0.0, 2000, seed=1), 0.1, seed=3), bins=10, seed=0)
    column = compare("visits", reference, with_missing(normal(0.0, 500, seed=2), 0.1, seed=4), RULE)
    assert column.psi < RULE.psi_threshold
    assert not column.drifted


def test_current_values_all_missing_are_still_compared() -> None:
    reference = profile(with_missing(normal(0.0, 2000, seed=1), 0.1, seed=3), bins=10, seed=0)
    column = compare("visits", reference, np.full(200, np.nan), RULE)
    assert column.current_mean is None
    assert column.drifted
    assert column.shift() == f"mean {reference['mean']:.4g} -> none (all missing)"


def test_a_classifier_whose_predicted_label_shares_shift_drifts() -> None:
    labels = ("1", "2", "3")
    reference = category_profile(categories([0.6, 0.3, 0.1], 1000, seed=1, names=labels), labels)
    column = compare(
        "prediction", reference, categories([0.2, 0.3, 0.5], 300, seed=2, names=labels), RULE
    )
    assert column.drifted
