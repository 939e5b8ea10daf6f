"""The few Azure Artifacts REST calls the quarantine feed needs, over the standard library.

Request shapes as documented for api-version 7.1: Feed Management (get and update a feed, list and
create views) on ``feeds.dev.azure.com``; PyPI (get a package version, update package versions
in a batch) on ``pkgs.dev.azure.com``. Every failure is a ``FeedError`` with one line naming the
call, the HTTP status and the fix.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass
from typing import Any

FEEDS_API = "7.1"
PYPI_API = "7.1-preview.1"
PYPI_UPSTREAM = {
    "name": "PyPI",
    "protocol": "pypi",
    "location": "https://pypi.org/",
    "upstreamSourceType": "public",
}
FIXES = {
    401: "the token is missing or expired: sign in again (az account get-access-token)",
    403: "the identity needs the feed's Contributor (Feed Publisher) role or higher",
}


class FeedError(RuntimeError):
    """A feed call failed; ``status`` is the HTTP status (0: no answer)."""

    def __init__(self, message: str, status: int = 0) -> None:
        super().__init__(message)
        self.status = status


@dataclass(frozen=True)
class FeedApi:
    """One feed of one project: ``feeds_url``/``packages_url`` are the organization's API roots."""

    feeds_url: str  # https://feeds.dev.azure.com/<organization>
    packages_url: str  # https://pkgs.dev.azure.com/<organization>
    project: str
    feed: str
    token: str
    timeout: float = 30.0

    def _url(self, root: str, path: str, api: str, **query: str) -> str:
        project, feed = (urllib.parse.quote(part, safe="") for part in (self.project, self.feed))
        params = urllib.parse.urlencode({**query, "api-version": api})
        return f"{root.rstrip('/')}/{project}/_apis/packaging/feeds/{feed}{path}?{params}"

    def _call(self, method: str, url: str, body: object = None) -> Any:
        if not url.startswith(("https://", "http://")):
            raise FeedError(f"{url}: not an http(s) URL; give the API roots as https://...")
        data = None if body is None else json.dumps(body).encode()
        headers = {"Authorization": f"Bearer {self.token}", "Accept": "application/json"}
        if data is not None:
            headers["Content-Type"] = "application/json"
        request = urllib.request.Request(url, data, headers, method=method)  # noqa: S310  # nosec B310
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:  # noqa: S310  # nosec B310 - http(s) only, checked above
                payload = response.read()
        except urllib.error.HTTPError as error:
            fix = FIXES.get(error.code, "run it again; finished steps are skipped")
            raise FeedError(f"{method} {url}: HTTP {error.code}; {fix}", error.code) from None
        except (urllib.error.URLError, TimeoutError, OSError) as error:
            reason = getattr(error, "reason", error)
            raise FeedError(f"{method} {url}: no answer ({reason}); run it again") from None
        return json.loads(payload) if payload.strip() else None

    def feed_settings(self) -> dict[str, Any]:
        """The feed (Feed Management - Get Feed)."""
        return dict(self._call("GET", self._url(self.feeds_url, "", FEEDS_API)))

    def add_upstream(self, sources: list[dict[str, Any]]) -> None:
        """Set the feed's upstream sources (Feed Management - Update Feed)."""
        body = {"upstreamEnabled": True, "upstreamSources": sources}
        self._call("PATCH", self._url(self.feeds_url, "", FEEDS_API), body)

    def views(self) -> dict[str, str]:
        """View name -> id (Feed Management - Get Feed Views)."""
        answer = self._call("GET", self._url(self.feeds_url, "/views", FEEDS_API))
        return {str(view["name"]): str(view["id"]) for view in answer.get("value", [])}

    def create_view(self, name: str) -> str:
        """Create a release view visible to the feed's own users only; its id."""
        body = {"name": name, "type": "release", "visibility": "private"}
        return str(self._call("POST", self._url(self.feeds_url, "/views", FEEDS_API), body)["id"])

    def version_views(self, name: str, version: str) -> set[str] | None:
        """Names of the views holding ``name`` ``version``; None when the feed lacks it."""
        path = "/pypi/packages/{}/versions/{}".format(
            *(urllib.parse.quote(part, safe="") for part in (name, version))
        )
        try:
            package = self._call("GET", self._url(self.packages_url, path, PYPI_API))
        except FeedError as error:
            if error.status == 404:
                return None
            raise
        return {str(view["name"]) for view in package.get("views") or []}

    def promote(self, view_id: str, packages: list[tuple[str, str]]) -> None:
        """Promote ``(name, version)`` pairs into a view (PyPI - Update Package Versions)."""
        body = {
            "data": {"viewId": view_id},
            "operation": "promote",
            "packages": [{"id": name, "version": version} for name, version in packages],
        }
        self._call("POST", self._url(self.packages_url, "/pypi/packagesbatch", PYPI_API), body)
