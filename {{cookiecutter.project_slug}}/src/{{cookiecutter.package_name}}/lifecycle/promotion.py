"""`promote`: champion/challenger on the same test data; a worse model is never promoted."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace

from mlflow.tracking import MlflowClient

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.events.sink import EventSink
from {{ cookiecutter.package_name }}.lifecycle import lineage
from {{ cookiecutter.package_name }}.lifecycle.data import model_frame, read_split_table
from {{ cookiecutter.package_name }}.lifecycle.policy import (
    GROUP_GAP,
    PromotionPolicy,
    promotion_policy,
)
from {{ cookiecutter.package_name }}.lifecycle.registry import (
    all_versions,
    version_by_alias,
)
from {{ cookiecutter.package_name }}.lifecycle.tracking import (
    CONTRACT_SHA256_TAG,
    connect,
    threshold_of,
)
from {{ cookiecutter.package_name }}.model.model_io import load_model
from {{ cookiecutter.package_name }}.settings import Settings
from {{ cookiecutter.package_name }}.tasks import fairness
from {{ cookiecutter.package_name }}.tasks.base import task_for

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


def relative_gain(lower_is_better: bool, challenger: float, champion: float) -> float:
    """How much better the challenger is, as a fraction of the champion (negative: worse)."""
    delta = champion - challenger if lower_is_better else challenger - champion
    return delta / max(abs(champion), 1e-12)


def judge(
    challenger: dict[str, float], champion: dict[str, float], policy: PromotionPolicy
) -> tuple[bool, str]:
    """Apply the policy: beat the primary metric by the margin, regress no guardrail too far."""
    gap, limit = challenger.get(GROUP_GAP), policy.max_group_gap
    if gap is not None and limit is not None and gap > limit:
        return False, (
            f"the largest gap of {policy.primary_metric} between sensitive groups is {gap:.4f}, "
            f"above promotion.max_group_gap {limit:.4f}"
        )
    primary = policy.primary_metric
    lower = policy.lower_is_better
    gain = relative_gain(lower[primary], challenger[primary], champion[primary])
    if gain < policy.min_improvement:
        return False, (
            f"{primary} {challenger[primary]:.4f} vs champion {champion[primary]:.4f}: "
            f"gain {gain:+.2%} is below the required {policy.min_improvement:.2%}"
        )
    for metric, tolerance in policy.guardrails.items():
        guard = relative_gain(lower[metric], challenger[metric], champion[metric])
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
    policy = promotion_policy(settings)
    score = scorer(settings, {int(version.version): version.tags for version in versions}, policy)
    comparable = champion and champion.tags.get(CONTRACT_SHA256_TAG) == settings.contract.sha256
    champion_version = int(champion.version) if champion and comparable else None
    decision = decide(int(versions[0].version), champion_version, score, policy)
    if champion and not comparable:  # trained on other data: a new line of champions starts
        decision = replace(decision, reason=(
            f"first version under data contract {settings.contract.sha256[:12]}; champion "
            f"version {champion.version} was trained under another contract"
        ))  # fmt: skip
    if dry_run:
        return replace(decision, dry_run=True)
    if decision.challenger_version != decision.champion_version:
        _record(client, name, decision)
    if decision.promote:
        events.emit("model_promoted", promotion_event(name, decision))
    return decision


def scorer(settings: Settings, tags: dict[int, dict[str, str]], policy: PromotionPolicy) -> Scorer:
    """Scores a version on the test split: the task's metrics and the largest group gap."""
    contract = settings.contract
    task, name = task_for(contract), settings.registered_model
    table = read_split_table(settings, "test")
    features, actual = model_frame(contract, table), table[contract.target.column].to_numpy()

    def score(version: int) -> dict[str, float]:
        model, threshold = load_model(f"models:/{name}/{version}"), threshold_of(tags[version])
        prediction = task.predict(model, features, threshold)
        metrics = task.metrics(actual, prediction, threshold)
        metric = policy.primary_metric
        groups = fairness.assess(contract, table, actual, prediction, threshold, metric=metric)
        return metrics if groups.max_gap is None else {**metrics, GROUP_GAP: groups.max_gap}

    return score


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
