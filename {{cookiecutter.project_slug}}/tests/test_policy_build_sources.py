"""Production builds read only the feed's view and run only digest-pinned images (PKG006/007)."""

from __future__ import annotations

from pathlib import Path

import pytest
from policies import build_sources, quarantine
from policies.package_lists import PRODUCTION

from .quarantine_fixtures import ROOT, TODAY, project_copy

# The scoring image as it was before the feed was wired: MCR's latest, uv and packages from PyPI.
OLD_DOCKERFILE = """FROM mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04:latest
RUN python -m pip install --no-cache-dir uv==0.13.8
RUN uv sync --locked --no-dev --no-editable --python "$(cat .python-version)"
"""

BASE = "azureml/openmpi5.0-ubuntu24.04"
DIGEST = "@sha256:" + "0" * 64
PINNED = "mcr.microsoft.com/" + BASE + DIGEST
FEED_FIX = 'use the feed\'s view: --index-url "$PIP_INDEX_URL" (python -m policies.feed_index)'
VIEW = "https://pkgs.dev.azure.com/org/proj/_packaging/feed-mlops-dev@approved/pypi/simple/"
FEED_ROOT = "https://pkgs.dev.azure.com/org/proj/_packaging/feed-mlops-dev/pypi/simple/"
INDEX_ARG = '--index-url "$PIP_INDEX_URL"'
CONDA_FIX = " (or a production exception for `channel {0}`, source conda-forge)"
REGISTRY_ARG = "$" + "{BASE_REGISTRY}"  # as the Dockerfile writes it
APPEND = ""  # an `old` of APPEND adds `new` as the file's last line


def unpinned(image: str) -> str:
    """The PKG007 message for ``image``."""
    fix = f"use {PINNED} (policies/packages/allowlist.yaml)"
    return f"image {image} is not pinned by digest; {fix}"


def found(root: Path) -> list[tuple[str, str, int, str]]:
    """(rule, path, line, message) of every build finding."""
    return [
        (f.rule_id, f.path, f.line, f.message)
        for f in build_sources.findings(root, TODAY, PRODUCTION)
    ]


def edit(root: Path, rel: str, old: str, new: str) -> int:
    """Replace the first ``old`` in ``rel`` with ``new`` (APPEND: add a line); its line."""
    path = root / rel
    text = path.read_text(encoding="utf-8")
    start = len(text) if old == APPEND else text.index(old)
    changed = text + new + "\n" if old == APPEND else text.replace(old, new, 1)
    path.write_text(changed, encoding="utf-8")
    return text.count("\n", 0, start) + 1


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the project's declarations."""
    return project_copy(tmp_path)


def test_the_project_as_shipped_builds_only_from_the_feed_and_pinned_images() -> None:
    assert found(ROOT) == []


BAD = {
    "latest base image": (
        "Dockerfile",
        f"{REGISTRY_ARG}/{BASE}{DIGEST} AS",
        f"{REGISTRY_ARG}/{BASE}:latest AS",
        [("PKG007", unpinned(f"{REGISTRY_ARG}/{BASE}:latest"))],
    ),
    "tagged base image": (
        "Dockerfile",
        APPEND,
        "FROM python:3.11-slim",
        [("PKG007", unpinned("python:3.11-slim"))],
    ),
    "untagged base image": ("Dockerfile", APPEND, "FROM ubuntu", [("PKG007", unpinned("ubuntu"))]),
    "public index": (
        "Dockerfile",
        INDEX_ARG,
        "--index-url https://pypi.org/simple/",
        [
            ("PKG006", f"pypi.org is a public index; {FEED_FIX}"),
            ("PKG006", f"--index-url https://pypi.org/simple/ is not the feed's view; {FEED_FIX}"),
        ],
    ),
    "feed root (serves the upstream)": (
        "Dockerfile",
        INDEX_ARG,
        f"--index-url {FEED_ROOT}",
        [("PKG006", f"--index-url {FEED_ROOT} is not the feed's view; {FEED_FIX}")],
    ),
    "extra index": (
        "Dockerfile",
        INDEX_ARG,
        f"{INDEX_ARG} --extra-index-url {VIEW}",
        [("PKG006", f"--extra-index-url {VIEW} adds an index beside the feed's view; remove it")],
    ),
    "install from the default index": (
        "Dockerfile",
        APPEND,
        "RUN pip install leftpad==1.3.0",
        [("PKG006", f"this install reads PyPI (pip's default index); {FEED_FIX}")],
    ),
    "uv sync from the lock's URLs": (
        "Dockerfile",
        APPEND,
        "RUN uv sync --locked --no-dev",
        [("PKG006", f"this install reads PyPI (pip's default index); {FEED_FIX}")],
    ),
    "wheel from files.pythonhosted.org": (
        "Dockerfile",
        APPEND,
        "ADD https://files.pythonhosted.org/packages/leftpad.whl /tmp/",
        [("PKG006", f"pythonhosted.org is a public index; {FEED_FIX}")],
    ),
    "conda in the image": (
        "Dockerfile",
        APPEND,
        "RUN conda install numpy",
        [
            (
                "PKG006",
                "conda installs from public channels; install the hash-pinned export with pip",
            )
        ],
    ),
    "environment image by tag": (
        "pipelines/environment.yml",
        PINNED,
        f"mcr.microsoft.com/{BASE}:latest",
        [("PKG007", unpinned(f"mcr.microsoft.com/{BASE}:latest"))],
    ),
    "deployment image without tag": (
        "pipelines/batch/deployment.yml",
        PINNED,
        f"mcr.microsoft.com/{BASE}",
        [("PKG007", unpinned(f"mcr.microsoft.com/{BASE}"))],
    ),
    "conda defaults channel": (
        "pipelines/conda.yml",
        "  - conda-forge\n",
        "  - defaults\n",
        [
            (
                "PKG006",
                "conda channel defaults is public; base the environment on an approved "
                "image" + CONDA_FIX.format("defaults"),
            )
        ],
    ),
    "conda anaconda.org channel": (
        "pipelines/batch/conda.yml",
        "  - conda-forge\n",
        "  - conda-forge\n  - https://conda.anaconda.org/pytorch\n",
        [
            ("PKG006", f"anaconda.org is a public index; {FEED_FIX}"),
            (
                "PKG006",
                "conda channel https://conda.anaconda.org/pytorch is public; base the "
                "environment on an approved image"
                + CONDA_FIX.format("https://conda.anaconda.org/pytorch"),
            ),
        ],
    ),
    "pip list with an extra index": (
        "pipelines/conda.yml",
        "  - pip:\n",
        '  - pip:\n      - "--extra-index-url https://pypi.org/simple/"\n',
        [
            ("PKG006", f"pypi.org is a public index; {FEED_FIX}"),
            (
                "PKG006",
                "--extra-index-url https://pypi.org/simple/ adds an index beside the "
                "feed's view; remove it",
            ),
        ],
    ),
}


