"""Package quarantine: every resolved package must be allowlisted or under a live exception.

``python -m policies.quarantine [--env production|pre-production] [--root DIR] [--sarif PATH]``
prints one line per finding (package, version, where it came from, how to request an exception)
and a count line; exit 0 clean, 1 findings, 2 unreadable allowlist or exceptions. ``--env
production`` (the default) allows only production-tier entries and exceptions; pre-production
allows both tiers. An allowlist entry past its review date is a warning (the package stays
allowed until the approvers re-review it); an expired exception allows nothing.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path

from policies import build_sources
from policies.base_images import approved_images
from policies.package_lists import (
    PRE_PRODUCTION,
    PRODUCTION,
    TIERS,
    Permit,
    PolicyDataError,
    allowlist,
    exceptions,
)
from policies.package_sources import Package, resolved_packages
from policies.sarif import Finding, write_sarif

NOT_ALLOWED = "PKG001"
EXPIRED_EXCEPTION = "PKG002"
VERSION_NOT_ALLOWED = "PKG003"
SOURCE_NOT_ALLOWED = "PKG004"
PRE_PRODUCTION_ONLY = "PKG005"
# PKG006 (public index or channel), PKG007 (image not pinned by digest): policies/build_sources.py
REQUEST_TEMPLATES = (
    ".github/ISSUE_TEMPLATE/package-exception.yml",
    ".azuredevops/package-exception.json",
)


def request_hint(root: Path) -> str:
    """How to ask for an exception in this repository (its request templates)."""
    templates = [t for t in REQUEST_TEMPLATES if (root / t).is_file()] or list(REQUEST_TEMPLATES)
    return "request an exception with " + " or ".join(templates)


def _describe(package: Package) -> str:
    version = package.version or "(unpinned)"
    return f"{package.name} {version} from {package.source}"


def judge(package: Package, allowed: list[Permit], granted: list[Permit], today: dt.date) -> str:
    """The rule ``package`` breaks, or "" when an allowlist entry or live exception allows it."""
    permits = [p for p in [*allowed, *granted] if p.allows_source(package.name, package.source)]
    live = [p for p in permits if p in allowed or p.until >= today]
    if any(p.allows_version(package.version) for p in live):
        return ""
    if any(p.allows_version(package.version) for p in permits):
        return EXPIRED_EXCEPTION
    if live:
        return VERSION_NOT_ALLOWED
    known = any(p.name == package.name for p in [*allowed, *granted])
    return (
        SOURCE_NOT_ALLOWED
        if known or package.source not in ("pypi", "conda-forge")
        else (NOT_ALLOWED)
    )


MESSAGES = {
    NOT_ALLOWED: "{what} is not on the allowlist",
    EXPIRED_EXCEPTION: "{what} is allowed only by an expired exception",
    VERSION_NOT_ALLOWED: "{what}: this version is not allowed ({versions})",
    SOURCE_NOT_ALLOWED: "{what}: this source is not approved (pypi, conda-forge, mcr images)",
    PRE_PRODUCTION_ONLY: "{what} is allowed only in pre-production ({where}); to ship it, set "
    "its tier to production by pull request (approver review) or get a production exception",
}


def _other_tier_permit(
    package: Package, allowed: list[Permit], granted: list[Permit], today: dt.date
) -> Permit | None:
    """The live permit of any tier that allows ``package`` (None: no tier allows it)."""
    live = [p for p in allowed if p.serves(PRE_PRODUCTION)]
    live += [p for p in granted if p.until >= today]
    matching = (p for p in live if p.allows_source(package.name, package.source))
    return next((p for p in matching if p.allows_version(package.version)), None)


def findings(root: Path, today: dt.date, environment: str = PRODUCTION) -> list[Finding]:
    """One finding per package the permits of ``environment``'s tier do not allow."""
    allowed, granted = allowlist(root), exceptions(root)
    tier_allowed = [p for p in allowed if p.serves(environment)]
    tier_granted = [p for p in granted if p.serves(environment)]
    hint = request_hint(root)
    found = []
    for package in resolved_packages(root):
        rule = judge(package, tier_allowed, tier_granted, today)
        if not rule:
            continue
        permit = _other_tier_permit(package, allowed, granted, today)
        where = f"{permit.path}:{permit.line}" if permit else ""
        rule = PRE_PRODUCTION_ONLY if permit else rule
        versions = " or ".join(v for p in allowed if p.name == package.name for v in p.versions)
        text = MESSAGES[rule].format(what=_describe(package), versions=versions, where=where)
        found.append(Finding(rule, f"{text}; {hint}", package.path, package.line))
    return found + build_sources.findings(root, today, environment)


def warnings(root: Path, today: dt.date) -> list[str]:
    """Allowlist entries past their review date and expired exceptions (reported, not failed)."""
    stale = [
        f"{p.path}:{p.line}: {p.name} was due for review on {p.until}"
        for p in allowlist(root)
        if p.until < today
    ]
    expired = [
        f"{p.path}:{p.line}: the exception for {p.name} expired on {p.until}"
        for p in exceptions(root)
        if p.until < today
    ]
    placeholders = [
        f"{image.where}: {image.repository} has the placeholder digest, which no production "
        f"build can use; {image.fix()}"
        for image in approved_images(root)
        if image.placeholder()
    ]
    return [*stale, *expired, *placeholders]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line: the repository root and where to write SARIF."""
    parser = argparse.ArgumentParser(
        prog="python -m policies.quarantine",
        description="Fail on any package that the allowlist or a live exception does not allow.",
    )
    parser.add_argument(
        "--env",
        choices=TIERS,
        default=PRODUCTION,
        help="the environment checked for: production (default) allows only production-tier "
        "entries and exceptions, pre-production allows both tiers",
    )
    parser.add_argument("--root", type=Path, default=Path(), help="repository root (default: .)")
    parser.add_argument("--sarif", type=Path, help="also write the findings as SARIF to PATH")
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    """Run the gate; 0 clean, 1 findings, 2 unreadable policy data."""
    args = parse_args(argv)
    today = dt.date.today()
    try:
        found, notes = findings(args.root, today, args.env), warnings(args.root, today)
    except PolicyDataError as error:
        print(f"quarantine: {error}", file=sys.stderr)
        return 2
    for note in notes:
        print(f"warning: {note}")
    for finding in found:
        print(finding.line_text())
    if args.sarif:
        write_sarif(args.sarif, "quarantine", found)
    print(f"quarantine ({args.env}): {len(found)} finding(s), {len(notes)} warning(s)")
    return 1 if found else 0


if __name__ == "__main__":
    raise SystemExit(main())
