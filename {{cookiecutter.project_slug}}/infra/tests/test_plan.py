"""``python -m mlops_infra.plan``: files written, summary printed, one-line errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from mlops_infra import plan
from mlops_infra.config import INFRA_DIR
from mlops_infra.naming import SLUG
from support import SERVING_OBJECTS, PlannedStack


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


def test_plan_writes_resources_manifests_and_prints_the_summary(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], planned: dict[str, PlannedStack]
) -> None:
    assert plan.main(["--stack", "staging", "--out", str(tmp_path)]) == 0
    out, err = capsys.readouterr()
    written = (tmp_path / "staging" / "resources.json").read_text()
    records = json.loads(written)
    assert {r["type"] for r in records} >= {
        "azure-native:containerservice:ManagedCluster",
        "kubernetes:apps/v1:Deployment",
        "kubernetes:gateway.networking.k8s.io/v1:HTTPRoute",
    }
    manifests = sorted((tmp_path / "staging" / "manifests" / "1-manifest").glob("*.yaml"))
    bindings = [path for path in manifests if "-rolebinding-" in path.name]
    assert (len(manifests) - len(bindings), len(bindings)) == (SERVING_OBJECTS, 5)
    table = out.split("\n\nGUARDRAILS\n")[0]
    assert table.splitlines()[-1].split() == ["total", str(len(records))]
    assert "kubernetes:apps/v1:Deployment" in out
    assert "plan: loading stack staging" in err
    assert f"plan: wrote {len(manifests)} manifests" in err
    # The session's planned stacks (what the other tests check) are exactly this command's files.
    session = planned["staging"].directory
    assert written == (session / "resources.json").read_text()
    for path in manifests:
        assert path.read_text() == (session / "manifests" / "1-manifest" / path.name).read_text()


def test_the_prod_plan_lists_its_guardrails_after_the_counts(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan.main(["--stack", "prod", "--out", str(tmp_path)]) == 0
    lines = capsys.readouterr().out.split("\n\nGUARDRAILS\n")[1].splitlines()
    policies = [line for line in lines if line.startswith("policy ")]
    assert len(policies) == 6
    assert sum(line.endswith("-prod-compute-local-auth: Deny") for line in policies) == 1
    assert sum(line.endswith("-prod-workspace-private-link: Audit") for line in policies) == 1
    assert {line for line in lines if line.startswith("defender ")} == {
        "defender Containers: Standard",
        "defender KeyVaults: Standard",
        "defender StorageAccounts: Standard",
    }
    assert sum(line.startswith("lock CanNotDelete: ") for line in lines) == 5
    assert "logs subscription: Administrative, Security, Policy, Alert" in lines
    assert any(line.startswith("logs vaults/") and line.endswith(": AuditEvent") for line in lines)
    assert (
        "outbound AllowOnlyApprovedOutbound FQDN approved-pkgs-dev-azure-com: pkgs.dev.azure.com"
        in lines
    )


def test_unknown_stack_names_the_file_and_lists_the_stacks(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert plan.main(["--stack", "qa", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: ")
    stacks = "dev, governance, prod, staging"
    assert err[-1].endswith(f"Pulumi.qa.yaml not found; available stacks: {stacks}")
    assert not (tmp_path / "qa").exists()


@pytest.mark.parametrize(
    ("replace", "message"),
    [
        ({"greenWeight: 0": "greenWeight: 150"}, "green_weight must be 0..100, got 150"),
        ({"environment: dev": "environment: qa"}, "environment must be one of dev, staging, prod"),
        ({"servingReplicas: 1": "servingReplicas: many"}, "servingReplicas must be an integer"),
        ({"servingReplicas: 1": "servingReplicas: 0"}, "replicas must be at least 1, got 0"),
        ({"computeMaxNodes: 1": "computeMaxNodes: 0"}, "compute_max_nodes must be at least 1"),
        ({"aksNodeCount: 1": "aksNodeCount: 0"}, "node_count must be at least 1, got 0"),
        ({"Digest: sha256:": "Digest: ''  # sha256:"}, "neither a digest nor a fixed tag"),
        ({"config:": "config: ["}, "invalid YAML"),
    ],
)
def test_invalid_config_is_one_error_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], replace: dict[str, str], message: str
) -> None:
    infra = stack_dir(tmp_path / "infra", bad=dev_config(**replace))
    assert plan.main(["--stack", "bad", "--infra-dir", str(infra), "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err.strip().splitlines()
    assert err[-1].startswith("Error: Pulumi.bad.yaml: ")
    assert message in err[-1]
    assert not any("Traceback" in line for line in err)
    assert not (tmp_path / "bad").exists()


def test_a_stack_with_secure_values_plans_offline(tmp_path: Path) -> None:
    text = dev_config() + f"  {SLUG}-infra:alertWebhook:\n    secure: v1:AAAA\n"
    infra = stack_dir(tmp_path / "infra", dev=text)
    out = tmp_path / "out"
    assert plan.main(["--stack", "dev", "--infra-dir", str(infra), "--out", str(out)]) == 0
    assert (out / "dev" / "resources.json").is_file()


def test_module_runs_as_a_command_with_help() -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mlops_infra.plan", "--help"],
        cwd=INFRA_DIR,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage: python -m mlops_infra.plan" in done.stdout
    assert "--stack" in done.stdout
    assert "--infra-dir" in done.stdout
