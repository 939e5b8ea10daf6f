"""Run-time guardrails per stack on the real program: Azure Policy, exemptions, locks, Defender,
the managed network's approved outbound rules and the customer-managed key option."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from mlops_infra.mocks import Mocks
from mlops_infra.plan import ARGS_ERRORS
from mlops_infra.program import build
from mlops_infra.security.args import Exemption, SecurityArgsError
from mlops_infra.settings import Settings, load_settings
from mlops_infra.workspace.args import WorkspaceArgsError
from support import PlannedStack, Record, mock_stack, mocked, of_type, one

ASSIGNMENT = "azure-native:authorization:PolicyAssignment"
EXEMPTION = "azure-native:authorization:PolicyExemption"
LOCK = "azure-native:authorization:ManagementLockByScope"
PRICING = "azure-native:security:Pricing"
WORKSPACE = "azure-native:machinelearningservices:Workspace"
COMPUTE = "azure-native:machinelearningservices:Compute"
# Built-in definitions (Azure/azure-policy, "Machine Learning"): guid -> effects they allow.
BUILT_INS = {
    "438c38d2-3772-465a-a9cc-7a6666a275ce": ("Audit", "Deny"),  # public network access
    "45e05259-1eb5-4f70-9574-baf73e9d219b": ("Audit",),  # private link
    "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f": ("Audit", "Deny"),  # compute local auth
    "679ddf89-ab8f-48a5-9029-e76054077449": ("Audit", "Deny"),  # compute instance idle shutdown
    "12e5dd16-d201-47ff-849b-8454061c293d": ("Audit", "Deny"),  # approved registry models
    "6ddb1705-c8cf-450e-aa4b-19ad6703c440": ("Audit", "Deny"),  # managed network isolation
}
FEED_HOSTS = ["pkgs.dev.azure.com", "*.pkgs.visualstudio.com", "*.vsblob.visualstudio.com"]
TOMORROW = (datetime.now(UTC).date() + timedelta(days=1)).isoformat()


def run_stack(stack: str, **overrides: str) -> Mocks:
    """The real program for ``stack`` with config ``overrides``; its recorded resources."""
    mocks = mock_stack(stack, **overrides)
    settings = load_settings()

    @mocked
    def run() -> None:
        build(settings)

    run()
    return mocks


def load_settings_for(stack: str) -> Settings:
    """The settings of ``stack`` as shipped."""
    mock_stack(stack)
    return load_settings()


def _assignments(resources: list[Record]) -> dict[str, dict[str, Any]]:
    """Assignment inputs by built-in definition GUID."""
    return {
        r["inputs"]["policyDefinitionId"].rsplit("/", 1)[1]: r["inputs"]
        for r in of_type(resources, ASSIGNMENT)
    }


@pytest.mark.parametrize(
    ("name", "effect"), [("dev", "Audit"), ("staging", "Deny"), ("prod", "Deny")]
)
def test_every_stack_assigns_the_ml_guardrails_audit_in_dev_deny_elsewhere(
    planned: dict[str, PlannedStack], name: str, effect: str
) -> None:
    stack = planned[name]
    assignments = _assignments(stack.resources)
    assert set(assignments) == set(BUILT_INS)
    group = one(stack.resources, "azure-native:resources:ResourceGroup")["inputs"]
    for guid, inputs in assignments.items():
        expected = effect if effect in BUILT_INS[guid] else "Audit"
        assert inputs["parameters"]["effect"] == {"value": expected}, guid
        assert inputs["policyDefinitionId"] == (
            f"/providers/Microsoft.Authorization/policyDefinitions/{guid}"
        )
        assert inputs["enforcementMode"] == "Default"
        assert inputs["scope"].endswith(f"/resourceGroups/{group['resourceGroupName']}")
        assert inputs["nonComplianceMessages"][0]["message"]
    isolation = assignments["6ddb1705-c8cf-450e-aa4b-19ad6703c440"]["parameters"]
    assert isolation["isolationMode"] == {"value": stack.settings.managed_network_isolation}
    models = assignments["12e5dd16-d201-47ff-849b-8454061c293d"]["parameters"]
    assert models["allowedAssetIds"] == {"value": []}
    assert of_type(stack.resources, EXEMPTION) == []


def test_guardrail_effect_switch_turns_prod_to_audit() -> None:
    assignments = _assignments(run_stack("prod", guardrailEffect="Audit").resources)
    assert {a["parameters"]["effect"]["value"] for a in assignments.values()} == {"Audit"}


def test_an_exemption_is_a_waiver_with_its_reason_and_expiry() -> None:
    exemption = f"compute-idle-shutdown | {TOMORROW} | GPU benchmark needs a warm instance"
    resources = run_stack("prod", policyExemptions=json.dumps([exemption])).resources
    (waiver,) = [r["inputs"] for r in of_type(resources, EXEMPTION)]
    assert waiver["exemptionCategory"] == "Waiver"
    assert waiver["expiresOn"] == f"{TOMORROW}T00:00:00Z"
    assert waiver["description"] == "GPU benchmark needs a warm instance"
    assert waiver["policyAssignmentId"].endswith("-compute-idle-shutdown")
    assert "/resourceGroups/rg-" in waiver["scope"]


def test_an_exemption_can_name_one_resource_of_the_stack() -> None:
    settings_rg = load_settings_for("prod").names.resource_group_name
    compute = (
        f"/subscriptions/s/resourceGroups/{settings_rg}/providers/"
        "Microsoft.MachineLearningServices/workspaces/w/computes/gpu"
    )
    exemption = f"compute-local-auth | {TOMORROW} | vendor agent needs SSH | {compute}"
    resources = run_stack("prod", policyExemptions=json.dumps([exemption])).resources
    (waiver,) = [r["inputs"] for r in of_type(resources, EXEMPTION)]
    assert waiver["scope"] == compute
    assert waiver["policyAssignmentId"].endswith("-compute-local-auth")


@pytest.mark.parametrize(
    ("exemption", "message"),
    [
        ("compute-idle-shutdown | 2020-01-31 | old", "policyExemptions[0] expired on 2020-01-31"),
        (f"compute-idle-shutdown | {TOMORROW} |  ", "policyExemptions[0] has no reason"),
        (
            f"no-such-rule | {TOMORROW} | why",
            "policyExemptions[0] names no guardrail 'no-such-rule'",
        ),
        ("compute-idle-shutdown | soon | why", "expires must be a date YYYY-MM-DD, got 'soon'"),
        ("compute-idle-shutdown", "must be 'guardrail | expires | reason [| resource id]'"),
        (
            f"compute-local-auth | {TOMORROW} | why | /subscriptions/s/resourceGroups/other/x",
            "is outside resource group rg-",
        ),
    ],
)
def test_a_bad_exemption_is_refused_before_anything_registers(exemption: str, message: str) -> None:
    mocks = mock_stack("prod", policyExemptions=json.dumps([exemption]))
    settings = load_settings()

    @mocked
    def run() -> None:
        build(settings)

    with pytest.raises(SecurityArgsError, match=message.replace("[", r"\[").replace("|", r"\|")):
        run()
    assert mocks.resources == []
    assert SecurityArgsError in ARGS_ERRORS


def test_an_unknown_guardrail_effect_is_refused() -> None:
    with pytest.raises(SecurityArgsError, match="guardrailEffect must be one of Audit, Deny"):
        run_stack("dev", guardrailEffect="Disabled")


@pytest.mark.parametrize(("name", "locked"), [("dev", False), ("staging", False), ("prod", True)])
def test_only_prod_locks_its_data_and_logs_against_deletion(
    planned: dict[str, PlannedStack], name: str, locked: bool
) -> None:
    locks = [r["inputs"] for r in of_type(planned[name].resources, LOCK)]
    if not locked:
        assert locks == []
        return
    targets = sorted(lock["scope"].split("/providers/", 1)[1].rsplit("/", 1)[0] for lock in locks)
    assert targets == [
        "Microsoft.ContainerRegistry/registries",
        "Microsoft.KeyVault/vaults",
        "Microsoft.MachineLearningServices/workspaces",
        "Microsoft.OperationalInsights/workspaces",
        "Microsoft.Storage/storageAccounts",
    ]
    assert {lock["level"] for lock in locks} == {"CanNotDelete"}


@pytest.mark.parametrize(("name", "on"), [("dev", False), ("staging", True), ("prod", True)])
def test_defender_plans_are_on_in_staging_and_prod(
    planned: dict[str, PlannedStack], name: str, on: bool
) -> None:
    plans = {
        r["inputs"]["pricingName"]: r["inputs"] for r in of_type(planned[name].resources, PRICING)
    }
    if not on:
        assert plans == {}
        return
    assert set(plans) == {"Containers", "KeyVaults", "StorageAccounts"}
    assert {p["pricingTier"] for p in plans.values()} == {"Standard"}
    assert plans["KeyVaults"]["subPlan"] == "PerKeyVault"
    assert plans["StorageAccounts"]["subPlan"] == "DefenderForStorageV2"
    assert "subPlan" not in plans["Containers"]
    assert {p["scopeId"] for p in plans.values()} == {
        "/subscriptions/00000000-0000-0000-0000-0000000000bb"
    }


def test_defender_switch_off_creates_no_plan() -> None:
    assert of_type(run_stack("prod", defenderPlans="false").resources, PRICING) == []


@pytest.mark.parametrize("name", ["staging", "prod"])
def test_private_stacks_allow_only_the_feed_outbound(
    planned: dict[str, PlannedStack], name: str
) -> None:
    network = one(planned[name].resources, WORKSPACE)["inputs"]["managedNetwork"]
    assert network["isolationMode"] == "AllowOnlyApprovedOutbound"
    rules = network["outboundRules"]
    assert sorted(rule["destination"] for rule in rules.values()) == sorted(FEED_HOSTS)
    assert {(rule["type"], rule["category"]) for rule in rules.values()} == {
        ("FQDN", "UserDefined")
    }
    assert not any("pypi" in rule["destination"] for rule in rules.values())


def test_dev_has_no_managed_network_and_no_outbound_rules(planned: dict[str, PlannedStack]) -> None:
    network = one(planned["dev"].resources, WORKSPACE)["inputs"]["managedNetwork"]
    assert network["isolationMode"] == "Disabled"
    assert "outboundRules" not in network


def test_every_stack_turns_local_auth_off_on_its_compute(stack: PlannedStack) -> None:
    compute = one(stack.resources, COMPUTE)["inputs"]["properties"]
    assert compute["disableLocalAuth"] is True


def test_customer_managed_key_is_off_by_default_and_set_from_config(
    planned: dict[str, PlannedStack],
) -> None:
    assert "encryption" not in one(planned["prod"].resources, WORKSPACE)["inputs"]
    key = "https://kv-cmk.vault.azure.net/keys/workspace/" + "0" * 32
    vault = "/subscriptions/s/resourceGroups/rg-keys/providers/Microsoft.KeyVault/vaults/kv-cmk"
    mocks = run_stack("prod", customerManagedKey=key, customerManagedKeyVaultId=vault)
    encryption = one(mocks.resources, WORKSPACE)["inputs"]["encryption"]
    assert encryption == {
        "status": "Enabled",
        "keyVaultProperties": {"keyIdentifier": key, "keyVaultArmId": vault},
    }


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"logRetentionDays": "7"}, "logRetentionDays must be between 30 and 730, got 7"),
        (
            {"approvedOutboundFqdns": json.dumps(["https://pypi.org/simple"])},
            "approvedOutboundFqdns[0] must be a host name",
        ),
        ({"customerManagedKey": "my-key"}, "customerManagedKey must be a Key Vault key identifier"),
        (
            {"customerManagedKey": "https://kv-cmk.vault.azure.net/keys/k"},
            "customerManagedKeyVaultId must be the ARM id",
        ),
    ],
)
def test_bad_workspace_security_config_is_refused(overrides: dict[str, str], message: str) -> None:
    mocks = mock_stack("prod", **overrides)
    settings = load_settings()

    @mocked
    def run() -> None:
        build(settings)

    with pytest.raises(WorkspaceArgsError) as caught:
        run()
    assert message in str(caught.value)
    assert mocks.resources == []


def test_exemption_expiring_today_is_already_refused() -> None:
    today = date(2026, 6, 1)
    exemption = Exemption.parse(0, "compute-local-auth | 2026-06-01 | vendor tool")
    assert exemption.problem(today, "rg-x") == (
        "expired on 2026-06-01: remove it or renew it with a reason"
    )
    assert exemption.problem(today - timedelta(days=1), "rg-x") is None
