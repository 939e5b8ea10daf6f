"""The CrossGuard pack (policies/crossguard) through pulumi-policy's own argument types.

Each policy: a good fixture that passes and a bad one caught exactly; the shipped stacks' plans
pass; known-bad mutants of a real plan are caught by the policy that owns them.
"""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import guardrail_policies
import mlops_policies
import pytest
from policies import crossguard_offline as offline
from pulumi_policy import EnforcementLevel

from mlops_infra.rbac.delegation import delegation_condition
from mlops_infra.security.definitions import GUARDRAILS
from support import PlannedStack

Record = dict[str, Any]
PROJECT = "project-infra"
SUB = "/subscriptions/s/resourceGroups/rg/providers"
OWNER = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/" + (
    "8e3af657-a8ff-443c-a75c-2fe8c4bcb635"
)
READER = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/" + (
    "acdd72a7-3385-48ef-bd42-f606fba81ae7"
)
UAA = "/subscriptions/s/providers/Microsoft.Authorization/roleDefinitions/" + (
    "18d7d88d-d35e-4fb5-a5c3-7773c20a72d9"
)
READER_ID, OWNER_ID = READER.rsplit("/", 1)[1], OWNER.rsplit("/", 1)[1]
CONSTRAINED = {"condition": delegation_condition([READER_ID]), "conditionVersion": "2.0"}
DIGEST = "acr.azurecr.io/app@sha256:" + "a" * 64
ROLE_ADMINS = ("mlops-role-administrators-constrained", "ra")


def violations(stack: str, records: list[Record]) -> set[tuple[str, str]]:
    """(policy, resource) of every violation of the pack in ``records`` as stack ``stack``."""
    resources = [offline.policy_resource(PROJECT, stack, record) for record in records]
    offline.use_stack(PROJECT, stack)
    return {(v.policy, v.resource) for v in offline.evaluate(stack, resources)}


def rec(type_token: str, name: str, **inputs: Any) -> Record:
    """A recorded resource."""
    return {"type": type_token, "name": name, "inputs": inputs}


def vault(**properties: Any) -> Record:
    """A Key Vault with the given properties over the good ones."""
    good = {"enablePurgeProtection": True, "enableRbacAuthorization": True}
    return rec(
        mlops_policies.VAULT,
        "kv",
        vaultName="kv1",
        resourceGroupName="rg",
        properties=good | properties,
    )


def storage(**inputs: Any) -> Record:
    """A storage account with ``inputs`` over the good ones."""
    good = {
        "accountName": "st1",
        "resourceGroupName": "rg",
        "allowBlobPublicAccess": False,
        "allowSharedKeyAccess": False,
    }
    return rec(
        mlops_policies.STORAGE, "st", **(good | {"publicNetworkAccess": "Disabled"} | inputs)
    )


def registry(**inputs: Any) -> Record:
    """A registry with ``inputs`` over the good ones."""
    good = {"registryName": "acr1", "resourceGroupName": "rg", "adminUserEnabled": False}
    return rec(mlops_policies.REGISTRY, "acr", **(good | inputs))


def workspace(**inputs: Any) -> Record:
    """An Azure ML workspace with ``inputs`` over the good ones."""
    good = {
        "workspaceName": "mlw1",
        "resourceGroupName": "rg",
        "publicNetworkAccess": "Disabled",
        "systemDatastoresAuthMode": "Identity",
    }
    return rec(mlops_policies.WORKSPACE, "mlw", **(good | inputs))


def endpoint(name: str, target: str) -> Record:
    """A private endpoint to the ARM id ``target``."""
    connection = {"groupIds": ["x"], "privateLinkServiceId": target}
    return rec(mlops_policies.PRIVATE_ENDPOINT, name, privateLinkServiceConnections=[connection])


def grant(principal_type: str, role: str, **inputs: Any) -> Record:
    """A role assignment, with ``inputs`` (a condition) if given."""
    return rec(
        mlops_policies.ROLE_ASSIGNMENT,
        "ra",
        principalType=principal_type,
        roleDefinitionId=role,
        **inputs,
    )


def constrained(roles: list[str], types: tuple[str, ...] = ("ServicePrincipal",)) -> Record:
    """A delegation condition letting its holder assign ``roles`` to ``types``."""
    return {"condition": delegation_condition(roles, types), "conditionVersion": "2.0"}


