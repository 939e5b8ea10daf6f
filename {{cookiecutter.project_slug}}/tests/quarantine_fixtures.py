"""Helpers of the quarantine tests: a copy of the project's declarations and its findings."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

from policies import quarantine
from policies.package_lists import PRODUCTION
from policies.package_sources import SKIPPED_DIRS

ROOT = Path(__file__).resolve().parents[1]
TODAY = dt.date.today()


def project_copy(tmp_path: Path) -> Path:
    """A copy of the project's declarations (no environments, data or build output)."""
    copy = tmp_path / "repo"
    shutil.copytree(ROOT, copy, ignore=shutil.ignore_patterns(*SKIPPED_DIRS, "data"))
    return copy


def found(root: Path, environment: str = PRODUCTION) -> list[tuple[str, str, int, str]]:
    """(rule, path, line, message without the request hint) of every finding."""
    hint = "; " + quarantine.request_hint(root)
    return [
        (f.rule_id, f.path, f.line, f.message.removesuffix(hint))
        for f in quarantine.findings(root, TODAY, environment)
    ]


def with_shipped(exceptions: str) -> str:
    """An ``exceptions:`` list followed by the project's own entries (its Azure ML waivers)."""
    shipped = (ROOT / "policies" / "packages" / "exceptions.yaml").read_text(encoding="utf-8")
    return exceptions + shipped.split("\nexceptions:\n", 1)[1]
