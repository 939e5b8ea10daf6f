"""`register-environment`: the online deployments' environment comes from a scanned image digest in
the workspace's own registry, registered once per digest (a fake az answers)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from {{ cookiecutter.package_name }}.deploy import rollout as driver
from {{ cookiecutter.package_name }}.deploy.rollout import AzError

from .conftest import invoke
from .test_release_steps import WS, Az

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT / "pipelines" / "online" / "image-environment.yml"
NAME = "{{ cookiecutter.project_slug }}-scoring-image"
DIGEST = "0123456789abcdef" + "a" * 48
IMAGE = f"mlopsacrdev.azurecr.io/{{ cookiecutter.project_slug }}@sha256:{DIGEST}"
REGISTRY_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/"
REGISTRY_ID += "registries/MlopsAcrDev"
WORKSPACE = ("ml", "workspace", "show")
SHOW = ("ml", "environment", "show")


def register(image: str = IMAGE, *extra: str) -> tuple[int, str, str]:
    """Run the command against the committed spec: (exit code, stdout, stderr)."""
    result = invoke("register-environment", "--image", image, "--environment-file", str(SPEC), *WS)
    return result.exit_code, result.stdout, result.stderr


def test_a_new_digest_is_registered_from_the_spec_with_that_image_and_printed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    az = Az({WORKSPACE: REGISTRY_ID, SHOW: AzError("not found")})
    monkeypatch.setattr(driver, "az_runner", az)
    code, out, err = register()
    assert (code, out.strip()) == (0, f"azureml:{NAME}:0123456789abcdef"), err
    create: tuple[str, ...] = ("az", "ml", "environment", "create", "--file", str(SPEC))
    create += ("--version", "0123456789abcdef", "--set", f"image={IMAGE}", *WS)
    assert az.calls[-1] == create


def test_a_registered_digest_is_left_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    az = Az({WORKSPACE: REGISTRY_ID, SHOW: f"{IMAGE}\n"})
    monkeypatch.setattr(driver, "az_runner", az)
    result = invoke(
        "register-environment", "--image", IMAGE, "--environment-file", str(SPEC), *WS, "--json"
    )
    assert json.loads(result.stdout) == {
        "environment": f"azureml:{NAME}:0123456789abcdef",
        "image": IMAGE,
        "registered": False,
    }
    assert [call[3] for call in az.calls] == ["show", "show"]


def test_a_version_registered_with_another_image_is_refused(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = IMAGE.replace("a" * 48, "b" * 48)
    az = Az({WORKSPACE: REGISTRY_ID, SHOW: other})
    monkeypatch.setattr(driver, "az_runner", az)
    code, _, err = register()
    assert code == 1
    assert f"is registered with {other}, not {IMAGE}" in err
    assert "create" not in {call[3] for call in az.calls}


@pytest.mark.parametrize(
    "image",
    [
        "mlopsacrdev.azurecr.io/{{ cookiecutter.project_slug }}:latest",
        "mlopsacrdev.azurecr.io/{{ cookiecutter.project_slug }}:1.0",
        f"mcr.microsoft.com/azureml/{{ cookiecutter.project_slug }}@sha256:{DIGEST}",
        f"docker.io/library/python@sha256:{DIGEST}",
        f"mlopsacrdev.azurecr.io/{{ cookiecutter.project_slug }}@sha256:{DIGEST[:-1]}",
        f"mlopsacrdev.azurecr.io/{{ cookiecutter.project_slug }}@sha256:{DIGEST.upper()}",
    ],
)
def test_anything_but_a_digest_in_a_container_registry_is_refused_before_az_runs(
    monkeypatch: pytest.MonkeyPatch, image: str
) -> None:
    az = Az({})
    monkeypatch.setattr(driver, "az_runner", az)
    code, _, err = register(image)
    assert code == 1
    assert "is not a scanned image digest" in err
    assert az.calls == []


def test_an_image_from_another_registry_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    az = Az({WORKSPACE: REGISTRY_ID.replace("MlopsAcrDev", "mlopsacrprod"), SHOW: AzError("x")})
    monkeypatch.setattr(driver, "az_runner", az)
    code, _, err = register()
    assert code == 1
    assert "is in mlopsacrdev.azurecr.io, not in this workspace's registry" in err
    assert "mlopsacrprod.azurecr.io" in err
    assert [call[3] for call in az.calls] == ["show"]  # the workspace only


PROD_IMAGE = IMAGE.replace("mlopsacrdev", "mlopsacrprod")
IMPORT = ("acr", "import")
REPOSITORY_SHOW = ("acr", "repository", "show")


def promote(image: str = IMAGE, source: str = REGISTRY_ID) -> tuple[int, str, str]:
    """Promote into the prod registry: (exit code, stdout, stderr)."""
    options = ("--image", image, "--source-registry-id", source, "--registry", "mlopsacrprod")
    result = invoke("promote-image", *options)
    return result.exit_code, result.stdout, result.stderr


def test_the_scanned_digest_is_imported_into_the_next_registry_and_checked_there(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    az = Az({REPOSITORY_SHOW: f"sha256:{DIGEST}\n"})
    monkeypatch.setattr(driver, "az_runner", az)
    code, out, err = promote()
    assert (code, out.strip()) == (0, PROD_IMAGE), err
    source = f"{{ cookiecutter.project_slug }}@sha256:{DIGEST}"
    tag = "{{ cookiecutter.project_slug }}:release-0123456789abcdef"
    assert az.calls == [
        ("az", "acr", "import", "--name", "mlopsacrprod", "--source", source,
         "--registry", REGISTRY_ID, "--image", tag, "--force"),
        ("az", "acr", "repository", "show", "--name", "mlopsacrprod", "--image", source,
         "--query", "digest", "--output", "tsv"),
    ]  # fmt: skip


def test_a_registry_reporting_another_digest_fails_the_promotion(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    az = Az({REPOSITORY_SHOW: "sha256:" + "f" * 64})
    monkeypatch.setattr(driver, "az_runner", az)
    code, _, err = promote()
    assert code == 1
    assert f"reports sha256:{'f' * 64}" in err


def test_an_image_from_another_registry_than_the_source_is_refused_before_az_runs(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    az = Az({})
    monkeypatch.setattr(driver, "az_runner", az)
    code, _, err = promote(source=REGISTRY_ID.replace("MlopsAcrDev", "mlopsacrstaging"))
    assert code == 1
    assert "is not in the registry" in err
    assert az.calls == []


@pytest.mark.parametrize("image", [IMAGE.split("@")[0] + ":latest", f"docker.io/x@sha256:{DIGEST}"])
def test_only_a_scanned_digest_is_promoted(monkeypatch: pytest.MonkeyPatch, image: str) -> None:
    az = Az({})
    monkeypatch.setattr(driver, "az_runner", az)
    code, _, err = promote(image)
    assert (code, az.calls) == (1, [])
    assert "is not a scanned image digest" in err