def container(**overrides: Any) -> Record:
    """A good container with ``overrides``."""
    good: Record = {
        "name": "scoring",
        "image": DIGEST,
        "resources": {"limits": {"cpu": "1", "memory": "1Gi"}},
        "securityContext": {
            "runAsNonRoot": True,
            "readOnlyRootFilesystem": True,
            "allowPrivilegeEscalation": False,
        },
    }
    return good | overrides


def deployment(*containers: Record) -> Record:
    """A Deployment of ``containers``."""
    spec = {"template": {"spec": {"containers": list(containers)}}}
    return rec(mlops_policies.DEPLOYMENT, "deploy", apiVersion="apps/v1", spec=spec)


ENDPOINTS = [
    endpoint("pe-st", f"{SUB}/Microsoft.Storage/storageAccounts/st1"),
    endpoint("pe-kv", f"{SUB}/Microsoft.KeyVault/vaults/kv1"),
    endpoint("pe-acr", f"{SUB}/Microsoft.ContainerRegistry/registries/acr1"),
    endpoint("pe-mlw", f"{SUB}/Microsoft.MachineLearningServices/workspaces/mlw1"),
]


def assignment(guid: str, **inputs: Any) -> Record:
    """A policy assignment of the built-in ``guid`` with Deny, with ``inputs`` over that."""
    good = {
        "policyDefinitionId": f"/providers/Microsoft.Authorization/policyDefinitions/{guid}",
        "enforcementMode": "Default",
        "parameters": {"effect": {"value": "Deny"}},
    }
    return rec(guardrail_policies.ASSIGNMENT, f"pa-{guid[:8]}", **(good | inputs))


def lock(name: str, target: str) -> Record:
    """A CanNotDelete lock on the ARM id ``target``."""
    return rec(guardrail_policies.LOCK, name, scope=target, level="CanNotDelete")


def exemption(**inputs: Any) -> Record:
    """A policy exemption with ``inputs`` over a good one (reasoned, expiring in 2999)."""
    good = {"description": "vendor tool", "expiresOn": "2999-01-01T00:00:00Z"}
    return rec(guardrail_policies.EXEMPTION, "ex", **(good | inputs))


def compute(**properties: Any) -> Record:
    """An AmlCompute with ``properties`` over the good ones."""
    good = {"computeType": "AmlCompute", "disableLocalAuth": True}
    return rec(guardrail_policies.COMPUTE, "mlc", properties=good | properties)


def logs(days: int) -> Record:
    """A Log Analytics workspace keeping ``days`` of logs."""
    return rec(
        "azure-native:operationalinsights:Workspace",
        "law",
        workspaceName="law1",
        resourceGroupName="rg",
        retentionInDays=days,
    )


def online_endpoint(**properties: Any) -> Record:
    """A managed online endpoint with ``properties`` over the good ones."""
    good = {"authMode": "AADToken", "publicNetworkAccess": "Disabled"}
    return rec(guardrail_policies.ONLINE_ENDPOINT, "oe", properties=good | properties)


def approved_outbound(*fqdns: str) -> dict[str, Any]:
    """A managed network allowing only approved outbound, with FQDN rules to ``fqdns``."""
    rules = {f"r{i}": {"type": "FQDN", "destination": d} for i, d in enumerate(fqdns)}
    return {"isolationMode": "AllowOnlyApprovedOutbound", "outboundRules": rules}


ASSIGNMENTS = [
    assignment(guid) if deny else assignment(guid, parameters={"effect": {"value": "Audit"}})
    for guid, deny in guardrail_policies.ML_GUARDRAILS.items()
]
LOCKS = [
    lock(
        f"lock-{e['name']}", e["inputs"]["privateLinkServiceConnections"][0]["privateLinkServiceId"]
    )
    for e in ENDPOINTS
]
GUARDED = [*ASSIGNMENTS, *LOCKS]
GOOD = [
    vault(),
    storage(),
    registry(),
    workspace(),
    deployment(container()),
    compute(),
    online_endpoint(),
    exemption(),
    *ENDPOINTS,
    *GUARDED,
]

