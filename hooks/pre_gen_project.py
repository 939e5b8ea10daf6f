"""Cookiecutter pre-generation hook: reject invalid options with a one-line message."""

import json
import sys

CONTEXT = json.loads(r"""{{ cookiecutter | jsonify }}""")
KIT_HOOKS_DIR = r"""{{ kit_hooks_dir }}"""


def main() -> int:
    """Validate the options; print one ERROR line and return 1 when one is invalid."""
    sys.path.insert(0, KIT_HOOKS_DIR)
    from kit_options import OptionError, validate_context

    try:
        validate_context(CONTEXT)
    except OptionError as error:
        print(f"ERROR: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
