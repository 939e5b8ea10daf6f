"""Writing a contract as YAML: a header saying who owns it, then task, target and columns."""

from __future__ import annotations

from collections.abc import Sequence

import yaml

from {{ cookiecutter.package_name }}.contract.schema import Contract

HEADER = """\
# The data contract: the task, the target and every column of the data. Every step derives from
# it (validation, the model's pipeline, metrics, serving, batch output, drift): no column is
# named in code. Owned by the data owner, who reviews every change to it.
#
# columns.<name>: type number | integer | category | boolean; role feature (default) | id
# (carried through batch output, never a feature) | ignore; nullable (default false: a missing
# value is refused; true: imputed inside the model); min/max (numbers); categories; sensitive
# (fairness is checked per group of this column).
"""


def render_contract(contract: Contract, notes: Sequence[str] = ()) -> str:
    """The contract as YAML text, with the header and any drafting notes as comments."""
    body = yaml.safe_dump(
        contract.to_dict(), sort_keys=False, default_flow_style=None, width=100, allow_unicode=True
    )
    drafted = "".join(f"# {note}\n" for note in notes)
    return HEADER + ("#\n" + drafted if drafted else "") + body
