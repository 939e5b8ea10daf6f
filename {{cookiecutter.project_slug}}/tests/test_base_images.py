"""The approved base image: printed and imported into a stack's registry by digest (fake az)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from policies import base_images

from .fake_tools import calls, fake_tool
from .quarantine_fixtures import project_copy

REPOSITORY = "azureml/openmpi5.0-ubuntu24.04"
REAL = "sha256:" + "ab" * 32
REGISTRY = "mlopsstagingacr"
TAG = f"{REPOSITORY}:{REAL.replace(':', '-')}"
FAKE_AZ = """
if sys.argv[1:3] == ["acr", os.environ.get("FAKE_AZ_FAIL", "-")]:
    sys.stderr.write("ERROR: (Forbidden) the client has no permission\\n")
    sys.exit(1)
if sys.argv[1:4] == ["acr", "repository", "show"]:
    print(os.environ["FAKE_AZ_DIGEST"])
if sys.argv[1:3] == ["acr", "show"]:
    print("mlopsstagingacr.azurecr.io")
if sys.argv[1:3] == ["account", "get-access-token"]:
    print("entra-token")
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the project whose allowlisted base image has a real-looking digest."""
    root = project_copy(tmp_path)
    allowlist = root / "policies" / "packages" / "allowlist.yaml"
    text = allowlist.read_text(encoding="utf-8")
    allowlist.write_text(text.replace(base_images.PLACEHOLDER, REAL), encoding="utf-8")
    return root


@pytest.fixture
def az_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `az` first on PATH that logs its arguments and reports the imported digest."""
    monkeypatch.setenv("FAKE_AZ_DIGEST", REAL)
    return fake_tool(tmp_path, monkeypatch, "az", FAKE_AZ)


IMPORT = ["acr", "import", "--name", REGISTRY, "--source", f"mcr.microsoft.com/{REPOSITORY}@{REAL}"]
IMPORT += ["--image", TAG, "--force"]
SHOW = ["acr", "repository", "show", "--name", REGISTRY, "--image", TAG]
SHOW += ["--query", "digest", "--output", "tsv"]


def run(repo: Path, *args: str) -> int:
    """The command line against ``repo``."""
    return base_images.main([*args, "--registry", REGISTRY, "--root", str(repo)])


def test_ref_prints_the_image_in_the_stacks_registry_by_digest(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert run(repo, "ref") == 0
    assert capsys.readouterr().out == f"{REGISTRY}.azurecr.io/{REPOSITORY}@{REAL}\n"


def test_import_copies_by_digest_and_checks_the_digest_the_registry_reports(
    repo: Path, az_log: Path
) -> None:
    assert run(repo, "import") == 0
    assert calls(az_log) == [IMPORT, SHOW]


def test_import_run_again_does_the_same_and_passes(repo: Path, az_log: Path) -> None:
    assert run(repo, "import") == 0
    assert run(repo, "import") == 0
    assert calls(az_log) == [IMPORT, SHOW, IMPORT, SHOW]


def test_a_registry_reporting_another_digest_fails(
    repo: Path, az_log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    other = "sha256:" + "cd" * 32
    monkeypatch.setenv("FAKE_AZ_DIGEST", other)
    assert run(repo, "import") == 1
    assert capsys.readouterr().err == (
        f"base-images: {REGISTRY} reports {other} for {TAG}, not {REAL}\n"
    )


def test_a_failed_import_is_one_line_with_azs_reason(
    repo: Path, az_log: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("FAKE_AZ_FAIL", "import")
    assert run(repo, "import") == 1
    assert calls(az_log) == [IMPORT]
    assert capsys.readouterr().err == (
        f"base-images: `az acr import` failed for mcr.microsoft.com/{REPOSITORY}@{REAL}: "
        "ERROR: (Forbidden) the client has no permission\n"
    )


@pytest.mark.parametrize("action", ["ref", "import"])
def test_the_shipped_placeholder_digest_is_refused_before_any_az_call(
    tmp_path: Path, az_log: Path, action: str, capsys: pytest.CaptureFixture[str]
) -> None:
    root = project_copy(tmp_path)
    assert run(root, action) == 2
    assert calls(az_log) == []
    err = capsys.readouterr().err
    assert err.startswith("base-images: policies/packages/allowlist.yaml:")
    assert f"{REPOSITORY} still has the placeholder digest; look up the digest" in err
    assert err.count("\n") == 1


def test_a_malformed_registry_name_is_refused(
    repo: Path, az_log: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert base_images.main(["import", "--registry", "x.azurecr.io", "--root", str(repo)]) == 2
    assert calls(az_log) == []
    assert capsys.readouterr().err == (
        "base-images: 'x.azurecr.io' is no registry name (5-50 letters, digits)\n"
    )


VIEW = "https://pkgs.dev.azure.com/contoso/mlops/_packaging/feed-x-prod@approved/pypi/simple/"


def build(root: Path, feed: str | None = VIEW) -> subprocess.CompletedProcess[str]:
    """tools/build_image.sh in `root` for the staging registry (the test's Python as .venv's)."""
    env = {**os.environ, "PYTHON": sys.executable}
    env.pop("FEED_INDEX_URL", None)
    if feed is not None:
        env["FEED_INDEX_URL"] = feed
    script = Path(__file__).resolve().parents[1] / "tools" / "build_image.sh"
    command = ["bash", str(script), REGISTRY, "scoring:7-1"]
    return subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)


def test_the_image_is_built_on_the_imported_base_from_the_feeds_view(
    repo: Path, az_log: Path
) -> None:
    done = build(repo)
    assert done.returncode == 0, done.stderr
    built = calls(az_log)[-1]
    assert built[:6] == ["acr", "build", "--registry", REGISTRY, "--image", "scoring:7-1"]
    assert "BASE_REGISTRY=mlopsstagingacr.azurecr.io" in built
    credentials = ":".join(("build", "entra-token"))  # user and token, as pip reads them
    index = f"PIP_INDEX_URL=https://{credentials}@" + VIEW.removeprefix("https://")
    assert built[built.index("--secret-build-arg") + 1] == index
    assert ["acr", "import"] in [call[:2] for call in calls(az_log)[:-1]]  # the base, first


def test_no_image_is_built_on_the_placeholder_digest_or_without_the_feed(
    tmp_path: Path, repo: Path, az_log: Path
) -> None:
    shipped = project_copy(tmp_path / "shipped")  # the allowlist as the template ships it
    refused = build(shipped)
    assert refused.returncode != 0
    assert "placeholder" in refused.stderr
    for feed in (None, "http://pkgs.dev.azure.com/plain/", ""):
        without = build(repo, feed)
        assert without.returncode == 2
        assert "FEED_INDEX_URL must be this stack feed's approved view" in without.stderr
    assert not [call for call in calls(az_log) if call[:2] == ["acr", "build"]]
