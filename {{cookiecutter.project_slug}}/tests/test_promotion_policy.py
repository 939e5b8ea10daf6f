"""The champion/challenger rule on its own: margins, guardrails, fairness gap, first version;
and the policy resolved per task from mlops.toml."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle.policy import (
    GROUP_GAP,
    PromotionPolicy,
    promotion_policy,
)
from {{ cookiecutter.package_name }}.lifecycle.promotion import (
    decide,
    judge,
    relative_gain,
)
from {{ cookiecutter.package_name }}.settings import Settings, load_settings

POLICY = PromotionPolicy(
    primary_metric="rmse",
    min_improvement=0.01,
    guardrails={"mae": 0.02, "r2": 0.02},
    lower_is_better={"rmse": True, "mae": True, "r2": False},
)
CHAMPION = {"rmse": 50.0, "mae": 40.0, "r2": 0.50}


def test_gain_is_positive_when_an_error_metric_drops() -> None:
    assert relative_gain(True, 45.0, 50.0) == pytest.approx(0.10)


def test_gain_is_positive_when_r2_rises() -> None:
    assert relative_gain(False, 0.55, 0.50) == pytest.approx(0.10)


def test_clearly_better_challenger_is_promoted() -> None:
    promote, reason = judge({"rmse": 45.0, "mae": 39.0, "r2": 0.55}, CHAMPION, POLICY)
    assert promote
    assert "rmse improved +10.00%" in reason


def test_worse_challenger_is_not_promoted() -> None:
    promote, reason = judge({"rmse": 60.0, "mae": 50.0, "r2": 0.30}, CHAMPION, POLICY)
    assert not promote
    assert "below the required 1.00%" in reason


def test_gain_smaller_than_the_margin_is_not_enough() -> None:
    promote, _ = judge({"rmse": 49.8, "mae": 40.0, "r2": 0.50}, CHAMPION, POLICY)
    assert not promote


def test_equal_challenger_is_not_promoted() -> None:
    assert judge(dict(CHAMPION), CHAMPION, POLICY)[0] is False


def test_guardrail_regression_blocks_a_better_primary_metric() -> None:
    promote, reason = judge({"rmse": 45.0, "mae": 41.0, "r2": 0.55}, CHAMPION, POLICY)
    assert not promote
    assert reason.startswith("guardrail mae regressed 2.50%")


def test_guardrail_regression_within_tolerance_is_allowed() -> None:
    promote, _ = judge({"rmse": 45.0, "mae": 40.5, "r2": 0.495}, CHAMPION, POLICY)
    assert promote


def test_first_version_becomes_champion_without_comparison() -> None:
    scored = []

    def score(version: int) -> dict[str, float]:
        scored.append(version)
        return dict(CHAMPION)

    decision = decide(1, None, score, POLICY)
    assert decision.promote
    assert (decision.champion_version, scored) == (None, [1])


def test_decide_scores_both_versions_and_keeps_a_better_champion() -> None:
    metrics = {3: {"rmse": 70.0, "mae": 60.0, "r2": 0.1}, 2: dict(CHAMPION)}
    decision = decide(3, 2, metrics.__getitem__, POLICY)
    assert not decision.promote
    assert decision.challenger_metrics == metrics[3]
    assert decision.champion_metrics == metrics[2]


def test_newest_version_that_is_already_champion_is_left_alone() -> None:
    decision = decide(4, 4, lambda version: dict(CHAMPION), POLICY)
    assert not decision.promote
    assert decision.reason == "version 4 is already the champion"


def test_a_better_challenger_with_too_large_a_group_gap_is_not_promoted() -> None:
    fair = replace(POLICY, max_group_gap=0.05)
    better = {"rmse": 45.0, "mae": 39.0, "r2": 0.55}
    assert judge({**better, GROUP_GAP: 0.04}, CHAMPION, fair)[0]
    promote, reason = judge({**better, GROUP_GAP: 0.08}, CHAMPION, fair)
    assert not promote
    assert reason == (
        "the largest gap of rmse between sensitive groups is 0.0800, above "
        "promotion.max_group_gap 0.0500"
    )
    assert judge({**better, GROUP_GAP: 0.08}, CHAMPION, POLICY)[0]  # no limit set: no gate


def with_promotion(project: Settings, lines: str) -> Settings:
    """The project's settings after adding `lines` to mlops.toml's [promotion]."""
    path = Path(project.root) / "mlops.toml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("[promotion]\n", "[promotion]\n" + lines, 1), encoding="utf-8")
    return load_settings(project.root)


def test_the_policy_defaults_follow_the_task_of_the_contract(project: Settings) -> None:
    policy = promotion_policy(project)
    expected = {"regression": ("rmse", {"mae": 0.02, "r2": 0.02})}
    expected["binary"] = ("roc_auc", {"log_loss": 0.02, "recall": 0.02})
    assert (policy.primary_metric, policy.guardrails) == expected[project.contract.task]


def test_a_metric_of_another_task_is_refused_naming_the_key(project: Settings) -> None:
    foreign = "roc_auc" if project.contract.task == "regression" else "rmse"
    settings = with_promotion(project, f'primary_metric = "{foreign}"\n')
    with pytest.raises(LifecycleError) as caught:
        promotion_policy(settings)
    assert str(caught.value).startswith(
        f"mlops.toml: promotion.primary_metric {foreign!r} is not a metric of a "
        f"{project.contract.task} task; choose one of "
    )
