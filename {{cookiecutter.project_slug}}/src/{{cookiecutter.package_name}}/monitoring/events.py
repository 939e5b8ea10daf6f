"""Lifecycle events as CloudEvents 1.0, written to the sink mlops.toml's `[events]` chooses."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from typing import Any

from {{ cookiecutter.package_name }}.monitoring.config import EventSettings

SOURCE = "/{{ cookiecutter.project_slug }}/lifecycle"
TYPE_PREFIX = "{{ cookiecutter.project_slug }}."
EVENT_TYPES = (
    "run_finished",
    "model_registered",
    "model_promoted",
    "model_deployed",
    "drift_detected",
)


def cloud_event(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """One CloudEvents 1.0 envelope (JSON format) for a lifecycle event."""
    if kind not in EVENT_TYPES:
        raise ValueError(f"unknown event type {kind!r}; use one of {', '.join(EVENT_TYPES)}")
    return {
        "specversion": "1.0",
        "type": TYPE_PREFIX + kind,
        "source": SOURCE,
        "id": os.urandom(16).hex(),
        "time": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": data,
    }


def emit(settings: EventSettings, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Send one event to the configured sink and return it."""
    event = cloud_event(kind, data)
    settings.path.parent.mkdir(parents=True, exist_ok=True)
    with settings.path.open("a", encoding="utf-8") as sink:
        sink.write(json.dumps(event, sort_keys=True) + "\n")
    return event
