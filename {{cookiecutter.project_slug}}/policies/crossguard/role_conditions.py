"""Read a role assignment's delegation condition: Azure's "constrain roles and principal types".

The documented form (Azure ABAC, condition version 2.0) targets both role assignment actions,
write (attributes of the request) and delete (attributes of the existing assignment)::

    ((!(ActionMatches{'Microsoft.Authorization/roleAssignments/write'})) OR
     (@Request[Microsoft.Authorization/roleAssignments:RoleDefinitionId]
        ForAnyOfAnyValues:GuidEquals {<role ids>} AND
      @Request[Microsoft.Authorization/roleAssignments:PrincipalType]
        ForAnyOfAnyValues:StringEqualsIgnoreCase {'<type>', ...}))
    AND (the same for 'delete' with @Resource)

``delegation`` accepts that form only (whitespace aside), so whatever it returns is exactly what
the condition allows; anything else (one action, an extra OR, another attribute) is None.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_ATTRIBUTE = r"@SOURCE\[Microsoft\.Authorization/roleAssignments:NAME\]"
_SET = r"\s*\{(?P<GROUP>[^{}]*)\}"
_CLAUSE = (
    r"\(\s*\(\s*!\s*\(\s*ActionMatches\s*\{\s*'Microsoft\.Authorization/roleAssignments/ACTION'"
    r"\s*\}\s*\)\s*\)\s*OR\s*\(\s*ROLES\s+ForAnyOfAnyValues:GuidEquals"
    + _SET.replace("GROUP", "ACTION_roles")
    + r"\s+AND\s+TYPES\s+ForAnyOfAnyValues:StringEqualsIgnoreCase"
    + _SET.replace("GROUP", "ACTION_types")
    + r"\s*\)\s*\)"
)


def _clause(action: str, source: str) -> str:
    """The regular expression of one action's clause, its sets in named groups."""
    attribute = _ATTRIBUTE.replace("SOURCE", source)
    return (
        _CLAUSE.replace("ROLES", attribute.replace("NAME", "RoleDefinitionId"))
        .replace("TYPES", attribute.replace("NAME", "PrincipalType"))
        .replace("ACTION", action)
    )


_DELEGATION = re.compile(
    r"\s*" + _clause("write", "Request") + r"\s+AND\s+" + _clause("delete", "Resource") + r"\s*"
)


@dataclass(frozen=True)
class Delegation:
    """What a delegation condition lets its holder assign (write) and remove (delete)."""

    write_roles: frozenset[str]
    write_types: frozenset[str]
    delete_roles: frozenset[str]
    delete_types: frozenset[str]

    @property
    def roles(self) -> frozenset[str]:
        """Role definition ids (lower case) assignable or removable."""
        return self.write_roles | self.delete_roles

    @property
    def principal_types(self) -> frozenset[str]:
        """Principal types (as written) the roles may be assigned to or removed from."""
        return self.write_types | self.delete_types


def _items(text: str) -> frozenset[str]:
    return frozenset(item.strip().strip("'").strip() for item in text.split(",") if item.strip())


def delegation(condition: object) -> Delegation | None:
    """The roles and principal types ``condition`` allows; None unless it has the form above."""
    match = _DELEGATION.fullmatch(condition) if isinstance(condition, str) else None
    if match is None:
        return None
    return Delegation(
        write_roles=frozenset(r.lower() for r in _items(match["write_roles"])),
        write_types=_items(match["write_types"]),
        delete_roles=frozenset(r.lower() for r in _items(match["delete_roles"])),
        delete_types=_items(match["delete_types"]),
    )
