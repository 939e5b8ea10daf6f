"""The `[monitoring]` and `[events]` sections of mlops.toml as typed, validated settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from {{ cookiecutter.package_name }}.config_values import at_least, positive, share
from {{ cookiecutter.package_name }}.events.config import EventSettings, parse_events


@dataclass(frozen=True)
class CollectionSettings:
    """Which share of online requests is logged (inputs and outputs), where, and the queue bound."""

    sample_rate: float
    directory: Path
    queue_size: int


@dataclass(frozen=True)
class DriftSettings:
    """When a feature or the predictions count as drifted."""

    psi_threshold: float
    p_value: float
    bins: int


@dataclass(frozen=True)
class MonitoringSettings:
    """Data collection, drift thresholds and the event sink."""

    collection: CollectionSettings
    drift: DriftSettings
    events: EventSettings


def parse_monitoring(root: Path, raw: dict[str, Any]) -> MonitoringSettings:
    """Build the monitoring settings from mlops.toml's tables (paths relative to the project)."""
    monitoring, events = raw["monitoring"], raw["events"]
    collection, drift = monitoring["collection"], monitoring["drift"]
    return MonitoringSettings(
        collection=CollectionSettings(
            sample_rate=share("monitoring.collection.sample_rate", collection["sample_rate"]),
            directory=root / str(collection["directory"]),
            queue_size=at_least("monitoring.collection.queue_size", collection["queue_size"], 1),
        ),
        drift=DriftSettings(
            psi_threshold=positive("monitoring.drift.psi_threshold", drift["psi_threshold"]),
            p_value=share("monitoring.drift.p_value", drift["p_value"]),
            bins=at_least("monitoring.drift.bins", drift["bins"], 2),
        ),
        events=parse_events(root, events),
    )
