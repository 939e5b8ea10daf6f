"""The allowlist and the time-boxed exceptions of ``policies/packages/``, read and validated.

Two tiers: an entry's ``tier`` is ``production`` (approved for every environment) or
``pre-production`` (data scientists may self-serve it in dev, not ship it). A pre-production
exception needs no approver and may be open-ended; a production exception must name its approver
and expire. A malformed file raises ``PolicyDataError`` with one line naming the file, the entry
and the problem; the gate prints it and exits 2.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

PACKAGES_DIR = Path("policies") / "packages"
SOURCES = ("pypi", "conda-forge", "mcr")
ANY_VERSION = "*"
PRODUCTION, PRE_PRODUCTION = "production", "pre-production"
TIERS = (PRODUCTION, PRE_PRODUCTION)
ALLOWLIST_FIELDS: tuple[str, ...] = ("name", "versions", "source", "tier", "rationale")
ALLOWLIST_FIELDS += ("approver", "review_date")
EXCEPTION_FIELDS: tuple[str, ...] = ("package", "versions", "source", "tier", "reason")
EXCEPTION_FIELDS += ("requested_by", "request")
PRODUCTION_EXCEPTION_FIELDS = ("approver", "expires")


class PolicyDataError(ValueError):
    """The allowlist or the exceptions file cannot be read as the format below describes."""


@dataclass(frozen=True)
class Permit:
    """One allowlist entry or exception: the package, versions and source it allows, until when."""

    name: str
    versions: tuple[str, ...]  # PEP 440 specifiers, any of which allows
    source: str
    until: dt.date
    path: str
    line: int
    tier: str = PRODUCTION

    def serves(self, environment: str) -> bool:
        """Whether this permit applies when the gate checks for ``environment``."""
        return self.tier == PRODUCTION or environment == PRE_PRODUCTION

    def allows_source(self, name: str, source: str) -> bool:
        """Whether this permit is about ``name`` from ``source``."""
        return self.name == name and self.source == source

    def allows_version(self, version: str | None) -> bool:
        """Whether ``version`` (None: unpinned) is in the allowed versions."""
        return any(_matches(versions, version) for versions in self.versions)


def _matches(versions: str, version: str | None) -> bool:
    """Whether ``version`` matches one specifier set (``*``: any version, unpinned included)."""
    if versions == ANY_VERSION:
        return True
    if version is None:
        return False
    specifiers = SpecifierSet(versions)
    try:
        return specifiers.contains(Version(version), prereleases=True)
    except InvalidVersion:  # an image tag or digest: only arbitrary equality (===) matches
        return any(s.operator == "===" and s.version == version for s in specifiers)


def normalized(name: str, source: str) -> str:
    """PEP 503 name of a package; an image repository only lowercased."""
    return name.lower() if source == "mcr" else canonicalize_name(name)


def _date(value: object, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise PolicyDataError(f"{where}: {value!r} is not a date (YYYY-MM-DD)") from None


def _versions(raw: object, where: str) -> tuple[str, ...]:
    versions = tuple(str(v) for v in raw) if isinstance(raw, list) else (str(raw),)
    for specifier in versions:
        if specifier != ANY_VERSION:
            try:
                SpecifierSet(specifier)
            except InvalidSpecifier:
                message = f"versions {specifier!r} is no PEP 440 specifier"
                raise PolicyDataError(f"{where}: {message}") from None
    return versions


def _until(entry: dict[str, Any], fields: tuple[str, ...], tier: str, where: str) -> dt.date:
    """The review date of an allowlist entry, the expiry of an exception (open-ended: none)."""
    if fields is ALLOWLIST_FIELDS:
        return _date(entry["review_date"], where)
    if tier == PRODUCTION:
        missing = [f for f in PRODUCTION_EXCEPTION_FIELDS if entry.get(f) in (None, "")]
        if missing:
            fix = "a production exception is time-boxed and approved; or set tier: pre-production"
            raise PolicyDataError(f"{where}: missing {', '.join(missing)} ({fix})")
    expires = entry.get("expires")
    return dt.date.max if expires in (None, "") else _date(expires, where)


def _permit(entry: object, fields: tuple[str, ...], where: str, line: int) -> Permit:
    if not isinstance(entry, dict):
        raise PolicyDataError(f"{where}: an entry must be a mapping with {', '.join(fields)}")
    missing = [field for field in fields if entry.get(field) in (None, "")]
    if missing:
        raise PolicyDataError(f"{where}: missing {', '.join(missing)}")
    name, source, tier = str(entry[fields[0]]), str(entry["source"]), str(entry["tier"])
    if source not in SOURCES:
        raise PolicyDataError(f"{where}: source {source!r} is not one of {', '.join(SOURCES)}")
    if tier not in TIERS:
        raise PolicyDataError(f"{where}: tier {tier!r} is not one of {', '.join(TIERS)}")
    versions = _versions(entry["versions"], where)
    until = _until(entry, fields, tier, where)
    rel = where.split(":")[0]
    return Permit(normalized(name, source), versions, source, until, rel, line, tier)


def load_permits(root: Path, file_name: str, key: str, fields: tuple[str, ...]) -> list[Permit]:
    """The entries under ``key`` of ``policies/packages/<file_name>``, validated."""
    rel = (PACKAGES_DIR / file_name).as_posix()
    try:
        text = (root / rel).read_text(encoding="utf-8")
        data: Any = yaml.safe_load(text)
    except (OSError, yaml.YAMLError) as error:
        raise PolicyDataError(f"{rel}: cannot be read: {str(error).splitlines()[0]}") from None
    entries = data.get(key) if isinstance(data, dict) else None
    if not isinstance(entries, list):
        raise PolicyDataError(f"{rel}: expected a top-level `{key}:` list")
    permits = []
    for index, entry in enumerate(entries):
        name = entry.get(fields[0]) if isinstance(entry, dict) else None
        line = text.count("\n", 0, max(text.find(f"{fields[0]}: {name}"), 0)) + 1
        permits.append(_permit(entry, fields, f"{rel}:{line}: entry {index + 1} ({name})", line))
    return permits


def allowlist(root: Path) -> list[Permit]:
    """The approved packages (``until`` is the review date)."""
    return load_permits(root, "allowlist.yaml", "packages", ALLOWLIST_FIELDS)


def exceptions(root: Path) -> list[Permit]:
    """The time-boxed exceptions (``until`` is the expiry date)."""
    return load_permits(root, "exceptions.yaml", "exceptions", EXCEPTION_FIELDS)
