"""The approved base image: printed and imported into a stack's registry by digest (fake az)."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest
from policies import base_images

from .quarantine_fixtures import project_copy

REPOSITORY = "azureml/openmpi5.0-ubuntu24.04"
REAL = "sha256:" + "ab" * 32
REGISTRY = "mlopsstagingacr"
TAG = f"{REPOSITORY}:{REAL.replace(':', '-')}"
FAKE_AZ = """#!{python}
import json, os, sys
with open(os.environ["FAKE_AZ_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
if sys.argv[1:3] == ["acr", os.environ.get("FAKE_AZ_FAIL", "-")]:
    sys.stderr.write("ERROR: (Forbidden) the client has no permission\\n")
    sys.exit(1)
if sys.argv[1:4] == ["acr", "repository", "show"]:
    print(os.environ["FAKE_AZ_DIGEST"])
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
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    fake = bin_dir / "az"
    fake.write_text(FAKE_AZ.format(python=sys.executable), encoding="utf-8")
    fake.chmod(0o755)
    log = tmp_path / "az.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_AZ_LOG", str(log))
    monkeypatch.setenv("FAKE_AZ_DIGEST", REAL)
    return log


def calls(log: Path) -> list[list[str]]:
    """Every fake az command, in order."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]


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
