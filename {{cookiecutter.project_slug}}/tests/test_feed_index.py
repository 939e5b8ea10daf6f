"""The one place that says which index production builds read: the feed's approved view."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from policies import feed_index

from .quarantine_fixtures import ROOT

ORG = ["--org-url", "https://dev.azure.com/contoso/", "--project", "mlops", "--feed", "feed-x"]


def test_the_shipped_config_gives_the_approved_view_of_the_stacks_feed(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert feed_index.main([*ORG, "--root", str(ROOT)]) == 0
    assert capsys.readouterr().out == (
        "https://pkgs.dev.azure.com/contoso/mlops/_packaging/feed-x@approved/pypi/simple/\n"
    )


@pytest.mark.parametrize(
    ("url", "error"),
    [
        ("https://pypi.org/simple/", "index_url is a public index; use the feed's view"),
        (
            "https://pkgs.dev.azure.com/{organization}/{project}/_packaging/{feed}/pypi/simple/",
            "index_url must be the feed's view",  # the feed root also serves its upstream
        ),
        (
            "http://pkgs.dev.azure.com/{organization}/{project}/_packaging/{feed}@{view}/pypi/simple/",
            "index_url must be the feed's view",
        ),
    ],
)
def test_an_index_around_the_quarantine_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], url: str, error: str
) -> None:
    config = tmp_path / feed_index.CONFIG
    config.parent.mkdir(parents=True)
    shutil.copy(ROOT / feed_index.CONFIG, config)
    text = config.read_text(encoding="utf-8")
    shipped = text.split('index_url = "', 1)[1].split('"', 1)[0]
    config.write_text(text.replace(shipped, url), encoding="utf-8")
    line = text[: text.index("index_url =")].count("\n") + 1
    assert feed_index.main([*ORG, "--root", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"feed-index: policies/packages/feed.toml:{line}: {error}")
    assert err.count("\n") == 1