CASES: list[tuple[str, str, list[Record], set[tuple[str, str]]]] = [
    (
        "purge",
        "dev",
        [vault(enablePurgeProtection=False)],
        {("mlops-keyvault-purge-protection", "kv")},
    ),
    (
        "rbac",
        "dev",
        [vault(enableRbacAuthorization=None)],
        {("mlops-keyvault-rbac-authorization", "kv")},
    ),
    (
        "blob",
        "dev",
        [storage(allowBlobPublicAccess=True)],
        {("mlops-storage-no-public-blob-access", "st")},
    ),
    (
        "st-net",
        "staging",
        [storage(publicNetworkAccess="Enabled"), *ENDPOINTS],
        {("mlops-storage-no-public-network", "st")},
    ),
    ("st-net-dev", "dev", [storage(publicNetworkAccess="Enabled")], set()),
    ("admin", "dev", [registry(adminUserEnabled=True)], {("mlops-registry-no-admin-user", "acr")}),
    (
        "mlw-net",
        "prod",
        [workspace(publicNetworkAccess="Enabled"), *ENDPOINTS, *GUARDED],
        {("mlops-workspace-no-public-network", "mlw")},
    ),
    (
        "mlw-net-staging",
        "staging",
        [workspace(publicNetworkAccess="Enabled"), *ENDPOINTS, *ASSIGNMENTS],
        set(),
    ),
    (
        "owner",
        "prod",
        [grant("Group", OWNER, **CONSTRAINED)],
        {("mlops-no-standing-admin-for-personas", "ra")},
    ),
    ("owner-dev", "dev", [grant("Group", OWNER, **CONSTRAINED)], set()),
    ("owner-sp", "prod", [grant("ServicePrincipal", OWNER, **CONSTRAINED)], set()),
    ("reader", "prod", [grant("Group", READER)], set()),
    *(
        (case, stack, [grant("ServicePrincipal", role, **inputs)], {ROLE_ADMINS})
        for case, stack, role, inputs in (
            ("owner-unconstrained", "prod", OWNER, {}),
            ("owner-unconstrained-dev", "dev", OWNER, {}),
            ("uaa-unconstrained", "staging", UAA, {}),
            ("owner-old-version", "prod", OWNER, CONSTRAINED | {"conditionVersion": "1.0"}),
            ("owner-hands-out-owner", "prod", OWNER, constrained([READER_ID, OWNER_ID])),
            ("owner-to-groups", "prod", OWNER, constrained([READER_ID], ("Group",))),
            (
                "owner-to-users",
                "prod",
                OWNER,
                constrained([READER_ID], ("ServicePrincipal", "User")),
            ),
            (
                "owner-write-only",
                "prod",
                OWNER,
                CONSTRAINED | {"condition": CONSTRAINED["condition"].split(" AND ((")[0]},
            ),
            (
                "owner-or-anything",
                "prod",
                OWNER,
                CONSTRAINED | {"condition": f"{CONSTRAINED['condition']} OR (true)"},
            ),
        )
    ),
    (
        "shared-key",
        "dev",
        [storage(allowSharedKeyAccess=True)],
        {("mlops-storage-no-shared-key", "st")},
    ),
    (
        "shared-key-default",
        "dev",
        [storage(allowSharedKeyAccess=None)],
        {("mlops-storage-no-shared-key", "st")},
    ),
    (
        "mlw-access-key",
        "dev",
        [workspace(systemDatastoresAuthMode="AccessKey"), *ASSIGNMENTS],
        {("mlops-workspace-identity-datastores", "mlw")},
    ),
    (
        "limits",
        "dev",
        [deployment(container(resources={"limits": {"cpu": "1"}}))],
        {("mlops-container-limits", "deploy")},
    ),
    (
        "root",
        "dev",
        [deployment(container(securityContext={"readOnlyRootFilesystem": True}))],
        {("mlops-container-security-context", "deploy")},
    ),
    (
        "tag",
        "prod",
        [deployment(container(image="acr.azurecr.io/app:1.0"))],
        {("mlops-image-by-digest", "deploy")},
    ),
    ("tag-dev", "dev", [deployment(container(image="acr.azurecr.io/app:1.0"))], set()),
    (
        "env",
        "prod",
        [storage(tags={"environment": "dev"}), *ENDPOINTS, *LOCKS],
        {("mlops-environment-tag-matches-stack", "st")},
    ),
    (
        "no-pe",
        "staging",
        [storage(), vault(), ENDPOINTS[1]],
        {("mlops-private-endpoint-for-data-plane", "st")},
    ),
    ("no-pe-dev", "dev", [storage(), vault()], set()),
    (
        "audit-in-prod",
        "prod",
        [
            assignment(
                "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f", parameters={"effect": {"value": "Audit"}}
            )
        ],
        {("mlops-guardrails-enforced", "pa-e96a9a5f")},
    ),
    (
        "do-not-enforce",
        "staging",
        [assignment("438c38d2-3772-465a-a9cc-7a6666a275ce", enforcementMode="DoNotEnforce")],
        {("mlops-guardrails-enforced", "pa-438c38d2")},
    ),
    (
        "audit-only-definition",
        "prod",
        [
            assignment(
                "45e05259-1eb5-4f70-9574-baf73e9d219b", parameters={"effect": {"value": "Audit"}}
            )
        ],
        set(),
    ),
    (
        "audit-in-dev",
        "dev",
        [
            assignment(
                "e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f", parameters={"effect": {"value": "Audit"}}
            )
        ],
        set(),
    ),
    (
        "unassigned",
        "dev",
        [workspace(), *ASSIGNMENTS[1:]],
        {("mlops-guardrails-assigned", "stack")},
    ),
    (
        "expired",
        "dev",
        [exemption(expiresOn="2020-01-01T00:00:00Z")],
        {("mlops-exemption-time-boxed", "ex")},
    ),
    ("no-reason", "dev", [exemption(description=" ")], {("mlops-exemption-time-boxed", "ex")}),
    ("no-expiry", "dev", [exemption(expiresOn=None)], {("mlops-exemption-time-boxed", "ex")}),
    (
        "local-auth",
        "dev",
        [compute(disableLocalAuth=False)],
        {("mlops-compute-no-local-auth", "mlc")},
    ),
    (
        "retention",
        "prod",
        [logs(30), lock("l", f"{SUB}/Microsoft.OperationalInsights/workspaces/law1")],
        {("mlops-prod-log-retention", "law")},
    ),
    ("retention-staging", "staging", [logs(30)], set()),
    ("no-lock", "prod", [storage(), *ENDPOINTS, *LOCKS[1:]], {("mlops-prod-delete-locks", "st")}),
    ("no-lock-staging", "staging", [storage(), *ENDPOINTS], set()),
    (
        "endpoint-keys",
        "prod",
        [online_endpoint(authMode="Key")],
        {("mlops-endpoint-private-token-only", "oe")},
    ),
    (
        "endpoint-public",
        "staging",
        [online_endpoint(publicNetworkAccess="Enabled")],
        {("mlops-endpoint-private-token-only", "oe")},
    ),
    ("endpoint-keys-dev", "dev", [online_endpoint(authMode="Key")], set()),
    (
        "pypi-outbound",
        "prod",
        [
            workspace(managedNetwork=approved_outbound("pkgs.dev.azure.com", "pypi.org")),
            *ENDPOINTS,
            *GUARDED,
        ],
        {("mlops-no-public-index-outbound", "mlw")},
    ),
    (
        "pypi-outbound-dev",
        "dev",
        [workspace(managedNetwork=approved_outbound("pypi.org")), *ASSIGNMENTS],
        set(),
    ),
]


