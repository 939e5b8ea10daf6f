"""Each lifecycle step with its progress and its human summary; heavy imports stay lazy."""

from __future__ import annotations

from pathlib import Path

from {{ cookiecutter.package_name }}.console import format_metrics, step
from {{ cookiecutter.package_name }}.settings import Settings

Outcome = tuple[object, list[str]]


def prep(settings: Settings, input_csv: Path | None = None) -> Outcome:
    """Validate and split the data."""
    from {{ cookiecutter.package_name }}.lifecycle.data import prepare

    with step("prep: validating and splitting the data"):
        prepared = prepare(settings, input_csv)
    counts = ", ".join(f"{name} {rows}" for name, rows in prepared.rows.items())
    return prepared, [
        f"prepared {sum(prepared.rows.values())} rows from {prepared.source} ({counts})",
        f"written to {prepared.output_dir}; data hash {prepared.data_hash[:12]}",
    ]


def train(settings: Settings, params: list[str]) -> Outcome:
    """Fit and log the model."""
    from {{ cookiecutter.package_name }}.lifecycle.training import train as fit

    with step("train: fitting the pipeline and logging it to MLflow"):
        result = fit(settings, params)
    shown = " ".join(f"{name}={value}" for name, value in result.params.items())
    lines = [
        f"trained run {result.run_id} ({shown})",
        f"validation {format_metrics(result.validation_metrics)}",
    ]
    if result.decision_threshold is not None:
        lines.append(f"decision threshold {result.decision_threshold:.4f} (chosen on validation)")
    return result, lines


def evaluate(settings: Settings) -> Outcome:
    """Test metrics and plots for the latest training run."""
    from {{ cookiecutter.package_name }}.lifecycle.evaluation import evaluate as score

    with step("evaluate: scoring the test split and drawing plots"):
        result = score(settings)
    return result, [
        f"evaluated run {result.run_id}: test {format_metrics(result.metrics)}",
        f"plots logged to the run: {', '.join(result.figures)}",
    ]


def register(settings: Settings, reason: str) -> Outcome:
    """Register the latest training run."""
    from {{ cookiecutter.package_name }}.lifecycle.registry import register as publish

    with step("register: adding the model to the registry"):
        result = publish(settings, reason)
    if not result.created:
        return result, [f"run {result.run_id} is already {result.name} version {result.version}"]
    return result, [
        f"registered {result.name} version {result.version} from run {result.run_id}",
        f"lineage: commit {result.tags['git_commit']}, author {result.tags['author']}, "
        f"reason {result.tags['reason']!r}",
    ]


def promote(settings: Settings, dry_run: bool = False) -> Outcome:
    """Champion/challenger decision."""
    from {{ cookiecutter.package_name }}.lifecycle.promotion import promote as decide

    with step("promote: comparing challenger and champion on the test split"):
        decision = decide(settings, dry_run)
    lines = [
        f"challenger version {decision.challenger_version}: "
        f"{format_metrics(decision.challenger_metrics)}"
    ]
    if decision.champion_metrics:
        lines.append(
            f"champion   version {decision.champion_version}: "
            f"{format_metrics(decision.champion_metrics)}"
        )
    verdict = "PROMOTED" if decision.promote else "NOT PROMOTED"
    prefix = "dry run, nothing changed: would be " if dry_run else ""
    lines.append(f"{prefix}{verdict}: {decision.reason}")
    return decision, lines


def run_all(settings: Settings, input_csv: Path | None, reason: str) -> Outcome:
    """prep, train, evaluate, register, promote."""
    results: dict[str, object] = {}
    lines: list[str] = []
    chain = (
        ("prep", lambda: prep(settings, input_csv)),
        ("train", lambda: train(settings, [])),
        ("evaluate", lambda: evaluate(settings)),
        ("register", lambda: register(settings, reason)),
        ("promote", lambda: promote(settings)),
    )
    for name, run in chain:
        results[name], step_lines = run()
        lines.extend(step_lines)
    return results, lines


def export_onnx(settings: Settings, version: int | None) -> Outcome:
    """Convert a registered version to ONNX and record parity on it."""
    from {{ cookiecutter.package_name }}.lifecycle.onnx_export import (
        export_onnx as convert,
    )

    with step("export-onnx: converting and checking parity on the test split"):
        result = convert(settings, version)
    return result, [result.message]


def package(settings: Settings, version: int | None, output: Path) -> Outcome:
    """Assemble a self-contained model folder."""
    from {{ cookiecutter.package_name }}.lifecycle.packaging import package_model

    with step("package: downloading the model and its ONNX file"):
        result = package_model(settings, version, output)
    card = result.card
    return result, [
        f"packaged {card.name} version {card.version} ({card.runtime}) in {result.path}"
    ]


def packaged_model(settings: Settings, version: int | None) -> Path:
    """The folder serving and batch scoring load: a registered version, packaged once."""
    from {{ cookiecutter.package_name }}.lifecycle.packaging import serving_folder

    with step("preparing the model"):
        return serving_folder(settings, version)
