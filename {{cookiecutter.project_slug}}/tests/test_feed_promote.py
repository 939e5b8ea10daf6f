"""``make feed-promote`` against a loopback Azure Artifacts: exact, idempotent, resumable."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from policies import feed_promote

from .feed_server import FeedState, running_feed
from .quarantine_fixtures import ROOT

ENTRY = (
    "  - name: {name}\n    versions: {versions}\n    source: {source}\n    tier: {tier}\n"
    "    rationale: r\n    approver: a\n    review_date: 2030-01-01\n"
)
EXCEPTION = (
    "  - package: {name}\n    versions: '=={version}'\n    source: pypi\n    tier: {tier}\n"
    "    reason: r\n    requested_by: r\n    approver: a\n    expires: {expires}\n"
    "    request: https://example.org/1\n"
)
APPROVED = [("leftpad", "1.3.0"), ("numpy", "2.3.2"), ("numpy", "2.4.6"), ("pandas", "3.1.1")]


@pytest.fixture
def root(tmp_path: Path) -> Path:
    """A repository whose lists approve exactly APPROVED for production, and more besides."""
    entries = [
        ENTRY.format(
            name="numpy", versions="['==2.3.2', '==2.4.6']", source="pypi", tier="production"
        ),
        ENTRY.format(name="pandas", versions="'==3.1.1'", source="pypi", tier="production"),
        ENTRY.format(name="notebook", versions="'==7.0.0'", source="pypi", tier="pre-production"),
        ENTRY.format(name="pip", versions="'*'", source="pypi", tier="production"),
        ENTRY.format(name="python", versions="'==3.11.*'", source="conda-forge", tier="production"),
    ]
    granted = [
        EXCEPTION.format(name="leftpad", version="1.3.0", tier="production", expires="2999-01-01"),
        EXCEPTION.format(name="oldpad", version="0.1.0", tier="production", expires="2000-01-01"),
        EXCEPTION.format(
            name="devpad", version="0.2.0", tier="pre-production", expires="2999-01-01"
        ),
    ]
    lists = tmp_path / "policies" / "packages"
    lists.mkdir(parents=True)
    (lists / "allowlist.yaml").write_text("packages:\n" + "".join(entries), encoding="utf-8")
    (lists / "exceptions.yaml").write_text("exceptions:\n" + "".join(granted), encoding="utf-8")
    shutil.copy(ROOT / "policies" / "packages" / "feed.toml", lists / "feed.toml")
    return tmp_path


@pytest.fixture
def state() -> FeedState:
    """A new feed: every approved version saved from upstream, no upstream yet, no view."""
    return FeedState(versions={key: set() for key in APPROVED})


def run(root: Path, url: str, monkeypatch: pytest.MonkeyPatch, *extra: str) -> int:
    """feed-promote against the loopback feed."""
    monkeypatch.setenv(feed_promote.TOKEN_VARIABLE, "secret-token")
    args = ["--org-url", "https://dev.azure.com/contoso", "--project", "proj"]
    args += ["--feed", "feed-app-prod", "--root", str(root)]
    args += ["--feeds-url", f"{url}/feeds", "--packages-url", f"{url}/pkgs", *extra]
    return feed_promote.main(args)


def test_exactly_the_production_approved_pypi_versions_are_promoted(root: Path) -> None:
    assert feed_promote.approved_versions(root, dt.date.today()) == APPROVED


def test_a_first_run_adds_the_upstream_and_the_view_then_promotes_each_once(
    root: Path, state: FeedState, monkeypatch: pytest.MonkeyPatch
) -> None:
    with running_feed(state) as url:
        assert run(root, url, monkeypatch) == 0
    assert [source["protocol"] for source in state.upstreams] == ["pypi"]
    assert set(state.views) == {"approved"}
    assert state.promotions == dict.fromkeys(APPROVED, 1)
    assert all(views == {state.views["approved"]} for views in state.versions.values())


def test_a_second_run_promotes_nothing(
    root: Path,
    state: FeedState,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running_feed(state) as url:
        assert run(root, url, monkeypatch) == 0
        state.requests.clear()
        assert run(root, url, monkeypatch) == 0
    assert all(method == "GET" for method, _, _ in state.requests)
    assert state.promotions == dict.fromkeys(APPROVED, 1)
    assert capsys.readouterr().out.endswith("promoted 0, already there 4, not in the feed 0\n")


def test_a_dry_run_only_reads(
    root: Path,
    state: FeedState,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    with running_feed(state) as url:
        assert run(root, url, monkeypatch, "--dry-run") == 0
    assert {method for method, _, _ in state.requests} == {"GET"}
    assert (state.upstreams, state.views, state.promotions) == ([], {}, {})
    out = capsys.readouterr().out
    assert "adding the PyPI upstream" in out
    assert "creating the view approved" in out
    assert out.endswith(
        "feed-app-prod@approved: would promote 4, already there 0, not in the feed 0\n"
    )


def test_a_version_not_in_the_feed_yet_is_named_with_the_fix_and_the_rest_promoted(
    root: Path,
    state: FeedState,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    del state.versions[("pandas", "3.1.1")]
    with running_feed(state) as url:
        assert run(root, url, monkeypatch) == 1
        simple = f"{url}/pkgs/proj/_packaging/feed-app-prod/pypi/simple/"
    out = capsys.readouterr().out
    assert (
        "feed-promote: pandas==3.1.1 is not in feed-app-prod yet: install it once through the feed "
        f"(pip download --no-deps --index-url {simple} pandas==3.1.1), then run again"
    ) in out
    assert set(state.promotions) == set(APPROVED) - {("pandas", "3.1.1")}


def test_a_wrong_token_is_one_line_naming_the_fix(
    root: Path,
    state: FeedState,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    state.token = "another-token"  # noqa: S105
    with running_feed(state) as url:
        assert run(root, url, monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"feed-promote: GET {url}/feeds/proj/_apis/packaging/feeds/feed-app-prod")
    assert err.endswith(": HTTP 401; the token is missing or expired: sign in again "
                        "(az account get-access-token)\n")  # fmt: skip
    assert err.count("\n") == 1


def test_an_outage_half_way_is_finished_by_a_rerun_without_promoting_twice(
    root: Path,
    state: FeedState,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(feed_promote, "BATCH", 2)
    state.fail_after = 3  # the second batch fails after its first package (batches are not atomic)
    with running_feed(state) as url:
        assert run(root, url, monkeypatch) == 2
        assert "HTTP 503; run it again; finished steps are skipped" in capsys.readouterr().err
        assert sum(state.promotions.values()) == 3
        assert run(root, url, monkeypatch) == 0
    assert state.promotions == dict.fromkeys(APPROVED, 1)
    assert capsys.readouterr().out.endswith("promoted 1, already there 3, not in the feed 0\n")


def test_without_a_token_it_says_how_to_get_one(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv(feed_promote.TOKEN_VARIABLE, raising=False)
    args = ["--org-url", "https://dev.azure.com/contoso", "--project", "p", "--feed", "f"]
    assert feed_promote.main([*args, "--root", str(root)]) == 2
    assert capsys.readouterr().err.startswith(
        "feed-promote: set AZURE_DEVOPS_TOKEN (for example: az account get-access-token"
    )


def test_an_api_root_that_is_not_http_is_refused(
    root: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(root, "file:///etc", monkeypatch) == 2
    err = capsys.readouterr().err
    assert err.startswith(
        "feed-promote: file:///etc/feeds/proj/_apis/packaging/feeds/feed-app-prod"
    )
    assert err.endswith(": not an http(s) URL; give the API roots as https://...\n")
