"""tools/pulumi_up.sh: every `pulumi up` pins the serving image's digest (fake pulumi)."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from .fake_tools import calls, fake_tool

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "tools" / "pulumi_up.sh"
SCANNED = "sha256:" + "ab" * 32
LIVE = "sha256:" + "cd" * 32
OUTPUT = ["stack", "output", "servingImageDigest", "--stack", "staging"]
UP = ["up", "--yes", "--non-interactive", "--stack", "staging"]
UP += ["--policy-pack", "../policies/crossguard"]
FAKE_PULUMI = """
if sys.argv[1:3] == ["stack", "output"]:
    if "FAKE_PULUMI_OUTPUT" not in os.environ:
        sys.stderr.write("error: current stack does not have output property\\n")
        sys.exit(255)
    print(os.environ["FAKE_PULUMI_OUTPUT"])
if sys.argv[1:2] == ["up"]:
    print("up in " + os.getcwd())
    sys.exit(int(os.environ.get("FAKE_PULUMI_UP_EXIT", "0")))
"""


@pytest.fixture
def pulumi_log(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fake `pulumi` first on PATH: no stack output unless FAKE_PULUMI_OUTPUT is set."""
    monkeypatch.delenv("FAKE_PULUMI_OUTPUT", raising=False)
    monkeypatch.delenv("FAKE_PULUMI_UP_EXIT", raising=False)
    return fake_tool(tmp_path, monkeypatch, "pulumi", FAKE_PULUMI)


def up(*args: str) -> subprocess.CompletedProcess[str]:
    """The script, run from a directory other than the project's."""
    command = ["bash", str(SCRIPT), *args]
    return subprocess.run(command, cwd="/", capture_output=True, text=True, check=False)


def test_the_given_digest_is_the_one_pulumi_up_serves(pulumi_log: Path) -> None:
    done = up("staging", SCANNED)
    assert done.returncode == 0, done.stderr
    assert calls(pulumi_log) == [[*UP, "--config", f"servingImageDigest={SCANNED}"]]
    assert done.stdout == f"up in {ROOT / 'infra'}\n"


def test_without_a_digest_the_stack_keeps_the_one_it_serves(
    pulumi_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PULUMI_OUTPUT", LIVE)
    done = up("staging")
    assert done.returncode == 0, done.stderr
    assert calls(pulumi_log) == [OUTPUT, [*UP, "--config", f"servingImageDigest={LIVE}"]]
    assert f"stack staging serves {LIVE} (the digest stack staging serves now)" in done.stderr


@pytest.mark.parametrize("live", [None, ""])
def test_without_a_digest_or_a_stack_output_the_committed_digest_applies(
    pulumi_log: Path, monkeypatch: pytest.MonkeyPatch, live: str | None
) -> None:
    if live is not None:  # a stack serving a dev tag exports ""
        monkeypatch.setenv("FAKE_PULUMI_OUTPUT", live)
    done = up("staging")
    assert done.returncode == 0, done.stderr
    assert calls(pulumi_log) == [OUTPUT, UP]
    assert "Pulumi.staging.yaml's committed digest applies (the bootstrap)" in done.stderr


@pytest.mark.parametrize("digest", ["", "sha256:" + "AB" * 32, "ab" * 32, SCANNED + "0", "latest"])
def test_a_malformed_digest_is_refused_before_pulumi_runs(pulumi_log: Path, digest: str) -> None:
    done = up("staging", digest)
    assert done.returncode == 2
    assert calls(pulumi_log) == []
    assert done.stderr == (
        f"pulumi_up: '{digest}' is no image digest: give sha256:<64 lowercase hex> (the digest "
        "of the scanned scoring image), or no digest to keep the one the stack serves\n"
    )


def test_a_malformed_stack_output_is_refused_before_the_update(
    pulumi_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PULUMI_OUTPUT", "latest")
    done = up("staging")
    assert done.returncode == 2
    assert calls(pulumi_log) == [OUTPUT]
    assert "exports servingImageDigest 'latest', no image digest" in done.stderr


@pytest.mark.parametrize("args", [(), ("",), ("staging", SCANNED, "extra")])
def test_bad_arguments_print_the_usage(pulumi_log: Path, args: tuple[str, ...]) -> None:
    done = up(*args)
    assert done.returncode == 2
    assert calls(pulumi_log) == []
    assert done.stderr.startswith("usage: ")
    assert "<stack> [sha256:<digest of the scanned scoring image>]" in done.stderr


def test_a_failed_update_fails_the_script(
    pulumi_log: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FAKE_PULUMI_UP_EXIT", "255")
    done = up("staging", SCANNED)
    assert done.returncode == 255
    assert calls(pulumi_log) == [[*UP, "--config", f"servingImageDigest={SCANNED}"]]
