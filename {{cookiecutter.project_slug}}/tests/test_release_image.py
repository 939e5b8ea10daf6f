"""tools/release_image.sh: dev builds the release's scoring image, staging and prod import that
very digest (a fake az plays Azure; the project's own CLI runs `promote-image`)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from policies import base_images

from .fake_tools import calls, fake_tool
from .quarantine_fixtures import project_copy
from .test_base_images import REAL, VIEW

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "release_image.sh"
REPOSITORY = "{{ cookiecutter.project_slug }}"
SCANNED = "sha256:" + "cd" * 32
DEV_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/"
DEV_ID += "mlopsdevacr"
DEV_IMAGE = f"mlopsdevacr.azurecr.io/{REPOSITORY}@{SCANNED}"
# Azure as the script meets it: the workspace's registry, the imported base image's digest (the
# allowlist's) and the built or promoted image's digest (FAKE_AZ_DIGEST).
FAKE_AZ = """
args = sys.argv[1:]
if args[:3] == ["ml", "workspace", "show"]:
    print(os.environ["FAKE_AZ_REGISTRY_ID"])
if args[:3] == ["acr", "repository", "show"]:
    base = args[args.index("--image") + 1].startswith("azureml/")
    print(os.environ["FAKE_AZ_BASE_DIGEST"] if base else os.environ["FAKE_AZ_DIGEST"])
if args[:2] == ["acr", "show"]:
    print("mlopsstagingacr.azurecr.io")
if args[:2] == ["account", "get-access-token"]:
    print("entra-token")
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the project whose approved base image has a real-looking digest."""
    root = project_copy(tmp_path / "project")
    allowlist = root / "policies" / "packages" / "allowlist.yaml"
    text = allowlist.read_text(encoding="utf-8")
    allowlist.write_text(text.replace(base_images.PLACEHOLDER, REAL), encoding="utf-8")
    (root / "tools").mkdir(exist_ok=True)
    for script in ("build_image.sh", "release_image.sh"):
        (root / "tools" / script).write_bytes((ROOT / "tools" / script).read_bytes())
        (root / "tools" / script).chmod(0o755)
    return root


def release(
    root: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, digest: str, *source: str
) -> tuple[subprocess.CompletedProcess[str], list[list[str]]]:
    """Run the script for the staging workspace; (the run, every az call)."""
    log = fake_tool(tmp_path, monkeypatch, "az", FAKE_AZ)
    staging_id = DEV_ID.replace("mlopsdevacr", "mlopsstagingacr")
    env = {**os.environ, "PYTHON": sys.executable, "FEED_INDEX_URL": VIEW}
    env |= {
        "FAKE_AZ_DIGEST": digest,
        "FAKE_AZ_BASE_DIGEST": REAL,
        "FAKE_AZ_REGISTRY_ID": staging_id,
    }
    env |= {"IMAGE_REPOSITORY": REPOSITORY}
    command = ["bash", str(root / "tools" / "release_image.sh"), "ws", "rg", "7-1", *source]
    done = subprocess.run(command, cwd=root, env=env, capture_output=True, text=True, check=False)
    return done, calls(log)


def outputs(done: subprocess.CompletedProcess[str]) -> dict[str, str]:
    """The key=value lines the script prints."""
    return dict(line.split("=", 1) for line in done.stdout.splitlines())


def test_the_first_environment_builds_the_image_and_reports_it_by_digest(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done, az = release(repo, tmp_path, monkeypatch, SCANNED)
    assert done.returncode == 0, done.stderr
    assert outputs(done) == {
        "registry": "mlopsstagingacr",
        "registry_id": DEV_ID.replace("mlopsdevacr", "mlopsstagingacr"),
        "digest": SCANNED,
        "image": f"mlopsstagingacr.azurecr.io/{REPOSITORY}@{SCANNED}",
    }
    assert ["acr", "build", "--registry", "mlopsstagingacr", "--image", f"{REPOSITORY}:7-1"] in [
        call[:6] for call in az
    ]


def test_a_later_environment_imports_the_scanned_digest_and_builds_nothing(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done, az = release(repo, tmp_path, monkeypatch, SCANNED, DEV_IMAGE, DEV_ID)
    assert done.returncode == 0, done.stderr
    assert outputs(done)["image"] == f"mlopsstagingacr.azurecr.io/{REPOSITORY}@{SCANNED}"
    assert [call[:2] for call in az] == [
        ["ml", "workspace"],
        ["acr", "import"],
        ["acr", "repository"],
    ]
    assert az[1][az[1].index("--source") + 1] == f"{REPOSITORY}@{SCANNED}"
    assert az[1][az[1].index("--registry") + 1] == DEV_ID


def test_a_promotion_the_registry_does_not_confirm_fails_without_output(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done, _ = release(repo, tmp_path, monkeypatch, "sha256:" + "ee" * 32, DEV_IMAGE, DEV_ID)
    assert done.returncode != 0
    assert done.stdout == ""
    assert "mlopsstagingacr reports sha256:" + "ee" * 32 in done.stderr


def test_a_build_the_registry_reports_no_digest_for_fails_without_output(
    repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    done, _ = release(repo, tmp_path, monkeypatch, "")
    assert done.returncode == 1
    assert (done.stdout, "nothing to scan or deploy" in done.stderr) == ("", True)


@pytest.mark.parametrize("arguments", [(), ("ws",), ("ws", "rg", "7-1", DEV_IMAGE)])
def test_wrong_arguments_get_the_usage_line(arguments: tuple[str, ...]) -> None:
    done = subprocess.run([SCRIPT, *arguments], capture_output=True, text=True, check=False)
    assert (done.returncode, done.stderr.startswith("usage:")) == (2, True)
