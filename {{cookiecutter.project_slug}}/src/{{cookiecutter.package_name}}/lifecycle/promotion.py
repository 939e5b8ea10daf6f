"""`promote`: champion/challenger on the same test data; a worse model is never promoted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.lifecycle.data import read_split
from {{ cookiecutter.package_name }}.lifecycle.metrics import (
    LOWER_IS_BETTER,
    regression_metrics,
)
from {{ cookiecutter.package_name }}.lifecycle.model_io import load_model
from {{ cookiecutter.package_name }}.lifecycle.registry import (
    all_versions,
    version_by_alias,
)
from {{ cookiecutter.package_name }}.lifecycle.tracking import connect
from {{ cookiecutter.package_name }}.monitoring.events import EventSink
from {{ cookiecutter.package_name }}.settings import PromotionPolicy, Settings

CHAMPION = "champion"
Scorer = Callable[[int], dict[str, float]]


@dataclass(frozen=True)
class Decision:
    """The outcome of one champion/challenger comparison, with its numbers."""

    promote: bool
    reason: str
    challenger_version: int
    champion_version: int | None
    challenger_metrics: dict[str, float]
    champion_metrics: dict[str, float] = field(default_factory=dict)
    dry_run: bool = False


def relative_gain(metric: str, challenger: float, champion: float) -> float:
    """How much better the challenger is, as a fraction of the champion (negative: worse)."""
    delta = champion - challenger if LOWER_IS_BETTER[metric] else challenger - champion
    return delta / max(abs(champion), 1e-12)


def judge(
    challenger: dict[str, float], champion: dict[str, float], policy: PromotionPolicy
) -> tuple[bool, str]:
    """Apply the policy: beat the primary metric by the margin, regress no guardrail too far."""
    primary = policy.primary_metric
    gain = relative_gain(primary, challenger[primary], champion[primary])
    if gain < policy.min_improvement:
        return False, (
            f"{primary} {challenger[primary]:.4f} vs champion {champion[primary]:.4f}: "
            f"gain {gain:+.2%} is below the required {policy.min_improvement:.2%}"
        )
    for metric, tolerance in policy.guardrails.items():
        guard = relative_gain(metric, challenger[metric], champion[metric])
        if guard < -tolerance:
            return False, (
                f"guardrail {metric} regressed {-guard:.2%} "
                f"({challenger[metric]:.4f} vs {champion[metric]:.4f}), more than {tolerance:.2%}"
            )
    return True, f"{primary} improved {gain:+.2%} and every guardrail held"


def decide(newest: int, champion: int | None, score: Scorer, policy: PromotionPolicy) -> Decision:
    """Decide whether version `newest` replaces `champion`; `score` measures a version."""
    challenger_metrics = score(newest)
    if champion is None:
        return Decision(True, "first version becomes champion", newest, None, challenger_metrics)
    if champion == newest:
        reason = f"version {newest} is already the champion"
        return Decision(False, reason, newest, champion, challenger_metrics, challenger_metrics)
    champion_metrics = score(champion)
    wins, reason = judge(challenger_metrics, champion_metrics, policy)
    return Decision(wins, reason, newest, champion, challenger_metrics, champion_metrics)


def promote(settings: Settings, dry_run: bool = False) -> Decision:
    """Compare the newest version with the champion and move the alias only if it wins."""
    events = EventSink(settings.monitoring.events)
    client = connect(settings)
    name = settings.registered_model
    versions = all_versions(client, name)
    if not versions:
        raise LifecycleError(f"model {name!r} has no registered version: run `register` first")
    champion = version_by_alias(client, name, CHAMPION)
    features, target = read_split(settings, "test")

    def score(version: int) -> dict[str, float]:
        model = load_model(f"models:/{name}/{version}")
        return regression_metrics(target.to_numpy(), model.predict(features))

    champion_version = int(champion.version) if champion else None
    decision = decide(int(versions[0].version), champion_version, score, settings.promotion)
    if dry_run:
        return replace(decision, dry_run=True)
    if decision.challenger_version != decision.champion_version:
        _record(client, name, decision)
    if decision.promote:
        events.emit("model_promoted", promotion_event(name, decision))
    return decision


def promotion_event(name: str, decision: Decision) -> dict[str, object]:
    """A `model_promoted` event's data: the challenger (now champion), the one it beat, why."""
    return {
        "model": name,
        "decision": "promoted",
        "challenger_version": decision.challenger_version,
        "champion_version": decision.champion_version,
        "reason": decision.reason,
        "challenger_metrics": decision.challenger_metrics,
        "champion_metrics": decision.champion_metrics,
    }


def _record(client: MlflowClient, name: str, decision: Decision) -> None:
    version = str(decision.challenger_version)
    if decision.promote:
        client.set_registered_model_alias(name, CHAMPION, version)
    tags = {
        "promotion.decision": "promoted" if decision.promote else "rejected",
        "promotion.reason": decision.reason,
        "promotion.compared_with": str(decision.champion_version or "none"),
        "promotion.decided_at": lineage.now(),
        "promotion.decided_by": lineage.author(),
    }
    for side in ("challenger", "champion"):
        for metric, value in asdict(decision)[f"{side}_metrics"].items():
            tags[f"promotion.{side}.{metric}"] = f"{value:.6f}"
    for key, value in tags.items():
        client.set_model_version_tag(name, version, key, value)