@pytest.mark.parametrize("stack", ["dev", "staging", "prod"])
def test_the_good_fixture_passes_every_policy(stack: str) -> None:
    assert violations(stack, GOOD) == set()


@pytest.mark.parametrize(
    ("stack", "records", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES]
)
def test_each_bad_fixture_is_caught_by_exactly_its_policy(
    stack: str, records: list[Record], expected: set[tuple[str, str]]
) -> None:
    assert violations(stack, records) == expected


def test_every_policy_has_a_caught_fixture() -> None:
    caught = {policy for *_, expected in CASES for policy, _ in expected}
    assert caught == {policy.name for policy in mlops_policies.POLICIES}


def test_policies_are_mandatory_and_described_as_ensure() -> None:
    for policy in mlops_policies.POLICIES:
        assert policy.name.startswith("mlops-")
        assert policy.description.startswith("Ensure ")
        assert policy.enforcement_level == EnforcementLevel.MANDATORY


def _records(planned_stack: PlannedStack) -> list[Record]:
    records: list[Record] = json.loads((planned_stack.directory / "resources.json").read_text())
    return records


def test_the_shipped_stacks_pass(planned: dict[str, PlannedStack], tmp_path: Path) -> None:
    plan_dir = next(iter(planned.values())).directory.parent
    sarif = tmp_path / "crossguard.sarif"
    argv = ["--plan-dir", str(plan_dir), "--infra-dir", ".", "--sarif", str(sarif)]
    assert offline.main([*argv, "--stack", "dev", "--stack", "staging", "--stack", "prod"]) == 0
    assert json.loads(sarif.read_text())["runs"][0]["results"] == []


