"""Lifecycle events as CloudEvents 1.0, kept locally and sent to the sink `[events]` chooses.

Every event is appended to the JSON-lines file `[events] path` first, whatever the sink: that
file is the complete local history and the outbox. With a webhook or Event Grid sink the event
is then POSTed; a failed delivery never fails the lifecycle step that emitted it: a warning on
stderr names the event, its id and the reason, and the event stays in the local file.
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from typing import Any, Protocol

import orjson

from {{ cookiecutter.package_name }}.events.config import EventSettings
from {{ cookiecutter.package_name }}.events.delivery import (
    DELIVERY_ERRORS,
    Remote,
    remote_for,
)

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


class Emitter(Protocol):
    """Anything that emits lifecycle events (the configured EventSink; a recorder in tests)."""

    def emit(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Emit one event and return it."""
        ...


class EventSink:
    """The configured sink, checked when opened: open it before a step, emit when it is done."""

    def __init__(self, settings: EventSettings) -> None:
        self.path = settings.path
        self.remote: Remote | None = remote_for(settings)

    def emit(self, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record the event locally, deliver it to the remote sink if any, and return it."""
        event = cloud_event(kind, data)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("ab") as journal:
            journal.write(orjson.dumps(event, option=orjson.OPT_SORT_KEYS) + b"\n")
        if self.remote is not None:
            try:
                self.remote.send(event)
            except DELIVERY_ERRORS as exc:
                print(
                    f"warning: {kind} event {event['id']} not delivered to the "
                    f"{self.remote.sink} at {self.remote.host} ({exc}); it is kept in {self.path}",
                    file=sys.stderr,
                    flush=True,
                )
        return event


def emit(settings: EventSettings, kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """Send one event to the configured sink and return it."""
    return EventSink(settings).emit(kind, data)
