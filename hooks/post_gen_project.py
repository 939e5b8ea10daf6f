"""Cookiecutter post-generation hook: delete the files of options that were not chosen."""

import json
import sys
from pathlib import Path

CONTEXT = json.loads(r"""{{ cookiecutter | jsonify }}""")
KIT_HOOKS_DIR = r"""{{ kit_hooks_dir }}"""


def main() -> None:
    """Prune unchosen option paths from the generated project (the current directory)."""
    sys.path.insert(0, KIT_HOOKS_DIR)
    from kit_paths import prune_unchosen

    prune_unchosen(Path.cwd(), CONTEXT)


if __name__ == "__main__":
    main()