def _one(records: list[Record], type_token: str, name_part: str = "") -> Record:
    return next(r for r in records if r["type"] == type_token and name_part in r["name"])


def _owner_for_a_persona(records: list[Record]) -> None:
    grants = [r for r in records if r["type"] == mlops_policies.ROLE_ASSIGNMENT]
    persona = next(r for r in grants if r["inputs"].get("principalType") == "Group")
    persona["inputs"]["roleDefinitionId"] = OWNER
    persona["inputs"].update(CONSTRAINED)  # constrained: only the standing Owner is wrong
    persona["name"] = "mutant"


def _owner_without_condition(records: list[Record]) -> None:
    owner = _one(records, mlops_policies.ROLE_ASSIGNMENT, "cicd-ml-workspace-o")
    assert owner["inputs"].pop("condition")
    assert owner["inputs"].pop("conditionVersion") == "2.0"


def _shared_key(records: list[Record]) -> None:
    _one(records, mlops_policies.STORAGE)["inputs"]["allowSharedKeyAccess"] = True


def _key_based_datastores(records: list[Record]) -> None:
    _one(records, mlops_policies.WORKSPACE)["inputs"]["systemDatastoresAuthMode"] = "AccessKey"


def _no_purge_protection(records: list[Record]) -> None:
    _one(records, mlops_policies.VAULT)["inputs"]["properties"]["enablePurgeProtection"] = False


def _no_limits(records: list[Record]) -> None:
    deploy = _one(records, mlops_policies.DEPLOYMENT, "blue")
    del deploy["inputs"]["spec"]["template"]["spec"]["containers"][0]["resources"]["limits"]


def _tag_not_digest(records: list[Record]) -> None:
    deploy = _one(records, mlops_policies.DEPLOYMENT, "blue")
    deploy["inputs"]["spec"]["template"]["spec"]["containers"][0]["image"] = "acr.io/app:latest"


def _admin_user(records: list[Record]) -> None:
    _one(records, mlops_policies.REGISTRY)["inputs"]["adminUserEnabled"] = True


def _drop_storage_endpoint(records: list[Record]) -> None:
    blob = _one(records, mlops_policies.PRIVATE_ENDPOINT, "blob")
    records[:] = [
        r
        for r in records
        if r["type"] != mlops_policies.PRIVATE_ENDPOINT
        or ("Microsoft.Storage" not in json.dumps(r["inputs"]))
    ]
    assert blob not in records


def _public_workspace(records: list[Record]) -> None:
    _one(records, mlops_policies.WORKSPACE)["inputs"]["publicNetworkAccess"] = "Enabled"


def _compute_local_auth(records: list[Record]) -> None:
    _one(records, guardrail_policies.COMPUTE)["inputs"]["properties"]["disableLocalAuth"] = False


def _unlock_key_vault(records: list[Record]) -> None:
    locks = [r for r in records if r["type"] == guardrail_policies.LOCK]
    vault_lock = next(r for r in locks if "Microsoft.KeyVault" in r["inputs"]["scope"])
    records.remove(vault_lock)


def _short_retention(records: list[Record]) -> None:
    _one(records, "azure-native:operationalinsights:Workspace")["inputs"]["retentionInDays"] = 30


def _audit_effect(records: list[Record]) -> None:
    local_auth = _one(records, guardrail_policies.ASSIGNMENT, "compute-local-auth")
    local_auth["inputs"]["parameters"]["effect"]["value"] = "Audit"


def _expired_exemption(records: list[Record]) -> None:
    records.append(
        rec(
            guardrail_policies.EXEMPTION,
            "guardrails-exemption-0",
            description="vendor tool needs keys",
            expiresOn="2020-01-01T00:00:00Z",
        )
    )


def _unassign_idle_shutdown(records: list[Record]) -> None:
    records.remove(_one(records, guardrail_policies.ASSIGNMENT, "compute-idle-shutdown"))


