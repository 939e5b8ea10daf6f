"""tools/release-pins.txt and its installers: what CI downloads is checked against committed pins.

The installers run for real (bash, curl, sha256sum, tar) against a release server on loopback
that records every request: a matching archive installs, a replaced one installs nothing, a pin
without its SHA-256 refuses to download at all, and no checksums file is ever fetched.
"""

from __future__ import annotations

import hashlib
import io
import re
import shutil
import subprocess
import tarfile
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

BASH = shutil.which("bash") or "bash"
ROOT = Path(__file__).resolve().parents[1]
TOOLS = ROOT / "tools"
PINS = TOOLS / "release-pins.txt"
SHA256 = re.compile(r"[0-9a-f]{64}")
VERSION = re.compile(r"\d+\.\d+\.\d+")


def pins(path: Path = PINS) -> dict[tuple[str, str], list[str]]:
    """(kind, name) -> the rest of its line, comments and blank lines left out."""
    found: dict[tuple[str, str], list[str]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            kind, name, *rest = line.split()
            found[(kind, name)] = rest
    return found


def test_every_archive_pin_names_its_version_and_a_sha256_or_says_unset() -> None:
    archives = {name: rest for (kind, name), rest in pins().items() if kind == "archive"}
    assert set(archives) == {"pulumi", "trivy"}
    for name, (version, sha256, url) in archives.items():
        assert VERSION.fullmatch(version), name
        assert SHA256.fullmatch(sha256) or sha256 == "unset", name
        assert url.startswith("https://github.com/"), name
        assert version in url, name
    assert SHA256.fullmatch(archives["trivy"][1])


def test_the_pulumi_cli_pin_is_the_sdk_version_infra_locks() -> None:
    lock = (ROOT / "infra" / "uv.lock").read_text(encoding="utf-8")
    sdk = re.search(r'\nname = "pulumi"\nversion = "([^"]+)"', lock)
    assert sdk, "pulumi is not in infra/uv.lock"
    assert pins()[("archive", "pulumi")][0] == sdk[1]


def test_every_azure_cli_extension_is_pinned() -> None:
    extensions = {name: rest for (kind, name), rest in pins().items() if kind == "az-extension"}
    assert set(extensions) == {"ml", "azure-devops"}
    assert all(len(rest) == 1 and VERSION.fullmatch(rest[0]) for rest in extensions.values())


# --- the installers, run for real --------------------------------------------------------------


@dataclass
class ReleaseServer:
    """A loopback HTTP server serving ``files`` by path and recording every request path."""

    files: dict[str, bytes] = field(default_factory=dict)
    requests: list[str] = field(default_factory=list)
    url: str = ""


def _archive(name: str, body: bytes) -> bytes:
    """A .tar.gz holding one executable ``name`` (in a folder, as Pulumi ships its CLI)."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as tar:
        info = tarfile.TarInfo(f"{name}/{name}")
        info.size, info.mode = len(body), 0o755
        tar.addfile(info, io.BytesIO(body))
    return buffer.getvalue()


@pytest.fixture
def server() -> Iterator[ReleaseServer]:
    """A release server on 127.0.0.1, stopped after the test."""
    state = ReleaseServer()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            state.requests.append(self.path)
            body = state.files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *_: object) -> None:
            return None

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.url = f"http://127.0.0.1:{httpd.server_address[1]}"
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield state
    httpd.shutdown()
    httpd.server_close()


def _tools(tmp_path: Path, pin_lines: str) -> Path:
    """A copy of the installers next to a pins file of ``pin_lines``."""
    tools = tmp_path / "tools"
    tools.mkdir()
    for script in ("install_release.sh", "az_extension.sh", "install_uv.sh"):
        shutil.copy2(TOOLS / script, tools / script)
    (tools / "release-pins.txt").write_text(pin_lines, encoding="utf-8")
    return tools


def _install(tools: Path, name: str, dest: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [BASH, str(tools / "install_release.sh"), name, str(dest)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def _published(server: ReleaseServer, body: bytes) -> tuple[str, str]:
    """Publish a release of ``faketool`` 1.2.3; return (its pin's SHA-256, its URL)."""
    archive = _archive("faketool", body)
    server.files["/v1.2.3/faketool-1.2.3.tar.gz"] = archive
    server.files["/v1.2.3/faketool-1.2.3-checksums.txt"] = b"not to be read\n"
    return hashlib.sha256(archive).hexdigest(), f"{server.url}/v1.2.3/faketool-1.2.3.tar.gz"


def test_an_archive_matching_its_pin_is_installed_and_no_checksums_file_is_fetched(
    tmp_path: Path, server: ReleaseServer
) -> None:
    sha256, url = _published(server, b"#!/bin/sh\necho fake 1.2.3\n")
    tools = _tools(tmp_path, f"archive faketool 1.2.3 {sha256} {url}\n")
    done = _install(tools, "faketool", tmp_path / "opt")
    assert done.returncode == 0, done.stderr
    installed = Path(done.stdout.strip()) / "faketool"
    ran = subprocess.run([installed], capture_output=True, text=True, check=True, timeout=30)
    assert ran.stdout == "fake 1.2.3\n"
    assert server.requests == ["/v1.2.3/faketool-1.2.3.tar.gz"]
    assert sorted(p.name for p in (tmp_path / "opt").iterdir()) == ["faketool"]  # archive gone


def test_a_replaced_archive_is_refused_and_nothing_is_unpacked(
    tmp_path: Path, server: ReleaseServer
) -> None:
    sha256, url = _published(server, b"#!/bin/sh\necho genuine\n")
    _published(server, b"#!/bin/sh\necho replaced by an attacker\n")  # same URL, new bytes
    tools = _tools(tmp_path, f"archive faketool 1.2.3 {sha256} {url}\n")
    done = _install(tools, "faketool", tmp_path / "opt")
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [
        f"faketool 1.2.3: {url} does not match the SHA-256 pinned in "
        f"{tools}/release-pins.txt: refused, nothing installed"
    ]
    assert list((tmp_path / "opt").iterdir()) == []
    assert server.requests == ["/v1.2.3/faketool-1.2.3.tar.gz"]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("archive faketool 1.2.3 unset URL", "faketool 1.2.3 has no SHA-256 (got 'unset'): copy"),
        (f"archive faketool 1.2.3 {'0' * 64} URL", ""),
        ("archive othertool 1.2.3 unset URL", "pins no archive named faketool"),
    ],
    ids=["sha256-unset", "url-without-the-version", "unknown-name"],
)
def test_an_incomplete_pin_is_refused_before_any_download(
    tmp_path: Path, server: ReleaseServer, line: str, message: str
) -> None:
    url = f"{server.url}/v1.2.3/faketool-1.2.3.tar.gz"
    if not message:  # the URL names another version than the pin
        url, message = url.replace("1.2.3", "9.9.9"), "does not name its version 1.2.3"
    tools = _tools(tmp_path, line.replace("URL", url) + "\n")
    done = _install(tools, "faketool", tmp_path / "opt")
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert message in done.stderr
    assert server.requests == []


