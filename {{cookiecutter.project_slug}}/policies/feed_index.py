"""The index production builds read: the quarantine feed's view (``policies/packages/feed.toml``).

``python -m policies.feed_index --org-url URL --project P --feed F`` prints the view's index URL
(CI exports it as ``PIP_INDEX_URL`` / ``UV_DEFAULT_INDEX``). The URL template must be HTTPS on
Azure Artifacts and name the view: the feed's own index also serves its PyPI upstream, and a
public index is no quarantine. A template that breaks this is one error line naming the file
and line (exit 2).
"""

from __future__ import annotations

import argparse
import sys
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

CONFIG = Path("policies") / "packages" / "feed.toml"
FEED_HOST = "https://pkgs.dev.azure.com/"
PUBLIC_INDEXES = ("pypi.org", "pythonhosted.org", "conda-forge", "anaconda.org")


class FeedConfigError(ValueError):
    """``feed.toml`` is missing, malformed or points builds around the quarantine."""


@dataclass(frozen=True)
class FeedConfig:
    """The view builds read and its index URL template."""

    view: str
    index_url: str


def _line(text: str, needle: str) -> int:
    return text[: max(text.find(needle), 0)].count("\n") + 1


def load_feed_config(root: Path) -> FeedConfig:
    """``feed.toml``'s ``[feed]`` table, checked."""
    rel = CONFIG.as_posix()
    try:
        text = (root / CONFIG).read_text(encoding="utf-8")
        table = tomllib.loads(text).get("feed", {})
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise FeedConfigError(f"{rel}: cannot be read: {error}") from None
    view, url = str(table.get("view", "")), str(table.get("index_url", ""))
    where = f"{rel}:{_line(text, 'index_url')}"
    if not view or not url:
        raise FeedConfigError(f"{rel}: [feed] needs view and index_url")
    if any(public in url for public in PUBLIC_INDEXES):
        raise FeedConfigError(f"{where}: index_url is a public index; use the feed's view")
    if not url.startswith(FEED_HOST) or "@{view}/pypi/simple/" not in url:
        fix = FEED_HOST + "{organization}/{project}/_packaging/{feed}@{view}/pypi/simple/"
        raise FeedConfigError(f"{where}: index_url must be the feed's view, {fix}")
    return FeedConfig(view, url)


def index_url(config: FeedConfig, org_url: str, project: str, feed: str) -> str:
    """The view's index URL for one stack's feed."""
    organization = org_url.rstrip("/").rsplit("/", 1)[-1]
    return config.index_url.format(
        organization=organization, project=project, feed=feed, view=config.view
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Print the stack's production index URL; 2 when feed.toml is wrong."""
    parser = argparse.ArgumentParser(
        prog="python -m policies.feed_index",
        description="Print the index production builds read (the feed's approved view).",
    )
    parser.add_argument("--org-url", required=True, help="https://dev.azure.com/<organization>")
    parser.add_argument("--project", required=True, help="the Azure DevOps project of the feed")
    parser.add_argument("--feed", required=True, help="the stack's feed (feed-<resource prefix>)")
    parser.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    args = parser.parse_args(argv)
    try:
        config = load_feed_config(args.root)
    except FeedConfigError as error:
        print(f"feed-index: {error}", file=sys.stderr)
        return 2
    print(index_url(config, args.org_url, args.project, args.feed))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
