"""Delivery of one CloudEvent to a remote sink over HTTP: a webhook or an Azure Event Grid topic.

Webhook: the event in structured mode (`application/cloudevents+json`), with
`Authorization: Bearer $EVENTS_WEBHOOK_TOKEN` when that variable is set. Event Grid: a topic
created with the CloudEvents v1.0 input schema takes a JSON array of events
(`application/cloudevents-batch+json`) at `<topic endpoint>?api-version=2018-01-01`, authorised
by the topic's access key in the `aeg-sas-key` header (from EVENTGRID_TOPIC_KEY).
"""

from __future__ import annotations

import http.client
import os
import urllib.request
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import orjson

from {{ cookiecutter.package_name }}.errors import LifecycleError
from {{ cookiecutter.package_name }}.events.config import EventSettings

WEBHOOK_TOKEN_ENV = "EVENTS_WEBHOOK_TOKEN"  # noqa: S105  # nosec B105 - a variable name, not a secret
EVENTGRID_KEY_ENV = "EVENTGRID_TOPIC_KEY"
EVENTGRID_API_VERSION = "2018-01-01"
TIMEOUT_SECONDS = 5.0
DELIVERY_ERRORS = (OSError, http.client.HTTPException, ValueError)
KEY_HINT = "az eventgrid topic key list --name <topic> -g <group> --query key1 -o tsv"


@dataclass(frozen=True)
class Remote:
    """Where and how one sink receives events: URL, content type, headers, array or not."""

    sink: str
    url: str
    content_type: str
    headers: dict[str, str] = field(repr=False)
    batch: bool

    @property
    def host(self) -> str:
        """The receiving host, safe to print (webhook URLs often carry a secret in the path)."""
        return urlsplit(self.url).hostname or "?"

    def send(self, event: dict[str, Any]) -> None:
        """POST the event; raise one of DELIVERY_ERRORS unless the sink answers 2xx."""
        body = orjson.dumps([event] if self.batch else event)
        headers = {**self.headers, "Content-Type": self.content_type}
        request = urllib.request.Request(self.url, body, headers, method="POST")  # noqa: S310
        with _OPENER.open(request, timeout=TIMEOUT_SECONDS) as response:  # nosec B310 - http(s) only, checked in config
            if not 200 <= response.status < 300:
                raise ValueError(f"{self.host} answered HTTP {response.status}")


class _NoRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect is a failed delivery: urllib would turn the POST into a GET without the event."""

    def redirect_request(self, *args: Any, **kwargs: Any) -> None:
        """Follow no redirect (urllib then raises HTTPError with the 3xx status)."""
        return None


_OPENER = urllib.request.build_opener(_NoRedirects)


def remote_for(settings: EventSettings) -> Remote | None:
    """The remote sink mlops.toml chooses (None for jsonl); a missing key is a clear error."""
    if settings.sink == "webhook":
        token = os.environ.get(WEBHOOK_TOKEN_ENV, "")
        auth = {"Authorization": f"Bearer {token}"} if token else {}
        return Remote("webhook", settings.url, "application/cloudevents+json", auth, batch=False)
    if settings.sink == "eventgrid":
        key = os.environ.get(EVENTGRID_KEY_ENV, "")
        if not key:
            raise LifecycleError(
                f"events.sink = 'eventgrid' needs the topic's access key: export "
                f"{EVENTGRID_KEY_ENV}=$({KEY_HINT}), or set events.sink = 'jsonl' in mlops.toml"
            )
        content_type = "application/cloudevents-batch+json; charset=utf-8"
        url = _with_api_version(settings.url)
        return Remote("eventgrid", url, content_type, {"aeg-sas-key": key}, batch=True)
    return None


def _with_api_version(url: str) -> str:
    if "api-version=" in urlsplit(url).query:
        return url
    return f"{url}{'&' if '?' in url else '?'}api-version={EVENTGRID_API_VERSION}"