def test_an_azure_cli_extension_is_added_at_its_pinned_version(tmp_path: Path) -> None:
    tools = _tools(tmp_path, "az-extension ml 2.43.0\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "az-calls.txt"
    (bin_dir / "az").write_text(f'#!/bin/sh\necho "$@" >> {calls}\n', encoding="utf-8")
    (bin_dir / "az").chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    run = [str(tools / "az_extension.sh")]
    assert subprocess.run([*run, "ml"], env=env, check=False, timeout=30).returncode == 0
    assert calls.read_text().split() == [
        *("extension", "add", "--name", "ml", "--version", "2.43.0"),
        *("--upgrade", "--yes", "--only-show-errors"),
    ]
    refused = subprocess.run(
        [*run, "ssh"], env=env, capture_output=True, text=True, check=False, timeout=30
    )
    assert refused.returncode == 2
    assert "pins no Azure CLI extension named ssh" in refused.stderr
    assert len(calls.read_text().splitlines()) == 1


def test_uv_is_pinned_once_and_the_makefile_reads_it() -> None:
    (version,) = pins()[("pypi", "uv")]
    assert VERSION.fullmatch(version)
    done = subprocess.run(
        [  # noqa: S607 - make from PATH, as every make target runs
            "make",
            "-s",
            "--no-print-directory",
            "-f",
            "Makefile",
            "--eval",
            "v:\n\t@echo $(UV_VERSION)",
            "v",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    assert done.stdout.strip() == version, done.stderr


@pytest.mark.parametrize(
    ("installer", "expected"), [("pip", "-m pip install uv==9.8.7"), ("pipx", "install uv==9.8.7")]
)
def test_uv_is_installed_at_its_pinned_version(
    tmp_path: Path, installer: str, expected: str
) -> None:
    tools = _tools(tmp_path, "pypi uv 9.8.7\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    for name in ("python", "pipx"):
        (bin_dir / name).write_text(f'#!/bin/sh\necho "$@" >> {calls}\n', encoding="utf-8")
        (bin_dir / name).chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(
        [BASH, str(tools / "install_uv.sh"), installer], env=env, check=False, timeout=30
    )
    assert done.returncode == 0
    assert calls.read_text().strip() == expected


def test_a_missing_uv_pin_installs_nothing(tmp_path: Path) -> None:
    tools = _tools(tmp_path, "az-extension ml 2.43.0\n")
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    calls = tmp_path / "calls.txt"
    (bin_dir / "python").write_text(f'#!/bin/sh\necho "$@" >> {calls}\n', encoding="utf-8")
    (bin_dir / "python").chmod(0o755)
    env = {"PATH": f"{bin_dir}:/usr/bin:/bin"}
    done = subprocess.run(
        [BASH, str(tools / "install_uv.sh")],
        env=env,
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )
    assert done.returncode == 2
    assert "pins no uv version" in done.stderr
    assert not calls.exists()