def _endpoint_with_keys(records: list[Record]) -> None:
    endpoint = _one(records, guardrail_policies.ONLINE_ENDPOINT)
    endpoint["inputs"]["properties"]["authMode"] = "Key"


def _pypi_outbound(records: list[Record]) -> None:
    rules = _one(records, mlops_policies.WORKSPACE)["inputs"]["managedNetwork"]["outboundRules"]
    rules["pypi"] = {"type": "FQDN", "category": "UserDefined", "destination": "pypi.org"}


MUTANTS = [
    ("prod", _endpoint_with_keys, "mlops-endpoint-private-token-only", "online-endpoint"),
    ("staging", _pypi_outbound, "mlops-no-public-index-outbound", "ml-mlw"),
    ("prod", _public_workspace, "mlops-workspace-no-public-network", "ml-mlw"),
    ("prod", _compute_local_auth, "mlops-compute-no-local-auth", "training-compute"),
    ("prod", _unlock_key_vault, "mlops-prod-delete-locks", "ml-kv"),
    ("prod", _short_retention, "mlops-prod-log-retention", "ml-logs"),
    ("prod", _audit_effect, "mlops-guardrails-enforced", "compute-local-auth"),
    ("staging", _audit_effect, "mlops-guardrails-enforced", "compute-local-auth"),
    ("prod", _expired_exemption, "mlops-exemption-time-boxed", "exemption-0"),
    ("dev", _unassign_idle_shutdown, "mlops-guardrails-assigned", "stack"),
    ("prod", _owner_for_a_persona, "mlops-no-standing-admin-for-personas", "mutant"),
    (
        "prod",
        _owner_without_condition,
        "mlops-role-administrators-constrained",
        "cicd-ml-workspace-o",
    ),
    (
        "dev",
        _owner_without_condition,
        "mlops-role-administrators-constrained",
        "cicd-ml-workspace-o",
    ),
    ("prod", _shared_key, "mlops-storage-no-shared-key", "ml-st"),
    ("staging", _key_based_datastores, "mlops-workspace-identity-datastores", "ml-mlw"),
    ("prod", _no_purge_protection, "mlops-keyvault-purge-protection", "ml-kv"),
    ("prod", _no_limits, "mlops-container-limits", "serving-deployment-blue"),
    ("prod", _tag_not_digest, "mlops-image-by-digest", "serving-deployment-blue"),
    ("dev", _admin_user, "mlops-registry-no-admin-user", "ml-acr"),
    ("staging", _drop_storage_endpoint, "mlops-private-endpoint-for-data-plane", "ml-st"),
]


@pytest.mark.parametrize(
    ("stack", "mutate", "policy", "resource"), MUTANTS, ids=[m[2] for m in MUTANTS]
)
def test_a_mutant_of_a_real_plan_is_caught_by_its_policy(
    planned: dict[str, PlannedStack], stack: str, mutate: Any, policy: str, resource: str
) -> None:
    records = copy.deepcopy(_records(planned[stack]))
    assert violations(stack, records) == set()
    mutate(records)
    found = violations(stack, records)
    assert {p for p, _ in found} == {policy}
    assert all(resource in name for _, name in found), found


def test_the_pack_knows_exactly_the_guardrails_the_stacks_assign() -> None:
    assert {
        g.definition_guid: "Deny" in g.effects for g in GUARDRAILS
    } == guardrail_policies.ML_GUARDRAILS


def test_a_violation_message_names_the_fix() -> None:
    resources = [
        offline.policy_resource(PROJECT, "prod", r)
        for r in [logs(30), assignment("e96a9a5f-07ca-471b-9bc5-6a0f33cbd68f", parameters={})]
    ]
    offline.use_stack(PROJECT, "prod")
    messages = {(v.policy, v.resource): v.message for v in offline.evaluate("prod", resources)}
    assert messages["mlops-prod-log-retention", "law"] == (
        "retentionInDays is 30: set logRetentionDays to at least 90 in Pulumi.prod.yaml"
    )
    assert messages["mlops-prod-delete-locks", "law"] == (
        "azure-native:operationalinsights:Workspace law has no CanNotDelete lock: "
        "set deleteLock: true in Pulumi.prod.yaml"
    )
    assert messages["mlops-guardrails-enforced", "pa-e96a9a5f"].startswith(
        "effect is None, not Deny: set guardrailEffect: Deny in Pulumi.prod.yaml"
    )
