"""The quarantine's two tiers: pre-production self-service, production approval, exceptions."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest
from policies import quarantine

from .quarantine_fixtures import ROOT, found, project_copy, with_shipped

ALLOWLIST = Path("policies") / "packages" / "allowlist.yaml"
EXCEPTIONS = Path("policies") / "packages" / "exceptions.yaml"
LEFTPAD = '\n[[package]]\nname = "leftpad"\nversion = "1.3.0"\n'
LEFTPAD += 'source = { registry = "https://pypi.org/simple" }\n'
ONLY_PRE_PRODUCTION = (
    "is allowed only in pre-production ({where}); to ship it, set its tier to production by "
    "pull request (approver review) or get a production exception"
)


def _exception(tier: str, extra: str = "") -> str:
    return (
        "exceptions:\n  - package: leftpad\n    versions: '==1.3.0'\n    source: pypi\n"
        f"    tier: {tier}\n    reason: prototype\n    requested_by: jane.doe\n"
        f"    request: https://example.org/requests/1\n{extra}"
    )


def _demote(root: Path, name: str) -> int:
    """Set ``name``'s allowlist entry to pre-production; return the entry's line."""
    path = root / ALLOWLIST
    text = path.read_text(encoding="utf-8")
    start = text.index(f"  - name: {name}\n")
    end = text.index("tier: production", start)
    path.write_text(text[:end] + "tier: pre-production" + text[end + 16 :], encoding="utf-8")
    return text.count("\n", 0, start) + 1


def _with_leftpad(root: Path) -> int:
    """Add leftpad to the lock; return the line of its name."""
    lock = root / "uv.lock"
    before = lock.read_text(encoding="utf-8")
    lock.write_text(before + LEFTPAD, encoding="utf-8")
    return before.count("\n") + 3


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the project's declarations."""
    return project_copy(tmp_path)


def test_every_shipped_entry_names_its_tier() -> None:
    text = (ROOT / ALLOWLIST).read_text(encoding="utf-8")
    assert text.count("  - name: ") == len(re.findall(r"^    tier: (pre-)?production$", text, re.M))


def test_a_pre_production_package_fails_the_production_gate_naming_it(repo: Path) -> None:
    entry = _demote(repo, "tqdm")
    where = f"{ALLOWLIST.as_posix()}:{entry}"
    production = found(repo)
    assert {(rule, message) for rule, _, _, message in production} == {
        ("PKG005", "tqdm 4.70.1 from pypi " + ONLY_PRE_PRODUCTION.format(where=where))
    }
    assert {path for _, path, _, _ in production} >= {"uv.lock", "pipelines/conda.yml"}
    assert found(repo, "pre-production") == []


def test_the_command_line_picks_the_environment(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    _demote(repo, "tqdm")
    assert quarantine.main(["--root", str(repo), "--env", "pre-production"]) == 0
    assert quarantine.main(["--root", str(repo)]) == 1
    out = capsys.readouterr().out
    assert "quarantine (pre-production): 0 finding(s)" in out
    assert "[PKG005] tqdm 4.70.1 from pypi is allowed only in pre-production" in out


def test_a_self_served_pre_production_exception_allows_dev_only(repo: Path) -> None:
    line = _with_leftpad(repo)
    (repo / EXCEPTIONS).write_text(with_shipped(_exception("pre-production")), "utf-8")
    assert found(repo, "pre-production") == []
    where = f"{EXCEPTIONS.as_posix()}:2"
    assert found(repo) == [
        (
            "PKG005",
            "uv.lock",
            line,
            "leftpad 1.3.0 from pypi " + ONLY_PRE_PRODUCTION.format(where=where),
        )
    ]


def test_an_approved_live_production_exception_ships_the_package(repo: Path) -> None:
    _with_leftpad(repo)
    extra = "    approver: platform-team\n    expires: 2999-12-31\n"
    (repo / EXCEPTIONS).write_text(with_shipped(_exception("production", extra)), "utf-8")
    assert found(repo) == []


def test_an_expired_pre_production_exception_allows_nothing(repo: Path) -> None:
    line = _with_leftpad(repo)
    expired = _exception("pre-production", "    expires: 2000-01-01\n")
    (repo / EXCEPTIONS).write_text(with_shipped(expired), encoding="utf-8")
    assert found(repo, "pre-production") == [
        (
            "PKG002",
            "uv.lock",
            line,
            "leftpad 1.3.0 from pypi is allowed only by an expired exception",
        )
    ]


@pytest.mark.parametrize(
    ("tier", "extra", "error"),
    [
        ("production", "    expires: 2999-12-31\n", "missing approver (a production exception"),
        ("production", "    approver: platform-team\n", "missing expires (a production exception"),
        ("production", "", "missing approver, expires (a production exception is time-boxed"),
        ("staging", "", "tier 'staging' is not one of production, pre-production"),
    ],
)
def test_a_production_exception_without_approver_or_expiry_is_refused(
    repo: Path, capsys: pytest.CaptureFixture[str], tier: str, extra: str, error: str
) -> None:
    _with_leftpad(repo)
    (repo / EXCEPTIONS).write_text(with_shipped(_exception(tier, extra)), "utf-8")
    for environment in ("production", "pre-production"):
        assert quarantine.main(["--root", str(repo), "--env", environment]) == 2
        err = capsys.readouterr().err
        assert err.startswith(f"quarantine: {EXCEPTIONS.as_posix()}:2: entry 1 (leftpad): {error}")
        assert err.count("\n") == 1


@pytest.mark.parametrize(
    ("make_args", "environment"),
    [((), "production"), (("ENV=pre-production",), "pre-production")],
)
def test_make_quarantine_defaults_to_production(
    make_args: tuple[str, ...], environment: str
) -> None:
    # ENV in the process environment (a shell's startup file, say) never picks the tier.
    env = {"PATH": "/usr/bin:/bin", "ENV": "pre-production"}
    command = ["make", "--no-print-directory", "-n", "-C", str(ROOT), "quarantine", *make_args]
    plan = subprocess.run(command, capture_output=True, text=True, env=env, check=True).stdout
    assert f"-m policies.quarantine --env {environment} " in plan
