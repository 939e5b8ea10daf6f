"""A fake command (az, pulumi) first on PATH that logs its arguments, for the tools/ scripts."""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import pytest

# Each call appends its arguments as one JSON line to $FAKE_LOG, then runs the fake's body.
HEAD = """#!{python}
import json, os, sys
with open(os.environ["FAKE_LOG"], "a", encoding="utf-8") as log:
    log.write(json.dumps(sys.argv[1:]) + "\\n")
"""


def fake_tool(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, name: str, body: str) -> Path:
    """Put a fake ``name`` running ``body`` (Python) first on PATH; returns its call log."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(exist_ok=True)
    fake = bin_dir / name
    fake.write_text(HEAD.format(python=sys.executable) + body, encoding="utf-8")
    fake.chmod(0o755)
    log = tmp_path / f"{name}.log"
    monkeypatch.setenv("PATH", f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_LOG", str(log))
    return log


def calls(log: Path) -> list[list[str]]:
    """Every call of the fake, in order."""
    lines = log.read_text(encoding="utf-8").splitlines() if log.exists() else []
    return [json.loads(line) for line in lines]
