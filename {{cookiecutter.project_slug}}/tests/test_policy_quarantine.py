"""The package quarantine: the project as shipped passes; each known-bad copy fails exactly."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from policies import quarantine

from .quarantine_fixtures import ROOT, TODAY, found, project_copy, with_shipped

LEFTPAD = '[[package]]\nname = "leftpad"\nversion = "1.3.0"\n'
LEFTPAD += 'source = { registry = "https://pypi.org/simple" }\n'
EXCEPTION = """exceptions:
  - package: leftpad
    versions: "==1.3.0"
    source: pypi
    tier: production
    reason: prototype
    requested_by: jane.doe
    approver: platform-team
    expires: {expires}
    request: https://example.org/requests/1
"""


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A copy of the project's declarations (no environments, data or build output)."""
    return project_copy(tmp_path)


def _append(path: Path, text: str) -> int:
    """Append ``text`` to ``path``; return the line number it starts at."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    return before.count("\n") + 1


def test_the_project_as_shipped_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert quarantine.main(["--root", str(ROOT)]) == 0
    assert "quarantine (production): 0 finding(s)" in capsys.readouterr().out


def test_the_gate_resolves_every_kind_of_source() -> None:
    kinds = {(p.path, p.source) for p in quarantine.resolved_packages(ROOT)}
    for expected in [
        ("uv.lock", "pypi"),
        ("infra/uv.lock", "pypi"),
        ("pipelines/conda.yml", "conda-forge"),
        ("pipelines/conda.yml", "pypi"),
        ("pipelines/environment.yml", "mcr"),
        ("pipelines/batch/deployment.yml", "mcr"),
    ]:
        assert expected in kinds


def test_the_projects_own_packages_are_not_third_party() -> None:
    names = {p.name for p in quarantine.resolved_packages(ROOT)}
    assert not {name for name in names if name.startswith(ROOT.name)}


def test_a_package_added_to_the_lock_is_caught(repo: Path) -> None:
    line = _append(repo / "uv.lock", "\n" + LEFTPAD) + 2  # the name line
    assert found(repo) == [
        ("PKG001", "uv.lock", line, "leftpad 1.3.0 from pypi is not on the allowlist")
    ]


def test_a_disallowed_version_is_caught(repo: Path) -> None:
    lock = repo / "infra" / "uv.lock"
    text = lock.read_text(encoding="utf-8")
    entry = 'name = "pyyaml"\nversion = "'
    start = text.index(entry)
    version = text[start + len(entry) :].split('"', 1)[0]
    lock.write_text(text.replace(entry + version, entry + "5.1"), encoding="utf-8")
    (rule, path, line, message) = found(repo)[0]
    assert len(found(repo)) == 1
    assert (rule, path, line) == ("PKG003", "infra/uv.lock", text.count("\n", 0, start) + 1)
    assert message.startswith("pyyaml 5.1 from pypi: this version is not allowed (==")


def test_a_package_only_in_an_expired_exception_is_caught(repo: Path) -> None:
    line = _append(repo / "uv.lock", "\n" + LEFTPAD) + 2  # the name line
    exceptions = repo / "policies" / "packages" / "exceptions.yaml"
    exceptions.write_text(with_shipped(EXCEPTION.format(expires="2000-01-31")), encoding="utf-8")
    assert found(repo) == [
        (
            "PKG002",
            "uv.lock",
            line,
            "leftpad 1.3.0 from pypi is allowed only by an expired exception",
        )
    ]
    assert [w for w in quarantine.warnings(repo, TODAY) if "exception" in w] == [
        "policies/packages/exceptions.yaml:2: the exception for leftpad expired on 2000-01-31"
    ]


def test_the_same_package_in_a_live_exception_passes(repo: Path) -> None:
    _append(repo / "uv.lock", "\n" + LEFTPAD)
    exceptions = repo / "policies" / "packages" / "exceptions.yaml"
    exceptions.write_text(with_shipped(EXCEPTION.format(expires=TODAY.isoformat())), "utf-8")
    assert found(repo) == []


def test_a_conda_file_is_found_by_content_whatever_its_name(repo: Path) -> None:
    odd = repo / "notebooks" / "scratch.env.yaml"
    odd.parent.mkdir()
    odd.write_text(
        "channels:\n  - conda-forge\ndependencies:\n  - python=3.11\n  - pip\n"
        "  - pip:\n      - mlflow==3.17.2\n      - evilpkg==6.6\n",
        encoding="utf-8",
    )
    assert found(repo) == [
        ("PKG001", "notebooks/scratch.env.yaml", 8, "evilpkg 6.6 from pypi is not on the allowlist")
    ]


def test_a_hashed_pip_entry_is_read_as_its_package(repo: Path) -> None:
    entry = "      - \"leftpad==1.3.0 ; sys_platform == 'linux' --hash=sha256:" + "0" * 64 + '"\n'
    line = _append(repo / "pipelines" / "conda.yml", entry)
    assert found(repo) == [
        ("PKG001", "pipelines/conda.yml", line, "leftpad 1.3.0 from pypi is not on the allowlist")
    ]


def test_an_environment_image_outside_mcr_is_caught(repo: Path) -> None:
    spec = repo / "pipelines" / "environment.yml"
    text = spec.read_text(encoding="utf-8")
    image = "mcr.microsoft.com/azureml/openmpi5.0-ubuntu24.04@"
    digest = text.split(image, 1)[1].split()[0]
    spec.write_text(text.replace(image, "docker.io/library/python@"), encoding="utf-8")
    line = text[: text.index(image)].count("\n") + 1
    assert found(repo) == [
        (
            "PKG004",
            "pipelines/environment.yml",
            line,
            f"docker.io/library/python {digest} from docker.io: this source is not approved "
            "(pypi, conda-forge, mcr images)",
        )
    ]


def test_the_scanned_scoring_image_is_the_projects_own_not_a_package() -> None:
    paths = {p.path for p in quarantine.resolved_packages(ROOT)}
    assert "pipelines/online/image-environment.yml" not in paths
    assert "pipelines/environment.yml" in paths  # the MCR base of the training environment is


def test_another_image_in_the_scoring_environment_is_caught(repo: Path) -> None:
    spec = repo / "pipelines" / "online" / "image-environment.yml"
    text = spec.read_text(encoding="utf-8")
    scanned = "registry.azurecr.io/{{ cookiecutter.project_slug }}@"
    digest = text.split(scanned, 1)[1].split()[0]
    spec.write_text(text.replace(scanned, "registry.azurecr.io/base@"), encoding="utf-8")
    line = text[: text.index(scanned)].count("\n") + 1
    assert found(repo) == [
        (
            "PKG004",
            "pipelines/online/image-environment.yml",
            line,
            f"registry.azurecr.io/base {digest} from registry.azurecr.io: this source is not "
            "approved (pypi, conda-forge, mcr images)",
        )
    ]


@pytest.mark.parametrize(
    "model_file",
    ["build/model/requirements.txt", "mlartifacts/1/models/m-1/artifacts/requirements.txt"],
)
def test_the_models_own_environment_is_checked(repo: Path, model_file: str) -> None:
    path = repo / model_file
    path.parent.mkdir(parents=True)
    path.write_text("mlflow-skinny==3.17.2\nleftpad==1.3.0\n", encoding="utf-8")
    assert found(repo) == [
        ("PKG001", model_file, 2, "leftpad 1.3.0 from pypi is not on the allowlist")
    ]


def test_a_findings_names_how_to_request_an_exception(repo: Path) -> None:
    _append(repo / "uv.lock", "\n" + LEFTPAD)
    (finding,) = quarantine.findings(repo, TODAY)
    templates = [t for t in quarantine.REQUEST_TEMPLATES if (ROOT / t).is_file()]
    assert templates, "no exception request template in this project"
    assert finding.message.endswith("request an exception with " + " or ".join(templates))


def test_findings_exit_1_and_go_to_sarif(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = _append(repo / "uv.lock", "\n" + LEFTPAD) + 2  # the name line
    sarif = repo / "build" / "policy" / "quarantine.sarif"
    assert quarantine.main(["--root", str(repo), "--sarif", str(sarif)]) == 1
    assert f"uv.lock:{line}: [PKG001] leftpad 1.3.0 from pypi" in capsys.readouterr().out
    (run,) = json.loads(sarif.read_text(encoding="utf-8"))["runs"]
    assert [result["ruleId"] for result in run["results"]] == ["PKG001"]


@pytest.mark.parametrize(
    ("allowlist", "error"),
    [
        ("packages: [\n", "policies/packages/allowlist.yaml: cannot be read"),
        ("pkgs: []\n", "policies/packages/allowlist.yaml: expected a top-level `packages:` list"),
        (
            "packages:\n  - name: numpy\n    versions: '~=>2'\n    source: pypi\n"
            "    tier: production\n    rationale: r\n    approver: a\n"
            "    review_date: 2030-01-01\n",
            "policies/packages/allowlist.yaml:2: entry 1 (numpy): versions '~=>2' is no PEP 440",
        ),
        (
            "packages:\n  - name: numpy\n    versions: '==2'\n    source: pypi\n",
            "policies/packages/allowlist.yaml:2: entry 1 (numpy): missing tier, rationale,",
        ),
    ],
)
def test_a_malformed_allowlist_is_one_error_line_and_exit_2(
    repo: Path, capsys: pytest.CaptureFixture[str], allowlist: str, error: str
) -> None:
    (repo / "policies" / "packages" / "allowlist.yaml").write_text(allowlist, encoding="utf-8")
    assert quarantine.main(["--root", str(repo)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("quarantine: " + error)
    assert err.count("\n") == 1


def test_an_entry_past_its_review_date_is_a_warning_not_a_failure(repo: Path) -> None:
    allowlist = repo / "policies" / "packages" / "allowlist.yaml"
    text = re.sub(r"review_date: \S+", "review_date: 2999-12-31", allowlist.read_text("utf-8"))
    allowlist.write_text(text.replace("2999-12-31", "2001-01-01", 1), encoding="utf-8")
    assert found(repo) == []
    (warning,) = [w for w in quarantine.warnings(repo, TODAY) if "was due for review" in w]
    assert warning.endswith("was due for review on 2001-01-01")


def test_each_ci_provider_has_its_exception_request_template() -> None:
    expected = {
        ".github/ISSUE_TEMPLATE/package-exception.yml": (ROOT / ".github").is_dir(),
        ".azuredevops/package-exception.json": (ROOT / ".azure-pipelines").is_dir(),
    }
    assert {path: (ROOT / path).is_file() for path in expected} == expected


def work_item_template_problems(template: dict[str, object]) -> list[str]:
    """What keeps a work item template body from the Azure DevOps templates REST API."""
    problems = [
        f"missing {key}" for key in ("name", "workItemTypeName", "fields") if not template.get(key)
    ]
    fields = template.get("fields")
    if isinstance(fields, dict):
        problems += [
            f"missing field {f}"
            for f in ("System.Title", "System.Description")
            if not fields.get(f)
        ]
    return problems


def test_the_work_item_template_is_a_templates_api_body() -> None:
    path = ROOT / ".azuredevops" / "package-exception.json"
    if not (ROOT / ".azure-pipelines").is_dir():
        assert not path.exists()
        return
    template = json.loads(path.read_text(encoding="utf-8"))
    assert work_item_template_problems(template) == []
    description = str(template["fields"]["System.Description"])
    for asked in ("Package", "Versions", "Source", "Tier", "finding", "Reason", "Needed until"):
        assert asked in description
    assert work_item_template_problems({"name": "x", "fields": {"System.Title": "t"}}) == [
        "missing workItemTypeName",
        "missing field System.Description",
    ]