@pytest.mark.parametrize(("rel", "old", "new", "expected"), BAD.values(), ids=list(BAD))
def test_each_known_bad_production_build_is_named_with_line_and_fix(
    repo: Path, rel: str, old: str, new: str, expected: list[tuple[str, str]]
) -> None:
    edit(repo, rel, old, new)
    added = next(line for line in new.splitlines() if line not in old.splitlines())
    text = (repo / rel).read_text(encoding="utf-8")
    line = text.count("\n", 0, text.index(added)) + 1  # the line the bad text is on
    assert found(repo) == [(rule, rel, line, message) for rule, message in expected]


def test_the_scoring_image_as_it_was_before_the_feed_is_refused(repo: Path) -> None:
    (repo / "Dockerfile").write_text(OLD_DOCKERFILE, encoding="utf-8")
    reads_pypi = f"this install reads PyPI (pip's default index); {FEED_FIX}"
    assert found(repo) == [
        ("PKG006", "Dockerfile", 2, reads_pypi),
        ("PKG006", "Dockerfile", 3, reads_pypi),
        ("PKG007", "Dockerfile", 1, unpinned(f"mcr.microsoft.com/{BASE}:latest")),
    ]


def test_the_feeds_view_as_index_passes(repo: Path) -> None:
    edit(repo, "Dockerfile", INDEX_ARG, f"--index-url {VIEW}")
    assert found(repo) == []


def test_the_azure_ml_conda_files_fail_without_their_exceptions(repo: Path) -> None:
    (repo / "policies" / "packages" / "exceptions.yaml").write_text("exceptions: []\n", "utf-8")
    rules = [(rule, rel, message.split(";")[0]) for rule, rel, _, message in found(repo)]
    channel = "conda channel conda-forge is public"
    no_index = "the pip list has no --index-url, so pip reads PyPI"
    assert sorted(rules) == [
        ("PKG006", "pipelines/batch/conda.yml", channel),
        ("PKG006", "pipelines/batch/conda.yml", no_index),
        ("PKG006", "pipelines/conda.yml", channel),
        ("PKG006", "pipelines/conda.yml", no_index),
    ]


def test_an_expired_exception_no_longer_waives_a_channel(repo: Path) -> None:
    path = repo / "policies" / "packages" / "exceptions.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("expires: 2027-06-30", "expires: 2000-01-01", 1), "utf-8")
    assert {(rule, message.split(" (")[0]) for rule, _, _, message in found(repo)} == {
        ("PKG006", "conda channel conda-forge is public; base the environment on an approved image")
    }


def test_make_quarantine_fails_naming_file_line_and_rule(
    repo: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    line = edit(repo, "pipelines/environment.yml", PINNED, f"mcr.microsoft.com/{BASE}:latest")
    assert quarantine.main(["--root", str(repo)]) == 1
    out = capsys.readouterr().out
    assert f"pipelines/environment.yml:{line}: [PKG007] image mcr.microsoft.com/" in out
    assert f"pipelines/environment.yml:{line}: [PKG003] mcr.microsoft.com/" in out  # allowlist
    assert "quarantine (production): 2 finding(s)" in out


def test_the_placeholder_digest_is_a_warning_with_the_fix() -> None:
    (warning,) = [w for w in quarantine.warnings(ROOT, TODAY) if "placeholder" in w]
    assert warning.startswith("policies/packages/allowlist.yaml:")
    assert "python -m policies.base_images import --registry" in warning
