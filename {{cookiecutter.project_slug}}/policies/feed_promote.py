"""``make feed-promote``: exactly the production-approved versions into the feed's view.

    python -m policies.feed_promote --org-url https://dev.azure.com/ORG --project P --feed F
        [--view approved] [--dry-run]

First the feed itself: its PyPI upstream and its view (created when missing). Then, for every
exact PyPI version the allowlist's production tier and the live production exceptions allow:
already in the view, skipped; in the feed, promoted (in batches); not in the feed yet, reported
with the fix (install it once through the feed, whose upstream saves it, then run again). A run
stopped half-way is run again and finishes; nothing is promoted twice. ``--dry-run`` only reads.
Exit 0 when every version is in the view, 1 when some are not in the feed yet, 2 on an error.
The token is ``$AZURE_DEVOPS_TOKEN`` (an Entra token for Azure DevOps or System.AccessToken).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from policies.feed_api import PYPI_UPSTREAM, FeedApi, FeedError
from policies.feed_index import FeedConfigError, load_feed_config
from policies.package_lists import PRODUCTION, PolicyDataError, allowlist, exceptions

TOKEN_VARIABLE = "AZURE_DEVOPS_TOKEN"  # noqa: S105  # nosec B105 - a variable name, not a secret
AZURE_DEVOPS_APP = "499b84ac-1321-427f-aa17-267ca6975798"  # Azure DevOps' Entra application
HOW_TO_SIGN_IN = f"az account get-access-token --resource {AZURE_DEVOPS_APP} --query accessToken"
BATCH = 25


@dataclass
class Plan:
    """What the feed holds of the approved versions."""

    in_view: list[tuple[str, str]] = field(default_factory=list)
    to_promote: list[tuple[str, str]] = field(default_factory=list)
    missing: list[tuple[str, str]] = field(default_factory=list)


def approved_versions(root: Path, today: dt.date) -> list[tuple[str, str]]:
    """(name, version) of every exact PyPI version approved for production, sorted."""
    permits = [p for p in allowlist(root) if p.tier == PRODUCTION]
    permits += [p for p in exceptions(root) if p.tier == PRODUCTION and p.until >= today]
    return sorted(
        {
            (permit.name, specifier.removeprefix("=="))
            for permit in permits
            if permit.source == "pypi"
            for specifier in permit.versions
            if specifier.startswith("==") and "*" not in specifier and "," not in specifier
        }
    )


def ensure_feed(api: FeedApi, view: str, dry_run: bool) -> str | None:
    """The view's id after making sure of the PyPI upstream and the view (None: dry run)."""
    sources = list(api.feed_settings().get("upstreamSources") or [])
    if not any(str(s.get("protocol", "")).lower() == "pypi" for s in sources):
        print(f"feed-promote: {api.feed}: adding the PyPI upstream")
        if not dry_run:
            api.add_upstream([*sources, PYPI_UPSTREAM])
    views = api.views()
    if view in views:
        return views[view]
    print(f"feed-promote: {api.feed}: creating the view {view}")
    return None if dry_run else api.create_view(view)


def plan(api: FeedApi, view: str, versions: list[tuple[str, str]]) -> Plan:
    """Sort the approved versions by where the feed has them."""
    found = Plan()
    for name, version in versions:
        views = api.version_views(name, version)
        bucket = found.missing if views is None else found.in_view if view in views else None
        (bucket if bucket is not None else found.to_promote).append((name, version))
    return found


def promote(api: FeedApi, view_id: str, versions: list[tuple[str, str]]) -> None:
    """Promote in batches, reporting each finished batch (a rerun skips them)."""
    for start in range(0, len(versions), BATCH):
        batch = versions[start : start + BATCH]
        api.promote(view_id, batch)
        print(f"feed-promote: promoted {start + len(batch)}/{len(versions)}")


def report(api: FeedApi, view: str, found: Plan, dry_run: bool) -> int:
    """Print the outcome; 1 when some versions are not in the feed yet."""
    simple = f"{api.packages_url.rstrip('/')}/{api.project}/_packaging/{api.feed}/pypi/simple/"
    for name, version in found.missing:
        print(
            f"feed-promote: {name}=={version} is not in {api.feed} yet: install it once through "
            f"the feed (pip download --no-deps --index-url {simple} {name}=={version}), "
            "then run again"
        )
    verb = "would promote" if dry_run else "promoted"
    print(
        f"feed-promote: {api.feed}@{view}: {verb} {len(found.to_promote)}, "
        f"already there {len(found.in_view)}, not in the feed {len(found.missing)}"
    )
    return 1 if found.missing else 0


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(
        prog="python -m policies.feed_promote",
        description="Promote the production-approved package versions into the feed's view.",
    )
    parser.add_argument("--org-url", required=True, help="https://dev.azure.com/<organization>")
    parser.add_argument("--project", required=True, help="the Azure DevOps project of the feed")
    parser.add_argument("--feed", required=True, help="the feed (feed-<resource prefix>)")
    parser.add_argument(
        "--view", help="the view builds read (default: policies/packages/feed.toml)"
    )
    parser.add_argument("--dry-run", action="store_true", help="only read; print what it would do")
    parser.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    parser.add_argument("--feeds-url", help="Feed Management API root (default from --org-url)")
    parser.add_argument("--packages-url", help="packages API root (default from --org-url)")
    return parser.parse_args(argv)


def api_from(args: argparse.Namespace, token: str) -> FeedApi:
    """The feed API for the command line's organization (Azure DevOps Services hosts)."""
    organization = args.org_url.rstrip("/").rsplit("/", 1)[-1]
    feeds = args.feeds_url or f"https://feeds.dev.azure.com/{organization}"
    packages = args.packages_url or f"https://pkgs.dev.azure.com/{organization}"
    return FeedApi(feeds, packages, args.project, args.feed, token)


def main(argv: Sequence[str] | None = None) -> int:
    """Run it; 0 all promoted, 1 some not in the feed yet, 2 an error."""
    args = parse_args(argv)
    token = os.environ.get(TOKEN_VARIABLE, "")
    if not token:
        message = f"set {TOKEN_VARIABLE} (for example: {HOW_TO_SIGN_IN} -o tsv)"
        print(f"feed-promote: {message}", file=sys.stderr)
        return 2
    api = api_from(args, token)
    try:
        view = args.view or load_feed_config(args.root).view
        versions = approved_versions(args.root, dt.date.today())
        view_id = ensure_feed(api, view, args.dry_run)
        found = plan(api, view, versions)
        if view_id is not None and not args.dry_run:
            promote(api, view_id, found.to_promote)
    except (FeedError, PolicyDataError, FeedConfigError) as error:
        print(f"feed-promote: {error}", file=sys.stderr)
        return 2
    return report(api, view, found, args.dry_run)


if __name__ == "__main__":
    raise SystemExit(main())
