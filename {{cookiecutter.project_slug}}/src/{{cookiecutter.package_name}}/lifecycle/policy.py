"""The promotion policy resolved with the task: defaults per task, names checked against it."""

from __future__ import annotations

from dataclasses import dataclass

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks.base import task_for

GROUP_GAP = "max_group_gap"  # the largest gap of the primary metric between sensitive groups


@dataclass(frozen=True)
class PromotionPolicy:
    """How a challenger must compare with the champion to be promoted."""

    primary_metric: str
    min_improvement: float
    guardrails: dict[str, float]
    lower_is_better: dict[str, bool]
    max_group_gap: float | None = None


def promotion_policy(settings: Settings) -> PromotionPolicy:
    """[promotion] with the task's defaults for what it leaves out; a metric of another task
    is refused naming the key."""
    task = task_for(settings.contract)
    written = settings.promotion
    primary = written.primary_metric or task.primary_metric
    guardrails = dict(task.guardrails) if written.guardrails is None else written.guardrails
    known = dict(task.lower_is_better)
    for key, metric in (("primary_metric", primary), *((f"guardrails.{m}", m) for m in guardrails)):
        if metric not in known:
            raise LifecycleError(
                f"mlops.toml: promotion.{key} {metric!r} is not a metric of a {task.name} task; "
                f"choose one of {', '.join(known)}"
            )
    return PromotionPolicy(
        primary, written.min_improvement, guardrails, known, written.max_group_gap
    )
