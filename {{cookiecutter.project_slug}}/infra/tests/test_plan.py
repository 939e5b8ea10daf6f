"""``python -m mlops_infra.plan``: files written, summary printed, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import asdict
from pathlib import Path

import pulumi
import pytest

from mlops_infra import plan, program
from mlops_infra.k8s_serving import ServingArgsError
from mlops_infra.mocks import INFRA_DIR, PROJECT_NAME
from mlops_infra.settings import PROJECT as APP
from mlops_infra.settings import load_settings


def stack_dir(tmp_path: Path, **files: str) -> Path:
    """An infra dir with the real Pulumi.yaml and the given Pulumi.<stack>.yaml texts."""
    tmp_path.mkdir(parents=True, exist_ok=True)
    (tmp_path / "Pulumi.yaml").write_text((INFRA_DIR / "Pulumi.yaml").read_text())
    for stack, text in files.items():
        (tmp_path / f"Pulumi.{stack}.yaml").write_text(text)
    return tmp_path


def dev_config(**replace: str) -> str:
    text = (INFRA_DIR / "Pulumi.dev.yaml").read_text()
    for old, new in replace.items():
        assert old in text
        text = text.replace(old, new)
    return text


def test_plan_writes_resources_manifests_and_prints_the_summary(tmp_path, capsys):
    assert plan.main(["--stack", "staging", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    records = json.loads((tmp_path / "staging" / "resources.json").read_text())
    assert {r["type"] for r in records} >= {
        "azure-native:containerservice:ManagedCluster",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    }
    manifests = list((tmp_path / "staging" / "manifests" / "1-manifest").glob("*.yaml"))
    assert len(manifests) == 16
    assert "kubernetes:apps/v1:Deployment" in out
    assert out.splitlines()[-1].split() == ["total", str(len(records))]
    assert "plan: loading stack staging" in err
    assert "plan: wrote 16 manifests" in err


def test_unknown_stack_names_the_file_and_lists_the_stacks(tmp_path, capsys):
    assert plan.main(["--stack", "qa", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: ")
    assert "Pulumi.qa.yaml not found; available stacks: dev, prod, staging" in err[-1]
    assert not (tmp_path / "qa").exists()


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"greenWeight: 0": "greenWeight: 150"}, "greenWeight must be between 0 and 100"),
        ({"environment: dev": "environment: qa"}, "environment must be one of dev, staging, prod"),
        ({"servingReplicas: 1": "servingReplicas: many"}, "servingReplicas must be"),
        (
            {f"servingImage: {APP}:dev": f"servingImage: {APP}"},
            "neither a digest nor a fixed tag",
        ),
    ],
)
def test_invalid_config_is_one_error_line(tmp_path, capsys, replace, message):
    infra = stack_dir(tmp_path / "infra", bad=dev_config(**replace))
    assert plan.main(["--stack", "bad", "--infra-dir", str(infra), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: Pulumi.bad.yaml: ")
    assert message in err[-1]
    assert not any("Traceback" in line for line in err)


def test_secure_config_values_stay_secret_offline(tmp_path):
    text = dev_config() + f"  {PROJECT_NAME}:alertWebhook:\n    secure: v1:AAAA\n"
    infra = stack_dir(tmp_path / "infra", dev=text)
    project, config, secret_keys = plan.stack_config("dev", infra)
    assert project == PROJECT_NAME
    assert config[f"{PROJECT_NAME}:alertWebhook"] == plan.SECURE_PLACEHOLDER
    assert secret_keys == [f"{PROJECT_NAME}:alertWebhook"]


def test_module_runs_as_a_command_with_help():
    done = subprocess.run(
        [sys.executable, "-m", "mlops_infra.plan", "--help"],
        cwd=INFRA_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0
    assert "--stack" in done.stdout
    assert "--out" in done.stdout


def _settings_fields(**overrides):
    return {**asdict(load_settings()), **overrides}


@pytest.mark.parametrize("aks_create", [True, False])
def test_build_takes_settings_fields_as_a_mapping(stack_factory, aks_create):
    mocks = stack_factory("staging").mocks
    fields = _settings_fields(aks_create=aks_create)

    @pulumi.runtime.test
    def run():
        built = program.build(fields)
        assert built.settings.environment == "staging"
        assert (built.cluster is not None) is aks_create

    run()
    types = [r["type"] for r in mocks.resources]
    assert types.count("azure-native:containerservice:ManagedCluster") == int(aks_create)
    assert types.count("kubernetes:apps/v1:Deployment") == 2
    assert types.count("{{ cookiecutter.project_slug }}:ml:Workspace") == 1


def test_build_refuses_a_tag_in_staging_before_registering_anything(stack_factory):
    mocks = stack_factory("staging").mocks
    fields = _settings_fields(serving_image=f"{APP}:1.0", serving_image_digest=None)

    @pulumi.runtime.test
    def run():
        program.build(fields)

    with pytest.raises(ServingArgsError, match=r"requires one"):
        run()
    assert mocks.resources == []
