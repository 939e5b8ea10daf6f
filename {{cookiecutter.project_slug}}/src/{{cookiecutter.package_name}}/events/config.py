"""The `[events]` section of mlops.toml: where lifecycle events go."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

EVENT_SINKS = ("jsonl", "webhook", "eventgrid")
LOOPBACK = ("localhost", "127.0.0.1", "::1")


@dataclass(frozen=True)
class EventSettings:
    """Where lifecycle events go: a JSON-lines file, a webhook or an Azure Event Grid topic."""

    sink: str
    path: Path
    url: str


def parse_events(root: Path, events: dict[str, Any]) -> EventSettings:
    """[events] as typed settings: the sink, the journal path, the remote URL (checked)."""
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
