"""The `[monitoring]` and `[events]` sections of mlops.toml as typed, validated settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from {{ cookiecutter.package_name }}.config_values import at_least, positive, share

EVENT_SINKS = ("jsonl", "webhook", "eventgrid")
LOOPBACK = ("localhost", "127.0.0.1", "::1")


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
class EventSettings:
    """Where lifecycle events go: a JSON-lines file, a webhook or an Azure Event Grid topic."""

    sink: str
    path: Path
    url: str


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
        events=_events(root, events),
    )


def _events(root: Path, events: dict[str, Any]) -> EventSettings:
    sink, url = _sink(str(events["sink"])), str(events.get("url", ""))
    if sink != "jsonl":
        _check_url(sink, url)
    return EventSettings(sink=sink, path=root / str(events["path"]), url=url)


def _sink(name: str) -> str:
    if name not in EVENT_SINKS:
        raise ValueError(f"events.sink must be one of {', '.join(EVENT_SINKS)}, got {name!r}")
    return name


def _check_url(sink: str, url: str) -> None:
    """A remote sink needs an https:// URL (plain http only to this machine: keys travel in it)."""
    parts = urlsplit(url)
    local = parts.scheme == "http" and parts.hostname in LOOPBACK
    if not (parts.scheme == "https" or local) or not parts.hostname:
        raise ValueError(
            f"events.url must be the https:// address of the {sink} (events.sink = {sink!r}), "
            f"got {url!r}"
        )
